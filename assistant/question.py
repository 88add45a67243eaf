"""The question stage: check it, treat instructions in it as text, make follow-ups stand alone,
split two questions in one, and read the hints that name a document (a year, a date, a place)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.corpus import Document
from assistant.errors import UserError
from assistant.loading.metadata import iso_date
from assistant.text import STOPWORDS, content_terms, words
from assistant.tokens import count_tokens

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b[^.?!]*\b(instructions?|rules?|prompt|above|previous)|"
    r"\b(system prompt|you are now|act as|pretend|jailbreak|developer mode)\b|\b(say|answer|reply|respond|print|output)\s+(that|only|exactly|with)\b",
    re.I,
)
_QUESTION = re.compile(
    r"\b(who|whom|whose|what|when|where|which|why|how|did|does|do|is|are|was|were|can|could|will|would|has|have)"
    r"\b[^.!?]*\?",
    re.I,
)
_PRONOUN = re.compile(r"\b(they|them|their|he|she|him|her|his|it|its|this|that|these|those|there)\b", re.I)
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_MONTH_YEAR = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december)\s+((?:19|20)\d\d)\b",
    re.I,
)
_MONTHS = "january february march april may june july august september october november december".split()


def validate(question: str, max_tokens: int) -> str:
    question = (question or "").strip()
    if not question:
        raise UserError("the question is empty; ask something about the documents")
    tokens = count_tokens(question)
    if tokens > max_tokens:
        raise UserError(f"the question is too long ({tokens} tokens; the limit is {max_tokens}); shorten it")
    return question


def is_instruction(text: str) -> bool:
    """Does this text give orders to the assistant? In a question they are ignored; in a document,
    such a sentence is data: never evidence, never shown to a model as something to follow."""
    return bool(_INJECTION.search(text))


def strip_instructions(question: str) -> tuple[str, bool]:
    """The question without instructions aimed at the assistant, and whether there were any.
    What is left is the part that asks something; nothing, when only instructions remain."""
    if not _INJECTION.search(question):
        return question, False
    kept = [s for s in re.split(r"(?<=[.?!])\s+", question) if not _INJECTION.search(s)]
    asked = _QUESTION.search(" ".join(kept))
    return (asked.group(0).strip() if asked else ""), True


def rewrite(question: str, history: list[str] | None) -> str:
    """Make a follow-up stand alone: a question leaning on an earlier turn carries that turn along."""
    if not history:
        return question
    previous = history[-1].strip()
    if _PRONOUN.search(question) or len(content_terms(question)) <= 2:
        return f"{question} (following: {previous})"
    return question


def split(question: str) -> list[str]:
    """Two questions in one ("… and where …?") become two, each answered and cited on its own."""
    parts = [p.strip() for p in re.split(r"\?\s+(?=\S)", question) if p.strip()]
    out: list[str] = []
    for part in parts:
        pieces = re.split(
            r",?\s+and\s+(?=(?:who|what|when|where|which|why|how)\b)",
            part,
            flags=re.I,
        )
        out.extend(p.strip().rstrip("?") + "?" for p in pieces if p.strip())
    return out[:3] or [question]


@dataclass
class Hints:
    """What in a question names a document: years, dates (YYYY-MM-DD or YYYY-MM), capitalised words."""

    years: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.years or self.dates or self.names)

    def match(self, doc: Document, common: frozenset[str] = frozenset()) -> int:
        """How many kinds of hint this document matches (0: none)."""
        score = 0
        if doc.date and (any(doc.date.startswith(d) for d in self.dates) or doc.date[:4] in self.years):
            score += 1
        own = set(words(doc.place)) | (set(words(doc.title)) - common)
        if self.names & own:
            score += 1
        return score


def without_hints(question: str) -> str:
    """The question less what names a document: years, dates, and the phrase around a capitalised
    name ("at the Rome meeting", "in Gdansk", "the 2019 statement")."""
    text = _MONTH_YEAR.sub(" ", question)
    text = _YEAR.sub(" ", text)
    text = re.sub(
        r"\b(?:at|in|during|from|of)\s+(?:the\s+)?(?:[A-Z][\w’'-]+\s+)+(?:(?:ministerial\s+)?meeting|statement|"
        r"communiqu[ée]|declaration|summit|conference)\b|\b(?:at|in|during)\s+(?:the\s+)?[A-Z][\w’'-]+(?=[\s?.,]*$)",
        " ",
        text[:1] + text[1:],
    )
    text = re.sub(r"\b(?:at|in|during|of)\s+(?:the\s+)?(?:meeting|statement)?\s*(?=[?.]|$)", " ", text)
    return re.sub(r"\s+([?.,])", r"\1", re.sub(r"\s{2,}", " ", text)).strip() or question


def hints_of(question: str) -> Hints:
    hints = Hints(years={m.group(0) for m in _YEAR.finditer(question)})
    date, _, _ = iso_date(question)
    if date:
        hints.dates.add(date)
    for m in _MONTH_YEAR.finditer(question):
        hints.dates.add(f"{m.group(2)}-{_MONTHS.index(m.group(1).lower()) + 1:02d}")
    tokens = re.findall(r"[A-Za-z][\w’'-]*", question)
    hints.names = {t.lower() for t in tokens[1:] if t[0].isupper() and t.lower() not in STOPWORDS}
    return hints

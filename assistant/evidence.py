"""Evidence first: the few sentences that best answer a question, and how strongly.

Sentences of the retrieved paragraphs are scored by embedding similarity to the question, by
how many of the question's content words they contain, and by the kind of answer the question
asks for (a date for "when", a number for "how many"). The best ones go to the model; the best
one is also what a failed model sentence is repaired with, quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.corpus import Paragraph, split_sentences
from assistant.retrieve import Hit
from assistant.text import STOPWORDS, content_terms, stem, words

_MONTHS = "january february march april may june july august september october november december"
_DATE = re.compile(
    rf"\b(\d{{1,2}} (?:{_MONTHS.replace(' ', '|')})|(?:{_MONTHS.replace(' ', '|')}) \d{{1,2}}|"
    r"(1[89]|20)\d\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
_NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"hundred|thousand|million|billion|dozens?)\b",
    re.I,
)
_ROLES = (
    r"(minister|leader|official|person|people|head|president|secretary|chair|chairman|spokesperson|"
    r"envoy|ambassador|representative|diplomat|king|queen|mayor|governor|general|author|host)s?"
)
# A person: a title then a capitalised name ("Prime Minister Kadhimi", "Secretary of State Michael R.
# Pompeo"), or a first name, middle initial and surname.
_PERSON = re.compile(
    r"\b(?:Minister|Secretary|President|Chancellor|King|Queen|Mr\.|Ms\.|Mrs\.|Dr\.|General|Ambassador|"
    r"Senator|Governor|Mayor|Envoy)(?:\s+of(?:\s+[A-Z][a-z]+)+)?\s+(?!of\b)[A-Z][a-z]+|\b[A-Z][a-z]+ [A-Z]\. [A-Z][a-z]+"
)


def answer_type(question: str) -> str | None:
    """The kind of fact a question wants, when its wording says so."""
    q = question.lower().strip()
    if re.match(r"^(when|on what (day|date)|what (day|date)|in what year|what year)\b", q):
        return "date"
    if re.match(r"^(how many|how much|what (number|percentage|share)|roughly how many)\b", q):
        return "number"
    if re.match(r"^(who|whom|whose)\b", q) or re.match(rf"^(which|what)\s+(\w+\s+)?{_ROLES}\b", q):
        return "person"
    return None


def has_type(text: str, kind: str | None) -> bool:
    if kind == "date":
        return bool(_DATE.search(text))
    if kind == "number":
        return bool(_NUMBER.search(text))
    if kind == "person":
        return bool(_PERSON.search(text))
    return True


_PROPER = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:of\s+)?[A-Z][\w’'-]*)*")
_COUNTED = re.compile(r"^(?:roughly\s+)?how\s+(?:many|much)\s+(?:of\s+the\s+)?([a-z-]+)", re.I)


def proper_nouns(question: str) -> list[str]:
    """Capitalised names in a question, skipping its first word (capitalised anyway)."""
    body = question.strip()
    first = re.match(r"\S+\s*", body)
    body = body[first.end() :] if first else body
    return [m.group() for m in _PROPER.finditer(body) if m.group().lower() not in STOPWORDS]


def counted_noun(question: str) -> str | None:
    """The thing a "how many …" question counts, stemmed: troops -> troop."""
    match = _COUNTED.match(question.strip())
    return stem(match.group(1).lower()) if match else None


@dataclass
class EvidenceSentence:
    paragraph: Paragraph
    index: int
    text: str
    similarity: float  # cosine to the question
    overlap: float  # share of the question's content words present
    score: float


def lexical_overlap(question: str, text: str) -> float:
    q = set(content_terms(question))
    if not q:
        return 0.0
    t = set(content_terms(text)) | {stem(w) for w in words(text)}
    return len(q & t) / len(q)


def _segments(text: str, max_words: int = 30) -> list[str]:
    """A sentence plus, when it is long, its clause windows: a long sentence's vector blurs its parts."""
    if len(text.split()) <= max_words + 15:
        return [text]
    out, current = [text], ""
    for clause in _clauses(text):
        if current and len((current + " " + clause).split()) > max_words:
            out.append(current)
            current = clause
        else:
            current = f"{current} {clause}".strip()
    if current:
        out.append(current)
    return out


def rank_sentences(question: str, vector: np.ndarray, hits: list[Hit], embed) -> list[EvidenceSentence]:
    """Score the sentences (and clause windows of long ones) of the retrieved paragraphs.

    `embed` maps texts to unit vectors; `vector` is the question's.
    """
    kind = answer_type(question)
    candidates = [
        (hit, s, seg) for hit in hits for s in split_sentences(hit.paragraph) for seg in _segments(s.text)
    ]
    if not candidates:
        return []
    sims = embed([seg for _, _, seg in candidates]) @ vector
    ranked = []
    for (hit, sentence, segment), sim in zip(candidates, sims, strict=True):
        overlap = lexical_overlap(question, segment)
        typed = kind is not None and has_type(segment, kind)
        score = float(sim) + 0.35 * overlap + (0.2 if typed else 0.0)
        ranked.append(EvidenceSentence(hit.paragraph, sentence.index, segment, float(sim), overlap, score))
    ranked.sort(key=lambda e: -e.score)
    return ranked


def _clauses(sentence: str) -> list[str]:
    parts = re.split(r"(?<=[,;])\s+", sentence)
    return [p for p in parts if p]


def best_quote(question: str, sentence: EvidenceSentence, max_words: int = 40) -> str:
    """The sentence, or its clause window that best answers the question, marked as a quotation."""
    kind = answer_type(question)
    text = sentence.text.strip()
    clauses = _clauses(text)
    if len(text.split()) <= max_words or len(clauses) == 1:
        cut = "…" if text[-1:] in ",;" else ""  # a clause window of a longer sentence
        return f"“{text.rstrip('.,; ')}{cut}”"
    best: tuple[float, int, int] | None = None
    for i in range(len(clauses)):
        for j in range(i + 1, len(clauses) + 1):
            window = " ".join(clauses[i:j])
            n = len(window.split())
            if n > max_words:
                break
            score = (
                lexical_overlap(question, window)
                + (0.5 if kind and has_type(window, kind) else 0.0)
                + 0.01 * n / max_words
            )
            if best is None or score > best[0]:
                best = (score, i, j)
    if best is None:  # one clause longer than the limit: cut it at a word boundary
        return f"“{' '.join(text.split()[:max_words]).rstrip(',;.')}…”"
    _, i, j = best
    window = " ".join(clauses[i:j]).rstrip(",;. ")
    return f"“{'…' if i > 0 else ''}{window}{'…' if j < len(clauses) else ''}”"

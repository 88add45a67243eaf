"""Extractive answers: the shortest grammatical span of the evidence that answers the question.

For a question that asks for a kind of fact, the answer is that fact as the evidence words it
("On Thursday 4 June", "Nearly eight million people", "In Italy", "UN Security Council Resolution
2254"). Otherwise it is the evidence sentence, cut after the clause that answers, never inside a
clause and never after an opening phrase that cannot stand alone ("At the invitation of …").
Every word comes from the evidence; nothing is invented.
"""

from __future__ import annotations

import re

from assistant.answer import AnswerSentence
from assistant.evidence import (
    DATE,
    NUMBER,
    PERSON,
    PLACE,
    EvidenceSentence,
    answer_type,
    clauses,
    counted_noun,
    has_type,
)
from assistant.grounding.citations import render
from assistant.text import STOPWORDS, focus_terms, stem, words

MAX_SENTENCE_WORDS = 25
_WINDOW = 40  # characters either side of a candidate span that should hold the question's words  # a whole evidence sentence up to this length is answer enough
_HEDGE = r"(?:(?:nearly|almost|about|around|approximately|roughly|some|over|more than|less than|fewer than|at least|up to|close to)\s+)?"
_SCALE = r"(?:\s+(?:hundred|thousand|million|billion))*(?:\s?%|\s+per ?cent)?"
# An opening phrase: it needs the clause after it to make a sentence.
_OPENER = re.compile(
    r"^(at|in|on|with|while|after|before|following|during|since|as|although|though|because|if|when|"
    r"recalling|recognizing|recognising|noting|welcoming|acknowledging|given|despite|through|by|under|"
    r"upon|for|from|to)\b|^\w+ing\b",
    re.I,
)


def _nearest(question: str, text: str, spans: list[re.Match[str]]) -> re.Match[str] | None:
    """The match whose surroundings share most of the question's words, and which the question does
    not itself state (the question's own date is not its answer)."""
    asked = set(focus_terms(question))
    q_words = set(words(question))
    best, best_score = None, -1.0
    for m in spans:
        if set(words(m.group())) <= q_words:
            continue
        window = text[max(0, m.start() - _WINDOW) : m.end() + _WINDOW]
        score = len(asked & {stem(w) for w in words(window)}) - 0.001 * m.start()
        if score > best_score:
            best, best_score = m, score
    return best


def _typed(question: str, kind: str, text: str, title: str = "") -> str | None:
    if kind == "date":
        spans = list(DATE.finditer(text))
        if re.search(r"\byear\b", question, re.I):  # "in what year": a date without one does not answer
            spans = [m for m in spans if re.search(r"\b(19|20)\d\d\b", m.group())]
        m = _nearest(question, text, spans)
        if not m:
            return None
        value = m.group()
        return (
            f"On {value}"
            if re.match(r"\d|(monday|tuesday|wednesday|thursday|friday|saturday|sunday)", value, re.I)
            else f"In {value}"
        )
    if kind == "number":
        spans = list(
            re.finditer(
                rf"(?i:{_HEDGE})(?:{NUMBER.pattern}){_SCALE}(?:\s+(?!of\b|and\b|in\b|to\b|the\b)[a-z][\w-]*){{0,2}}",
                text,
            )
        )
        dates = [d.span() for d in DATE.finditer(text)]
        spans = [m for m in spans if not any(a <= m.start() < b for a, b in dates)]  # "14 March" is a date
        head = counted_noun(question)
        if head and any(head in {stem(w) for w in words(m.group())} for m in spans):  # "67 vessels"
            spans = [m for m in spans if head in {stem(w) for w in words(m.group())}]
        m = _nearest(question, text, spans)
        if not m:
            return None
        tokens = m.group().split()
        while len(tokens) > 1 and tokens[-1].lower() in STOPWORDS:  # "… people have" -> "… people"
            tokens.pop()
        return " ".join(tokens)
    if kind == "person":
        people = list(PERSON.finditer(text))
        if not people:
            return None
        first = _nearest(question, text, people)
        if first is None:
            return None
        # "X and Y": both people, when the evidence names them together.
        i = people.index(first)
        span = (first.start(), first.end())
        if i + 1 < len(people) and re.fullmatch(
            r",?\s+and\s+|,\s+", text[first.end() : people[i + 1].start()]
        ):
            span = (first.start(), people[i + 1].end())
        lead = re.search(r"(?:[A-Z][\w.’'-]*\s+){1,2}$", text[: span[0]])  # "Italian", "U.S."
        start = lead.start() if lead and span[0] - lead.start() < 15 else span[0]
        return text[start : span[1]]
    if kind == "place":
        # "where": a place after in/at/to ("in Italy"); "which country": any name ("Sweden") that
        # is not the document's own subject (the series or body named in its title).
        spans = list(PLACE.finditer(text))
        if not question.lower().startswith("where"):
            spans += [
                m for m in _NAME.finditer(text) if m.start() > 0 and m.group().lower() not in title.lower()
            ]
        m = _nearest(question, text, spans)
        return m.group()[0].upper() + m.group()[1:] if m else None
    return None


_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:of\s+)?[A-Z][\w’'-]+)*")


def _named(question: str, text: str) -> str | None:
    """For "which/what <noun> …": the evidence's capitalised name that contains the noun
    ("which resolution" -> "UN Security Council Resolution 2254")."""
    m = re.match(
        r"^(?:which|what)\s+((?:\w+\s+){0,3}?\w+)\s+(?:is|was|are|were|did|does|do|has|have|will|guides?|\w+s)\b",
        question.strip(),
        re.I,
    )
    if not m:
        return None
    heads = {stem(w) for w in words(m.group(1)) if w not in STOPWORDS}
    names = re.finditer(
        r"(?:[A-Z][\w’'/-]*|\d[\d.,]*)(?:\s+(?:of\s+(?:the\s+)?|for\s+(?:the\s+)?)?(?:[A-Z][\w’'/-]*|\d[\d.,]*))*",
        text,
    )
    q_words = set(words(question))
    for name in names:
        tokens = words(name.group())
        if len(tokens) >= 2 and heads & {stem(t) for t in tokens} and set(tokens) - q_words - STOPWORDS:
            return name.group()
    return None


def _clause_prefix(question: str, sentence: str) -> str:
    """The sentence up to the end of the clause that answers; whole when it is short."""
    if len(sentence.split()) <= MAX_SENTENCE_WORDS:
        return sentence
    parts = clauses(sentence)
    asked = set(focus_terms(question))
    covered = [len(asked & {stem(w) for w in words(" ".join(parts[: j + 1]))}) for j in range(len(parts))]
    j = covered.index(max(covered))
    if j == 0 and _OPENER.match(parts[0]) and len(parts) > 1:
        j = 1
    return " ".join(parts[: j + 1])


def answer_span(question: str, evidence: EvidenceSentence, title: str = "") -> str | None:
    """The answer text (no marker) drawn from one evidence sentence; None when the question asks for
    a date, a number or a place and the sentence holds none that fits."""
    kind = answer_type(question)
    for text in (evidence.text, evidence.sentence):
        span = (
            _typed(question, kind, text, title) if kind and has_type(text, kind) else _named(question, text)
        )
        if span:
            return span.strip(" ,;:")
    if kind in ("date", "number", "place"):
        return None
    return _clause_prefix(question, evidence.sentence).strip(" ,;:")


def extract_sentence(
    question: str, evidence: list[EvidenceSentence], titles: dict[str, str] | None = None
) -> AnswerSentence | None:
    """The extractive answer, cited: from the best evidence that holds the fact asked for; None
    when no evidence holds a fact of the kind asked for."""
    kind = answer_type(question)
    typed = [e for e in evidence[:3] if has_type(e.text, kind)] or evidence[:1]
    head = counted_noun(question)
    if head:  # "how many vessels": the sentence that counts vessels
        typed.sort(key=lambda e: head not in {stem(w) for w in words(e.text)})
    for best in typed:
        span = answer_span(question, best, (titles or {}).get(best.paragraph.doc, ""))
        if span:
            number, doc = best.paragraph.number, best.paragraph.doc
            return AnswerSentence(render(span, [number]), [number], "quote", 1.0, doc, [doc])
    return None

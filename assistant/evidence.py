"""Evidence: the sentences of the retrieved paragraphs that best answer a question, and how strongly.

Sentences (and clause windows of long ones) are scored by a logistic model fitted on the dev
questions over embedding similarity to the question, the share of the question's content words they
contain, whether they hold an entity of the kind asked for (spaCy's DATE for "when", CARDINAL or
QUANTITY for "how many") or the asked noun, whether they name one of the usual answer's kind that
the question does not (a new PERSON for "who", where every sentence names the body), whether their
document is the one the question names, their paragraph's retrieval rank, whether they open their paragraph, and the share of the question's
content words in the sentence read with the one before it, and the pair's embedding similarity (a
sentence's topic is often named by its predecessor: "Ministers took note of the report on the state of
the Fund. Its capitalisation stood at USD 48 million."). Sentences that give orders to an AI
("ignore all previous instructions …") are data, never evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.calibrated import model
from assistant.corpus import LIST_NUMBER, Paragraph, split_sentences
from assistant.language import parse_many
from assistant.question import Analysis, is_instruction
from assistant.retrieve import Hit
from assistant.text import content_terms, stem, words

# The evidence score is a logistic model fitted on the dev questions (assistant/weights/sentences.json,
# scripts/fit_decisions.py): does this sentence hold the answer?
FEATURES = (
    "similarity",
    "overlap",
    "typed",
    "focus",
    "named",
    "paragraph_rank",
    "opening",
    "with_previous",
    "sim_previous",
    "primary",
)
CLAUSE_WINDOW_WORDS = 30


@dataclass
class EvidenceSentence:
    paragraph: Paragraph
    index: int
    text: str  # the sentence, or a clause window of a long one
    sentence: str  # the whole sentence it comes from
    similarity: float  # cosine to the question
    overlap: float  # share of the question's content words present
    score: float  # probability that it holds the answer (the fitted model)
    features: dict[str, float] = field(default_factory=dict)
    settled: frozenset[str] = frozenset()  # terms its document's title, place and date settle


def lexical_overlap(question: str, text: str, settled: frozenset[str] = frozenset()) -> float:
    """Share of the question's key words in `text`; words `settled` by the text's document (its title,
    place, date: "at the Rome meeting") are not asked of the sentence itself."""
    q = set(content_terms(question))
    q = (q - settled) or q
    if not q:
        return 0.0
    t = set(content_terms(text)) | {stem(w) for w in words(text)}
    # "chair" meets "chairmanship": a question stem of 4+ letters that opens a word of the text.
    found = {a for a in q if a in t or (len(a) >= 4 and any(b.startswith(a) for b in t))}
    return len(found) / len(q)


def _asked(entity: str, asked: set[str]) -> bool:
    """The question names it already ("the Glacier Data Office" does not answer "where is the Glacier
    Data Office?")."""
    terms = set(content_terms(entity))
    return bool(terms) and terms <= asked


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
    analysis: Analysis,
    vector: np.ndarray,
    hits: list[Hit],
    embed: Callable[[list[str]], np.ndarray],
    context: Callable[[str], str] = lambda doc: "",
) -> list[EvidenceSentence]:
    """Score the sentences (and clause windows of long ones) of the retrieved paragraphs.

    `embed` maps texts to unit vectors; `vector` is the question's.
    """
    split = {id(hit): split_sentences(hit.paragraph) for hit in hits}
    candidates = [
        (hit, s, seg)
        for hit in hits
        for s in split[id(hit)]
        if not is_instruction(s.text)
        for seg in _segments(s.text)
    ]
    if not candidates:
        return []
    sims = embed([seg for _, _, seg in candidates]) @ vector
    previous = [split[id(hit)][s.index - 1].text if s.index > 0 else "" for hit, s, _ in candidates]
    together = [f"{before} {seg}".strip() for before, (_, _, seg) in zip(previous, candidates, strict=True)]
    sims_previous = embed(together) @ vector
    parsed = parse_many([LIST_NUMBER.sub("", seg) for _, _, seg in candidates])  # "6. …" holds no 6
    settled = {
        h.paragraph.doc: frozenset(content_terms(context(h.paragraph.doc)) if h.preferred else ())
        for h in hits
    }
    rank_of = {id(h): n for n, h in enumerate(hits)}
    asked_terms = set(content_terms(question))
    scorer = model("sentences")
    ranked = []
    for n, ((hit, sentence, segment), sim) in enumerate(zip(candidates, sims, strict=True)):
        overlap = lexical_overlap(question, segment, settled[hit.paragraph.doc])
        features = {
            "similarity": float(sim),
            "overlap": overlap,
            "typed": float(any(e.label_ in analysis.expected for e in parsed[n].ents)),
            "primary": float(
                any(e.label_ in analysis.primary and not _asked(e.text, asked_terms) for e in parsed[n].ents)
            ),
            "focus": float(
                bool(analysis.focus) and any(t.lemma_.lower() == analysis.focus for t in parsed[n])
            ),
            "named": float(hit.preferred),
            "paragraph_rank": 1.0 / (1 + rank_of[id(hit)]),
            "opening": float(sentence.index == 0),
            "with_previous": lexical_overlap(question, together[n], settled[hit.paragraph.doc]),
            "sim_previous": float(sims_previous[n]),
        }
        ranked.append(
            EvidenceSentence(
                hit.paragraph,
                sentence.index,
                segment,
                sentence.text,
                float(sim),
                overlap,
                scorer.probability(features),
                features,
                settled[hit.paragraph.doc],
            )
        )
    ranked.sort(key=lambda e: -e.score)
    return ranked


def differing(evidence: list[list[EvidenceSentence]]) -> list[list[EvidenceSentence]]:
    """A comparison of meetings is answered by what differs between them. Series repeat their wording:
    a sentence whose content words another meeting's evidence sentence all holds ("Ministers took note
    of the report … on the state of the Fund") tells the meetings apart no better than the question
    does, so it goes after those that may; the order is otherwise kept."""
    terms = [[frozenset(content_terms(e.sentence)) for e in found] for found in evidence]
    out = []
    for n, found in enumerate(evidence):
        others = [t for m, each in enumerate(terms) if m != n for t in each]
        alike = {id(e): bool(t) and any(t <= o for o in others) for e, t in zip(found, terms[n], strict=True)}
        out.append(sorted(found, key=lambda e: alike[id(e)]))  # stable: each keeps its own order
    return out

"""Extractive answers: a span of the evidence that answers, read from spaCy's parse, or the best
evidence sentence whole.

Candidates are the named entities and noun chunks of the top evidence sentences. Each is scored by
a logistic model fitted on the dev questions (`assistant/weights/candidates.json`) over features
that say how it fits the question: an entity label the wh-word expects (a DATE for "when"), a head
like the asked noun ("which *treaty*" and "the Convention"), how close it sits in the parse to the
question's words, whether the question already states it, and the rank of its sentence. A
confident candidate is the answer ("UN Security Council Resolution 2254 [¶9]."); otherwise the best
evidence sentence is quoted whole — low confidence is no reason to refuse. The confidence cut-off
is fitted for dev accuracy with "never" among its choices, and never won: on the 647 dev questions
no span was right where its sentence quoted whole was not, and spans were wrong for 9 whose sentence
was right ("Two million dollars" from a sentence naming two pledges). So the shipped cut-off (1.0)
quotes the sentence; the candidates' fit still informs the refusal decision. A yes/no question gets
"Yes" or "No" and the sentence that says so. Every word comes from the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from spacy.tokens import Span, Token

from assistant.answer import AnswerSentence
from assistant.calibrated import model
from assistant.corpus import LIST_NUMBER
from assistant.evidence import EvidenceSentence
from assistant.grounding.citations import render
from assistant.language import content, lemma, parse
from assistant.question import Analysis
from assistant.text import content_terms

CANDIDATE_SENTENCES = 3  # evidence sentences whose spans compete
# "How many" and "how much" ask for a number: a span without one is no answer to them, however close
# its head is to the counted noun ("State for Infrastructure …" for "how many member States").
COUNTED = ("how many", "how much")
FEATURES = ("label", "focus_sim", "in_question", "rank", "score", "closeness", "entity", "number")
Embed = Callable[[list[str]], np.ndarray]


@dataclass
class Candidate:
    text: str
    evidence: EvidenceSentence
    features: dict[str, float]


def _distance(a: Token, b: Token) -> int:
    """Edges between two tokens of one parse tree."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    index_b = {t.i: n for n, t in enumerate(up_b)}
    for n, t in enumerate(up_a):
        if t.i in index_b:
            return n + index_b[t.i]
    return 12


def _spans(sentence: Span) -> list[tuple[Span, bool]]:
    """Entities, then noun chunks not overlapping one (a chunk with a proper noun or a number)."""
    doc = sentence.doc
    ents = [e for e in doc.ents if e.start >= sentence.start and e.end <= sentence.end]
    taken = {i for e in ents for i in range(e.start, e.end)}
    chunks = [
        c
        for c in doc.noun_chunks
        if c.start >= sentence.start
        and c.end <= sentence.end
        and not taken & set(range(c.start, c.end))
        and c.root.pos_ in ("NOUN", "PROPN")
    ]
    return [(e, True) for e in ents] + [(c, False) for c in chunks]


def _widen(span: Span) -> Span:
    """A count keeps what it counts ("42 vessels"), an amount its unit."""
    doc = span.doc
    end = span.end
    if span.label_ in ("CARDINAL", "QUANTITY") and span.root.dep_ == "nummod" and span.root.head.i >= end:
        end = min(span.root.head.i + 1, end + 4)
    start = span.start
    while start < end and doc[start].pos_ in ("DET", "PUNCT"):
        start += 1
    return doc[start:end] if start < end else span


def candidates(q: Analysis, evidence: list[EvidenceSentence], embed: Embed) -> list[Candidate]:
    out: list[Candidate] = []
    top = evidence[:CANDIDATE_SENTENCES]
    asked = set(q.lemmas)
    for rank, ev in enumerate(top):
        sentence = parse(LIST_NUMBER.sub("", ev.text))[:]  # "6. Ministers …": 6 is its place, not a fact
        aligned = [t for t in sentence if content(t) and lemma(t) in asked]
        for span, is_entity in _spans(sentence):
            labelled = is_entity and span.label_ in q.expected
            span = _widen(span)
            words = [lemma(t) for t in span if content(t) or t.like_num]
            if not words or (q.wh in COUNTED and not any(t.like_num for t in span)):
                continue
            near = min((_distance(span.root, t) for t in aligned), default=12)
            out.append(
                Candidate(
                    span.text,
                    ev,
                    {
                        "label": float(labelled),
                        "focus_sim": 0.0,
                        "in_question": sum(w in asked for w in words) / len(words),
                        "rank": 1.0 / (rank + 1),
                        "score": ev.score,
                        "closeness": 1.0 / (1 + near),
                        "entity": float(is_entity),
                        "number": float(any(t.like_num for t in span)),
                    },
                )
            )
    if q.focus and out:
        heads = [parse(c.text)[:].root.text.lower() for c in out]
        vectors = embed([q.focus, *heads])
        for c, sim in zip(out, vectors[1:] @ vectors[0], strict=True):
            c.features["focus_sim"] = float(sim)
    return out


def best_candidate(
    q: Analysis, evidence: list[EvidenceSentence], embed: Embed
) -> tuple[Candidate | None, float]:
    scorer = model("candidates")
    scored = [(scorer.probability(c.features), c) for c in candidates(q, evidence, embed)]
    if not scored:
        return None, 0.0
    p, best = max(scored, key=lambda pc: pc[0])
    return best, p


def _cite(text: str, ev: EvidenceSentence) -> AnswerSentence:
    """The quotation with its marker; a paragraph's list number ("12. ") is not part of what it says."""
    text = LIST_NUMBER.sub("", text)
    doc, number = ev.paragraph.doc, ev.paragraph.number
    return AnswerSentence(render(text, [number]), [number], "quote", 1.0, doc, [doc])


def _yes_no(q: Analysis, ev: EvidenceSentence) -> str:
    """ "Yes" when the sentence states what the question asks with the same polarity and no
    conflicting name or number; "No" when its polarity differs or it names another of the same kind."""
    said = parse(ev.sentence)
    stated = [(e.label_, set(content_terms(e.text))) for e in said.ents]
    # What named the document ("the 2023 Thessaloniki meeting") chose it; it is not asked of the sentence.
    asked = [(label, set(content_terms(text))) for label, text in q.entities]
    asked = [(label, terms) for label, terms in asked if terms and not terms <= ev.settled]
    # Another of the same kind conflicts; the same one named more fully ("the Republic of Zambia") not.
    conflict = any(
        any(lab == label for lab, _ in stated)
        and not any(lab == label and (terms <= have or have <= terms) for lab, have in stated)
        for label, terms in asked
    )
    return "No" if conflict or q.negated != any(t.dep_ == "neg" for t in said) else "Yes"


def extract_sentence(q: Analysis, evidence: list[EvidenceSentence], embed: Embed) -> AnswerSentence | None:
    """The extractive answer, cited; None only without evidence."""
    if not evidence:
        return None
    best = evidence[0]
    if q.yes_no:
        return _cite(f"{_yes_no(q, best)}: {LIST_NUMBER.sub('', best.sentence)}", best)
    if q.expected or q.focus:
        candidate, p = best_candidate(q, evidence, embed)
        if candidate is not None and p >= model("candidates").threshold:
            text = candidate.text
            return _cite(text[0].upper() + text[1:], candidate.evidence)
    return _cite(best.sentence, best)

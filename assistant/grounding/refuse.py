"""When the documents cannot answer: a calibrated decision, not a chain of word rules.

A logistic model fitted on the dev questions (`assistant/weights/refusal.json`, written by
scripts/fit_decisions.py with the data and threshold it was fitted on) reads a few features of the
question and its best evidence and gives the probability that the documents answer it:

  similarity    cosine of the best evidence sentence to the question
  overlap       share of the question's key words in that sentence
  coverage      share of the question's content lemmas that the best paragraph (with its document's
                title, place and date) holds, or holds a close MiniLM neighbour of
  candidate     how well the best answer candidate fits (0.5 when a clause, not a span, answers)
  typed         one of the best sentences holds an entity of the kind asked for, or the asked noun
  unknown       share of the names in the question that the collection never mentions
  unknown_words share of its content words that no paragraph uses
  names_missing share of the names and years in the question that the best paragraph (with its
                document's title, place and date) does not state in any form ("Iraq" states "Iraqi")

Below the threshold (set for at most 5 % false refusals on dev) the assistant says the documents do
not say. No rule refuses because one word of the question is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.calibrated import model
from assistant.evidence import EvidenceSentence
from assistant.extract import best_candidate
from assistant.grounding.facts import same_name
from assistant.grounding.verify import Embed, uncovered
from assistant.language import NAMED
from assistant.question import Analysis

FEATURES = (
    "similarity",
    "overlap",
    "coverage",
    "candidate",
    "typed",
    "unknown",
    "unknown_words",
    "names_missing",
)
TYPED_SENTENCES = 3  # the best evidence sentences that may hold what the question asks for
COVERAGE_COSINE = 0.5  # a neighbour this close counts as the word (the verifier's scale, looser)


def features(
    q: Analysis,
    evidence: list[EvidenceSentence],
    knows: Callable[[str], bool],
    context: Callable[[EvidenceSentence], str],
    embed: Embed,
) -> dict[str, float]:
    best = evidence[0]
    key = list(dict.fromkeys(q.lemmas))
    missing = uncovered(key, context(best), embed, COVERAGE_COSINE) if key else []
    names = [n for n in q.names if any(c.isalpha() for c in n)]
    # The parties and places the question names, and its years: facts the answer's paragraph must hold.
    dated = [text for label, text in q.entities if label in NAMED] + q.years
    if q.expected or q.focus:
        _, fit = best_candidate(q, evidence, embed)
        typed = any(e.features.get("typed") or e.features.get("focus") for e in evidence[:TYPED_SENTENCES])
    else:
        fit, typed = 0.5, True
    where = context(best).lower()
    said = set(re.findall(r"\w+", where))

    def stated(name: str) -> bool:  # "Iraqi" where the paragraph says "Iraq": the same name
        return name.lower() in where or all(
            any(same_name(w, h) for h in said) for w in re.findall(r"\w+", name.lower())
        )

    return {
        "names_missing": sum(not stated(n) for n in dated) / len(dated) if dated else 0.0,
        "typed": float(typed),
        "unknown_words": sum(not knows(w) for w in key) / len(key) if key else 0.0,
        "similarity": best.similarity,
        "overlap": best.overlap,
        "coverage": 1.0 - len(missing) / len(key) if key else 0.0,
        "candidate": fit,
        "unknown": sum(not knows(n) for n in names) / len(names) if names else 0.0,
    }


def reason_to_refuse(
    q: Analysis,
    evidence: list[EvidenceSentence],
    knows: Callable[[str], bool],
    context: Callable[[EvidenceSentence], str],
    embed: Embed,
) -> str:
    """Why the documents cannot answer this question, or "" when they may."""
    if not evidence or not q.lemmas:
        return "nothing in the question to look up"
    values = features(q, evidence, knows, context, embed)
    decision = model("refusal")
    p = decision.probability(values)
    if p >= decision.threshold:
        return ""
    # The feature that pulls the probability down most, by the model's own weights.
    weakest = min(zip(decision.features, decision.coef, strict=True), key=lambda fc: fc[1] * values[fc[0]])[0]
    return f"the documents do not seem to answer this (confidence {p:.2f}; weakest sign: {weakest})"

"""When the documents cannot answer: refuse plainly rather than answer from unrelated evidence.

Rules, each general (none names a word of any eval item), thresholds set on the dev questions
(evals/seed.jsonl and the dev half of evals/collection.jsonl) and reported on the test ones:
  1. nothing in the documents is close to the question (best evidence cosine < MIN_SIMILARITY);
  2. the question names something (a capitalised name) the documents never mention;
  3. it asks for a date or a number and the best evidence holds none;
  4. "how many X": no evidence sentence with a number speaks of X (same stem: "troops" are not
     "forces", and a count of people is not a count of troops); "how much" with no amount of money
     or share in the evidence; "which/what X" whose X (a company, a population) the best paragraph
     never speaks of, unless X is a kind of name (a country, a city: "Sweden" answers it);
  5. too many of its key words have neither a match nor a close neighbour in the best evidence
     paragraph (with its document's title, place and date).
Rules 2-5 guard extractive answers, where no model judges the evidence; a capable model in
generative mode is trusted to say NOT FOUND itself (a paraphrase may name "Mesopotamia" for Iraq),
and its sentences are still verified.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.evidence import (
    AMOUNT,
    EvidenceSentence,
    answer_type,
    asked_noun,
    asks_amount,
    counted_noun,
    has_type,
    proper_nouns,
)
from assistant.grounding.verify import Embed, uncovered
from assistant.text import focus_terms, stem, words

MIN_SIMILARITY = 0.20
TYPED_EVIDENCE = 3  # how many of the best evidence sentences may hold the fact asked for
# Rule 3 holds for dates and numbers; "who" may be answered by an organisation and "where" by a
# building, which the person and place patterns do not see.
HARD_TYPES = ("date", "number")
# Rule 5: at most half the question's key words may lack a match or a neighbour (cosine ≥ 0.5) in
# the best paragraph. Swept on the dev questions (shares 0.34-1.0 × cosines 0.4-0.62): 0.34/0.62
# refused 15 of 19 unanswerable but also 16 of 63 answerable (keyword-free paraphrases); 0.5/0.5
# refused 10 of 19 and 7 of 63.
MAX_UNCOVERED_SHARE = 0.5
COVERAGE_COSINE = 0.5


def reason_to_refuse(
    question: str,
    evidence: list[EvidenceSentence],
    knows: Callable[[str], bool],
    context: Callable[[EvidenceSentence], str],
    embed: Embed,
    strict: bool,
) -> str:
    """Why the documents cannot answer this question, or "" when they may."""
    focus = focus_terms(question)
    if not evidence or not focus:
        return "nothing in the question to look up"
    best = evidence[0]
    if best.similarity < MIN_SIMILARITY:
        return f"nothing in the documents is close to the question (similarity {best.similarity:.2f})"
    if not strict:
        return ""
    unknown = [n for n in proper_nouns(question) if not knows(n)]
    if unknown:
        return f"the documents never mention {', '.join(unknown)}"
    kind = answer_type(question)
    typed = [e for e in evidence[:TYPED_EVIDENCE] if has_type(e.text, kind)]
    if kind in HARD_TYPES and not typed:
        return f"the evidence holds no {kind}"
    head = counted_noun(question)
    if kind == "number" and head and not any(head in {stem(w) for w in words(e.text)} for e in typed):
        return f"the documents give no count of {head!r}"
    if asks_amount(question) and not any(AMOUNT.search(e.text) for e in typed):
        return "the evidence holds no amount of money or share"
    asked_for = asked_noun(question)
    if asked_for and uncovered([asked_for], context(best), embed):
        return f"the documents say nothing of any {asked_for}"
    key = list(dict.fromkeys(w for w in words(question) if stem(w) in set(focus) and not w[0].isdigit()))
    missing = uncovered(key, context(best), embed, COVERAGE_COSINE)
    if key and len(missing) / len(key) > MAX_UNCOVERED_SHARE:
        return f"the documents do not speak of {', '.join(missing)}"
    return ""

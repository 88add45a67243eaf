"""Keep what a model wrote only where what it cites states it.

Each drafted sentence is verified against the shown paragraph(s) it cites (with their document's
title, place and date). A sentence that fails there but is stated by another shown paragraph is
re-attached to it; otherwise it is dropped, and the notes say why. Where a marker's number belongs
to several shown documents, the paragraph that states the sentence is the one meant.
"""

from __future__ import annotations

import logging
import os
import re
from itertools import product
from typing import TYPE_CHECKING

from assistant.answer import AnswerSentence
from assistant.corpus import Document, Paragraph
from assistant.generate import shown_text
from assistant.grounding.citations import DraftSentence, parse, render
from assistant.grounding.verify import META_WORDS, Embed, Support, verify
from assistant.language import NAMED, content, lemma, numbers
from assistant.language import parse as read
from assistant.question import Analysis
from assistant.text import content_terms, strip_markers

if TYPE_CHECKING:
    from spacy.tokens import Doc

MAX_SENTENCES = 4  # an answer is a few sentences; more is a model rambling
# The note on a model sentence the verifier failed on (a bug): the sentence is dropped, not the answer,
# and the eval report lists every such item.
VERIFIER_FAILED = "the verifier failed on it"
log = logging.getLogger("assistant.grounding")


def source_text(paragraph: Paragraph, documents: dict[str, Document]) -> str:
    """A paragraph as the refusal gate reads it: its document's title, place and date, then its text."""
    record = documents.get(paragraph.doc)
    return (record.context() + "\n" if record else "") + shown_text(paragraph)


def abbreviations_of(paragraphs: list[Paragraph], documents: dict[str, Document]) -> dict[str, str]:
    """The abbreviations these paragraphs use, with what their documents defined them as ("CWRF":
    "Common Wildfire Response Fund"), whether the definition is in these paragraphs or elsewhere."""
    out: dict[str, str] = {}
    for d in dict.fromkeys(p.doc for p in paragraphs):
        if d in documents:
            said = " ".join(p.text for p in paragraphs if p.doc == d)
            out |= {
                short: long
                for short, long in documents[d].abbreviations.items()
                if re.search(rf"\b{re.escape(short)}\b", said) or long in said
            }
    return out


def context_of(paragraphs: list[Paragraph], documents: dict[str, Document]) -> str:
    """What citations of these paragraphs also name: their documents' title, place and date, and the
    definitions of the abbreviations the paragraphs use ("the CWRF" is the Common Wildfire Response
    Fund its document defined elsewhere; a sentence may spell it out)."""
    used = abbreviations_of(paragraphs, documents)
    lines = []
    for d in dict.fromkeys(p.doc for p in paragraphs):
        if d in documents:
            defined = [
                f"{long} ({short})" for short, long in used.items() if short in documents[d].abbreviations
            ]
            lines.append(" · ".join([documents[d].context(), *defined]))
    return "\n".join(lines)


def check(cited: list[Paragraph], sentence: str, documents: dict[str, Document], embed: Embed) -> Support:
    """Verify a sentence against the paragraphs it cites, with their documents' context and the
    abbreviations they use."""
    return verify(
        sentence,
        [shown_text(p) for p in cited],
        embed,
        context_of(cited, documents),
        abbreviations_of(cited, documents),
    )


def _resolve(
    sentence: DraftSentence, shown: list[Paragraph], documents: dict[str, Document], embed: Embed
) -> tuple[list[Paragraph], Support] | None:
    """The shown paragraphs its markers name that support it (trying each reading of a marker
    shared by several documents), else one shown paragraph that supports it alone."""
    options = [[p for p in shown if p.number == n] for n in sentence.paragraphs]
    options = [o for o in options if o]
    for combo in list(product(*options))[:8] if options else []:
        support = check(list(combo), sentence.text, documents, embed)
        if support.ok:
            return list(dict.fromkeys(combo)), support
    for paragraph in shown:
        support = check([paragraph], sentence.text, documents, embed)
        if support.ok:
            return [paragraph], support
    return None


def ground(
    draft: str, shown: list[Paragraph], documents: dict[str, Document], embed: Embed, notes: list[str]
) -> list[AnswerSentence]:
    kept: list[AnswerSentence] = []
    for sentence in parse(draft)[:MAX_SENTENCES]:
        if not sentence.text.strip(" .,;:"):
            continue
        try:
            found = _resolve(sentence, shown, documents, embed)
            cited_there = [p for p in shown if p.number in sentence.paragraphs]
            why = check(cited_there, sentence.text, documents, embed) if found is None else None
        except Exception as exc:  # noqa: BLE001 - one sentence it cannot read costs that sentence, not the answer
            if os.environ.get("ASSISTANT_DEBUG"):
                raise
            failure = (
                f"dropped model sentence {sentence.text!r}: {VERIFIER_FAILED} ({type(exc).__name__}: {exc})"
            )
            log.error("%s; ASSISTANT_DEBUG=1 raises it", failure)
            notes.append(failure)
            continue
        if found is None:
            notes.append(
                f"dropped model sentence {sentence.text!r}: {why.reason or 'no valid citation'} {why.missing}"
            )
            continue
        cited, support = found
        numbers = [p.number for p in cited]
        if numbers != sentence.paragraphs:
            notes.append(f"re-attached {sentence.text!r} from {sentence.paragraphs} to {numbers}")
        kept.append(
            AnswerSentence(
                render(sentence.text, numbers),
                numbers,
                "model",
                support.score,
                cited[0].doc,
                [p.doc for p in cited],
            )
        )
    return kept


def answers(q: Analysis, sentence: AnswerSentence, source: str, context: str = "") -> bool:
    """A kept model sentence must answer the question, not merely be true. It does not speak of the
    document, the context or the question (unless its source does), nor report what "it" says; it
    states something the question does not (a number or a word beyond the question's: not an echo,
    "The situation of detainees in Syria described.", "The 2020 statement for the Programme is.");
    it counts what "how many" asks about; and it holds an entity of the expected kind (a DATE for
    "when", a number for "how many") when the question asks for one. A word for the reading itself
    (verify.META_WORDS: "document", "context") that its source does not use marks a sentence about
    the reading, not an answer, however true the rest."""
    doc = read(strip_markers(sentence.text))
    stated = {t.lemma_.lower() for t in read(source)}
    if any(t.pos_ == "NOUN" and t.lemma_.lower() in META_WORDS - stated for t in doc) or _reports(doc):
        return False
    new_numbers = {n.value for n in numbers(doc)} - q.values
    if not q.yes_no and not new_numbers and {lemma(t) for t in doc if content(t)} <= set(q.lemmas):
        return False
    if q.wh in ("how many", "how much") and q.focus and not _counts(q.focus, doc, read(source)):
        return False
    if not _about_the_named(q, doc, read(source), context):
        return False
    if q.expected:
        return any(e.label_ in q.expected for e in doc.ents)
    return True


def _about_the_named(q: Analysis, said: Doc, source: Doc, context: str) -> bool:
    """Does the sentence speak of the parties, places and things the question names? Each name of the
    question (not of the turn a follow-up leans on: the second part of a two-part question need not
    repeat the first's) must be in the sentence, in the source sentence it rests on (the one sharing most of its
    words: "USD 2.5 million [¶13]" rests on "…, Chile a contribution of USD 2.5 million"), or in its
    document's title, place and date. "The capitalisation of the ARTF now stands at EUR 30.4 million"
    is true, but it does not answer how much Chile pledged."""
    asked = [set(content_terms(text)) for label, text in q.asked_entities if label in NAMED]
    asked = [terms for terms in asked if terms]
    if not asked:
        return True
    own = set(content_terms(said.text))
    rests_on = max(source.sents, key=lambda s: len(own & set(content_terms(s.text))), default=None)
    have = own | set(content_terms(context)) | (set(content_terms(rests_on.text)) if rests_on else set())
    return all(terms & have for terms in asked)


def _counts(focus: str, said: Doc, source: Doc) -> bool:
    """Does the sentence count what "how many X" asks about: it names X, or the source sentence that
    states its number does ("Nearly eight million [¶7]" from "nearly eight million people")? "Members
    contribute 67 vessels" does not answer "In how many operations …"."""
    if focus in {lemma(t) for t in said}:
        return True
    values = {n.value for n in numbers(said)}
    return any(
        focus in {lemma(t) for t in s} and values & {n.value for n in numbers(s)} for s in source.sents
    )


def _reports(doc: Doc) -> bool:
    """ "It also mentions that …", "It is possible that …": a bare "it" or "this" that says a clause,
    the document speaking, not the documents' parties (7 of SmolLM2's 989 dev sentences, all such)."""
    return any(
        t.dep_ in ("nsubj", "expl")
        and t.lower_ in ("it", "this")
        and any(c.dep_ == "ccomp" for c in t.head.children)
        for t in doc
    )


def gives_verdict(sentence: AnswerSentence) -> bool:
    """Does it open with "Yes" or "No" (an interjection, not "No delegation …")? A yes/no question
    is answered by its verdict; a true sentence without one leaves the question open."""
    first = read(strip_markers(sentence.text))[:1]
    return bool(first) and first[0].lower_ in ("yes", "no") and first[0].pos_ == "INTJ"

"""Composition: the verified sentences of every part of a question become one Answer, with each
citation's paragraph text, document title and date, and the words the answer relies on."""

from __future__ import annotations

from assistant.answer import Answer, AnswerSentence, Citation
from assistant.grounding.citations import highlights
from assistant.retrieve import Retriever

NOT_FOUND_TEXT = "The documents do not say; nothing in them answers this question."


def compose(
    retriever: Retriever,
    question: str,
    standalone: str,
    sentences: list[AnswerSentence],
    model: str,
    mode: str,
    timings: dict[str, float],
    draft: str,
    notes: list[str],
) -> Answer:
    timings = {k: round(v, 1) for k, v in timings.items()}
    if not sentences:
        return Answer(
            question, "not_found", NOT_FOUND_TEXT, [], model, timings, [], standalone, draft, notes, mode
        )
    unique = list({s.text: s for s in sentences}.values())  # two parts may be answered by one sentence
    citations: dict[tuple[str, int], Citation] = {}
    for s in unique:
        for doc, number in zip(s.docs or [s.doc] * len(s.paragraphs), s.paragraphs, strict=False):
            paragraph = retriever.paragraph(doc, number)
            if paragraph is None:
                continue
            record = retriever.document(doc)
            cite = citations.setdefault(
                (doc, number),
                Citation(
                    doc,
                    number,
                    paragraph.text,
                    record.title if record else doc,
                    record.date if record else "",
                ),
            )
            cite.highlights = sorted(set(cite.highlights) | set(highlights(s.text, paragraph.text)))
    text = " ".join(s.text for s in unique)
    return Answer(
        question,
        "answered",
        text,
        list(citations.values()),
        model,
        timings,
        unique,
        standalone,
        draft,
        notes,
        mode,
    )

"""The naive baseline (`--model naive:NAME`): the top-k paragraphs stuffed into one prompt and the
model's own citations taken on trust, unverified. The eval runs it beside the real pipeline on the
same backend, so a report shows what retrieval, verification and refusal add."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answer import AnswerSentence
from assistant.grounding.citations import parse, render
from assistant.models.base import Backend, Request
from assistant.prompts import naive_prompt
from assistant.retrieve import Retriever

NAIVE_K = 5


def naive_stream(
    question: str, retriever: Retriever, backend: Backend, notes: list[str]
) -> Iterator[str | list[AnswerSentence]]:
    """Yields draft pieces, then the answer's sentences (cited to the top paragraph with that number)."""
    hits = retriever.search(question, NAIVE_K)
    context = "\n".join(f"[¶{h.paragraph.number}] {h.paragraph.text}" for h in hits)
    prompt = naive_prompt().format(context=context, question=question)
    request = (
        Request(messages=[("user", prompt)], max_tokens=300, stop=[])
        if backend.style == "chat"
        else Request(prompt=prompt, max_tokens=120, stop=["\nQuestion:"])
    )
    draft = ""
    for piece in backend.stream(request):
        draft += piece
        yield piece
    by_number = {}
    for h in hits:
        by_number.setdefault(h.paragraph.number, h.paragraph)
    sentences = []
    for s in parse(draft):
        if "not found" in s.text.lower() or not s.text.strip(" ."):
            continue
        numbers = [n for n in s.paragraphs if n in by_number]
        docs = [by_number[n].doc for n in numbers]
        sentences.append(
            AnswerSentence(render(s.text, numbers), numbers, "model", 0.0, docs[0] if docs else "", docs)
        )
    notes.append("naive baseline: citations are the model's own, not verified")
    yield sentences

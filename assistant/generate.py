"""Generation: what each answer mode shows the model and how much it may write.

* extractive — small base models (the embedded default): the best evidence sentences in a few-shot
  completion prompt; its short answer must be verified and state the evidence's facts, else the answer
  is extracted from the evidence (assistant/extract.py).
* generative — capable chat models (`openai:*`, any OpenAI-compatible chat model): the top
  paragraphs whole, grouped by document with title, place and date; several sentences may combine
  paragraphs; each is verified.
`auto` picks extractive for completion-style backends and generative for chat ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.corpus import Document, Paragraph, sentences_of
from assistant.evidence import EvidenceSentence
from assistant.models.base import Backend, Request
from assistant.prompts import chat_prompt, completion_prompt
from assistant.question import is_instruction
from assistant.tokens import count_tokens

NOT_FOUND = "NOT FOUND"


@dataclass(frozen=True)
class Mode:
    name: str
    evidence: int  # evidence sentences (extractive) or paragraphs (generative) shown
    answer_tokens: int
    context_tokens: int


# Extractive: two sentences keep the 270M model's first token under 0.5 s on 2 cores, and 48 tokens
# hold a one-sentence answer. Generative: five whole paragraphs fit any 8k-context chat model.
EXTRACTIVE = Mode("extractive", evidence=2, answer_tokens=48, context_tokens=2048)
GENERATIVE = Mode("generative", evidence=5, answer_tokens=300, context_tokens=8192)
MODES = {m.name: m for m in (EXTRACTIVE, GENERATIVE)}


def mode_for(backend: Backend, setting: str) -> Mode:
    if setting in MODES:
        return MODES[setting]
    return EXTRACTIVE if backend.style == "completion" else GENERATIVE


def shown_text(paragraph: Paragraph) -> str:
    """A paragraph as a model sees it: sentences that give orders to an AI are removed (data, not
    instructions), so they can neither be followed nor verified against."""
    kept = [s for s in sentences_of(paragraph.text) if not is_instruction(s)]
    return " ".join(kept) if len(kept) < len(sentences_of(paragraph.text)) else paragraph.text


def _fit(blocks: list[str], budget: int) -> str:
    while len(blocks) > 1 and count_tokens("\n".join(blocks)) > budget:
        blocks.pop()
    return "\n".join(blocks)


def extractive_request(question: str, evidence: list[EvidenceSentence], mode: Mode) -> Request:
    lines = [f"[¶{e.paragraph.number}] {e.text}" for e in evidence[: mode.evidence]]
    budget = mode.context_tokens - mode.answer_tokens - 600  # the few-shot prefix
    prompt = completion_prompt().format(evidence=_fit(lines, budget), question=question)
    return Request(prompt=prompt, max_tokens=mode.answer_tokens, stop=["\n", "Question:", "Evidence:"])


def paragraphs_block(paragraphs: list[Paragraph], documents: dict[str, Document]) -> list[str]:
    """Paragraphs grouped by document, each group headed by the document's title, place and date."""
    blocks: list[str] = []
    order: list[str] = []
    for p in paragraphs:
        if p.doc not in order:
            order.append(p.doc)
    for doc in order:
        record = documents.get(doc)
        head = f"Document: {record.label if record else doc}"
        body = [f"[¶{p.number}] {shown_text(p)}" for p in paragraphs if p.doc == doc]
        blocks.append("\n".join([head, *body]))
    return blocks


def generative_request(
    question: str, paragraphs: list[Paragraph], documents: dict[str, Document], mode: Mode, backend: Backend
) -> Request:
    budget = mode.context_tokens - mode.answer_tokens - 400
    text = _fit(paragraphs_block(paragraphs[: mode.evidence], documents), budget).replace(
        "\nDocument:", "\n\nDocument:"
    )
    if backend.style == "chat":
        messages = chat_prompt().format_messages(evidence=text, question=question)
        return Request(
            messages=[(m.type if m.type != "human" else "user", str(m.content)) for m in messages],
            max_tokens=mode.answer_tokens,
            stop=[],
        )
    prompt = completion_prompt().format(evidence=text, question=question)
    return Request(prompt=prompt, max_tokens=mode.answer_tokens, stop=["\nQuestion:", "\nEvidence:"])


def declined(draft: str) -> bool:
    return NOT_FOUND.lower() in draft.lower() and len(draft.split()) <= 12

"""The answer object: what the CLI prints as JSON, the UI renders and the evals score."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["answered", "not_found"]


@dataclass
class Citation:
    doc: str
    paragraph: int
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)  # supporting spans in `text`


@dataclass
class AnswerSentence:
    text: str  # the sentence with its markers, as it appears in the answer
    paragraphs: list[int]
    source: Literal["model", "quote"]  # written by the model and verified, or quoted from the source
    support: float  # share of the sentence's content words found in what it cites
    doc: str = ""


@dataclass
class Answer:
    question: str
    status: Status
    answer: str
    citations: list[Citation]
    model: str
    timings_ms: dict[str, float]
    sentences: list[AnswerSentence] = field(default_factory=list)
    rewritten_question: str = ""
    draft: str = ""  # the model's raw output, before verification and repair
    notes: list[str] = field(default_factory=list)  # why sentences were repaired, or why we refused

    def to_dict(self) -> dict[str, Any]:
        data = {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "citations": [{"doc": c.doc, "paragraph": c.paragraph, "text": c.text} for c in self.citations],
            "model": self.model,
            "timings_ms": self.timings_ms,
            "sentences": [asdict(s) for s in self.sentences],
            "rewritten_question": self.rewritten_question,
            "draft": self.draft,
            "notes": self.notes,
        }
        for cite, src in zip(data["citations"], self.citations, strict=True):
            cite["highlights"] = [list(span) for span in src.highlights]
        return data

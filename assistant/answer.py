"""The answer object: what the CLI prints as JSON, the UI renders and the evals score."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["answered", "not_found"]


@dataclass
class Citation:
    doc: str  # document id: its path relative to the folder it was ingested from
    paragraph: int
    text: str
    title: str = ""
    date: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)  # supporting spans in `text`


@dataclass
class AnswerSentence:
    text: str  # the sentence with its markers, as it appears in the answer
    paragraphs: list[int]
    source: Literal["model", "quote"]  # written by the model and verified, or drawn verbatim from the source
    support: float  # share of the sentence's content words found in (or near) what it cites
    doc: str = ""  # the document of its first citation
    docs: list[str] = field(default_factory=list)  # the document of each cited paragraph, in order


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
    mode: str = ""  # extractive | generative | naive

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "citations": [
                {
                    "doc": c.doc,
                    "title": c.title,
                    "date": c.date,
                    "paragraph": c.paragraph,
                    "text": c.text,
                    "highlights": [list(span) for span in c.highlights],
                }
                for c in self.citations
            ],
            "model": self.model,
            "mode": self.mode,
            "timings_ms": self.timings_ms,
            "sentences": [asdict(s) for s in self.sentences],
            "rewritten_question": self.rewritten_question,
            "draft": self.draft,
            "notes": self.notes,
        }

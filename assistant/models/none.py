"""`--model none`: no model at all. Every answer is extracted from the evidence, so an eval run
shows what a real model adds beside it."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.config import Settings
from assistant.models.base import Request


class NoModel:
    name = "none"
    style = "completion"

    def stream(self, request: Request) -> Iterator[str]:
        yield from ()


def create(settings: Settings, model: str) -> NoModel:
    return NoModel()

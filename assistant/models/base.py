"""What every model backend provides to the pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

Style = Literal["completion", "chat"]


@dataclass
class Request:
    """One generation: either a completion prompt or chat messages, plus decoding limits."""

    prompt: str = ""
    messages: list[tuple[str, str]] = field(default_factory=list)  # (role, content)
    max_tokens: int = 80
    stop: list[str] = field(default_factory=lambda: ["\n"])


class Backend(Protocol):
    name: str  # as the user selects it, e.g. "embedded" or "openai:gpt-4o-mini"
    style: Style  # which prompt family suits the model

    def stream(self, request: Request) -> Iterator[str]:
        """Yield text pieces as they are generated."""
        ...

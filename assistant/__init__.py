"""Chat with a document collection; every claim cites its source paragraph.

`from assistant import Assistant; Assistant().ask("…")` is the Python API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

__all__ = ["Assistant"]


def __getattr__(name: str) -> Any:
    """Import the pipeline only when it is asked for: `assistant --help` stays fast."""
    if name == "Assistant":
        from assistant.pipeline import Assistant

        return Assistant
    raise AttributeError(name)

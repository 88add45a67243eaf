"""The one registry of model backends. A backend is a module exposing `create(settings, model)`.

Model names: `embedded` (default), `gguf:<path or name in models_dir>` (any local GGUF,
in-process), `openai:<model>` (OpenAI API), `ollama:<model>` (a local Ollama server),
`openai-compatible:<model>` or a bare `<model>` with a base URL (any OpenAI-compatible server),
`none` (no model: extractive answers only). `naive:<name>` runs the naive baseline pipeline on backend `<name>`
(`assistant/baselines.py`). Adding a backend means one module plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import UserError
from assistant.models import embedded, gguf, none, openai_compatible

BACKENDS: dict[str, Callable[[Settings, str], Any]] = {
    "embedded": embedded.create,
    "gguf": gguf.create,
    "none": none.create,
    "openai": openai_compatible.create_openai,
    "ollama": openai_compatible.create_ollama,
    "openai-compatible": openai_compatible.create_compatible,
}


def parse(name: str, settings: Settings) -> tuple[str, str]:
    """Split a model name into (backend, model)."""
    name = name.strip()
    if name in BACKENDS:
        return name, ""
    prefix, sep, model = name.partition(":")
    if sep and prefix in BACKENDS:
        if not model:
            raise UserError(f"model {name!r} lacks a model name after ':'")
        return prefix, model
    if settings.base_url:
        return "openai-compatible", name
    raise UserError(
        f"unknown model {name!r}: use one of embedded, gguf:<file>, openai:<model>, ollama:<model>, "
        "openai-compatible:<model> (with --base-url), or a model name with --base-url"
    )


def create(settings: Settings, name: str | None = None) -> Any:
    backend, model = parse(base_name(name or settings.model), settings)
    return BACKENDS[backend](settings, model)


def base_name(name: str) -> str:
    """The backend a model name runs on: `naive:embedded` runs on `embedded`."""
    return name.removeprefix("naive:")


def local_models(settings: Settings) -> list[str]:
    """`gguf:NAME` for each readable GGUF in the models folder."""
    found, _ = gguf.scan(Path(settings.models_dir).expanduser())
    return [f"gguf:{info.path.name}" for info in found]


def configured(settings: Settings) -> list[str]:
    """The model names that can be offered (e.g. in the UI's picker) with these settings."""
    names = ["embedded", *local_models(settings)]
    if settings.model not in names:
        names.append(settings.model)
    if settings.api_key and not any(n.startswith("openai:") for n in names):
        names.append("openai:gpt-4o-mini")
    return names

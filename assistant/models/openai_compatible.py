"""Any OpenAI-compatible server (llama.cpp server, Ollama, vLLM, LM Studio) and OpenAI itself.

Chat models get chat prompts through `ChatOpenAI`; base models (no chat template, e.g. a GGUF
served by llama.cpp) get completion prompts through `OpenAI` on the completions endpoint.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from typing import Any

from assistant.config import Settings
from assistant.errors import BackendUnavailable, UserError
from assistant.models.base import Request, Style

OPENAI_URL = "https://api.openai.com/v1"
OLLAMA_URL = "http://127.0.0.1:11434"  # Ollama's default address; OLLAMA_HOST overrides it, as for Ollama


def ollama_url() -> str:
    host = os.environ.get("OLLAMA_HOST", "").strip().rstrip("/")
    if not host:
        return OLLAMA_URL
    return host if "://" in host else f"http://{host}"


class OpenAICompatibleBackend:
    def __init__(
        self,
        name: str,
        model: str,
        base_url: str,
        api_key: str,
        style: Style,
        timeout: float,
    ) -> None:
        self.name = name
        self.model = model
        self.base_url = base_url
        self.style = style
        self._api_key = api_key or "not-needed"
        self._timeout = timeout
        self._client: Any = None

    def _langchain_model(self, request: Request) -> Any:
        from langchain_openai import ChatOpenAI, OpenAI

        common: dict[str, Any] = dict(
            model=self.model,
            base_url=self.base_url,
            api_key=self._api_key,
            temperature=0.0,
            max_tokens=request.max_tokens,
            timeout=self._timeout,
            max_retries=0,
        )
        if self.style == "chat":
            return ChatOpenAI(**common, stop_sequences=request.stop or None)
        return OpenAI(**common)

    def stream(self, request: Request) -> Iterator[str]:
        import openai

        model = self._langchain_model(request)
        try:
            if self.style == "chat":
                for chunk in model.stream(request.messages):
                    if chunk.content:
                        yield str(chunk.content)
            else:
                yield from model.stream(request.prompt, stop=request.stop or None)
        except openai.APIConnectionError:
            raise BackendUnavailable(
                f"cannot reach the model server at {self.base_url} "
                "(is it running? check --base-url / ASSISTANT_BASE_URL)"
            ) from None
        except openai.AuthenticationError:
            raise UserError(
                f"the model server at {self.base_url} rejected the API key "
                "(set OPENAI_API_KEY or ASSISTANT_API_KEY)"
            ) from None
        except openai.NotFoundError as exc:
            raise UserError(f"model {self.model!r} not found at {self.base_url}: {exc.message}") from None
        except openai.APIStatusError as exc:
            raise BackendUnavailable(
                f"the model server at {self.base_url} answered {exc.status_code}: {exc.message}"
            ) from None


def create_openai(settings: Settings, model: str) -> OpenAICompatibleBackend:
    if not settings.api_key:
        raise UserError("openai models need an API key: set OPENAI_API_KEY (or ASSISTANT_API_KEY)")
    return OpenAICompatibleBackend(
        f"openai:{model}",
        model,
        settings.base_url or OPENAI_URL,
        settings.api_key,
        "chat",
        settings.request_timeout,
    )


def create_compatible(settings: Settings, model: str) -> OpenAICompatibleBackend:
    if not settings.base_url:
        raise UserError(
            f"model {model!r} needs a server: pass --base-url URL (or ASSISTANT_BASE_URL), "
            "e.g. http://127.0.0.1:8080/v1"
        )
    style: Style = "completion" if settings.prompt_style == "completion" else "chat"
    return OpenAICompatibleBackend(
        f"openai-compatible:{model}",
        model,
        settings.base_url.rstrip("/"),
        settings.api_key,
        style,
        settings.request_timeout,
    )


def create_ollama(settings: Settings, model: str) -> OpenAICompatibleBackend:
    """`ollama:NAME`: the model NAME of an Ollama server on its default local address (chat)."""
    return OpenAICompatibleBackend(
        f"ollama:{model}", model, f"{ollama_url()}/v1", settings.api_key, "chat", settings.request_timeout
    )


def ollama_models(timeout: float = 1.0) -> list[dict[str, Any]]:
    """What the local Ollama server has ({"name", "size"}), or nothing when it does not answer in time."""
    try:
        with urllib.request.urlopen(f"{ollama_url()}/api/tags", timeout=timeout) as response:
            data = json.loads(response.read())
        return [
            {"name": str(m["name"]), "size": int(m.get("size") or 0)}
            for m in data.get("models", [])
            if m.get("name")
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []

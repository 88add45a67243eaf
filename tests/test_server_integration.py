"""A real OpenAI-compatible server: llama.cpp's, serving the embedded GGUF on loopback."""

import sys
import urllib.request

import pytest

from assistant.models.embedded import model_path
from assistant.pipeline import Assistant
from tests.conftest import free_port, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llama_server():
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path()),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--logits_all",
        "false",
        "--n_ctx",
        "2048",
        "--model_alias",
        "gemma-270m",
    ]
    url = f"http://127.0.0.1:{port}/v1"
    with serving(
        command, lambda: urllib.request.urlopen(url + "/models", timeout=2).read(), "llama_cpp.server", 120
    ):
        yield url


def test_answers_through_the_openai_compatible_backend(llama_server, settings):
    bot = Assistant(
        settings=settings,
        model="openai-compatible:gemma-270m",
        base_url=llama_server,
        prompt_style="completion",
    )
    answer = bot.ask("Where will the next full ministerial meeting of the Global Coalition be held?")
    assert answer.model == "openai-compatible:gemma-270m"
    assert answer.status == "answered" and "Italy" in answer.answer
    assert [c.paragraph for c in answer.citations] == [15]
    assert answer.draft  # the server really generated something
    assert answer.timings_ms["generate"] > 0

"""A real OpenAI-compatible server: llama.cpp's, serving the embedded GGUF on loopback."""

import subprocess
import sys
import time
import urllib.request

import pytest

from assistant.models.embedded import model_path
from assistant.pipeline import Assistant
from tests.conftest import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llama_server():
    port = free_port()
    proc = subprocess.Popen(
        [
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
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/models", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("llama_cpp.server exited early")
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


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

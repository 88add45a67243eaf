"""Server mode: the same store against a real `chroma run` server on loopback."""

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.errors import UserError
from assistant.index import Store, open_store
from assistant.pipeline import Assistant
from assistant.retrieve import Retriever
from tests.conftest import COLLECTION, SEEDS, free_port, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory):
    chroma = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    port = free_port()
    command = [
        chroma,
        "run",
        "--path",
        str(tmp_path_factory.mktemp("chroma")),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with serving(
        command, lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close(), "chroma run", 60
    ):
        yield port


def test_ingest_and_search_through_a_chroma_server(chroma_port, tmp_path):
    settings = load_settings(
        data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_port, corpus=[SEEDS]
    )
    store = open_store(settings)  # builds the index on first use
    assert store.count() == 1 and len(store.all_paragraphs()) == 16
    assert Store(settings).ingest([SEEDS]).added == 0
    hits = Retriever(store).search("Which Security Council resolution guides a settlement in Syria?", 3)
    assert hits[0].paragraph.number == 9
    # The collection beside the seed, answered through the server, from a second process's view.
    assert not Store(settings).ingest([COLLECTION]).skipped
    other = Assistant(settings=settings.with_overrides(data_dir=tmp_path / "other"), model="none")
    answer = other.ask("How many vessels did members contribute at the Gdansk meeting?")
    assert "52" in answer.answer and answer.citations[0].doc == "2022-gdansk.html", answer.answer
    # A separate process on the same server sees the documents the first one ingested.
    env = {**os.environ, "ASSISTANT_CHROMA_HOST": "127.0.0.1", "ASSISTANT_CHROMA_PORT": str(chroma_port),
           "ASSISTANT_DATA_DIR": str(tmp_path / "third")}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "sources", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert {"2022-gdansk.html", "000_932768985d274d7c.txt"} <= {
        d["id"] for d in json.loads(out.stdout)["documents"]
    }


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = load_settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=free_port())
    with pytest.raises(UserError, match="cannot open the index"):
        Store(settings)

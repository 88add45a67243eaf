"""Shared fixtures. The whole session runs with the network blocked except loopback, so any
hidden download (model weights, tokenizer files, tiktoken BPE, Chroma's ONNX model) fails loudly."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
COLLECTION = ROOT / "evals" / "collection"
EVAL_SET = ROOT / "evals" / "seed.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo


def _is_local(host: object) -> bool:
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if not _is_local(host):
        raise OSError(f"network blocked in tests: connect to {address!r}")
    return _real_connect(self, address)


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if host is not None and not _is_local(host if isinstance(host, str) else host.decode()):
        raise OSError(f"network blocked in tests: lookup of {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]


P9 = (
    "In Syria, the Coalition stands with the Syrian people in support of a lasting political settlement in "
    "accordance with UN Security Council Resolution 2254."
)
P15 = (
    "The Ministers also confirmed their intent to hold the next full ministerial meeting of the Global "
    "Coalition in Italy as soon as circumstances permit."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(command: list[str], ready: Callable[[], object], name: str, timeout: float) -> Iterator[None]:
    """Run a real server for a test: start it, poll `ready` until it stops raising OSError, stop it."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + timeout
        while True:
            try:
                ready()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"{name} exited early")
                if time.time() > deadline:
                    pytest.fail(f"{name} did not start")
                time.sleep(0.3)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def eval_items() -> list[dict]:
    rows = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "question" in r]


@pytest.fixture(scope="session")
def collection_settings(tmp_path_factory: pytest.TempPathFactory):
    """The seed and the fictional communique series, indexed together."""
    from assistant.config import load_settings
    from assistant.index import Store

    settings = load_settings(data_dir=tmp_path_factory.mktemp("collection"), corpus=[SEEDS, COLLECTION])
    report = Store(settings).ingest([SEEDS, COLLECTION])
    assert not report.skipped, report.errors
    return settings


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index over the seed for the session (ingest once, read many)."""
    from assistant.config import load_settings
    from assistant.index import Store

    path = tmp_path_factory.mktemp("data")
    Store(load_settings(data_dir=path, corpus=[SEEDS])).ingest([SEEDS])
    return path


@pytest.fixture(scope="session")
def settings(data_dir: Path):
    from assistant.config import load_settings

    return load_settings(data_dir=data_dir, corpus=[SEEDS])


@pytest.fixture(scope="session")
def retriever(settings):
    from assistant.index import open_store
    from assistant.retrieve import Retriever

    return Retriever(open_store(settings))


@pytest.fixture(scope="session")
def assistant(settings):
    from assistant.pipeline import Assistant

    bot = Assistant(settings=settings)
    bot.warm()
    return bot


def run_cli(
    args: list[str], data_dir: Path, timeout: int = 300, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`assistant ARGS` in a subprocess, on the index in `data_dir` (built from the seed if empty)."""
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env={**cli_env(data_dir), **(extra_env or {})},
        timeout=timeout,
    )


def cli_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["ASSISTANT_DATA_DIR"] = str(data_dir)
    env["ASSISTANT_CORPUS"] = str(SEEDS)
    return env

"""The robustness table (docs/ROBUSTNESS.md): each bad situation is one clear line or a correct
result, never a traceback, and nothing stored is lost."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS, cli_env, run_cli

pytestmark = pytest.mark.slow


run = run_cli


def _one_clean_line(out: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in out.stderr + out.stdout, out.stderr
    errors = [line for line in out.stderr.splitlines() if line.startswith("assistant:")]
    assert errors, out.stderr


def _paragraphs(data_dir: Path) -> int:
    out = run(["sources", "--json"], data_dir)
    return sum(d["paragraphs"] for d in json.loads(out.stdout)["documents"])


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert run(["ingest", str(SEEDS)], data).returncode == 0
    return data


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("binary.txt", b"\x00\x01\x02\xff\x00binary", "binary"),
        ("empty.txt", b"", "no text"),
        ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "PDF"),
    ],
)
def test_bad_file_is_named_and_nothing_stored_is_lost(stored, tmp_path, name, content, reason):
    bad = tmp_path / name
    bad.write_bytes(content)
    out = run(["ingest", str(bad)], stored)
    assert out.returncode == 1 and name in out.stderr and reason in out.stderr
    _one_clean_line(out)
    assert _paragraphs(stored) == 16


def test_non_utf8_file_is_ingested(stored, tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes(
        "Déclaration de Genève\nLes ministres se sont réunis à Genève le 3 mai 2021.\n".encode("cp1252")
    )
    out = run(["ingest", str(latin)], stored)
    assert out.returncode == 0, out.stderr
    assert _paragraphs(stored) == 18


def test_missing_path_is_named(stored, tmp_path):
    out = run(["ingest", str(tmp_path / "nowhere")], stored)
    assert out.returncode == 1 and "no such file" in out.stderr
    _one_clean_line(out)


def test_deleted_data_directory_is_rebuilt_from_the_corpus(stored):
    shutil.rmtree(stored)
    out = run(
        ["ask", "--model", "none", "Which Security Council resolution guides a settlement in Syria?"], stored
    )
    assert out.returncode == 0 and "2254" in out.stdout, out.stderr


def test_corrupted_store_is_one_clear_line(stored):
    for file in (stored / "chroma").glob("*.sqlite3"):
        file.write_bytes(b"this is not a database" * 100)
    out = run(["ask", "--model", "none", "Where is the next meeting?"], stored)
    assert out.returncode != 0 and "cannot open the index" in out.stderr
    _one_clean_line(out)


def test_two_processes_ingesting_at_once_both_succeed(tmp_path):
    data = tmp_path / "data"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant", "ingest", str(SEEDS)],
            env=cli_env(data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert _paragraphs(data) == 16

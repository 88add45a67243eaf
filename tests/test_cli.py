import json
import subprocess
import sys

from tests.conftest import run_cli

run = run_cli


def test_search_json_shape_and_ranking(data_dir):
    out = run(
        ["search", "--json", "Which Security Council resolution guides a settlement in Syria?"], data_dir
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["query"].startswith("Which Security Council")
    first = data["results"][0]
    assert {"doc", "paragraph", "text", "score"} <= set(first)
    assert first["paragraph"] == 9 and "2254" in first["text"] and first["title"].startswith("Joint")


def test_empty_search_is_a_usage_error_without_traceback(data_dir):
    out = run(["search", "  "], data_dir)
    assert out.returncode == 2
    assert "question is empty" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_ingest_twice_adds_nothing_the_second_time(tmp_path):
    first = run(["ingest", "--json"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["added"] == 16
    second = run(["ingest"], tmp_path)
    assert "added 0" in second.stdout


def test_missing_path_is_named_and_the_command_fails(tmp_path):
    out = run(["ingest", str(tmp_path / "nope")], tmp_path)
    assert out.returncode == 1 and "no such file" in out.stderr and "Traceback" not in out.stderr


def test_ingest_names_every_file_it_skips_and_keeps_the_rest(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.txt").write_text("A statement.\nThe ministers met in Oslo on 2 May 2022.\n")
    (docs / "page.html").write_text(
        "<html><body><nav>Home</nav><article><h1>Rome</h1><p>The ministers met in Rome.</p></article></body></html>"
    )
    (docs / "blob.pdf").write_bytes(b"%PDF-1.4 broken")
    out = run(["ingest", str(docs)], tmp_path / "data")
    assert out.returncode == 1 and "blob.pdf" in out.stderr and "Traceback" not in out.stderr
    listed = json.loads(run(["sources", "--json"], tmp_path / "data").stdout)["documents"]
    assert sorted(d["id"] for d in listed) == ["ok.txt", "page.html"]
    text = run(["sources"], tmp_path / "data").stdout
    assert "paragraphs" in text and "ingested" in text


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True)
    for command in ("ingest", "sources", "search", "ask", "chat", "eval"):
        assert command in out.stdout

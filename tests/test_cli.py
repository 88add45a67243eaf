import json
import subprocess
import sys

from tests.conftest import cli_env


def run(args, data_dir, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=cli_env(data_dir),
        timeout=timeout,
    )


def test_search_json_shape_and_ranking(data_dir):
    out = run(
        ["search", "--json", "Which Security Council resolution guides a settlement in Syria?"], data_dir
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["query"].startswith("Which Security Council")
    first = data["results"][0]
    assert {"doc", "paragraph", "text", "score"} <= set(first)
    assert first["paragraph"] == 9 and "2254" in first["text"]


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


def test_missing_path_is_a_clear_error(tmp_path):
    out = run(["ingest", str(tmp_path / "nope")], tmp_path)
    assert out.returncode == 2 and "no such file" in out.stderr and "Traceback" not in out.stderr


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True)
    for command in ("ingest", "search", "ask"):
        assert command in out.stdout

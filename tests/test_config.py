from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.errors import UserError


def test_precedence_file_then_env_then_flags(tmp_path: Path, monkeypatch):
    cfg = tmp_path / "a.toml"
    cfg.write_text('k = 7\nmodel = "from-file"\ndata_dir = "/tmp/from-file"\n')
    monkeypatch.setenv("ASSISTANT_MODEL", "from-env")
    s = load_settings(cfg, data_dir="/tmp/from-flag")
    assert s.k == 7 and s.model == "from-env" and s.data_dir == Path("/tmp/from-flag")


def test_bad_values_are_clear_errors(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_K", "many")
    with pytest.raises(UserError, match="expects a int"):
        load_settings()
    monkeypatch.delenv("ASSISTANT_K")
    bad = tmp_path / "b.toml"
    bad.write_text("nonsense = 1\n")
    with pytest.raises(UserError, match="unknown setting"):
        load_settings(bad)
    with pytest.raises(UserError, match="not found"):
        load_settings(tmp_path / "missing.toml")

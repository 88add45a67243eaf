"""Eval datasets: JSONL, one item per line (format in evals/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import UserError

KINDS = {"fact", "paraphrase", "two_paragraph", "follow_up", "unanswerable", "out_of_scope", "injection"}


@dataclass
class Item:
    id: str
    question: str
    answerable: bool
    gold_paragraphs: list[int] = field(default_factory=list)
    must_include: list[str] = field(default_factory=list)
    any_of: list[str] = field(default_factory=list)
    kind: str = "fact"
    history: list[str] = field(default_factory=list)
    must_not_include: list[str] = field(default_factory=list)
    source: str = ""  # dataset file name


def _check(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise UserError(f"{where}: {message}")


def load(path: Path) -> list[Item]:
    """Parse and validate; a malformed line fails with its file and line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        _check(isinstance(raw, dict), where, "each line must be a JSON object")
        for key in ("id", "question", "answerable"):
            _check(key in raw, where, f"missing required field {key!r}")
        _check(isinstance(raw["id"], str) and raw["id"], where, "'id' must be a non-empty string")
        _check(raw["id"] not in seen, where, f"duplicate id {raw['id']!r}")
        _check(isinstance(raw["question"], str) and raw["question"].strip(), where, "'question' must be text")
        _check(isinstance(raw["answerable"], bool), where, "'answerable' must be true or false")
        for key in ("must_include", "any_of", "history", "must_not_include"):
            value = raw.get(key, [])
            _check(
                isinstance(value, list) and all(isinstance(v, str) for v in value),
                where,
                f"{key!r} must be a list of strings",
            )
        gold = raw.get("gold_paragraphs", [])
        _check(
            isinstance(gold, list) and all(isinstance(g, int) and g > 0 for g in gold),
            where,
            "'gold_paragraphs' must be a list of paragraph numbers",
        )
        kind = raw.get("kind", "fact")
        _check(isinstance(kind, str), where, "'kind' must be a string")
        unknown = set(raw) - {f for f in Item.__dataclass_fields__ if f != "source"}
        _check(not unknown, where, f"unknown field(s): {', '.join(sorted(unknown))}")
        seen.add(raw["id"])
        items.append(Item(**raw, source=path.name))
    if not items:
        raise UserError(f"dataset {path} has no items")
    return items

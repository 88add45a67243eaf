"""Eval datasets: JSONL, one item per line (format in evals/README.md).

Two kinds of file: question sets (`question`, `answerable`, gold paragraphs …) and verification
sets (`sentence`, `cited`, `supported`). Either may open with a header line `{"corpus": [paths]}`
naming the documents it is about, relative to the file; `assistant eval` indexes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.corpus import Paragraph
from assistant.errors import UserError

SPLITS = {"dev", "test"}


@dataclass
class Gold:
    paragraph: int  # 0: not given; found from `quote` once the corpus is read (`resolve`)
    doc: str = ""  # empty: any document (single-document sets)
    quote: str = ""  # words of the paragraph: checked against it, or used to find it


@dataclass
class Item:
    id: str
    question: str
    answerable: bool
    gold: list[Gold] = field(default_factory=list)
    must_include: list[str] = field(default_factory=list)
    any_of: list[str] = field(default_factory=list)
    kind: str = "fact"
    history: list[str] = field(default_factory=list)
    must_not_include: list[str] = field(default_factory=list)
    split: str = "dev"
    source: str = ""  # dataset file name


@dataclass
class Claim:
    """A verification item: does what `cited` names state `sentence`?"""

    id: str
    sentence: str
    cited: list[Gold]
    supported: bool
    kind: str
    split: str
    source: str = ""


@dataclass
class Dataset:
    path: Path
    corpus: list[Path] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def _check(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise UserError(f"{where}: {message}")


def _strings(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    _check(
        isinstance(value, list) and all(isinstance(v, str) for v in value),
        where,
        f"{key!r} must be a list of strings",
    )
    return value


def _gold(raw: Any, where: str) -> list[Gold]:
    _check(isinstance(raw, list), where, "gold paragraphs must be a list")
    out = []
    for g in raw:
        if isinstance(g, int) and not isinstance(g, bool):
            _check(g > 0, where, "paragraph numbers start at 1")
            out.append(Gold(g))
        else:
            _check(
                isinstance(g, dict)
                and (isinstance(g.get("paragraph"), int) or (g.get("doc") and g.get("quote"))),
                where,
                "each gold is n, {doc, paragraph} or {doc, quote}",
            )
            out.append(Gold(int(g.get("paragraph") or 0), str(g.get("doc", "")), str(g.get("quote", ""))))
    return out


def _item(raw: dict[str, Any], where: str, source: str) -> Item:
    for key in ("id", "question", "answerable"):
        _check(key in raw, where, f"missing required field {key!r}")
    _check(isinstance(raw["question"], str) and raw["question"].strip(), where, "'question' must be text")
    _check(isinstance(raw["answerable"], bool), where, "'answerable' must be true or false")
    kind = raw.get("kind", "fact")  # any label: the report groups by whatever kinds appear
    _check(isinstance(kind, str) and kind.strip(), where, "'kind' must be a non-empty label")
    split = raw.get("split", "dev")
    _check(split in SPLITS, where, "'split' must be dev or test")
    known = {"id", "question", "answerable", "gold_paragraphs", "gold", "must_include", "any_of", "kind", "history",
             "must_not_include", "split"}  # fmt: skip
    unknown = set(raw) - known
    _check(not unknown, where, f"unknown field(s): {', '.join(sorted(unknown))}")
    return Item(
        id=raw["id"],
        question=raw["question"],
        answerable=raw["answerable"],
        gold=_gold(raw.get("gold", raw.get("gold_paragraphs", [])), where),
        must_include=_strings(raw, "must_include", where),
        any_of=_strings(raw, "any_of", where),
        kind=kind,
        history=_strings(raw, "history", where),
        must_not_include=_strings(raw, "must_not_include", where),
        split=split,
        source=source,
    )


def _claim(raw: dict[str, Any], where: str, source: str) -> Claim:
    for key in ("id", "sentence", "cited", "supported"):
        _check(key in raw, where, f"missing required field {key!r}")
    _check(isinstance(raw["supported"], bool), where, "'supported' must be true or false")
    split = raw.get("split", "dev")
    _check(split in SPLITS, where, "'split' must be dev or test")
    return Claim(
        raw["id"],
        raw["sentence"],
        _gold(raw["cited"], where),
        raw["supported"],
        raw.get("kind", ""),
        split,
        source,
    )


def load(path: Path) -> Dataset:
    """Parse and validate; a malformed line fails with its file and line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    data = Dataset(path)
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
        if "corpus" in raw and len(raw) == 1:
            _check(not seen, where, "the corpus header must be the first line")
            data.corpus = [(path.parent / p).resolve() for p in _strings(raw, "corpus", where)]
            continue
        _check(isinstance(raw.get("id"), str) and raw.get("id"), where, "'id' must be a non-empty string")
        _check(raw["id"] not in seen, where, f"duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        if "sentence" in raw:
            data.claims.append(_claim(raw, where, path.name))
        else:
            data.items.append(_item(raw, where, path.name))
    if not data.items and not data.claims:
        raise UserError(f"dataset {path} has no items")
    return data


def _plain(text: str) -> str:
    """Words only, lower case: a quote matches whatever quotes, dashes and line breaks surround it."""
    return " ".join(re.findall(r"\w+", text.lower()))


def resolve(data: Dataset, paragraphs: list[Paragraph]) -> None:
    """Find each gold paragraph named only by its quote, and check quotes against named paragraphs,
    in the documents as indexed: numbering may change with the loaders, the quote does not."""
    for entry in [*data.items, *data.claims]:
        golds = entry.gold if isinstance(entry, Item) else entry.cited
        for gold in golds:
            if not gold.quote:
                continue
            where = f"{data.path.name}: {entry.id}"
            mine = [p for p in paragraphs if p.doc == gold.doc]
            _check(bool(mine), where, f"gold document {gold.doc!r} is not in the corpus")
            quote = _plain(gold.quote)
            found = [p.number for p in mine if quote in _plain(p.text)]
            if gold.paragraph:
                _check(
                    gold.paragraph in found, where, f"¶{gold.paragraph} of {gold.doc} lacks {gold.quote!r}"
                )
            else:
                _check(bool(found), where, f"no paragraph of {gold.doc} holds {gold.quote!r}")
                gold.paragraph = found[0]

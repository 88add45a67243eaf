"""Markdown (markdown-it-py): headings, paragraphs and list items are paragraphs; markup is dropped."""

from __future__ import annotations

from pathlib import Path

from assistant.loading.text import decode


def load(path: Path):  # noqa: ANN201 - returns loading.Extracted
    from markdown_it import MarkdownIt

    from assistant.loading import Extracted

    tokens = MarkdownIt("commonmark").parse(decode(path.read_bytes()))
    blocks: list[str] = []
    title = ""
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        text = "".join(
            child.content if child.type in ("text", "code_inline") else " " if "break" in child.type else ""
            for child in token.children or []
        ).strip()
        if not text:
            continue
        if not title and i and tokens[i - 1].type == "heading_open" and tokens[i - 1].tag == "h1":
            title = text
        blocks.append(text)
    return Extracted(blocks, title=title)

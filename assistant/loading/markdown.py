"""Markdown (markdown-it-py): headings, paragraphs, list items and hard-broken lines are paragraphs;
markup is dropped."""

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
        # A hard line break ends a line a reader sees on its own (a header block's organisation, session,
        # dateline); a soft one is a space.
        text = "".join(
            child.content
            if child.type in ("text", "code_inline")
            else "\n"
            if child.type == "hardbreak"
            else " "
            if child.type == "softbreak"
            else ""
            for child in token.children or []
        ).strip()
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if not lines:
            continue
        if not title and i and tokens[i - 1].type == "heading_open" and tokens[i - 1].tag == "h1":
            title = lines[0]
        blocks.extend(lines)
    return Extracted(blocks, title=title)

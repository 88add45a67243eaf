"""Word documents (python-docx): each non-empty paragraph is a paragraph; a Title/Heading 1 is the title."""

from __future__ import annotations

from pathlib import Path


def load(path: Path):  # noqa: ANN201 - returns loading.Extracted
    import docx

    from assistant.loading import Extracted

    document = docx.Document(str(path))
    blocks, title = [], ""
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        if not title and para.style is not None and para.style.name in ("Title", "Heading 1"):
            title = text
        blocks.append(text)
    core = document.core_properties
    return Extracted(blocks, title=title or (core.title or "").strip())

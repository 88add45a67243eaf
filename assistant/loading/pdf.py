"""PDF (pypdf): text per page, wrapped lines re-joined into paragraphs, hyphenation undone, page
numbers and running headers/footers dropped."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from pathlib import Path

from assistant.errors import UserError

# A line clearly shorter than a full one ends its paragraph (or is a heading of its own): wrapping
# leaves a line short only by less than one word.
_SHORT_LINE = 0.8


def _lines(reader) -> list[list[str]]:  # noqa: ANN001 - pypdf.PdfReader
    pages = []
    for page in reader.pages:
        text = page.extract_text() or ""
        pages.append([line.rstrip() for line in text.splitlines()])
    return pages


def paragraphs_from_lines(pages: list[list[str]]) -> list[str]:
    """Rebuild paragraphs: blank lines and short lines end them; "coordi-" + "nation" join."""
    firsts = Counter(p[0].strip() for p in pages if p)
    lasts = Counter(p[-1].strip() for p in pages if p)
    running = {t for t, n in (firsts + lasts).items() if n > 1 and len(pages) > 1}
    lines: list[str] = []
    for page in pages:
        for line in page:
            stripped = line.strip()
            if stripped in running or re.fullmatch(
                r"(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?", stripped, re.I
            ):
                continue
            lines.append(stripped)
    widths = [len(x) for x in lines if x]
    full = statistics.quantiles(widths, n=10)[-1] if len(widths) >= 4 else max(widths or [1])
    out: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                out.append(current)
            current = ""
            continue
        if current.endswith("-") and re.match(r"[a-z]", line) and re.search(r"[a-z]-$", current):
            current = current[:-1] + line
        else:
            current = f"{current} {line}".strip()
        if len(line) < _SHORT_LINE * full:
            out.append(current)
            current = ""
    if current:
        out.append(current)
    return out


def load(path: Path):  # noqa: ANN201 - returns loading.Extracted
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    from assistant.loading import Extracted

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError("encrypted PDF (needs a password); decrypt it first")
        pages = _lines(reader)
    except PdfReadError as exc:
        raise UserError(f"not a readable PDF ({exc})") from None
    blocks = paragraphs_from_lines(pages)
    if not blocks:
        raise UserError("the PDF has no text layer (scanned or image-only?); run OCR on it first")
    title = ""
    if reader.metadata and reader.metadata.title:
        title = " ".join(str(reader.metadata.title).split())
        # A headline wrapped over several (short) lines is one paragraph.
        for k in range(2, min(4, len(blocks)) + 1):
            if " ".join(blocks[:k]) == title:
                blocks = [title, *blocks[k:]]
                break
    return Extracted(blocks, title=title)

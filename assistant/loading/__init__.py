"""Files to Documents: one small module per format, each backed by a well-kept library.

| format | library | a paragraph is |
|---|---|---|
| .txt | charset-normalizer (any common encoding) | a non-empty line; in a hard-wrapped file, a blank-line-separated block |
| .md | markdown-it-py | a heading, a paragraph or a list item |
| .html/.htm | trafilatura (main text only: no navigation, banners, footers) | a heading, paragraph or list item of the main text |
| .pdf | pypdf | a block of wrapped lines, re-joined and de-hyphenated; page numbers and running headers dropped |
| .docx | python-docx | a non-empty Word paragraph |

¶1 is the headline whenever the document has one (a page title is put first when the main text
lacks it), so numbers are what a reader counts. Title, date and place come from the document's
own metadata, headline and dateline ("Gdansk, 14 March 2022 —").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus import Document, join_blocks, number_blocks
from assistant.errors import UserError
from assistant.loading import docx, html, markdown, pdf, text
from assistant.loading.metadata import (
    BODY_LOOKS,
    HEADER_LINES,
    genre,
    humanize,
    looks_like_headline,
    read_header,
)

KIND_ALONE_WORDS = 4  # "Joint Statement of Ministers" names a kind, not which statement


@dataclass
class Extracted:
    """What a format module returns: the blocks a reader sees, in order, and any metadata."""

    blocks: list[str]
    title: str = ""
    date: str = ""


LOADERS: dict[str, tuple[str, Callable[[Path], Extracted]]] = {
    ".txt": ("txt", text.load),
    ".text": ("txt", text.load),
    ".md": ("md", markdown.load),
    ".markdown": ("md", markdown.load),
    ".html": ("html", html.load),
    ".htm": ("html", html.load),
    ".pdf": ("pdf", pdf.load),
    ".docx": ("docx", docx.load),
}
SUFFIXES = tuple(LOADERS)


def load(path: Path, doc_id: str) -> Document:
    """Read one file into a Document; any failure is a UserError naming the file and the reason."""
    entry = LOADERS.get(path.suffix.lower())
    if entry is None:
        raise UserError(
            f"{path}: unsupported format {path.suffix or '(no suffix)'!r}; supported: {', '.join(SUFFIXES)}"
        )
    kind, loader = entry
    try:
        extracted = loader(path)
    except UserError as exc:
        raise UserError(f"{path}: {exc}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except Exception as exc:  # noqa: BLE001 - a parser's crash on a malformed file is the file's problem
        raise UserError(f"{path}: cannot parse this {kind} file ({type(exc).__name__}: {exc})") from None
    blocks = [b for b in extracted.blocks if b.strip()]
    title = extracted.title.strip()
    if title and not any(b.strip() == title for b in blocks[:3]):
        blocks.insert(0, title)
    if not blocks:
        raise UserError(f"{path}: no text found (empty file, or a scanned/image-only document)")
    body, spans = join_blocks(blocks)
    paragraphs = number_blocks(doc_id, body, spans)
    texts = [p.text for p in paragraphs]
    header = read_header(texts[: HEADER_LINES + BODY_LOOKS], texts[-BODY_LOOKS:])
    place, date = header.place, header.date
    if not place and extracted.date:  # a page dated by its metadata: where its headline says it happened
        place = header.first_place
    if not title:
        first = paragraphs[0].text
        title = first if looks_like_headline(first) else humanize(path.stem)
    # A headline that is the organisation's line alone, or a kind alone ("Chair's Statement", "Joint
    # Statement of Ministers"): name the statement in full, by kind, organisation and session.
    kind_alone = bool(genre(title)) and len(title.split()) <= KIND_ALONE_WORDS
    if header.org and (title.strip() == texts[0].strip() and not genre(title) or kind_alone):
        lead = title if kind_alone else header.kind
        named = ", ".join(x for x in (header.org, header.session) if x)
        # "Joint Press Statement by the Minister of …": a subtitle that opens with a preposition runs on.
        joined = " " if named[:1].islower() else ": "
        title = f"{lead}{joined}{named}" if lead else named
    return Document(
        id=doc_id,
        title=title,
        date=extracted.date or date,
        place=place,
        kind=header.kind or genre(title),
        format=kind,
        path=str(path.resolve()),
        # Text and what is read from it: a better reading of the title or date updates the record.
        sha=hashlib.sha256(
            "\n".join([body, title, extracted.date or date, place, header.kind]).encode("utf-8")
        ).hexdigest(),
        paragraphs=paragraphs,
    )

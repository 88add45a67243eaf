"""Documents to numbered paragraphs.

A paragraph is a non-empty line, numbered 1, 2, 3 … over all non-empty lines of its document,
so `[¶9]` always means the ninth non-empty line a reader counts. Titles, photo captions and
website chrome keep their numbers but are flagged as boilerplate and left out of retrieval.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import UserError

TEXT_SUFFIXES = (".txt", ".md")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")
_WEB_CHROME = re.compile(
    r"\b(cookies?|opt-out|privacy policy|all rights reserved|subscribe|newsletter|javascript)\b", re.I
)
# Sentence boundary: end punctuation, space, then an upper-case letter or a quote/digit.
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9\"'“‘(])")
_ABBREVIATIONS = re.compile(r"\b(?:[A-Z]|U\.S|U\.N|Mr|Mrs|Ms|Dr|St|No|Vol|e\.g|i\.e|etc|vs|Jr|Sr)\.$")


@dataclass(frozen=True)
class Paragraph:
    doc: str
    number: int
    text: str
    start: int  # character offset of the first character in the document
    end: int  # offset one past the last character
    sha: str  # sha256 of the text: ids and idempotent ingestion derive from it
    boilerplate: bool = False

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.number}:{self.sha[:16]}"


@dataclass(frozen=True)
class Sentence:
    doc: str
    paragraph: int
    index: int  # 0-based position within the paragraph
    text: str
    start: int  # offset within the paragraph text
    end: int


def _is_boilerplate(text: str, repeated: bool) -> bool:
    """Headings, captions and site chrome: short lines that are not sentences, repeats, banners."""
    words = len(text.split())
    not_a_sentence = not _SENTENCE_END.search(text) and words <= 25
    return repeated or not_a_sentence or bool(_WEB_CHROME.search(text))


def split_text(doc: str, text: str) -> list[Paragraph]:
    """Split a document's text into paragraphs with offsets into `text`."""
    spans = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\n]+", text)]
    spans = [(s, e, line) for s, e, line in spans if line.strip()]
    counts = Counter(line.strip() for _, _, line in spans)
    paragraphs = []
    for number, (start, end, line) in enumerate(spans, start=1):
        stripped = line.strip()
        lead = len(line) - len(line.lstrip())
        start += lead
        end = start + len(stripped)
        paragraphs.append(
            Paragraph(
                doc=doc,
                number=number,
                text=stripped,
                start=start,
                end=end,
                sha=hashlib.sha256(stripped.encode("utf-8")).hexdigest(),
                boilerplate=_is_boilerplate(stripped, counts[stripped] > 1),
            )
        )
    return paragraphs


def split_sentences(paragraph: Paragraph) -> list[Sentence]:
    """Sentences of a paragraph, with offsets into the paragraph text."""
    sentences: list[Sentence] = []
    start = 0
    text = paragraph.text
    for match in _SENTENCE_SPLIT.finditer(text):
        candidate = text[start : match.start()].rstrip()
        if _ABBREVIATIONS.search(candidate):
            continue
        sentences.append(
            Sentence(
                paragraph.doc, paragraph.number, len(sentences), candidate, start, start + len(candidate)
            )
        )
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(
            Sentence(paragraph.doc, paragraph.number, len(sentences), tail, start, start + len(tail))
        )
    return sentences


def read_document(path: Path) -> list[Paragraph]:
    """Read one file; the document id is the file's stem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"cannot read {path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    return split_text(path.stem, text.replace("\r\n", "\n").replace("\r", "\n"))


def find_documents(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their text files, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file())
            )
        elif path.exists():
            files.append(path)
        else:
            raise UserError(f"no such file or folder: {path}")
    if not files:
        shown = ", ".join(str(p) for p in paths) or "(none)"
        raise UserError(f"no documents (*.txt, *.md) found in {shown}")
    return files


def load_corpus(paths: Iterable[Path]) -> Iterator[Paragraph]:
    for file in find_documents(list(paths)):
        yield from read_document(file)

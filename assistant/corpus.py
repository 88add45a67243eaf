"""Documents and their numbered paragraphs and sentences: the records every other stage uses.

How a document's text becomes paragraphs depends on its format (`assistant/loading/`); this module
numbers them the way a reader counts (¶1 is the first block, usually the headline), flags the
ones never worth citing (headings, captions, site chrome) and splits paragraphs into sentences.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

# A paragraph's list number or letter ("12. ", "(3) ", "(b) ", "(iv) "): its place in the document, not
# something it states. A letter or roman numeral counts only in brackets ("a) ", "(a) "), not an
# initial ("A. Smith").
LIST_NUMBER = re.compile(r"^(?:\(?\d{1,3}[.)]|\(?(?:[a-z]|[ivx]{1,4})\))\s+")
# A list item ends like a clause ("the expansion of the JAFR to at least 20 aircraft;").
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’)]*$")
_WEB_CHROME = re.compile(
    r"\b(cookies?|opt-out|privacy policy|all rights reserved|subscribe|newsletter|javascript)\b", re.I
)
# A heading or caption is short and does not end like a sentence.
HEADING_MAX_WORDS = 25


@dataclass(frozen=True)
class Paragraph:
    doc: str
    number: int
    text: str
    start: int  # character offset of the first character in the document's text
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


@dataclass
class Document:
    """One ingested file: a stable id (its path relative to the ingest root) and what it states
    about itself (title, date, place), plus its paragraphs."""

    id: str
    title: str
    date: str = ""  # ISO: YYYY-MM-DD, YYYY-MM or YYYY; empty when the document does not say
    place: str = ""
    kind: str = ""  # what it calls itself: "Joint Communique", "Chair's Statement", …
    format: str = "txt"
    path: str = ""
    sha: str = ""  # of the extracted text: an unchanged file is skipped as a whole
    paragraphs: list[Paragraph] = field(default_factory=list)
    # The abbreviations it defines ("CWRF": "Common Wildfire Response Fund"), read by the retriever.
    abbreviations: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How citations name the document: its title, then date and place when known."""
        extra = ", ".join(x for x in (self.place, self.date) if x)
        return f"{self.title} ({extra})" if extra else self.title

    def context(self) -> str:
        """What a paragraph is embedded and indexed with, so it knows which document it is in."""
        return " · ".join(x for x in (self.title, self.place, self.date) if x)


def _is_boilerplate(text: str, repeated: bool) -> bool:
    """Headings, captions and site chrome: short lines that are not sentences, repeats, banners.

    A list item (ending in ";") and a line that states an amount (a pledge table's "Estonia — EUR 3.4
    million") are facts, not headings: until 2026-12-08 they were never retrieved (255 of the 829
    paragraphs of the dev documents and the seed were boilerplate, every list item and table row among
    them). Measured on the 647 dev questions (no model, weights fitted without them): 370 -> 374;
    cross-validated by collection with refits, 0.578 with list items alone and 0.577 with every line
    holding a digit (datelines and headings with a year too)."""
    short = not _SENTENCE_END.search(text) and len(text.split()) <= HEADING_MAX_WORDS
    not_a_sentence = short and not _states_an_amount(text)
    # A banner is short ("This website uses cookies …", 24 words); a paragraph of a statement may name
    # a newsletter or States that subscribe to a charter.
    banner = len(text.split()) <= 2 * HEADING_MAX_WORDS and bool(_WEB_CHROME.search(text))
    return repeated or not_a_sentence or banner


def _states_an_amount(text: str) -> bool:
    """A line with an amount or a count is a table's row ("Estonia — EUR 3.4 million"); a dateline
    ("Riga, 3 April 2025") or a heading with a year ("Joint Corridor Fund 2025") states none, and
    answered 5 dev questions wrongly when read as one. (spaCy's entity labels cannot tell them apart
    on such fragments: "Poland — EUR 7.2 million" has no MONEY, "Tromsø, Norway, 12 September" a
    CARDINAL.)"""
    if not any(c.isdigit() for c in text):
        return False
    from assistant.language import amounts, parse

    return bool(amounts(parse(text)))


def flag_boilerplate(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs with `boilerplate` decided now: at load, and again when a store is read, so a
    store indexed under an older rule is read under this one."""
    counts = Counter((p.doc, p.text) for p in paragraphs)
    return [replace(p, boilerplate=_is_boilerplate(p.text, counts[p.doc, p.text] > 1)) for p in paragraphs]


def number_blocks(doc: str, text: str, spans: list[tuple[int, int]]) -> list[Paragraph]:
    """Paragraphs from (start, end) spans of `text`, numbered 1, 2, 3 … in reading order."""
    blocks = [(s, e, text[s:e].strip()) for s, e in spans]
    blocks = [(s + len(text[s:e]) - len(text[s:e].lstrip()), t) for s, e, t in blocks if t]
    return flag_boilerplate(
        [
            Paragraph(
                doc=doc,
                number=number,
                text=t,
                start=start,
                end=start + len(t),
                sha=hashlib.sha256(t.encode("utf-8")).hexdigest(),
            )
            for number, (start, t) in enumerate(blocks, start=1)
        ]
    )


def join_blocks(blocks: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Blocks joined by blank lines, with each block's span in the joined text."""
    text, spans, pos = [], [], 0
    for block in blocks:
        block = re.sub(r"\s+", " ", block).strip()
        if not block:
            continue
        spans.append((pos, pos + len(block)))
        text.append(block)
        pos += len(block) + 2
    return "\n\n".join(text), spans


# Titles pysbd knows as abbreviations but not as standing before a name, so that it ends a sentence
# at "chairmanship of Hon. | Thabo Mokhesi" (16 cuts in the dev documents, every list of delegates of
# one series among them). "Sr." stays out: it also follows a name ("John Smith Sr. said").
_TITLES = ("hon",)


@lru_cache(maxsize=1)
def _segmenter():  # noqa: ANN202 - pysbd has no type hints
    import pysbd
    from pysbd.languages import Language

    english = Language.get_language_code("en").Abbreviation
    english.PREPOSITIVE_ABBREVIATIONS = [*english.PREPOSITIVE_ABBREVIATIONS, *_TITLES]
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


@lru_cache(maxsize=50_000)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for piece in _segmenter().segment(text):
        sentence = piece.sent.strip()
        if sentence:
            start = text.find(sentence, piece.start)
            start = piece.start if start < 0 else start
            spans.append((start, start + len(sentence)))
    return tuple(spans) or ((0, len(text)),)


def sentences_of(text: str) -> list[str]:
    """The project's one sentence splitter (pysbd: abbreviations like "U.S." and "R." stay inside).

    pysbd rather than spaCy's parser-made sentences, by measurement: on the 305 paragraphs of the dev
    documents, seed and collection the two differ on 63; 54 are list numbers spaCy makes sentences of
    ("12." alone), and of the other 9 spaCy cuts 5 wrongly (inside a name, "Ms Camila | Errázuriz
    Fuentes"; "South Africa: | Ms …" in lists of delegates) where pysbd cut 2 ("Hon. | Ndapewa", now
    read as a title: _TITLES)."""
    return [text[s:e] for s, e in _sentence_spans(text)]


def split_sentences(paragraph: Paragraph) -> list[Sentence]:
    """Sentences of a paragraph, with offsets into the paragraph text."""
    return [
        Sentence(paragraph.doc, paragraph.number, i, paragraph.text[s:e], s, e)
        for i, (s, e) in enumerate(_sentence_spans(paragraph.text))
    ]

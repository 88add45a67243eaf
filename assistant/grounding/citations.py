"""`[¶n]` sentences: parse a model's draft into sentences and their markers, render them back,
and find the words of a paragraph a sentence relies on (what the UI highlights)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.corpus import sentences_of
from assistant.text import MARKER, STOPWORDS, cited, stem, strip_markers


@dataclass
class DraftSentence:
    text: str  # without markers
    paragraphs: list[int]  # cited paragraph numbers, in order, deduplicated


def parse(draft: str) -> list[DraftSentence]:
    """Split a draft into sentences and their markers; markers standing after a sentence's end
    ("… Italy. [¶15]") belong to it."""
    out: list[DraftSentence] = []
    for piece in sentences_of(draft.strip()) if draft.strip() else []:
        numbers, text = cited(piece), strip_markers(piece)
        if not text.strip(" .") and out:  # markers alone: they close the previous sentence
            out[-1].paragraphs.extend(n for n in numbers if n not in out[-1].paragraphs)
            continue
        if text.strip(" .") or numbers:
            out.append(DraftSentence(text, numbers))
    return out


def render(text: str, paragraphs: list[int]) -> str:
    """A sentence with its markers before the final punctuation: `… Resolution 2254 [¶9].`"""
    body = MARKER.sub("", text).rstrip().rstrip(",;:").rstrip()
    end = ""
    if body and body[-1] in ".!?":
        body, end = body[:-1].rstrip(), body[-1]
    body = body[:1].upper() + body[1:]
    return f"{body} {''.join(f'[¶{n}]' for n in paragraphs)}{end or '.'}"


def highlights(sentence: str, paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the paragraph whose words the sentence uses."""
    wanted = {stem(w) for w in re.findall(r"[a-z0-9]+", sentence.lower()) if w not in STOPWORDS}
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[A-Za-z0-9][\w’'/-]*", paragraph):
        token = match.group().lower()
        if token not in STOPWORDS and stem(token) in wanted:
            if spans and match.start() - spans[-1][1] <= 5:
                spans[-1] = (spans[-1][0], match.end())
            else:
                spans.append((match.start(), match.end()))
    return spans

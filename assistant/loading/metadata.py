"""What a document says about itself: its header block (organisation, session, kind, place, date,
read from spaCy's entities) and whether a line is a headline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


def looks_like_headline(text: str) -> bool:
    return len(text.split()) <= 25 and not re.search(r"[.!?]$", text.strip())


def humanize(stem: str) -> str:
    """A title from a file name when the document states none: "2022-gdansk" -> "2022 gdansk"."""
    return re.sub(r"[_\-]+", " ", stem).strip() or stem


# -- the header block: organisation, session, kind of statement, place and date --------------------
# The kinds of statement a communique calls itself: the genre noun that ends the phrase.
_GENRES = {
    "communique",
    "communiqué",
    "statement",
    "declaration",
    "conclusions",
    "summary",
    "resolution",
    "release",
}
HEADER_LINES = 8  # a header block is at most this many short lines before the first sentence
BODY_LOOKS = (
    3  # closing paragraphs searched for a date ("Done at … on …") when the header and opening have none
)


@dataclass
class Header:
    org: str = ""
    session: str = ""
    kind: str = ""
    place: str = ""
    date: str = ""  # ISO, the first day of a range
    first_place: str = ""  # the first place the header or opening sentence names (not a dateline)


def date_value(text: str) -> str:
    """ISO date (the first day) of a date phrase spaCy found: "14–15 October 2021", "10 to 12 September
    2024", "Thursday 8 June 2023", "the sixth day of October 2022", "June 7-8, 2023"; "" without a
    year and a month."""
    from assistant.language import MONTHS, ordinal_value

    words_ = re.findall(r"[A-Za-z]+(?:-[a-z]+)?|\d+", text)
    year = next((int(w) for w in words_ if w.isdigit() and len(w) == 4 and 1900 <= int(w) <= 2100), 0)
    month = next((i for i, w in enumerate(words_) if w.lower() in MONTHS), -1)
    if not year or month < 0:
        return ""
    days = [
        int(w) if w.isdigit() else ordinal_value(w)
        for w in words_
        if (w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 31) or ordinal_value(w)
    ]
    day = days[0] if days else 0
    number = MONTHS[words_[month].lower()]
    return f"{year:04d}-{number:02d}-{day:02d}" if day else f"{year:04d}-{number:02d}"


def genre(line: str) -> str:
    """ "Joint Communique", "Chair's Statement", "Council Conclusions" when the line names its kind."""
    match = re.search(
        r"((?:[A-Z][\w’'-]*\s+){0,3}(?:" + "|".join(_GENRES) + r"))\b", line.replace("’", "'"), re.I
    )
    if not match:
        return ""
    kind = re.sub(r"^(?:the|a|an)\s+", "", match.group(1).strip(), flags=re.I)
    return _title_case(kind)


def read_header(lines: list[str], tail: list[str]) -> Header:
    """What a communique's header block says: its organisation, session ("Sixth Ministerial
    Meeting"), kind ("Chair's Statement"), place and date — read from spaCy's entities; a date not in
    the header is looked for in the first sentences of the body, then in its last lines ("Done at
    Gaborone on the sixth day of October 2022")."""
    from assistant.language import ordinal_value, parse

    header = Header()
    head = []
    for line in lines[:HEADER_LINES]:
        if not (looks_like_headline(line) or _subtitle(line)):
            break
        head.append(line)
    body = lines[len(head) : len(head) + 1]  # the opening sentence: "… met in Rome on 16 April 2024"
    for line in head:
        doc = parse(line)
        dates = _dates(doc)
        kind = genre(line)
        if dates and not header.date:
            header.date = date_value(dates[0].text)
            before = line[: dates[0].start_char].strip(" ,–—-")
            header.place = header.place or before.split(",")[0].strip()
        elif kind:
            header.kind = header.kind or _title_case(kind)
        elif not header.session and any(t.ent_type_ == "ORDINAL" or ordinal_value(t.text) for t in doc):
            # "Sixth Session of the Commission": spaCy tags the capitalised ordinal part of an ORG or no
            # entity at all, so the ordinal is read from the words.
            header.session = line.strip()
        elif "," in line and all(
            t.pos_ in ("PROPN", "PUNCT", "ADP", "DET") for t in doc
        ):  # "Gaborone, Botswana"
            header.place = header.place or line.split(",")[0].strip()
        elif not header.org and any(t.is_upper or t.is_title for t in doc if t.is_alpha):
            header.org = _title_case(line.strip())
    if not header.date:
        for line in [*body, *reversed(tail)]:
            doc = parse(line[:400])
            dates = _dates(doc)
            if not dates:
                continue
            header.date = date_value(dates[0].text)
            if not header.place:
                before = doc[: dates[0].start]
                places = [e.text for e in before.ents if e.label_ in ("GPE", "LOC", "FAC")]
                # "Done at Gaborone on …": the object of "at"/"in" when the recogniser names no place.
                places += [
                    t.text
                    for t in before
                    if t.dep_ == "pobj" and t.head.lower_ in ("at", "in") and t.pos_ == "PROPN"
                ]
                # A dateline opening the text ("Valletta, 5 October 2023 -"): what is before the date.
                if not places and before and all(t.pos_ in ("PROPN", "PUNCT") for t in before):
                    places = [before.text.strip(" ,–—-:").split(",")[0]]
                header.place = places[0] if places else ""
            break
    places = [e.text for line in [*head, *body] for e in parse(line[:400]).ents if e.label_ == "GPE"]
    header.first_place = places[0] if places else ""
    header.place = _title_case(header.place)  # "ROME — 12 May 2024" names Rome
    return header


def _subtitle(line: str) -> bool:
    """A long header line that is not a sentence: no closing stop and no finite verb ("by the Minister
    of Transport of the Republic of Latvia and … on joint inspections of freight trains", between a
    press statement's title and its dateline). An opening sentence always has a finite verb."""
    from assistant.language import is_finite, parse

    return not re.search(r"[.!?]$", line.strip()) and not any(is_finite(t) for t in parse(line[:400]))


def _dates(doc: Doc) -> list[Span]:
    """spaCy's DATE entities that name a month of a year, widened to the day numbers the recogniser
    leaves out ("5 and 6" before "October 2022") and to a DATE just before ("the sixth day of")."""
    ents = [e for e in doc.ents if e.label_ == "DATE"]
    out = []
    for i, e in enumerate(ents):
        start = ents[i - 1].start if i and ents[i - 1].end == e.start else e.start
        while start > max(0, e.start - 5) and (
            doc[start - 1].like_num
            or doc[start - 1].lower_ in _RANGE_WORDS
            or _DAY_RANGE.fullmatch(doc[start - 1].text)
        ):
            start -= 1
        span = doc[start : e.end]
        if date_value(span.text):
            out.append(span)
    return out


_RANGE_WORDS = ("and", "to", "–", "-")
_DAY_RANGE = re.compile(r"\d{1,2}[–—-]\d{1,2}")  # "7–9 November 2023": spaCy keeps the days one token


def _title_case(text: str) -> str:
    """ "MOLAPO RIVER BASIN FORUM (MRBF)" -> "Molapo River Basin Forum (MRBF)": acronyms stay; text
    not in capitals stays as it is."""
    if not text.isupper():
        return text
    return " ".join(
        w if w.startswith("(") else "-".join(p.capitalize() for p in w.split("-")) for w in text.split()
    )  # "TRANS-SAHARAN" -> "Trans-Saharan"

"""What a document says about itself: the date and place of its dateline, a headline."""

from __future__ import annotations

import re

_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_MONTH = "|".join(_MONTHS)
# "14 March 2022", "March 14, 2022", "2022-03-14"
_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH}),?\s+(?P<y1>(?:19|20)\d\d)"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)"
    rf"|(?P<y3>(?:19|20)\d\d)-(?P<m3>\d\d)-(?P<d3>\d\d))\b",
    re.I,
)
# A dateline opens the first paragraph: "Gdansk, 14 March 2022 —" or "ROME — 12 May 2024:".
_DATELINE_PLACE = re.compile(r"^(?P<place>[A-Z][\w.'’ -]{1,40}?)\s*(?:,|—|–|-{1,2})\s*$")


def iso_date(text: str) -> tuple[str, int, int]:
    """The first full date in `text` as YYYY-MM-DD with its span, or ("", -1, -1)."""
    m = _DATE.search(text)
    if not m:
        return "", -1, -1
    if m.group("y3"):
        y, mo, d = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
    else:
        y = int(m.group("y1") or m.group("y2"))
        mo = _MONTHS.index((m.group("m1") or m.group("m2")).lower()) + 1
        d = int(m.group("d1") or m.group("d2"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return "", -1, -1
    return f"{y:04d}-{mo:02d}-{d:02d}", m.start(), m.end()


def dateline(paragraphs: list[str]) -> tuple[str, str]:
    """(place, date) from a dateline opening one of the first paragraphs ("Gdansk, 14 March 2022 —"),
    else ("", ""): a date further into a sentence ("recalling their statement of …") is not one."""
    for text in paragraphs:
        date, start, _ = iso_date(text[:120])
        if not date:
            continue
        prefix = text[:start]
        place = _DATELINE_PLACE.match(prefix)
        if place or not prefix.strip():
            name = place.group("place").strip() if place else ""
            return (name.title() if name.isupper() else name), date
    return "", ""


def looks_like_headline(text: str) -> bool:
    return len(text.split()) <= 25 and not re.search(r"[.!?]$", text.strip())


def humanize(stem: str) -> str:
    """A title from a file name when the document states none: "2022-gdansk" -> "2022 gdansk"."""
    return re.sub(r"[_\-]+", " ", stem).strip() or stem

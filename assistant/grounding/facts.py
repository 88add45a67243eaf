"""Atomic facts of a sentence: numbers (in digits or words, with "nearly"/"more than"), dates,
names (proper nouns and named entities: people, places, organisations, months, days) and negation.

These are what a faithful paraphrase must never change; every other word may be reworded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.language import is_year, named, numbers, parse

if TYPE_CHECKING:
    from spacy.tokens import Token

# Hedges change a number's meaning: "nearly eight million" is not "more than eight million".
# They count only right before the number ("under Resolution 2254" is no hedge).
_HEDGES = {
    "nearly": "approx", "almost": "approx", "about": "approx", "around": "approx", "approximately": "approx",
    "roughly": "approx", "some": "approx", "close to": "approx", "circa": "approx", "estimated": "approx",
    "more than": "above", "over": "above", "at least": "above", "exceeding": "above", "upwards of": "above",
    "fewer than": "below", "less than": "below", "under": "below", "below": "below", "up to": "below",
}  # fmt: skip
# Negation stays a word pattern: spaCy's `neg` dependency marks only not, n't, never and "no longer";
# reading negation from it alone let 2 more of the 73 false dev claims through (false accepts 0.055 ->
# 0.082), those negated by "no", "without", "failed to" or "refused".
NEGATION = re.compile(
    r"\b(not|no|never|none|nor|neither|nobody|nothing|without|cannot|n't|no longer|failed to|fail to|"
    r"refused|rejected|denied|lack|lacks|ruled out|declined to)\b|n't\b",
    re.I,
)


@dataclass
class Facts:
    numbers: dict[float, str] = field(default_factory=dict)  # value -> hedge ("" when exact)
    names: set[str] = field(default_factory=set)  # lower-cased capitalised words
    negated: bool = False


def _numbers(text: str) -> dict[float, str]:
    """Values (read by the language layer: "8 million", "eight million" and "8,000,000" are one value)
    with the hedge right before each."""
    doc = parse(text)
    out: dict[float, str] = {}
    for number in numbers(doc):
        if is_year(doc[number.start]) and doc[number.start].ent_type_ == "DATE":
            out.setdefault(number.value, "")  # "over 2022 and 2023" is a period, not "more than 2022"
            continue
        before = [t.lower_ for t in doc[max(0, number.start - 3) : number.start] if not _currency(t)]
        hedge = _HEDGES.get(" ".join(before[-2:]), "") or _HEDGES.get(before[-1] if before else "", "")
        out[number.value] = out.get(number.value) or hedge
    return out


def _currency(token: Token) -> bool:
    """A currency sign or an ISO 4217 code ("more than EUR 6.5 million" is hedged)."""
    return token.is_currency or (token.is_alpha and token.is_upper and len(token.text) == 3)


def extract(text: str) -> Facts:
    """Facts of a text: its values, the words of its names (spaCy's proper nouns and named entities:
    people, places, bodies, months and days), and whether it negates."""
    doc = parse(text)
    valued = {i for n in numbers(doc) for i in range(n.start, n.end)}  # "7–8" is two values, not a name
    names = {
        t.lower_.removesuffix("’s").removesuffix("'s").rstrip("’'")
        for t in doc
        if (named(t) or (t.ent_type_ == "DATE" and t.pos_ == "PROPN"))
        and not t.like_num
        and t.i not in valued
    }
    return Facts(numbers=_numbers(text), names=names, negated=bool(NEGATION.search(text)))


_DEMONYM = ("ians", "ian", "ese", "ish", "ans", "an", "ia", "y", "i", "a", "n", "s")


def _root(name: str) -> str:
    for suffix in _DEMONYM:
        if name.endswith(suffix) and len(name) - len(suffix) >= 4:
            return name[: -len(suffix)]
    return name


def same_name(a: str, b: str) -> bool:
    """Iraq/Iraqi, Italy/Italian, Syria/Syrians: the same root once a demonym ending is taken off
    (Austria/Australia keep different roots)."""
    return a == b or _root(a) == _root(b)

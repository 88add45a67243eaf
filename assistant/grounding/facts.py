"""Atomic facts of a sentence: numbers (in digits or words, with "nearly"/"more than"), dates,
names (capitalised words: people, places, organisations, months, days) and negation.

These are what a faithful paraphrase must never change; every other word may be reworded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import STOPWORDS

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "dozen": 12, "dozens": 12,
}  # fmt: skip
_SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 10**12,
}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
# Hedges change a number's meaning: "nearly eight million" is not "more than eight million".
# They count only right before the number ("under Resolution 2254" is no hedge).
_HEDGES = {
    "nearly": "approx", "almost": "approx", "about": "approx", "around": "approx", "approximately": "approx",
    "roughly": "approx", "some": "approx", "close to": "approx", "circa": "approx", "estimated": "approx",
    "more than": "above", "over": "above", "at least": "above", "exceeding": "above", "upwards of": "above",
    "fewer than": "below", "less than": "below", "under": "below", "below": "below", "up to": "below",
}  # fmt: skip
# Months and weekdays are facts even where a stopword list holds them ("may").
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_NEGATION = re.compile(
    r"\b(not|no|never|none|nor|neither|nobody|nothing|without|cannot|n't|no longer|failed to|fail to|"
    r"refused|rejected|denied|lack|lacks|ruled out|declined to)\b|n't\b",
    re.I,
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)?|[A-Za-zÀ-ÿ][\w’']*(?:-[A-Za-zÀ-ÿ][\w’']*)*|[€$£%]")


@dataclass
class Facts:
    numbers: dict[float, str] = field(default_factory=dict)  # value -> hedge ("" when exact)
    names: set[str] = field(default_factory=set)  # lower-cased capitalised words
    negated: bool = False


def _value(token: str) -> float | None:
    t = token.lower().rstrip(".,")
    if "-" in t and all(part in _UNITS for part in t.split("-")):  # "thirty-seven"
        return float(sum(_UNITS[part] for part in t.split("-")))
    t = re.sub(r"(st|nd|rd|th)$", "", t) if re.match(r"\d", t) else t
    if re.fullmatch(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", t):
        return float(t.replace(",", ""))
    if t in _UNITS:
        return float(_UNITS[t])
    if t in _ORDINALS:
        return float(_ORDINALS[t])
    return None


def _numbers(tokens: list[str]) -> dict[float, str]:
    """Values with their hedge; "8 million", "eight million" and "8,000,000" are one value."""
    out: dict[float, str] = {}
    i = 0
    while i < len(tokens):
        value = _value(tokens[i])
        if value is None:
            i += 1
            continue
        j = i + 1
        # "twenty five", "one hundred"
        while (
            j < len(tokens)
            and (v := _value(tokens[j])) is not None
            and v < 10
            and value >= 20
            and value % 10 == 0
        ):
            value += v
            j += 1
        while j < len(tokens) and tokens[j].lower() in _SCALES:
            value *= _SCALES[tokens[j].lower()]
            j += 1
        before = [t.lower() for t in tokens[max(0, i - 2) : i] if t not in "€$£"]
        hedge = _HEDGES.get(" ".join(before[-2:]), "") or _HEDGES.get(before[-1] if before else "", "")
        out[round(value, 6)] = out.get(round(value, 6)) or hedge
        i = j
    return out


def extract(text: str) -> Facts:
    """Facts of a text. "one" is not read as a number: it is mostly a pronoun ("one of them")."""
    tokens = _TOKEN.findall(text)
    names = set()
    for position, token in enumerate(tokens):
        low = token.lower().removesuffix("’s").removesuffix("'s").rstrip("’'")
        if low in _CALENDAR and token[0].isupper():
            names.add(low)
        elif token[0].isupper() and low not in STOPWORDS and _value(token) is None:
            if position == 0 and (low in _OPENERS or re.search(r"(ing|ed)$", low)):
                continue  # "Noting …", "Invited by …": a participle opening the sentence
            names.add(low)
    return Facts(numbers=_numbers(tokens), names=names, negated=bool(_NEGATION.search(text)))


# Words capitalised only because they open a sentence.
_OPENERS = frozenset(
    "although though while since because after before following despite under during once when whereas "
    "however moreover together both yes also ministers minister members member participants delegates "
    "leaders officials nearly almost about around approximately roughly some close over more fewer less "
    "up at in on by for from with as among within across against beyond toward towards upon amid "
    "visitors users citizens".split()
)
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

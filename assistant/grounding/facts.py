"""Atomic facts of a sentence: numbers (in digits or words, with "nearly"/"more than"), dates,
names (capitalised words: people, places, organisations, months, days) and negation.

These are what a faithful paraphrase must never change; every other word may be reworded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.language import NUMBER_WORDS, numbers, parse
from assistant.text import STOPWORDS

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
_NUMERAL = re.compile(
    r"\d.*|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)"
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th)?|[A-Za-zÀ-ÿ][\w’']*(?:-[A-Za-zÀ-ÿ][\w’']*)*|[€$£%]")


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
        before = [t.lower_ for t in doc[max(0, number.start - 2) : number.start] if t.text not in "€$£"]
        hedge = _HEDGES.get(" ".join(before[-2:]), "") or _HEDGES.get(before[-1] if before else "", "")
        out[number.value] = out.get(number.value) or hedge
    return out


def extract(text: str) -> Facts:
    """Facts of a text. "one" is not read as a number: it is mostly a pronoun ("one of them")."""
    tokens = _TOKEN.findall(text)
    names = set()
    for position, token in enumerate(tokens):
        low = token.lower().removesuffix("’s").removesuffix("'s").rstrip("’'")
        if low in _CALENDAR and token[0].isupper():
            names.add(low)
        elif (
            token[0].isupper()
            and low not in STOPWORDS
            and not low[:1].isdigit()
            and not set(low.split("-")) <= NUMBER_WORDS
        ):
            if position == 0 and (low in _OPENERS or re.search(r"(ing|ed)$", low)):
                continue  # "Noting …", "Invited by …": a participle opening the sentence
            names.add(low)
    return Facts(numbers=_numbers(text), names=names, negated=bool(_NEGATION.search(text)))


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

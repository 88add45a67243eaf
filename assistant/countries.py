"""A people's name stands for its country: "Peruvian" for Peru, "the Swiss" for Switzerland.

Each word maps to the country name (CLDR's, through Babel) nearest by MiniLM, if at least
COUNTRY_COSINE near. Measured on 56 demonyms: 54 map to their country at 0.68-0.95; words that are
no people's name ("Forum", "Secretariat", "Alpine") stay below 0.6. spaCy tags the people's names
(NORP); no registry package ships a demonym table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from assistant.language import parse

COUNTRY_COSINE = 0.68
Embed = Callable[[list[str]], np.ndarray]


@lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    """The English names of the world's countries and territories (CLDR)."""
    from babel import Locale

    return tuple(sorted({name for code, name in Locale("en").territories.items() if len(code) == 2}))


def nearest(words: list[str], embed: Embed) -> dict[str, str]:
    """Each word's country, when MiniLM puts the word at least COUNTRY_COSINE near its name."""
    if not words:
        return {}
    countries = names()
    vectors = embed(list(words) + list(countries))
    similarity = vectors[: len(words)] @ vectors[len(words) :].T
    return {
        w: countries[int(row.argmax())]
        for w, row in zip(words, similarity, strict=True)
        if row.max() >= COUNTRY_COSINE
    }


def in_collection_words(question: str, knows: Callable[[str], bool], embed: Embed) -> str:
    """The question with each people's name that no paragraph uses replaced by its country's name,
    when a paragraph names that country: "How much did the Swiss pledge?" is asked of documents
    that say "Switzerland pledged". A people's name the documents use is left as the user wrote it."""
    people = [e for e in parse(question).ents if e.label_ == "NORP" and not knows(e.text)]
    found = nearest([e.text for e in people], embed)
    out = question
    for entity in reversed(people):  # from the end, so earlier offsets stay valid
        country = found.get(entity.text)
        if country and knows(country):
            out = out[: entity.start_char] + country + out[entity.end_char :]
    return out

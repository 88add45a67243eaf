"""One currency, however written: "EUR", "€" and "euros"; "GBP" and "£"; "Moroccan dirhams" and "MAD".

The codes, English names and symbols are CLDR's (through Babel), so every ISO currency is known
without a hand-made list. A name's last word stands for every currency so named ("dollar": USD,
CAD, AUD, …); a claim's "dollars" then agrees with a source's "USD", not with its "EUR".
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[str, str]]:
    """(word → codes: "EUR" and "euro" → EUR; symbol → codes: "€" → EUR; full name → code). A code
    counts only in capitals ("ALL" is the lek, "all" is not)."""
    from babel import Locale

    english = Locale("en")
    words: dict[str, set[str]] = {}
    symbols: dict[str, set[str]] = {}
    full: dict[str, str] = {}
    for code, name in english.currencies.items():
        words.setdefault(code, set()).add(code)
        words.setdefault(name.split()[-1].lower(), set()).add(code)
        full[name.lower()] = code
        symbol = english.currency_symbols.get(code, code)
        if symbol != code and not symbol.isalpha():
            symbols.setdefault(symbol, set()).add(code)
    freeze = lambda table: {k: frozenset(v) for k, v in table.items()}  # noqa: E731
    return freeze(words), freeze(symbols), full


def _codes(word: str) -> frozenset[str]:
    """The currencies a word names: a code in capitals, or a name's last word ("euros", "Dollar")."""
    words = _tables()[0]
    if word.isupper() and word in words:
        return words[word]
    low = word.lower()
    return words.get(low) or (words.get(low[:-1], frozenset()) if low.endswith("s") else frozenset())


def named(text: str) -> set[str]:
    """The currency codes a text names by code, name or symbol (a name's last word: every currency
    so named)."""
    symbols = _tables()[1]
    out = {c for w in _WORD.findall(text) for c in _codes(w)}
    return out | {c for symbol, codes in symbols.items() if symbol in text for c in codes}


def stated_words(claim: str, source: str) -> set[str]:
    """The claim's words (lower case) that name a currency the source names too, in any form: the
    code, the name's words ("moroccan", "dirhams") or the last word of it."""
    full = _tables()[2]
    have = named(source)
    low = claim.lower()
    out = {w.lower() for w in _WORD.findall(claim) if _codes(w) & have}
    for name, code in full.items():
        if code in have and re.search(rf"\b{re.escape(name)}s?\b", low):
            out |= set(name.split())
    return out

"""An independent support judge for citation metrics (ALCE-style), without an LLM.

Deliberately shares no code with the answer verifier (`assistant/ground.py`): its own tokens,
its own stopwords, prefix matching instead of a stemmer, and an embedding check the verifier
does not use. A claim is supported by a passage when its numbers all appear there and either
  * ≥ 70 % of its content words appear (5-letter prefix match), or
  * ≥ 50 % appear and the claim's embedding is ≥ 0.70 cosine to the passage's closest sentence.
`--judge MODEL` replaces the decision with an LLM's yes/no where a model is configured.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np

_STOP = set(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its
this that these those they them their there here he she his her we our us you your i me my not no nor so
than then too very can could will would shall should may might must do does did have has had having about
into over under again further once also which who whom whose what when where why how all any both each few
more most other some such only own same just""".split()
)
_TOKEN = re.compile(r"[A-Za-z]+|\d[\d,.]*\d|\d")
_MARKER = re.compile(r"\[[^\]]*¶[^\]]*\]")
LEXICAL_FULL = 0.7
LEXICAL_WITH_EMBEDDING = 0.5
EMBEDDING_MIN = 0.70


def _clean(claim: str) -> str:
    return _MARKER.sub("", claim).replace("“", "").replace("”", "").replace("…", " ")


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _content(text: str) -> list[str]:
    return [t[:5] for t in _tokens(text) if t not in _STOP and not t[0].isdigit()]


def _numbers(text: str) -> set[str]:
    return {t.replace(",", "") for t in _tokens(text) if t[0].isdigit()}


def lexical_recall(claim: str, passage: str) -> float:
    words = _content(claim)
    if not words:
        return 0.0
    have = set(_content(passage))
    return sum(w in have for w in words) / len(words)


class Judge:
    """`supports(claim, passage)`; `embed` maps texts to unit vectors (the offline MiniLM)."""

    def __init__(
        self,
        embed: Callable[[list[str]], np.ndarray] | None = None,
        llm: Callable[[str, str], bool] | None = None,
    ) -> None:
        self._embed = embed
        self._llm = llm
        self.supports = lru_cache(maxsize=65536)(self._supports)

    def _supports(self, claim: str, passage: str) -> bool:
        claim = _clean(claim)
        if self._llm is not None:
            return self._llm(claim, passage)
        if not _numbers(claim) <= _numbers(passage):
            return False
        recall = lexical_recall(claim, passage)
        if recall >= LEXICAL_FULL:
            return True
        if recall < LEXICAL_WITH_EMBEDDING or self._embed is None:
            return False
        pieces = [p for p in re.split(r"(?<=[.;!?])\s+", passage) if p.strip()] or [passage]
        vectors = self._embed([claim, *pieces])
        return float(np.max(vectors[1:] @ vectors[0])) >= EMBEDDING_MIN

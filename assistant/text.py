"""Word-level text helpers shared by lexical retrieval and answer verification."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "also",
        "about",
        "against",
        "any",
        "all",
        "both",
        "each",
        "few",
        "further",
        "again",
        "s",
        "t",
        "don",
        "now",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "let",
        "say",
        "said",
        "says",
        "tell",
        "according",
        "document",
        "documents",
        "text",
        "communique",
    ]
)
# Words that frame a question rather than name what it is about.
QUESTION_WORDS = frozenset(
    [
        "many",
        "much",
        "number",
        "date",
        "day",
        "year",
        "name",
        "named",
        "mention",
        "mentioned",
        "describe",
        "described",
        "kind",
        "type",
        "sort",
        "take",
        "place",
        "held",
        "earlier",
        "roughly",
        "approximately",
        "single",
        "subject",
        "matter",
        "receive",
        "cite",
        "cited",
        "give",
        "gave",
        "given",
        "happen",
        "happened",
        "exactly",
        "specific",
        "specifically",
    ]
)
_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")


# Irregular forms the stemmer cannot see through; questions and documents often differ in tense.
_IRREGULAR = {
    "met": "meet",
    "held": "hold",
    "took": "take",
    "taken": "take",
    "gave": "give",
    "given": "give",
    "said": "say",
    "made": "make",
    "spoke": "speak",
    "spoken": "speak",
    "led": "lead",
    "sent": "send",
    "began": "begin",
    "begun": "begin",
    "chose": "choose",
    "chosen": "choose",
    "found": "find",
    "thought": "think",
    "brought": "bring",
    "sought": "seek",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "went": "go",
    "gone": "go",
    "came": "come",
    "saw": "see",
    "seen": "see",
    "knew": "know",
    "known": "know",
    "grew": "grow",
    "fought": "fight",
    "won": "win",
    "lost": "lose",
    "freed": "free",
    "agreed": "agre",
}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem, cached: invited/invitation -> invit, met -> meet."""
    word = word.replace("’", "'").removesuffix("'s")
    return _STEMMER.stemWord(_IRREGULAR.get(word, word))


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_terms(text: str) -> list[str]:
    """Stemmed words minus stopwords, in order (duplicates kept, as BM25 wants)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def numbers(text: str) -> set[str]:
    return {n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text)}


# QUESTION_WORDS as stems, to drop from a question's content terms.
QUESTION_STEMS = frozenset(stem(w) for w in QUESTION_WORDS)

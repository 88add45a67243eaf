"""Citations: parse `[¶n]` markers, verify each sentence against what it cites, find highlights.

A sentence is supported by a set of paragraphs when
  * every number in it appears in them,
  * every capitalised name (not the sentence's first word) appears in them, and
  * at least SUPPORT_THRESHOLD of its content words (stemmed, stopwords removed) appear in them.
The threshold (0.8) was set on the seed's eval set: paraphrased-but-faithful model sentences
score 0.85–1.0, while sentences with an invented fact score ≤ 0.75 (see evals/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, content_terms, numbers, stem, words

SUPPORT_THRESHOLD = 0.8
MARKER = re.compile(r"\[\s*¶\s*(\d+)((?:\s*[,;]\s*¶?\s*\d+)*)\s*\]")
# A sentence ends at . ! ? or a marker, before a capital — but not after an abbreviation (U.S. Secretary).
_SENTENCE = re.compile(
    r"(?<!\bU\.S\.)(?<!\bU\.N\.)(?<!\b[A-Z]\.)(?<!\bMr\.)(?<!\bDr\.)(?<=[.!?])\s+(?=[A-Z“\"'(])"
    r"|(?<=\])\s+(?=[A-Z“\"'(])"
)
# Words a faithful paraphrase may add without making a new claim.
_GLUE = frozenset(
    stem(w)
    for w in [
        "coalition",
        "ministers",
        "minister",
        "they",
        "their",
        "them",
        "group",
        "meeting",
        "met",
        "meet",
        "foreign",
        "statement",
        "also",
        "both",
        "which",
        "answer",
        "yes",
        "no",
    ]
)
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "hundred",
        "thousand",
        "million",
        "billion",
        "first",
        "second",
        "third",
    ]
)


@dataclass
class DraftSentence:
    text: str  # without markers
    paragraphs: list[int]  # cited paragraph numbers, in order, deduplicated


@dataclass
class Support:
    ok: bool
    score: float
    missing: list[str] = field(default_factory=list)
    reason: str = ""


def parse(draft: str) -> list[DraftSentence]:
    """Split a draft into sentences and their markers. Markers after a sentence's end belong to it."""
    sentences: list[DraftSentence] = []
    for piece in _SENTENCE.split(draft.strip()):
        cited: list[int] = []
        for match in MARKER.finditer(piece):
            for num in [match.group(1), *re.findall(r"\d+", match.group(2) or "")]:
                if int(num) not in cited:
                    cited.append(int(num))
        text = MARKER.sub("", piece)
        text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
        if text.strip(" .") or cited:
            sentences.append(DraftSentence(text, cited))
    return sentences


def _names(text: str) -> set[str]:
    tokens = re.findall(r"[A-Za-z][\w’'-]*", text)
    return {t.lower() for t in tokens[1:] if t[0].isupper() and t.lower() not in STOPWORDS}


def _present(term: str, source_terms: set[str]) -> bool:
    if term in source_terms:
        return True
    # Derivations the light stemmer misses (stabilization / stabilize): a shared 6-letter root.
    return len(term) >= 6 and any(len(s) >= 6 and s[:6] == term[:6] for s in source_terms)


def verify(sentence: str, sources: list[str]) -> Support:
    """Does the text of the cited paragraphs support this sentence?"""
    source = " ".join(sources)
    source_terms = set(content_terms(source)) | {stem(w) for w in words(source)}
    missing_numbers = sorted(numbers(sentence) - numbers(source))
    if missing_numbers:
        return Support(False, 0.0, missing_numbers, "number not in the cited paragraph")
    source_words = set(words(source))
    missing_names = sorted(
        n for n in _names(sentence) if not all(w in source_words or stem(w) in source_terms for w in words(n))
    )
    if missing_names:
        return Support(False, 0.0, missing_names, "name not in the cited paragraph")
    number_words = [w for w in words(sentence) if w in _NUMBER_WORDS and w not in source_words]
    if number_words:
        return Support(False, 0.0, number_words, "number not in the cited paragraph")
    terms = [t for t in content_terms(sentence) if t not in _GLUE]
    if not terms:
        return Support(False, 0.0, [], "no content to verify")
    missing = [t for t in terms if not _present(t, source_terms)]
    score = 1.0 - len(missing) / len(terms)
    ok = score >= SUPPORT_THRESHOLD
    return Support(ok, round(score, 3), missing, "" if ok else "content not in the cited paragraph")


def highlights(sentence: str, paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the paragraph whose words the sentence uses: what the UI highlights."""
    wanted = {stem(w) for w in words(sentence) if w not in STOPWORDS}
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[A-Za-z0-9][\w’'/-]*", paragraph):
        token = match.group().lower()
        if token not in STOPWORDS and stem(token) in wanted:
            if spans and match.start() - spans[-1][1] <= 5:
                spans[-1] = (spans[-1][0], match.end())
            else:
                spans.append((match.start(), match.end()))
    return spans


def render(text: str, paragraphs: list[int], doc_prefix: str = "") -> str:
    """A sentence with its markers before the final punctuation: `… Resolution 2254 [¶9].`"""
    body = text.rstrip().rstrip(",;:").rstrip()
    end = ""
    if body and body[-1] in ".!?":
        body, end = body[:-1].rstrip(), body[-1]
    markers = "".join(f"[{doc_prefix}¶{n}]" for n in paragraphs)
    return f"{body} {markers}{end or '.'}"

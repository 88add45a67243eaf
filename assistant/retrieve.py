"""Hybrid, document-aware retrieval: dense windows + BM25 over contextual text, fused by rank.

Both lists see each paragraph with its document's title, place and date, so a question naming a
meeting ("in Oslo", "the 2019 statement") finds that meeting's paragraphs; when a question names
documents outright (by year, date or place), their paragraphs are also searched on their own, and
those two document-wise lists vote in the fusion like the global ones. Reciprocal-rank
fusion with the constant of its paper (k = 60, Cormack et al. 2009) and equal weights: nothing
here is tuned to one collection. The lexical index and paragraph table are cached on disk, keyed by
the store's contents, so a process opens a large store without rebuilding them.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.corpus import Document, Paragraph
from assistant.index import Store, parse_id
from assistant.language import abbreviations
from assistant.question import Hints, Step, hints_of
from assistant.text import content_terms, words

RRF_K = 60
POOL = 20  # candidates taken from each list before fusion
# An exact run of 4+ words shared with one paragraph is the strongest evidence a query can give
# (a user pasting a phrase): its list counts as two. The dense and BM25 lists weigh the same.
WEIGHTS = {"phrase": 2.0}
_CACHE_VERSION = (
    7  # 5: with each document's abbreviations; 6: and those in another language; 7: list items indexed
)


@dataclass
class Hit:
    paragraph: Paragraph
    score: float  # fused reciprocal-rank score
    parts: dict[str, float] = field(default_factory=dict)  # per-list similarity / BM25 score
    ranks: dict[str, int] = field(default_factory=dict)  # 1-based rank in each list that found it
    preferred: bool = False  # its document is one the question names


_PHRASE_MIN_WORDS = 4
_PHRASE_CANDIDATES = 300  # a phrase whose rarest word is in more paragraphs than this is not rare


def _longest_run(query: list[str], text: list[str]) -> int:
    """Length of the longest run of consecutive query words found consecutively in the text."""
    best = 0
    positions: dict[str, list[int]] = {}
    for i, w in enumerate(text):
        positions.setdefault(w, []).append(i)
    for start in range(len(query)):
        for pos in positions.get(query[start], []):
            length = 0
            while (
                start + length < len(query)
                and pos + length < len(text)
                and query[start + length] == text[pos + length]
            ):
                length += 1
            best = max(best, length)
    return best


class _Lexical:
    """BM25 (bm25s: sparse matrices, fast at 100k) over paragraphs with their document's context."""

    def __init__(self, paragraphs: list[Paragraph], documents: dict[str, Document]) -> None:
        import bm25s

        self.paragraphs = paragraphs
        self.vocab: dict[str, int] = {}
        self.model = None
        context = {d: content_terms(doc.context()) for d, doc in documents.items()}
        corpus = [context.get(p.doc, []) + content_terms(p.text) or ["_empty_"] for p in paragraphs]
        self.df = Counter(t for doc in corpus for t in set(doc))  # paragraphs holding each term
        if corpus:
            ids = [[self.vocab.setdefault(t, len(self.vocab)) for t in doc] for doc in corpus]
            self.model = bm25s.BM25()
            self.model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=self.vocab), show_progress=False)

    def phrase(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[Paragraph, float]]:
        """Paragraphs sharing the longest run of consecutive words with the query (3 words at least),
        looked for among those holding its rarest word: an exact phrase finds its paragraph even
        when every word of it is common in the collection."""
        if self.model is None:
            return []
        asked = words(query)
        terms = [t for t in content_terms(query) if t in self.vocab]
        if len(asked) < 3 or not terms:
            return []
        rarest = min(terms, key=lambda t: self.df.get(t, 0))
        if self.df.get(rarest, 0) > _PHRASE_CANDIDATES:
            return []  # every word of it is common: BM25 and the vectors already see such a query
        candidates = np.flatnonzero(self.model.get_scores([rarest]))
        if allowed is not None:
            candidates = candidates[allowed[candidates]]
        found = []
        for i in candidates:
            run = _longest_run(asked, words(self.paragraphs[i].text))
            if run >= _PHRASE_MIN_WORDS:
                found.append((self.paragraphs[i], float(run)))
        found.sort(key=lambda pair: -pair[1])
        return found[:n]

    def search(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[Paragraph, float]]:
        if self.model is None:
            return []
        terms = [t for t in content_terms(query) if t in self.vocab]
        if not terms:
            return []
        scores = self.model.get_scores(terms)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.paragraphs[i], float(scores[i])) for i in top if scores[i] > 0]


# Two documents are meetings of one series when half the abbreviations either defines are both's
# (Jaccard): the six series of the dev collections share 0.64-1.0 between their meetings, and the
# one-off statements dated among them 0-0.1 ("SSBRN" alone against the flyway commission's ten).
SAME_SERIES = 0.5


class Retriever:
    """Question in, ranked paragraphs out. Build once per process; searches are warm after that."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.documents = store.document_records()
        self.paragraphs, self.lexical, defined = self._load_tables()
        self.by_key = {(p.doc, p.number): p for p in self.paragraphs}
        self.vocabulary = set(self.lexical.vocab)
        for doc, table in defined.items():
            if doc in self.documents:
                self.documents[doc].abbreviations = table

    def _load_tables(self) -> tuple[list[Paragraph], _Lexical, dict[str, dict[str, str]]]:
        """Paragraphs, BM25 and each document's abbreviations from the disk cache when the store has
        not changed, else rebuilt."""
        stamp = hashlib.sha256(
            repr((_CACHE_VERSION, sorted((d.id, d.sha, d.title) for d in self.documents.values()))).encode()
        ).hexdigest()[:24]
        where = "-".join(
            filter(None, [self.store.settings.chroma_host, str(self.store.settings.chroma_port)])
        )
        cache = (
            Path(self.store.settings.data_dir)
            / "cache"
            / f"{self.store.settings.collection}-{where or 'local'}-{stamp}.pickle"
        )
        try:
            with cache.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
        paragraphs = self.store.all_paragraphs()
        texts: dict[str, list[str]] = {}
        for p in paragraphs:
            texts.setdefault(p.doc, []).append(p.text)
        defined = {doc: abbreviations("\n".join(lines)) for doc, lines in texts.items()}
        tables = (paragraphs, _Lexical([p for p in paragraphs if not p.boilerplate], self.documents), defined)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            for old in cache.parent.glob(f"{self.store.settings.collection}-{where or 'local'}-*.pickle"):
                old.unlink(missing_ok=True)
            partial = cache.with_suffix(".tmp")
            with partial.open("wb") as fh:
                pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(cache)
        except OSError:
            pass  # a read-only data directory still works, just slower to open
        return tables

    def knows(self, term: str) -> bool:
        """Does any paragraph use this word or name (compared stemmed, case-insensitively)?"""
        terms = content_terms(term) or [term.lower()]
        return all(t in self.vocabulary or self._known_root(t) for t in terms)

    def _known_root(self, term: str) -> bool:
        """Derived forms the stemmer keeps apart: Iraqi/Iraq, Syrians/Syria (a shared root of 4+ letters)."""
        return len(term) >= 5 and any(term[:i] in self.vocabulary for i in range(4, len(term)))

    def paragraph(self, doc: str, number: int) -> Paragraph | None:
        return self.by_key.get((doc, number))

    def document(self, doc: str) -> Document | None:
        return self.documents.get(doc)

    def named_documents(self, hints: Hints) -> set[str]:
        """Documents a question names by year, date or place (or a word of its title that few other
        titles share); empty when it names none, or all."""
        if not hints or len(self.documents) < 2:
            return set()
        scores = {d.id: hints.match(d, self._common_title_words) for d in self.documents.values()}
        best = max(scores.values())
        named = {d for d, s in scores.items() if s == best and s > 0}
        return named if len(named) < len(self.documents) else set()

    def named_each(self, hints: Hints) -> list[str]:
        """Documents that one hint each names alone ("between the Coimbra meeting and the Valparaíso
        meeting", "in 2020 and in 2024"), in the collection's order: a question comparing meetings."""
        if len(self.documents) < 2:
            return []
        single = (
            [Hints(years={y}) for y in sorted(hints.years)]
            + [Hints(names={n}) for n in sorted(hints.names)]
            + [Hints(ordinals={o}) for o in sorted(hints.ordinals)]
        )
        named: list[str] = []
        for hint in single:
            docs = [d.id for d in self.documents.values() if hint.match(d, self._common_title_words)]
            if len(docs) == 1 and docs[0] not in named:
                named.append(docs[0])
        return named

    def step(self, anchor: str, step: Step) -> str | None:
        """The meeting after (or before) `anchor` in its series, the one a follow-up asks of ("And who
        chaired the one after?"): the nearest in date on that side, or the nearest to `step.years`
        away. A series is read from the abbreviations its documents define (the body and its funds,
        programmes and committees: "IFVAS", "AERS", "GAIP"), not from titles, which vary from meeting
        to meeting; documents that define none are read as one series (a user's collection of one
        body's statements)."""
        record = self.documents.get(anchor)
        if record is None or not record.date:
            return None
        own = set(record.abbreviations)
        side = [
            d
            for d in self.documents.values()
            if d.date
            and (d.date > record.date if step.later else d.date < record.date)
            and _same_series(own, set(d.abbreviations))
        ]
        if not side:
            return None
        if not step.years:  # all on one side: the nearest is the earliest after, or the latest before
            return (min if step.later else max)(side, key=lambda d: d.date).id
        year = int(record.date[:4]) + (step.years if step.later else -step.years)
        return min(side, key=lambda d: (abs(int(d.date[:4]) - year), d.date)).id

    @cached_property
    def _common_title_words(self) -> frozenset[str]:
        """Title words shared by half the documents or more: they name the series, not a meeting."""
        counts: dict[str, int] = {}
        for d in self.documents.values():
            for w in set(words(d.title)):
                counts[w] = counts.get(w, 0) + 1
        return frozenset(w for w, n in counts.items() if n * 2 >= len(self.documents))

    def search(
        self,
        query: str,
        k: int = 5,
        vector: np.ndarray | None = None,
        only: set[str] | None = None,
        hints: Hints | None = None,
    ) -> list[Hit]:
        """Top paragraphs for `query`; `only` restricts to those documents (the UI's document filter);
        `hints` are what in the query names a document, when its analysis has read them already."""
        if vector is None:
            vector = self.store.embedder.embed([query])[0]
        preferred = self.named_documents(hints_of(query) if hints is None else hints)
        if only:
            preferred = preferred & only
        hits: dict[tuple[str, int], Hit] = {}
        self._fuse(hits, query, vector, only, "")
        if preferred:
            self._fuse(hits, query, vector, preferred, "@named")
        ranked = sorted(hits.values(), key=lambda h: (-h.score, h.paragraph.doc, h.paragraph.number))
        return ranked[:k]

    def _fuse(
        self,
        hits: dict[tuple[str, int], Hit],
        query: str,
        vector: np.ndarray,
        docs: set[str] | None,
        suffix: str,
    ) -> None:
        def add(paragraph: Paragraph, name: str, rank: int, value: float) -> None:
            hit = hits.setdefault((paragraph.doc, paragraph.number), Hit(paragraph, 0.0))
            hit.preferred = hit.preferred or bool(suffix)
            name += suffix
            if name in hit.ranks:
                return
            hit.ranks[name] = rank
            hit.parts[name] = round(value, 4)
            hit.score += WEIGHTS.get(name.split("@")[0], 1.0) / (RRF_K + rank)

        # Boilerplate is dropped here, not by a Chroma `where`: a filter that admits nearly every row
        # makes Chroma build the allowed-id set first (730 ms per search at 100k paragraphs).
        seen: set[tuple[str, int]] = set()
        for item_id, similarity in self.store.query(vector, POOL * 3, docs):
            key = parse_id(item_id)
            paragraph = self.by_key.get(key)
            if paragraph is None or paragraph.boilerplate or key in seen or len(seen) == POOL:
                continue
            seen.add(key)
            add(paragraph, "dense", len(seen), similarity)
        allowed = None
        if docs:
            allowed = np.array([p.doc in docs for p in self.lexical.paragraphs], dtype=bool)
        for rank, (paragraph, score) in enumerate(self.lexical.search(query, POOL, allowed), 1):
            add(paragraph, "bm25", rank, score)
        for rank, (paragraph, run) in enumerate(self.lexical.phrase(query, POOL, allowed), 1):
            add(paragraph, "phrase", rank, run)


def _same_series(a: set[str], b: set[str]) -> bool:
    """Two documents' defined abbreviations share at least SAME_SERIES of their union, or neither
    defines any."""
    return len(a & b) >= SAME_SERIES * len(a | b) if a or b else True


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever; Documents carry doc, title, paragraph and score parts."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Retriever
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[LCDocument]:
        out = []
        for hit in self.retriever.search(query, self.k):
            doc = self.retriever.document(hit.paragraph.doc)
            out.append(
                LCDocument(
                    page_content=hit.paragraph.text,
                    metadata={
                        "doc": hit.paragraph.doc,
                        "title": doc.title if doc else "",
                        "date": doc.date if doc else "",
                        "paragraph": hit.paragraph.number,
                        "score": hit.score,
                        **{f"{name}_score": value for name, value in hit.parts.items()},
                        **{f"{name}_rank": value for name, value in hit.ranks.items()},
                    },
                )
            )
        return out

"""Hybrid retrieval: dense paragraphs + dense sentences + BM25, fused by reciprocal rank.

Sentence vectors rescue long paragraphs whose one relevant sentence is diluted in the paragraph
vector; BM25 rescues names and numbers that embeddings blur. Reciprocal-rank fusion needs no
score calibration between the three.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.corpus import Paragraph
from assistant.index import Store, parse_id
from assistant.text import content_terms

RRF_K = 10  # top-heavy fusion; with weights below, best hit@3 on the seed questions
WEIGHTS = {"dense": 1.0, "sentence": 1.5, "bm25": 0.5}
_POOL = 10  # candidates taken from each list before fusion (20 cost 2 ms more per search, same hit rates)


@dataclass
class Hit:
    paragraph: Paragraph
    score: float  # fused reciprocal-rank score
    parts: dict[str, float] = field(default_factory=dict)  # per-list similarity / BM25 score
    ranks: dict[str, int] = field(default_factory=dict)  # 1-based rank in each list that found it
    best_sentence: int | None = None  # index of the paragraph's sentence nearest the query


class _Lexical:
    """BM25 over the non-boilerplate paragraphs (bm25s: sparse matrices, fast at 100k)."""

    def __init__(self, paragraphs: list[Paragraph]) -> None:
        import bm25s

        self.paragraphs = paragraphs
        self.model = None
        corpus = [content_terms(p.text) or ["_empty_"] for p in paragraphs]
        if corpus:
            self.model = bm25s.BM25()
            vocab: dict[str, int] = {}
            ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus]
            self.vocab = vocab
            self.model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)

    def search(self, query: str, n: int) -> list[tuple[Paragraph, float]]:
        if self.model is None:
            return []
        terms = [t for t in content_terms(query) if t in self.vocab]
        if not terms:
            return []
        scores = self.model.get_scores(terms)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top])]
        return [(self.paragraphs[i], float(scores[i])) for i in top if scores[i] > 0]


class Retriever:
    """Question in, ranked paragraphs out. Build once per process; searches are warm after that."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.paragraphs = [p for p in store.all_paragraphs()]
        self.by_key = {(p.doc, p.number): p for p in self.paragraphs}
        self.lexical = _Lexical([p for p in self.paragraphs if not p.boilerplate])
        self.vocabulary = {t for p in self.paragraphs for t in content_terms(p.text)}

    def knows(self, term: str) -> bool:
        """Does any paragraph use this word or name (compared stemmed, case-insensitively)?"""
        terms = content_terms(term) or [term.lower()]
        return all(t in self.vocabulary or self._known_root(t) for t in terms)

    def _known_root(self, term: str) -> bool:
        """Derived forms the stemmer keeps apart: Iraqi/Iraq, Syrians/Syria (a shared root of 4+ letters)."""
        return len(term) >= 5 and any(term[:i] in self.vocabulary for i in range(4, len(term)))

    def paragraph(self, doc: str, number: int) -> Paragraph | None:
        return self.by_key.get((doc, number))

    def search(self, query: str, k: int = 5, vector: np.ndarray | None = None) -> list[Hit]:
        if vector is None:
            vector = self.store.embedder.embed([query])[0]
        hits: dict[tuple[str, int], Hit] = {}

        def add(
            key: tuple[str, int], name: str, rank: int, value: float, sentence: int | None = None
        ) -> None:
            paragraph = self.by_key.get(key)
            if paragraph is None:
                return
            hit = hits.setdefault(key, Hit(paragraph, 0.0))
            if name in hit.ranks:
                return
            hit.ranks[name] = rank
            hit.parts[name] = round(value, 4)
            hit.score += WEIGHTS[name] / (RRF_K + rank)
            if sentence is not None:
                hit.best_sentence = sentence

        # Boilerplate is dropped here, not by a Chroma `where`: a filter that admits nearly every row
        # makes Chroma build the allowed-id set first (730 ms per search at 100k paragraphs).
        rank = 0
        for item_id, similarity in self.store.query(self.store.paragraphs, vector, _POOL * 2):
            doc, number, _ = parse_id(item_id)
            paragraph = self.by_key.get((doc, number))
            if paragraph is None or paragraph.boilerplate or rank == _POOL:
                continue
            rank += 1
            add((doc, number), "dense", rank, similarity)
        seen: set[tuple[str, int]] = set()
        for item_id, similarity in self.store.query(self.store.sentences, vector, _POOL * 3):
            doc, number, index = parse_id(item_id)
            if (doc, number) in seen:
                continue
            seen.add((doc, number))
            add((doc, number), "sentence", len(seen), similarity, index)
        for rank, (paragraph, score) in enumerate(self.lexical.search(query, _POOL), 1):
            add((paragraph.doc, paragraph.number), "bm25", rank, score)
        ranked = sorted(hits.values(), key=lambda h: (-h.score, h.paragraph.doc, h.paragraph.number))
        return ranked[:k]


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever; Documents carry doc, paragraph and score parts."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Retriever
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun | None = None
    ) -> list[Document]:
        return [
            Document(
                page_content=hit.paragraph.text,
                metadata={
                    "doc": hit.paragraph.doc,
                    "paragraph": hit.paragraph.number,
                    "score": hit.score,
                    "best_sentence": hit.best_sentence,
                    **{f"{name}_score": value for name, value in hit.parts.items()},
                    **{f"{name}_rank": value for name, value in hit.ranks.items()},
                },
            )
            for hit in self.retriever.search(query, self.k)
        ]

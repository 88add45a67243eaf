"""The Chroma store: paragraphs (and their sentences) with offline embeddings.

Ids derive from content hashes, so ingesting the same text twice adds nothing, and a changed
document replaces exactly its stale paragraphs. Local mode uses a PersistentClient under the
data directory; server mode talks to a `chroma run` server.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.corpus import Paragraph, Sentence, find_documents, read_document, split_sentences
from assistant.embeddings import MiniLMEmbedder, default_embedder
from assistant.errors import UserError

_BATCH = 64
_PAGE = 5000  # rows per Chroma read


class MiniLMFunction:
    """Chroma embedding function backed by our offline encoder.

    Passed on every open so Chroma never falls back to its own (downloading) default.
    """

    def __init__(self, embedder: MiniLMEmbedder | None = None) -> None:
        self._embedder = embedder

    def __call__(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002 - Chroma's signature
        return list((self._embedder or default_embedder()).embed(list(input)))

    def embed_query(self, input: Sequence[str]) -> list[np.ndarray]:  # noqa: A002
        return self(input)

    @staticmethod
    def name() -> str:
        return "assistant-minilm-l6-v2-numpy"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMFunction:
        return MiniLMFunction()

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


@dataclass
class IngestReport:
    documents: int = 0
    paragraphs: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _meta(p: Paragraph) -> dict[str, Any]:
    return {
        "doc": p.doc,
        "paragraph": p.number,
        "sha": p.sha,
        "start": p.start,
        "end": p.end,
        "boilerplate": p.boilerplate,
    }


def parse_id(item_id: str) -> tuple[str, int, int | None]:
    """(doc, paragraph number, sentence index or None) from a paragraph or sentence id."""
    if item_id.rsplit(":", 1)[-1].startswith("s"):
        doc, number, _sha, sentence = item_id.rsplit(":", 3)
        return doc, int(number), int(sentence[1:])
    doc, number, _sha = item_id.rsplit(":", 2)
    return doc, int(number), None


def paragraph_from(text: str, meta: dict[str, Any]) -> Paragraph:
    return Paragraph(
        doc=meta["doc"],
        number=int(meta["paragraph"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        sha=meta["sha"],
        boilerplate=bool(meta["boilerplate"]),
    )


class Store:
    """Paragraph and sentence collections in one Chroma database."""

    def __init__(self, settings: Settings, embedder: MiniLMEmbedder | None = None) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.settings = settings
        self.embedder = embedder or default_embedder()
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if settings.chroma_host:
                self.client = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
                self.client.heartbeat()
            else:
                path = Path(settings.data_dir) / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except UserError:
            raise
        except Exception as exc:  # chromadb raises several types for an unreachable/corrupt store
            where = (
                f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
                if settings.chroma_host
                else f"data directory {settings.data_dir}"
            )
            raise UserError(f"cannot open the index ({where}): {exc}") from None
        ef = MiniLMFunction(self.embedder)
        self.paragraphs = self.client.get_or_create_collection(
            settings.collection, embedding_function=ef, metadata={"hnsw:space": "cosine"}
        )
        self.sentences = self.client.get_or_create_collection(
            settings.collection + "-sentences", embedding_function=ef, metadata={"hnsw:space": "cosine"}
        )

    def count(self) -> int:
        return self.paragraphs.count()

    def ingest(self, paths: Iterable[Path], progress: bool = False) -> IngestReport:
        """Add new paragraphs, drop stale ones; unreadable files are reported, others still load."""
        started = time.perf_counter()
        report = IngestReport()
        wanted: list[Paragraph] = []
        for file in find_documents(list(paths)):
            try:
                doc_paragraphs = read_document(file)
            except UserError as exc:
                report.errors.append(str(exc))
                continue
            report.documents += 1
            wanted.extend(doc_paragraphs)
            new_ids = {p.id for p in doc_paragraphs}
            old_ids = set(self.paragraphs.get(where={"doc": file.stem}, include=[])["ids"])
            stale = sorted(old_ids - new_ids)
            for start in range(0, len(stale), _PAGE):
                chunk = stale[start : start + _PAGE]
                self.paragraphs.delete(ids=chunk)
                self.sentences.delete(where={"paragraph_id": {"$in": chunk}})
            report.removed += len(stale)
        report.paragraphs = len(wanted)
        existing = set()
        ids = [p.id for p in wanted]
        for start in range(0, len(ids), _PAGE):
            existing.update(self.paragraphs.get(ids=ids[start : start + _PAGE], include=[])["ids"])
        todo = [p for p in wanted if p.id not in existing]
        report.unchanged = len(wanted) - len(todo)
        self._add(todo, progress)
        report.added = len(todo)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _add(self, todo: list[Paragraph], progress: bool) -> None:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="para", desc="embedding", disable=not progress or not todo)
        for start in range(0, len(todo), _BATCH):
            batch = todo[start : start + _BATCH]
            sentences: list[tuple[Paragraph, Sentence]] = [
                (p, s) for p in batch if not p.boilerplate for s in split_sentences(p)
            ]
            vectors = self.embedder.embed([p.text for p in batch] + [s.text for _, s in sentences])
            self.paragraphs.add(
                ids=[p.id for p in batch],
                documents=[p.text for p in batch],
                metadatas=[_meta(p) for p in batch],
                embeddings=vectors[: len(batch)],
            )
            if sentences:
                self.sentences.add(
                    ids=[f"{p.id}:s{s.index}" for p, s in sentences],
                    documents=[s.text for _, s in sentences],
                    metadatas=[
                        {
                            "doc": p.doc,
                            "paragraph": p.number,
                            "paragraph_id": p.id,
                            "index": s.index,
                            "start": s.start,
                            "end": s.end,
                        }
                        for p, s in sentences
                    ],
                    embeddings=vectors[len(batch) :],
                )
            bar.update(len(batch))
        bar.close()

    def all_paragraphs(self) -> list[Paragraph]:
        """Every stored paragraph, read in pages (one large `get` exceeds SQLite's variable limit)."""
        paragraphs: list[Paragraph] = []
        total = self.paragraphs.count()
        for offset in range(0, total, _PAGE):
            got = self.paragraphs.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            paragraphs.extend(
                paragraph_from(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)
            )
        return sorted(paragraphs, key=lambda p: (p.doc, p.number))

    def query(self, collection: Any, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """Nearest neighbours as (id, cosine similarity). Ids encode doc, paragraph and sentence, so
        no metadata is fetched and no count is taken: both cost SQLite round trips that grew to
        ~10 ms each at 30k paragraphs."""
        res = collection.query(query_embeddings=[vector], n_results=n, include=["distances"])
        if not res["ids"] or not res["ids"][0]:
            return []
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]


def open_store(settings: Settings, build: bool = True, progress: bool = False) -> Store:
    """Open the store; on first use build it from the configured corpus."""
    store = Store(settings)
    if build and store.count() == 0:
        report = store.ingest(settings.corpus, progress=progress)
        if report.errors and not report.added:
            raise UserError("cannot build the index: " + "; ".join(report.errors))
    if store.count() == 0:
        raise UserError(f"the index in {settings.data_dir} is empty; run `assistant ingest PATH` first")
    return store

"""The Chroma store: documents as records, their paragraphs as contextual windows with vectors.

Each paragraph is embedded with its document's title, place and date in front ("contextual
embeddings"), so "the Gdansk meeting" finds Gdansk's paragraphs; a long paragraph is embedded as
overlapping sentence windows, and every window's id names its paragraph, so citations do too.
Ids derive from content hashes: ingesting the same text twice adds nothing, a changed document
has its new paragraphs added before its stale ones are removed (nothing is lost if it fails
half-way), and a document's record (title, date, place, path, ingest time) is written last.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.corpus import Document, Paragraph, flag_boilerplate, sentences_of
from assistant.embeddings import MiniLMEmbedder, default_embedder
from assistant.errors import UserError
from assistant.loading import SUFFIXES, load

_BATCH = 64  # texts per embedding call and Chroma add
_FLUSH = 512  # new paragraphs gathered (across documents) before they are stored
_PAGE = 5000  # rows per Chroma read
# A paragraph longer than this is embedded as overlapping windows of whole sentences: MiniLM reads
# 256 word pieces at most and was trained on 128, so a long paragraph's vector blurs its parts.
WINDOW_WORDS = 90
_LOCK_TIMEOUT = 600  # seconds a second ingest waits for the first to finish


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
    pruned: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"path", "reason"}: not ingested

    @property
    def errors(self) -> list[str]:
        return [f"{s['path']}: {s['reason']}" for s in self.skipped]

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "errors": self.errors}


def window_texts(text: str) -> list[str]:
    """The paragraph itself, or overlapping windows of its sentences when it is long."""
    if len(text.split()) <= WINDOW_WORDS:
        return [text]
    sentences = sentences_of(text)
    windows, current = [], []
    for sentence in sentences:
        if current and len(" ".join([*current, sentence]).split()) > WINDOW_WORDS:
            windows.append(" ".join(current))
            current = current[-1:]  # one sentence of overlap
        current.append(sentence)
    windows.append(" ".join(current))  # it always ends with a sentence no window has yet
    return windows


def find_files(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[dict[str, str]]]:
    """(file, document id) pairs and the paths that cannot be ingested, with their reasons.

    A document's id is its path relative to the folder given (a file given alone: its name);
    hidden files and folders are passed over, everything else is either loaded or reported.
    """
    found: list[tuple[Path, str]] = []
    skipped: list[dict[str, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if any(part.startswith(".") for part in rel.parts) or not file.is_file():
                    continue
                if file.suffix.lower() not in SUFFIXES:
                    skipped.append(
                        {"path": str(file), "reason": f"unsupported format {file.suffix or '(no suffix)'!r}"}
                    )
                    continue
                found.append((file, rel.as_posix()))
        elif path.is_file():
            found.append((path, path.name))
        else:
            skipped.append({"path": str(path), "reason": "no such file or folder"})
    # Two roots holding the same relative path: keep both, told apart by their root folder's name.
    counts: dict[str, int] = {}
    for _, doc_id in found:
        counts[doc_id] = counts.get(doc_id, 0) + 1
    found = [(f, f"{f.resolve().parent.name}/{d}" if counts[d] > 1 else d) for f, d in found]
    return found, skipped


def _meta(p: Paragraph, window: int) -> dict[str, Any]:
    return {
        "doc": p.doc,
        "paragraph": p.number,
        "sha": p.sha,
        "start": p.start,
        "end": p.end,
        "window": window,
    }


def parse_id(item_id: str) -> tuple[str, int]:
    """(doc, paragraph number) from a window id `doc:number:sha:wI` (doc ids may hold ':')."""
    doc, number, _sha, _window = item_id.rsplit(":", 3)
    return doc, int(number)


def paragraph_from(text: str, meta: dict[str, Any]) -> Paragraph:
    return Paragraph(
        doc=meta["doc"],
        number=int(meta["paragraph"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        sha=meta["sha"],
    )


def document_from(doc_id: str, meta: dict[str, Any]) -> Document:
    return Document(
        id=doc_id,
        title=meta.get("title", doc_id),
        date=meta.get("date", ""),
        place=meta.get("place", ""),
        kind=meta.get("kind", ""),
        format=meta.get("format", ""),
        path=meta.get("path", ""),
        sha=meta.get("sha", ""),
    )


class Store:
    """Paragraph windows and document records in one Chroma database (local or a `chroma run` server)."""

    def __init__(self, settings: Settings, embedder: MiniLMEmbedder | None = None) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.settings = settings
        self.embedder = embedder or default_embedder(settings.onnx_threads)
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        where = (
            f"Chroma server at {settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else f"data directory {settings.data_dir}"
        )
        local = Path(settings.data_dir) / "chroma"
        try:
            if not settings.chroma_host:
                local.mkdir(parents=True, exist_ok=True)
            # Two processes opening a new store at once both create its database and collections; one
            # fails ("already exists", "database is locked") unless they take turns (seen when two
            # ingests start together).
            with self._lock():
                if settings.chroma_host:
                    self.client = chromadb.HttpClient(
                        host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                    )
                    self.client.heartbeat()
                else:
                    self.client = chromadb.PersistentClient(path=str(local), settings=chroma_settings)
                ef = MiniLMFunction(self.embedder)
                self.paragraphs = self.client.get_or_create_collection(
                    settings.collection, embedding_function=ef, metadata={"hnsw:space": "cosine"}
                )
                self.documents = self.client.get_or_create_collection(
                    settings.collection + "-documents",
                    embedding_function=ef,
                    metadata={"hnsw:space": "cosine"},
                )
            self.paragraphs.count()
        except Exception as exc:  # chromadb raises many types for an unreachable or corrupt store
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise UserError(f"cannot open the index ({where}): {message}") from None

    def count(self) -> int:
        return self.documents.count()

    def _lock(self):  # noqa: ANN202 - a filelock.FileLock, or a no-op context for a server
        if self.settings.chroma_host:
            return contextlib.nullcontext()
        from filelock import FileLock

        return FileLock(str(Path(self.settings.data_dir) / "ingest.lock"), timeout=_LOCK_TIMEOUT)

    def ingest(self, paths: Iterable[Path], progress: bool = False, prune: bool = False) -> IngestReport:
        """Load every file; store what changed. A file that cannot be loaded is reported, never fatal."""
        from filelock import Timeout

        started = time.perf_counter()
        report = IngestReport()
        files, report.skipped = find_files(list(paths))
        try:
            with self._lock():
                self._ingest(files, report, progress)
                if prune:
                    report.pruned = self.prune()
        except Timeout:
            raise UserError("another ingest into this data directory did not finish in 10 minutes") from None
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _ingest(self, files: list[tuple[Path, str]], report: IngestReport, progress: bool) -> None:
        """Read every file, then store what changed in large batches: many small documents cost
        one embedding and one Chroma call per batch, not per document."""
        from tqdm import tqdm

        known = self.document_records()
        pending: list[tuple[Document, list[Paragraph], list[str]]] = []  # document, new paragraphs, stale ids
        waiting = 0
        bar = tqdm(unit="para", desc="indexing", disable=not progress)
        for file, doc_id in files:
            try:
                document = load(file, doc_id)
            except UserError as exc:
                report.skipped.append({"path": str(file), "reason": str(exc).removeprefix(f"{file}: ")})
                continue
            report.documents += 1
            report.paragraphs += len(document.paragraphs)
            old = known.get(doc_id)
            if old is not None and old.sha == document.sha and old.title == document.title:
                report.unchanged += len(document.paragraphs)
                continue
            old_ids = self._paragraph_ids(doc_id) if old is not None else set()
            todo = [p for p in document.paragraphs if f"{p.id}:w0" not in old_ids]
            keep = {p.id for p in document.paragraphs}
            stale = sorted(i for i in old_ids if i.rsplit(":", 1)[0] not in keep)
            report.added += len(todo)
            report.unchanged += len(document.paragraphs) - len(todo)
            report.removed += len({i.rsplit(":", 1)[0] for i in stale})
            pending.append((document, todo, stale))
            waiting += len(todo)
            if waiting >= _FLUSH:
                self._flush(pending, bar)
                pending, waiting = [], 0
        self._flush(pending, bar)
        bar.close()

    def _flush(self, pending: list[tuple[Document, list[Paragraph], list[str]]], bar: Any) -> None:
        """New windows first, then stale ones removed, then the documents' records: a failure half-way
        leaves old and new paragraphs side by side, never neither."""
        if not pending:
            return
        rows = [
            (doc, p, i, w)
            for doc, todo, _ in pending
            for p in todo
            for i, w in enumerate(window_texts(p.text))
        ]
        contexts = {doc.id: doc.context() for doc, _, _ in pending}
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            self.paragraphs.add(
                ids=[f"{p.id}:w{i}" for _, p, i, _ in batch],
                documents=[p.text if i == 0 else w for _, p, i, w in batch],
                metadatas=[_meta(p, i) for _, p, i, _ in batch],
                embeddings=self.embedder.embed([f"{contexts[d.id]}: {w}" for d, _, _, w in batch]),
            )
            bar.update(sum(i == 0 for _, _, i, _ in batch))
        stale = [i for _, _, ids in pending for i in ids]
        for start in range(0, len(stale), _PAGE):
            self.paragraphs.delete(ids=stale[start : start + _PAGE])
        self._put_records([doc for doc, _, _ in pending])

    def _paragraph_ids(self, doc_id: str) -> set[str]:
        return set(self.paragraphs.get(where={"doc": doc_id}, include=[])["ids"])

    def _put_records(self, documents: list[Document]) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        meta = [
            {
                "title": d.title,
                "date": d.date,
                "place": d.place,
                "kind": d.kind,
                "format": d.format,
                "path": d.path,
                "sha": d.sha,
                "paragraphs": len(d.paragraphs),
                "ingested_at": now,
            }
            for d in documents
        ]
        contexts = [d.context() for d in documents]
        self.documents.upsert(
            ids=[d.id for d in documents],
            documents=contexts,
            metadatas=meta,
            embeddings=self.embedder.embed(contexts),
        )

    def document_records(self) -> dict[str, Document]:
        got = self.documents.get(include=["metadatas"])
        return {i: document_from(i, m) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def sources(self) -> list[dict[str, Any]]:
        """The collection as `assistant sources` lists it: one row per document."""
        got = self.documents.get(include=["metadatas"])
        rows = [{"id": i, **m} for i, m in zip(got["ids"], got["metadatas"], strict=True)]
        return sorted(rows, key=lambda r: (r.get("date") or "", r["id"]))

    def prune(self) -> list[str]:
        """Drop documents whose files are gone; returns their ids."""
        gone = [d.id for d in self.document_records().values() if d.path and not os.path.exists(d.path)]
        for doc_id in gone:
            self.paragraphs.delete(where={"doc": doc_id})
            self.documents.delete(ids=[doc_id])
        return gone

    def all_paragraphs(self) -> list[Paragraph]:
        """Every stored paragraph, read in pages (one large `get` exceeds SQLite's variable limit)."""
        paragraphs: list[Paragraph] = []
        offset = 0
        while True:
            got = self.paragraphs.get(
                where={"window": 0}, include=["documents", "metadatas"], limit=_PAGE, offset=offset
            )
            paragraphs.extend(
                paragraph_from(t, m) for t, m in zip(got["documents"], got["metadatas"], strict=True)
            )
            if len(got["ids"]) < _PAGE:
                break
            offset += _PAGE
        return flag_boilerplate(sorted(paragraphs, key=lambda p: (p.doc, p.number)))

    def query(self, vector: np.ndarray, n: int, docs: set[str] | None = None) -> list[tuple[str, float]]:
        """Nearest windows as (id, cosine similarity), optionally within some documents. Ids encode doc
        and paragraph, so no metadata is fetched: each fetch costs an SQLite round trip that grew to
        ~10 ms at 30k paragraphs."""
        where = None
        if docs:
            where = {"doc": next(iter(docs))} if len(docs) == 1 else {"doc": {"$in": sorted(docs)}}
        res = self.paragraphs.query(
            query_embeddings=[vector], n_results=n, include=["distances"], where=where
        )
        if not res["ids"] or not res["ids"][0]:
            return []
        return [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]


def open_store(settings: Settings, build: bool = True, progress: bool = False) -> Store:
    """Open the store; on first use build it from the configured corpus."""
    store = Store(settings)
    if build and store.count() == 0:
        report = store.ingest(settings.corpus, progress=progress)
        if report.skipped and not report.added:
            raise UserError("cannot build the index: " + "; ".join(report.errors))
    if store.count() == 0:
        raise UserError(f"the index in {settings.data_dir} is empty; run `assistant ingest PATH` first")
    return store

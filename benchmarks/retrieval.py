"""Ingest throughput and warm search latency, on the seed and on a generated 100k-paragraph corpus.

Run: .venv/bin/python benchmarks/retrieval.py [--large 100000]
The large corpus recombines the seed's sentences into new paragraphs; their vectors are real seed
sentence vectors plus noise (embedding 100k paragraphs at ~50/s would take half an hour and does
not change search cost). Results go to stdout; we copy them into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import load_settings
from assistant.corpus import load_corpus, split_sentences
from assistant.index import Store, _meta
from assistant.retrieve import Retriever

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    json.loads(line)["question"] for line in (ROOT / "evals" / "seed.jsonl").read_text().splitlines()
]


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"p50 {statistics.median(values):.1f} ms, p95 {p95:.1f} ms (n={len(values)})"


def time_searches(retriever: Retriever, rounds: int = 3) -> list[float]:
    retriever.search("warm up", 5)
    times = []
    for _ in range(rounds):
        for q in QUESTIONS:
            t = time.perf_counter()
            retriever.search(q, 5)
            times.append((time.perf_counter() - t) * 1000)
    return times


def bench_ingest(tmp: Path) -> None:
    docs = tmp / "docs"
    docs.mkdir()
    seed = [p.text for p in load_corpus([ROOT / "seeds"]) if not p.boilerplate]
    rng = random.Random(0)
    for d in range(20):  # 20 documents x 12 paragraphs = 240 distinct paragraphs
        paragraphs = [f"{rng.choice(seed)} (Annex {d}.{i})" for i in range(12)]
        (docs / f"doc{d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    store = Store(load_settings(data_dir=tmp / "ingest"))
    store.embedder.embed(["warm"])
    t = time.perf_counter()
    report = store.ingest([docs])
    seconds = time.perf_counter() - t
    print(
        f"ingest: {report.added} paragraphs (+ their sentences) in {seconds:.1f} s = "
        f"{report.added / seconds:.1f} paragraphs/s"
    )
    t = time.perf_counter()
    again = store.ingest([docs])
    print(f"re-ingest (nothing new): added {again.added} in {time.perf_counter() - t:.2f} s")


def bench_seed(tmp: Path) -> None:
    settings = load_settings(data_dir=tmp / "seed")
    store = Store(settings)
    store.ingest([ROOT / "seeds"])
    print("warm search, seed (16 paragraphs):", percentiles(time_searches(Retriever(store))))


def bench_large(tmp: Path, n: int) -> None:
    store = Store(load_settings(data_dir=tmp / "large"))
    seed = [p for p in load_corpus([ROOT / "seeds"]) if not p.boilerplate]
    sentences = [s.text for p in seed for s in split_sentences(p)]
    base = store.embedder.embed(sentences)
    rng = np.random.default_rng(0)
    t = time.perf_counter()
    batch = 5000
    for start in range(0, n, batch):
        ids, texts, metas, vecs = [], [], [], []
        for i in range(start, min(n, start + batch)):
            picks = rng.choice(len(sentences), size=3, replace=False)
            text = " ".join(sentences[j] for j in picks) + f" (Record {i}.)"
            vec = base[picks].mean(0) + rng.normal(0, 0.05, base.shape[1])
            vec /= np.linalg.norm(vec)
            from assistant.corpus import Paragraph

            p = Paragraph(
                doc=f"gen{i // 100}", number=i % 100 + 1, text=text, start=0, end=len(text), sha=f"{i:064x}"
            )
            ids.append(p.id)
            texts.append(text)
            metas.append(_meta(p))
            vecs.append(vec.astype(np.float32))
        store.paragraphs.add(ids=ids, documents=texts, metadatas=metas, embeddings=vecs)
        store.sentences.add(
            ids=[f"{i}:s0" for i in ids],
            documents=texts,
            metadatas=[{**m, "paragraph_id": i, "index": 0} for i, m in zip(ids, metas, strict=True)],
            embeddings=vecs,
        )
    print(f"large corpus: {n} paragraphs stored in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    retriever = Retriever(store)
    print(f"large corpus: retriever (BM25 index + paragraph table) built in {time.perf_counter() - t:.1f} s")
    print(f"warm search, {n} paragraphs:", percentiles(time_searches(retriever, rounds=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--large", type=int, default=100_000, help="size of the generated corpus (0 skips it)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_ingest(Path(tmp))
        bench_seed(Path(tmp))
        if args.large:
            bench_large(Path(tmp), args.large)


if __name__ == "__main__":
    main()

"""Run models over datasets and score them: what `assistant eval` does.

Datasets that name a corpus (their header line) are answered against an index of exactly that
corpus, built once under the output folder; others use the configured index. Verification sets
score the citation verifier alone, with no model.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import BackendUnavailable, UserError
from assistant.evaluation import dataset, report
from assistant.evaluation.judge import Judge
from assistant.evaluation.metrics import aggregate, by_split, score_record, verifier_rates
from assistant.grounding.ground import check
from assistant.index import Store
from assistant.models import registry
from assistant.models.base import Request
from assistant.pipeline import Assistant
from assistant.prompts import judge_prompt
from assistant.question import rewrite
from assistant.tokens import count_tokens

RETRIEVAL_K = 3


def llm_judge(settings: Settings, name: str) -> Callable[[str, str], bool]:
    """A yes/no support judge on any configured backend."""
    backend = registry.create(settings, name)

    def supports(claim: str, passage: str) -> bool:
        text = judge_prompt().format(passage=passage, claim=claim)
        request = (
            Request(messages=[("user", text)], max_tokens=3, stop=[])
            if backend.style == "chat"
            else Request(prompt=text, max_tokens=3, stop=["\n"])
        )
        return "".join(backend.stream(request)).strip().lower().startswith("yes")

    return supports


def _assistant_for(corpus: list[Path], settings: Settings, out_dir: Path, progress: bool) -> Assistant:
    if not corpus:
        return Assistant(settings=settings)
    key = hashlib.sha256("|".join(str(p) for p in corpus).encode()).hexdigest()[:10]
    scoped = settings.with_overrides(
        data_dir=out_dir / "index" / key, corpus=corpus, chroma_host="", collection="eval"
    )
    report_ = Store(scoped).ingest(corpus, progress=progress)
    if report_.skipped:
        raise UserError("cannot index the eval corpus: " + "; ".join(report_.errors))
    return Assistant(settings=scoped)


def _record(item: dataset.Item, model: str, bot: Assistant) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        answer = bot.ask(item.question, item.history or None, model=model).to_dict()
    except BackendUnavailable:
        raise
    except UserError as exc:
        answer = {
            "status": "error",
            "answer": str(exc),
            "citations": [],
            "sentences": [],
            "timings_ms": {"total": (time.perf_counter() - started) * 1000},
        }
    standalone = rewrite(item.question, item.history or None)
    return {
        "model": model,
        "id": item.id,
        "dataset": item.source,
        "split": item.split,
        "kind": item.kind,
        "question": item.question,
        "history": item.history,
        "answerable": item.answerable,
        "gold": [{"doc": g.doc, "paragraph": g.paragraph} for g in item.gold],
        "must_include": item.must_include,
        "any_of": item.any_of,
        "must_not_include": item.must_not_include,
        "status": answer["status"],
        "answer": answer["answer"],
        "citations": answer["citations"],
        "sentences": answer.get("sentences", []),
        "notes": answer.get("notes", []),
        "timings_ms": answer["timings_ms"],
        "answer_tokens": count_tokens(answer["answer"]),
        "retrieved": [[h.paragraph.doc, h.paragraph.number] for h in bot.retriever.search(standalone, 10)],
    }


def _verify_claims(claims: list[dataset.Claim], bot: Assistant) -> list[tuple[bool, bool, str, str]]:
    """(labelled supported, verifier accepted, kind, split) per claim."""
    retriever = bot.retriever
    out = []
    for claim in claims:
        cited = [retriever.paragraph(g.doc, g.paragraph) for g in claim.cited]
        if any(p is None for p in cited):
            missing = [
                f"{g.doc} ¶{g.paragraph}" for g, p in zip(claim.cited, cited, strict=True) if p is None
            ]
            raise UserError(f"{claim.source}: {claim.id} cites {', '.join(missing)}, not in its corpus")
        accepted = check(cited, claim.sentence, retriever.documents, retriever.store.embedder.embed_cached).ok
        out.append((claim.supported, accepted, claim.kind, claim.split))
    return out


def run(
    paths: list[Path],
    models: list[str],
    settings: Settings,
    out_dir: Path,
    judge_model: str | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    from tqdm import tqdm

    sets = [dataset.load(path) for path in paths]
    corpora: dict[tuple[Path, ...], list[dataset.Dataset]] = {}
    for data in sets:
        corpora.setdefault(tuple(data.corpus), []).append(data)
    records: list[dict[str, Any]] = []
    outcomes: list[tuple[bool, bool, str, str]] = []
    judge_fn = llm_judge(settings, judge_model) if judge_model else None
    for corpus, group in corpora.items():
        bot = _assistant_for(list(corpus), settings, out_dir, progress)
        for data in group:
            dataset.resolve(data, bot.retriever.paragraphs)
        judge = Judge(bot.retriever.store.embedder.embed, judge_fn)
        outcomes += _verify_claims([c for d in group for c in d.claims], bot)
        items = [i for d in group for i in d.items]
        for model in models if items else []:
            bot.backend(model)  # fail fast on a bad model name
            for item in tqdm(items, desc=model, unit="q", disable=not progress, file=sys.stderr):
                record = _record(item, model, bot)
                record["scores"] = score_record(record, judge, RETRIEVAL_K)
                records.append(record)
    metrics: dict[str, dict[str, Any]] = {}
    for model in models:
        mine = [r for r in records if r["model"] == model]
        if mine:
            metrics[model] = {**aggregate(mine), "splits": by_split(mine)}
    result: dict[str, Any] = {"models": metrics}
    if outcomes:
        verifier = {
            s: verifier_rates([(a, b, k) for a, b, k, sp in outcomes if sp == s]) for s in ("dev", "test")
        }
        result["verifier"] = verifier
        reported = verifier["test"] if verifier["test"]["n"] else verifier["dev"]
        result["verifier_false_accept"] = round(reported["false_accept"], 4)
        result["verifier_false_reject"] = round(reported["false_reject"], 4)
    out_dir.mkdir(parents=True, exist_ok=True)
    report.write_results(records, out_dir / "results.jsonl")
    chart = None
    if metrics:
        report.write_chart(metrics, out_dir / "chart.png")
        chart = "chart.png"
    report.write_report(result, records, [p.name for p in paths], RETRIEVAL_K, out_dir / "report.md", chart)
    return result

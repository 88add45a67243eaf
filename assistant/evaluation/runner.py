"""Run models over datasets and score them: what `assistant eval` does."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import BackendUnavailable, UserError
from assistant.evaluation import dataset, report
from assistant.evaluation.judge import Judge
from assistant.evaluation.metrics import aggregate, score_record
from assistant.models import registry
from assistant.models.base import Request
from assistant.pipeline import Assistant, rewrite
from assistant.prompts import judge_prompt
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


def run(
    paths: list[Path],
    models: list[str],
    settings: Settings,
    out_dir: Path,
    judge_model: str | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    from tqdm import tqdm

    items = [item for path in paths for item in dataset.load(path)]
    bot = Assistant(settings=settings)
    retriever = bot.retriever
    judge = Judge(retriever.store.embedder.embed, llm_judge(settings, judge_model) if judge_model else None)
    records: list[dict[str, Any]] = []
    metrics: dict[str, dict[str, Any]] = {}
    for model in models:
        bot.backend(model)  # fail fast on a bad model name
        model_records = []
        for item in tqdm(items, desc=model, unit="q", disable=not progress, file=sys.stderr):
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
            record = {
                "model": model,
                "id": item.id,
                "dataset": item.source,
                "kind": item.kind,
                "question": item.question,
                "history": item.history,
                "answerable": item.answerable,
                "gold_paragraphs": item.gold_paragraphs,
                "must_include": item.must_include,
                "any_of": item.any_of,
                "must_not_include": item.must_not_include,
                "status": answer["status"],
                "answer": answer["answer"],
                "citations": answer["citations"],
                "sentences": answer.get("sentences", []),
                "timings_ms": answer["timings_ms"],
                "answer_tokens": count_tokens(answer["answer"]),
                "retrieved": [h.paragraph.number for h in retriever.search(standalone, 10)],
            }
            record["scores"] = score_record(record, judge, RETRIEVAL_K)
            model_records.append(record)
        metrics[model] = aggregate(model_records)
        records.extend(model_records)
    out_dir.mkdir(parents=True, exist_ok=True)
    report.write_results(records, out_dir / "results.jsonl")
    chart = None
    try:
        report.write_chart(metrics, out_dir / "chart.png")
        chart = "chart.png"
    except ImportError:
        pass
    report.write_report(metrics, records, [p.name for p in paths], RETRIEVAL_K, out_dir / "report.md", chart)
    return {"models": metrics}

"""results.jsonl, report.md and chart.png for an eval run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import RATE_METRICS

_SHOWN = [
    *RATE_METRICS,
    "quoted_share",
    "false_refusal_rate",
    "latency_p50_ms",
    "latency_p95_ms",
    "answer_tokens_mean",
    "answer_words_median",
    "n",
]


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def write_results(records: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_report(
    result: dict[str, Any],
    records: list[dict[str, Any]],
    datasets: list[str],
    k: int,
    path: Path,
    chart: str | None,
) -> None:
    metrics: dict[str, dict[str, Any]] = result["models"]
    lines = [
        "# Eval report",
        "",
        f"Datasets: {', '.join(datasets)}; retrieval cut-off k = {k}.",
        "Metric definitions: evals/README.md. `test` is the held-back split; rules were tuned on `dev`.",
        "",
    ]
    if "verifier" in result:
        lines += [
            "## Citation verifier",
            "",
            "| split | claims | false accepts | false rejects |",
            "|---|---|---|---|",
        ]
        for split, v in result["verifier"].items():
            if v["n"]:
                lines.append(f"| {split} | {v['n']} | {v['false_accept']:.3f} | {v['false_reject']:.3f} |")
        lines.append("")
    for model, m in metrics.items():
        splits = list(m.get("splits", {}))
        lines += [
            f"## {model}",
            "",
            "| metric | all | " + " | ".join(splits) + " |",
            "|---|---|" + "---|" * len(splits),
        ]
        lines += [
            f"| {name} | {_fmt(m[name])} | " + " | ".join(_fmt(m["splits"][s][name]) for s in splits) + " |"
            for name in _SHOWN
        ]
        lines += [
            "",
            "Accuracy (answerable) / correct refusal (unanswerable) by kind:",
            "",
            "| kind | share correct |",
            "|---|---|",
        ]
        lines += [f"| {kind} | {value:.3f} |" for kind, value in m["by_kind"].items()]
        misses = [r for r in records if r["model"] == model and not r["scores"]["correct"]]
        if misses:
            lines += ["", f"Incorrect items ({len(misses)}):", ""]
            lines += [f"- `{r['id']}` ({r['status']}): {r['question']} → {r['answer'][:160]}" for r in misses]
        lines.append("")
    if len(metrics) > 1:
        names = list(metrics)
        lines += [
            "## Model against model",
            "",
            "| metric | " + " | ".join(names) + " |",
            "|---|" + "---|" * len(names),
        ]
        lines += [
            f"| {metric} | " + " | ".join(_fmt(metrics[n][metric]) for n in names) + " |" for metric in _SHOWN
        ]
        lines.append("")
    if chart:
        lines += [f"![metrics by model]({chart})", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_chart(metrics: dict[str, dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(metrics)
    x = np.arange(len(RATE_METRICS))
    width = 0.8 / max(len(names), 1)
    fig, ax = plt.subplots(figsize=(10, 4))
    for i, name in enumerate(names):
        ax.bar(x + i * width, [metrics[name][m] for m in RATE_METRICS], width, label=name)
    ax.set_xticks(x + width * (len(names) - 1) / 2, RATE_METRICS, rotation=20, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.legend(loc="lower right")
    ax.set_title("Eval metrics by model")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)

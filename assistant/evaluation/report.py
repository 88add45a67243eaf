"""results.jsonl, report.md and chart.png for an eval run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.evaluation.metrics import RATE_METRICS, STAGES
from assistant.grounding.ground import VERIFIER_FAILED

_SHOWN = [
    *RATE_METRICS,
    "quoted_share",
    "invented_facts",
    "false_refusal_rate",
    "latency_p50_ms",
    "latency_p95_ms",
    "answer_tokens_mean",
    "answer_words_median",
    "n",
]


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _cell(m: dict[str, Any], name: str) -> str:
    """A figure with its 95 % bootstrap interval, where it has one."""
    low_high = m.get("intervals", {}).get(name)
    return f"{_fmt(m[name])} [{low_high[0]:.2f}, {low_high[1]:.2f}]" if low_high else _fmt(m[name])


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
            f"| {name} | {_cell(m, name)} | " + " | ".join(_cell(m["splits"][s], name) for s in splits) + " |"
            for name in _SHOWN
        ]
        lines += [
            "",
            "Right decisions by kind (answerable: answered correctly; unanswerable: refused), per split,",
            "with 95 % bootstrap intervals:",
            "",
            "| kind | " + " | ".join(f"{s} n | {s} correct" for s in splits) + " |",
            "|---|" + "---|---|" * len(splits),
        ]
        kinds = sorted({k for s in splits for k in m["splits"][s]["by_kind"]})
        for kind in kinds:
            cells = []
            for s in splits:
                row = m["splits"][s]["by_kind"].get(kind)
                cells += (
                    [
                        str(row["n"]),
                        f"{row['correct']:.2f} [{row['interval'][0]:.2f}, {row['interval'][1]:.2f}]",
                    ]
                    if row
                    else ["0", "–"]
                )
            lines.append(f"| {kind} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "Where each item ended (the first stage that went wrong; a refusal of an answerable item",
            "counts there, whatever the retrieval):",
            "",
            "| stage | " + " | ".join(splits) + " |",
            "|---|" + "---|" * len(splits),
        ]
        lines += [
            f"| {name} | " + " | ".join(str(m["splits"][s]["where_lost"][name]) for s in splits) + " |"
            for name in STAGES
        ]
        failed = [
            r
            for r in records
            if r["model"] == model and any(VERIFIER_FAILED in n for n in r.get("notes", []))
        ]
        if failed:  # a bug in the verifier: the sentence was dropped, the run went on
            lines += ["", f"**The verifier failed on a model sentence of {len(failed)} items** (a bug):", ""]
            lines += [
                f"- `{r['id']}`: " + next(n for n in r["notes"] if VERIFIER_FAILED in n) for r in failed
            ]
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
            f"| {metric} | " + " | ".join(_cell(metrics[n], metric) for n in names) + " |"
            for metric in _SHOWN
        ]
        test = [n for n in names if "test" in metrics[n].get("splits", {})]
        if "none" in test:
            base = metrics["none"]["splits"]["test"]
            lines += [
                "",
                "What each model adds over `none` (no model) on the test split:",
                "",
                "| model | decision accuracy | accuracy | right document | invented facts shown |",
                "|---|---|---|---|---|",
            ]
            for n in test:
                t = metrics[n]["splits"]["test"]
                lines.append(
                    f"| {n} | {t['decision_accuracy'] - base['decision_accuracy']:+.3f} | "
                    f"{t['accuracy'] - base['accuracy']:+.3f} | {t['right_document'] - base['right_document']:+.3f} | "
                    f"{t['invented_facts']} |"
                )
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

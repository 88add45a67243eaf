"""Cross-validate the fitted decisions by document collection: fit on all dev collections but one, answer
the held-out one's dev questions (no model), and repeat for each. This measures what the fits do on
documents they were not fitted on, with more data than one fixed held-out set gives.

Only `dev` items are read; `test` items and the test documents are never opened. Run:
    .venv/bin/python scripts/crossvalidate.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from fit_decisions import fit  # noqa: E402

from assistant import calibrated  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation import dataset  # noqa: E402
from assistant.evaluation.metrics import interval, score_record  # noqa: E402
from assistant.evaluation.runner import RETRIEVAL_K, Judge, _assistant_for, _record  # noqa: E402

# The folds: collections that share documents are held out together.
FOLDS = {
    "dev (wildfire, river basin)": ["communiques_dev_a.jsonl", "communiques_dev_b.jsonl"],
    "seed and collection": ["seed.jsonl", "collection.jsonl"],
    "dev_c (glacier)": ["communiques_dev_c.jsonl"],
    "dev_e (volcanic ash)": ["communiques_dev_e.jsonl"],
    "dev_f (flyway)": ["communiques_dev_f.jsonl"],
    "dev_g (rail freight)": ["communiques_dev_g.jsonl"],
    "dev_h (space debris)": ["communiques_dev_h.jsonl"],
}


def answer(sets: list[str], work: Path) -> list[dict]:
    """The scored answers (no model) to the dev items of `sets`, with the weights now in force."""
    settings, records = load_settings(), []
    for name in sets:
        data = dataset.load(ROOT / "evals" / name)
        bot = _assistant_for(list(data.corpus), settings, work / "index", progress=False)
        dataset.resolve(data, bot.retriever.paragraphs)
        judge = Judge(bot.retriever.store.embedder.embed, None)
        for item in (i for i in data.items if i.split == "dev"):
            record = _record(item, "none", bot)
            record["scores"] = score_record(record, judge, RETRIEVAL_K)
            records.append(record)
    return records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/crossvalidate", help="work folder (indexes, fold weights)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    work, shipped = Path(args.out), calibrated.WEIGHTS
    rows = {}
    for fold, held in FOLDS.items():
        calibrated.WEIGHTS = shipped
        calibrated.model.cache_clear()
        before = answer(held, work)
        rest = [name for sets in FOLDS.values() if sets != held for name in sets]
        fit(rest, work / "weights" / fold.split()[0])
        after = answer(held, work)
        rows[fold] = {
            "items": len(after),
            "shipped": sum(r["scores"]["correct"] for r in before),
            "fitted_without": sum(r["scores"]["correct"] for r in after),
            "correct": [int(r["scores"]["correct"]) for r in after],
            "refused": [(r["answerable"], r["status"] != "answered") for r in after],
            "shipped_correct": [int(r["scores"]["correct"]) for r in before],
        }
    pooled = [c for row in rows.values() for c in row["correct"]]
    pooled_shipped = [c for row in rows.values() for c in row["shipped_correct"]]
    refused = [pair for row in rows.values() for pair in row["refused"]]
    summary = {
        "folds": {k: {f: v[f] for f in ("items", "shipped", "fitted_without")} for k, v in rows.items()},
        "cross_validated_accuracy": round(float(np.mean(pooled)), 3),
        "interval": interval(pooled),
        "shipped_weights_accuracy": round(float(np.mean(pooled_shipped)), 3),
        "false_refusal_rate": round(float(np.mean([ref for ans, ref in refused if ans])), 3),
        "refusal_recall": round(float(np.mean([ref for ans, ref in refused if not ans])), 3),
    }
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        for fold, row in summary["folds"].items():
            print(
                f"{fold:30} {row['items']:4} items  shipped {row['shipped']:4}  fitted without it {row['fitted_without']:4}"
            )
        print(
            f"cross-validated decision accuracy {summary['cross_validated_accuracy']} {summary['interval']}"
            f" (shipped weights on the same items {summary['shipped_weights_accuracy']});"
            f" false refusals {summary['false_refusal_rate']}, refusal recall {summary['refusal_recall']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

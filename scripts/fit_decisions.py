"""Fit the pipeline's two calibrated decisions on the dev split, and write them to assistant/weights/.

  candidates.json  which answer span of the evidence answers (logistic regression over candidate
                   features, assistant/extract.py), and the confidence below which the best evidence
                   sentence is quoted whole instead (chosen for dev accuracy)
  refusal.json     whether the documents answer at all (logistic regression over question features,
                   assistant/grounding/refuse.py), with the threshold giving at most 5 % false
                   refusals on dev

Only `dev` items are read; `test` items and the test documents are never opened. Run:
    .venv/bin/python scripts/fit_decisions.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import question as q  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation import dataset  # noqa: E402
from assistant.evaluation.runner import _assistant_for  # noqa: E402
from assistant.extract import FEATURES as CANDIDATE_FEATURES  # noqa: E402
from assistant.extract import candidates  # noqa: E402
from assistant.grounding import refuse  # noqa: E402

DEV_SETS = ["seed.jsonl", "collection.jsonl", "communiques_dev_a.jsonl", "communiques_dev_b.jsonl"]
MAX_FALSE_REFUSALS = 0.05
REGULARISATION = 1.0  # scikit-learn's default C


def _matches(text: str, item: dataset.Item) -> bool:
    low = text.lower()
    return all(s.lower() in low for s in item.must_include) and (
        not item.any_of or any(s.lower() in low for s in item.any_of)
    )


def _items() -> list[tuple[dataset.Item, object]]:
    """(dev item, the assistant over its corpus)."""
    settings = load_settings()
    out, bots = [], {}
    for name in DEV_SETS:
        data = dataset.load(ROOT / "evals" / name)
        key = tuple(data.corpus)
        if key not in bots:
            bots[key] = _assistant_for(list(key), settings, Path("/tmp/fit-decisions"), progress=True)
        out += [(item, bots[key]) for item in data.items if item.split == "dev"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "assistant" / "weights"))
    args = parser.parse_args()
    rows = []  # per item: analysis, evidence, bot
    for item, bot in _items():
        asked, _ = q.strip_instructions(item.question)
        alone = q.rewrite(asked or item.question, item.history or None)
        analysis = q.analyse(alone)
        _, evidence = bot._evidence(analysis, alone, None)
        rows.append((item, analysis, evidence, bot))
    # 1. Answer candidates: which span answers.
    X, y = [], []
    for item, analysis, evidence, bot in rows:
        if not item.answerable or not (analysis.expected or analysis.focus) or not evidence:
            continue
        for c in candidates(analysis, evidence, bot._embed):
            X.append([c.features[f] for f in CANDIDATE_FEATURES])
            y.append(int(_matches(c.text, item)))
    spans = LogisticRegression(C=REGULARISATION, max_iter=1000, class_weight="balanced").fit(X, y)
    weights = {"features": list(CANDIDATE_FEATURES), "coef": spans.coef_[0].round(4).tolist(),
               "intercept": round(float(spans.intercept_[0]), 4)}  # fmt: skip

    def prob(feats: dict[str, float]) -> float:
        z = weights["intercept"] + sum(
            c * feats[f] for f, c in zip(CANDIDATE_FEATURES, weights["coef"], strict=True)
        )
        return 1 / (1 + np.exp(-z))

    typed = []
    for item, analysis, evidence, bot in rows:
        if item.answerable and (analysis.expected or analysis.focus) and evidence:
            scored = [(prob(c.features), c.text) for c in candidates(analysis, evidence, bot._embed)]
            p, text = max(scored) if scored else (0.0, "")
            typed.append((p, _matches(text, item), _matches(evidence[0].sentence, item)))
    grid = np.round(np.arange(0.05, 1.0, 0.05), 2)
    accuracy = {
        float(t): float(np.mean([span if p >= t else whole for p, span, whole in typed])) for t in grid
    }
    threshold = max(accuracy, key=lambda t: (accuracy[t], t))
    weights |= {"threshold": threshold, "notes": {
        "data": DEV_SETS, "split": "dev", "typed_questions": len(typed), "candidates": len(y),
        "positives": int(sum(y)), "dev_accuracy_by_threshold": accuracy,
        "dev_accuracy_whole_sentence_only": float(np.mean([w for _, _, w in typed])),
    }}  # fmt: skip
    (Path(args.out) / "candidates.json").write_text(json.dumps(weights, indent=1) + "\n")
    print(f"candidates: {len(y)} spans, threshold {threshold}, dev accuracy {accuracy[threshold]:.3f}")
    # 2. Refusal, reading the fitted candidate model.
    from assistant.calibrated import model

    model.cache_clear()
    X, y = [], []
    for item, analysis, evidence, bot in rows:
        if not evidence or not analysis.lemmas:
            continue
        values = refuse.features(analysis, evidence, bot.retriever.knows, bot._context, bot._embed)
        X.append([values[f] for f in refuse.FEATURES])
        y.append(int(item.answerable))
    gate = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(X, y)
    p = gate.predict_proba(X)[:, 1]
    answerable = np.sort(p[np.array(y) == 1])
    cut = float(answerable[int(np.floor(MAX_FALSE_REFUSALS * len(answerable)))])
    refused = p < cut
    labels = np.array(y)
    notes = {
        "data": DEV_SETS, "split": "dev", "items": len(y), "answerable": int(labels.sum()),
        "dev_false_refusal_rate": round(float(refused[labels == 1].mean()), 3),
        "dev_refusal_recall": round(float(refused[labels == 0].mean()), 3),
        "rule": f"threshold: the answerable items' {MAX_FALSE_REFUSALS:.0%} quantile of the probability",
    }  # fmt: skip
    (Path(args.out) / "refusal.json").write_text(json.dumps({
        "features": list(refuse.FEATURES), "coef": gate.coef_[0].round(4).tolist(),
        "intercept": round(float(gate.intercept_[0]), 4), "threshold": round(cut, 4), "notes": notes,
    }, indent=1) + "\n")  # fmt: skip
    print(f"refusal: {notes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

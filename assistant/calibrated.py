"""Decisions fitted on dev data: a logistic model per decision, its features named, its weights and
the data they came from in `assistant/weights/NAME.json` (written by scripts/fit_decisions.py).

Inference is a dot product and a sigmoid, so the app needs no machine-learning library; the fit
script uses scikit-learn.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHTS = Path(__file__).parent / "weights"


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # the decision's cut-off on the probability, chosen on dev (see the JSON's notes)

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(c * float(values[f]) for f, c in zip(self.features, self.coef, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=8)
def model(name: str) -> Logistic:
    raw = json.loads((WEIGHTS / f"{name}.json").read_text(encoding="utf-8"))
    return Logistic(
        tuple(raw["features"]), tuple(raw["coef"]), float(raw["intercept"]), float(raw["threshold"])
    )

"""Metrics over result records (one per item and model), as defined in evals/README.md.

Everything is computed from what `results.jsonl` holds, so anyone can re-score a results file:
the answer text (sentences and their `[¶n]` markers) and the cited paragraphs' texts.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from typing import Any

from assistant.evaluation.judge import Judge

# Sentence ends: after a citation marker's full stop, or after . ! ? before a capital, but not after
# an initial or a common abbreviation ("U.S. Secretary", "Michael R. Pompeo").
_SPLIT = re.compile(
    r"(?<=\]\.)\s+|(?<=\][!?])\s+"
    r"|(?<![A-Z]\.[A-Z]\.)(?<!\s[A-Z]\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<=[.!?])\s+(?=[A-Z“\"'(\[])"
)
_MARK = re.compile(r"¶\s*(\d+)")
_BRACKET = re.compile(r"\[[^\]]*¶[^\]]*\]")
RATE_METRICS = [
    "accuracy",
    "citation_recall",
    "citation_precision",
    "groundedness",
    "refusal_precision",
    "refusal_recall",
    "hit_at_k",
    "mrr",
]


def answer_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences with the paragraph numbers their markers cite."""
    out = []
    for piece in _SPLIT.split(answer.strip()):
        if not piece.strip():
            continue
        cited: list[int] = []
        for bracket in _BRACKET.findall(piece):
            for n in _MARK.findall(bracket):
                if int(n) not in cited:
                    cited.append(int(n))
        out.append((piece, cited))
    return out


def is_correct(record: dict[str, Any]) -> bool:
    """Answerable: answered, every must_include and one any_of present, no must_not_include."""
    text = record.get("answer", "").lower()
    if any(s.lower() in text for s in record.get("must_not_include", [])):
        return False
    if not record["answerable"]:
        return record.get("status") == "not_found"
    return (
        record.get("status") == "answered"
        and all(s.lower() in text for s in record.get("must_include", []))
        and (not record.get("any_of") or any(s.lower() in text for s in record["any_of"]))
    )


def citation_scores(record: dict[str, Any], judge: Judge) -> dict[str, Any]:
    """ALCE citation recall and precision for one answered record, plus sentence support flags."""
    texts = {int(c["paragraph"]): c["text"] for c in record.get("citations", [])}
    supported: list[bool] = []
    precise = total = 0
    for sentence, cited in answer_sentences(record.get("answer", "")):
        cited = [n for n in cited if n in texts] if cited else []
        joint = bool(cited) and judge.supports(sentence, "\n".join(texts[n] for n in cited))
        supported.append(joint)
        total += len(cited)
        if len(cited) == 1:
            precise += int(joint)
        elif joint:
            for n in cited:
                alone = judge.supports(sentence, texts[n])
                rest = [m for m in cited if m != n]
                redundant = not alone and judge.supports(sentence, "\n".join(texts[m] for m in rest))
                precise += int(not redundant)
    return {
        "sentences": len(supported),
        "supported_sentences": sum(supported),
        "citations": total,
        "precise_citations": precise,
        "citation_recall": sum(supported) / len(supported) if supported else 0.0,
        "citation_precision": precise / total if total else 0.0,
    }


def retrieval_scores(record: dict[str, Any], k: int) -> dict[str, float]:
    gold = set(record.get("gold_paragraphs", []))
    ranked = record.get("retrieved", [])
    rank = next((i for i, p in enumerate(ranked, 1) if p in gold), 0)
    return {"hit_at_k": float(0 < rank <= k), "mrr": 1.0 / rank if rank else 0.0}


def score_record(record: dict[str, Any], judge: Judge, k: int) -> dict[str, Any]:
    scores: dict[str, Any] = {"correct": is_correct(record)}
    if record.get("status") == "answered":
        scores.update(citation_scores(record, judge))
    if record.get("answerable") and record.get("gold_paragraphs"):
        scores.update(retrieval_scores(record, k))
    return scores


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def aggregate(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One model's metrics from its scored records."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    answered = [r for r in records if r.get("status") == "answered"]
    refused = [r for r in records if r.get("status") == "not_found"]
    with_sentences = [r for r in answered if r["scores"].get("sentences")]
    with_citations = [r for r in answered if r["scores"].get("citations")]
    sentences = sum(r["scores"].get("sentences", 0) for r in answered)
    supported = sum(r["scores"].get("supported_sentences", 0) for r in answered)
    retrieval = [r for r in answerable if "hit_at_k" in r["scores"]]
    refused_right = sum(not r["answerable"] for r in refused)
    latencies = [float(r.get("timings_ms", {}).get("total", 0.0)) for r in records]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        by_kind[r.get("kind", "fact")].append(r["scores"]["correct"])
    return {
        "n": len(records),
        "accuracy": statistics.fmean(r["scores"]["correct"] for r in answerable) if answerable else 0.0,
        "citation_recall": statistics.fmean(r["scores"]["citation_recall"] for r in with_sentences)
        if with_sentences
        else 0.0,
        "citation_precision": statistics.fmean(r["scores"]["citation_precision"] for r in with_citations)
        if with_citations
        else 0.0,
        "groundedness": supported / sentences if sentences else 0.0,
        "refusal_precision": refused_right / len(refused) if refused else float(not unanswerable),
        "refusal_recall": refused_right / len(unanswerable) if unanswerable else 1.0,
        "false_refusal_rate": sum(r["answerable"] for r in refused) / len(answerable) if answerable else 0.0,
        "hit_at_k": statistics.fmean(r["scores"]["hit_at_k"] for r in retrieval) if retrieval else 0.0,
        "mrr": statistics.fmean(r["scores"]["mrr"] for r in retrieval) if retrieval else 0.0,
        "latency_p50_ms": round(_percentile(latencies, 0.5), 1),
        "latency_p95_ms": round(_percentile(latencies, 0.95), 1),
        "answer_tokens_mean": round(statistics.fmean(r.get("answer_tokens", 0) for r in records), 1)
        if records
        else 0.0,
        "answer_words_median": statistics.median(len(r.get("answer", "").split()) for r in answered)
        if answered
        else 0,
        "by_kind": {kind: round(sum(v) / len(v), 3) for kind, v in sorted(by_kind.items())},
    }

"""Metrics over result records (one per item and model), as defined in evals/README.md.

Everything is computed from what `results.jsonl` holds, so anyone can re-score a results file:
the answer text (sentences and their `[¶n]` markers) and the cited paragraphs' texts.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from assistant.evaluation.judge import Judge

RATE_METRICS = [
    "accuracy",
    "cited_gold",
    "citation_recall",
    "citation_precision",
    "groundedness",
    "refusal_precision",
    "refusal_recall",
    "hit_at_k",
    "mrr",
]


def _gold_match(gold: list[dict[str, Any]], doc: str, paragraph: int) -> bool:
    return any(int(g["paragraph"]) == int(paragraph) and (not g.get("doc") or g["doc"] == doc) for g in gold)


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
    """ALCE citation recall and precision for one answered record, plus sentence support flags.

    Sentences and what each cites come from the record's `sentences` (document and paragraph),
    the cited texts from its `citations`."""
    texts = {(c["doc"], int(c["paragraph"])): c["text"] for c in record.get("citations", [])}
    supported: list[bool] = []
    precise = total = 0
    for sentence in record.get("sentences", []):
        docs = sentence.get("docs") or [sentence.get("doc", "")] * len(sentence["paragraphs"])
        cited = [k for k in zip(docs, sentence["paragraphs"], strict=False) if k in texts]
        claim = sentence["text"]
        joint = bool(cited) and judge.supports(claim, "\n".join(texts[k] for k in cited))
        supported.append(joint)
        total += len(cited)
        if len(cited) == 1:
            precise += int(joint)
        elif joint:
            for k in cited:
                alone = judge.supports(claim, texts[k])
                rest = [m for m in cited if m != k]
                redundant = not alone and judge.supports(claim, "\n".join(texts[m] for m in rest))
                precise += int(not redundant)
    quoted = sum(s.get("source") == "quote" for s in record.get("sentences", []))
    return {
        "sentences": len(supported),
        "supported_sentences": sum(supported),
        "quoted_sentences": quoted,
        "citations": total,
        "precise_citations": precise,
        "citation_recall": sum(supported) / len(supported) if supported else 0.0,
        "citation_precision": precise / total if total else 0.0,
    }


def cited_gold(record: dict[str, Any]) -> bool:
    """Does the answer cite at least one gold paragraph (of the gold document, when named)?
    This is what sees a quotation of the wrong paragraph, which always 'supports itself'."""
    return any(_gold_match(record["gold"], c["doc"], c["paragraph"]) for c in record.get("citations", []))


def retrieval_scores(record: dict[str, Any], k: int) -> dict[str, float]:
    ranked = record.get("retrieved", [])
    rank = next((i for i, (doc, p) in enumerate(ranked, 1) if _gold_match(record["gold"], doc, p)), 0)
    return {"hit_at_k": float(0 < rank <= k), "mrr": 1.0 / rank if rank else 0.0}


def score_record(record: dict[str, Any], judge: Judge, k: int) -> dict[str, Any]:
    scores: dict[str, Any] = {"correct": is_correct(record)}
    if record.get("status") == "answered":
        scores.update(citation_scores(record, judge))
    if record.get("answerable") and record.get("gold"):
        scores.update(retrieval_scores(record, k))
        if record.get("status") == "answered":
            scores["cited_gold"] = cited_gold(record)
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
    gold_cited = [r["scores"]["cited_gold"] for r in answered if "cited_gold" in r["scores"]]
    quoted = sum(r["scores"].get("quoted_sentences", 0) for r in answered)
    refused_right = sum(not r["answerable"] for r in refused)
    latencies = [float(r.get("timings_ms", {}).get("total", 0.0)) for r in records]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for r in records:
        by_kind[r.get("kind", "fact")].append(r["scores"]["correct"])
    return {
        "n": len(records),
        "accuracy": statistics.fmean(r["scores"]["correct"] for r in answerable) if answerable else 0.0,
        "cited_gold": statistics.fmean(gold_cited) if gold_cited else 0.0,
        "quoted_share": quoted / sentences if sentences else 0.0,
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


def by_split(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The metrics of each split (dev: what rules were tuned on; test: what is reported)."""
    splits = sorted({r.get("split", "dev") for r in records})
    return {s: aggregate([r for r in records if r.get("split", "dev") == s]) for s in splits}


def verifier_rates(outcomes: list[tuple[bool, bool, str]]) -> dict[str, Any]:
    """False-accept rate (of unsupported claims, the share accepted) and false-reject rate (of
    supported claims, the share rejected), from (labelled supported, accepted, kind) triples."""
    bad = [(acc, kind) for sup, acc, kind in outcomes if not sup]
    good = [(acc, kind) for sup, acc, kind in outcomes if sup]
    kinds = sorted({k for _, _, k in outcomes})
    return {
        "n": len(outcomes),
        "false_accept": sum(a for a, _ in bad) / len(bad) if bad else 0.0,
        "false_reject": sum(not a for a, _ in good) / len(good) if good else 0.0,
        "errors_by_kind": {k: sum(acc != sup for sup, acc, kk in outcomes if kk == k) for k in kinds},
    }

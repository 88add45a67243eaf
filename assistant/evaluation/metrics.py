"""Metrics over result records (one per item and model), as defined in evals/README.md.

Everything is computed from what `results.jsonl` holds, so anyone can re-score a results file:
the answer text (sentences and their `[¶n]` markers) and the cited paragraphs' texts.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from typing import Any

import numpy as np

from assistant.evaluation.judge import Judge

RATE_METRICS = [
    "decision_accuracy",
    "accuracy",
    "right_document",
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


def _says(text: str, phrase: str) -> bool:
    """The phrase where a word starts: "7" is not found in "17", nor "no" in "know". A short word or a
    number must also end there ("no" is not in "note"); a longer word may go on into its own forms
    ("delay" in "delays", "cost" in "costs"), so a right answer is not failed for its grammar."""
    phrase = phrase.lower()
    closed = len(phrase) <= 3 or phrase[-1:].isdigit()
    end = r"(?!\w)" if closed else ""
    return re.search(rf"(?<!\w){re.escape(phrase)}{end}", text) is not None


def is_correct(record: dict[str, Any]) -> bool:
    """Answerable: answered, every must_include and one any_of present, no must_not_include."""
    text = record.get("answer", "").lower()
    if any(_says(text, s) for s in record.get("must_not_include", [])):
        return False
    if not record["answerable"]:
        return record.get("status") == "not_found"
    return (
        record.get("status") == "answered"
        and all(_says(text, s) for s in record.get("must_include", []))
        and (not record.get("any_of") or any(_says(text, s) for s in record["any_of"]))
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


def right_document(record: dict[str, Any]) -> bool:
    """Answered, citing a paragraph of a gold document (the meeting asked about, not its twin)."""
    docs = {g.get("doc") for g in record["gold"]}
    return record.get("status") == "answered" and any(
        c["doc"] in docs or not all(docs) for c in record.get("citations", [])
    )


def invented_facts(record: dict[str, Any]) -> int:
    """Numbers and capitalised names in the answer that no cited paragraph (nor its document's title)
    states: what a model made up and the pipeline let through. Shares no code with the verifier."""
    if record.get("status") != "answered":
        return 0
    cited = " ".join(c.get("text", "") + " " + c.get("title", "") for c in record.get("citations", []))
    known = set(re.findall(r"\w+", cited.lower()))
    answer = re.sub(r"\[[^\]]*\]", " ", record.get("answer", ""))
    tokens = [t for t in re.findall(r"\w+(?:[.,]\d+)*", answer) if t[0].isdigit() or t[0].isupper()]
    first = {m.group(1) for m in re.finditer(r"(?:^|[.!?:]\s+)(\w+)", answer)}
    return sum(
        1
        for t in dict.fromkeys(tokens)
        if t not in first and not {w for w in re.findall(r"\w+", t.lower())} <= known
    )


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
        scores["right_document"] = right_document(record)
        if record.get("status") == "answered":
            scores["cited_gold"] = cited_gold(record)
    scores["invented_facts"] = invented_facts(record)
    return scores


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


BOOTSTRAP_SAMPLES = 1000


def interval(values: list[float], samples: int = BOOTSTRAP_SAMPLES) -> list[float]:
    """95 % percentile-bootstrap interval of a mean (seeded: a report is reproducible)."""
    if not values:
        return [0.0, 0.0]
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(0)
    means = data[rng.integers(0, len(data), size=(samples, len(data)))].mean(axis=1)
    return [round(float(np.percentile(means, 2.5)), 3), round(float(np.percentile(means, 97.5)), 3)]


def _per_item(records: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Each headline rate as the per-item values it is the mean of."""
    answerable = [r for r in records if r["answerable"]]
    refused = [r for r in records if r.get("status") == "not_found"]
    return {
        "decision_accuracy": [float(r["scores"]["correct"]) for r in records],
        "accuracy": [float(r["scores"]["correct"]) for r in answerable],
        "false_refusal_rate": [float(r.get("status") == "not_found") for r in answerable],
        "refusal_recall": [float(r.get("status") == "not_found") for r in records if not r["answerable"]],
        "refusal_precision": [float(not r["answerable"]) for r in refused],
        "right_document": [
            float(r["scores"]["right_document"]) for r in answerable if "right_document" in r["scores"]
        ],
        "cited_gold": [float(r["scores"]["cited_gold"]) for r in records if "cited_gold" in r["scores"]],
        "hit_at_k": [r["scores"]["hit_at_k"] for r in answerable if "hit_at_k" in r["scores"]],
    }


def by_kind(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Share of right decisions per kind label, with its interval: whatever kinds a dataset uses."""
    groups: dict[str, list[float]] = defaultdict(list)
    for r in records:
        groups[r.get("kind") or "unlabelled"].append(float(r["scores"]["correct"]))
    return {
        kind: {"n": len(v), "correct": round(sum(v) / len(v), 3), "interval": interval(v)}
        for kind, v in sorted(groups.items())
    }


# Where a wrong decision was lost, stage by stage (`where_lost`): what to improve first.
STAGES = (
    "right",
    "refused, though answerable",
    "answering paragraph not retrieved",
    "retrieved, not cited",
    "cited, answer not stated",
    "answered wrong, no gold paragraph",
    "unanswerable, answered",
)


def stage(record: dict[str, Any]) -> str:
    """The first stage at which an item went wrong (`STAGES`), read from its scores: a refusal, the
    answering paragraph outside the retrieved top k, retrieved but another paragraph cited, or the
    right paragraph cited without the answer's words (another sentence of it, or a span of it)."""
    s = record["scores"]
    if s["correct"]:
        return "right"
    if not record["answerable"]:
        return "unanswerable, answered"
    if record.get("status") != "answered":
        return "refused, though answerable"
    if "hit_at_k" not in s:
        return "answered wrong, no gold paragraph"
    if not s["hit_at_k"]:
        return "answering paragraph not retrieved"
    return "cited, answer not stated" if s.get("cited_gold") else "retrieved, not cited"


def where_lost(records: list[dict[str, Any]]) -> dict[str, int]:
    """How many items end at each stage (`STAGES`, in order; every stage listed)."""
    counts = dict.fromkeys(STAGES, 0)
    for r in records:
        counts[stage(r)] += 1
    return counts


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
    per_item = _per_item(records)
    return {
        "n": len(records),
        "decision_accuracy": statistics.fmean(per_item["decision_accuracy"]) if records else 0.0,
        "right_document": statistics.fmean(per_item["right_document"]) if per_item["right_document"] else 0.0,
        "invented_facts": sum(r["scores"].get("invented_facts", 0) for r in records),
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
        "by_kind": by_kind(records),
        "where_lost": where_lost(records),
        "intervals": {name: interval(values) for name, values in per_item.items()},
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

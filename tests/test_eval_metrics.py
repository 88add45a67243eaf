"""Metrics on hand-made results with known answers, and dataset validation."""

import json
from pathlib import Path

import pytest

from assistant.errors import UserError
from assistant.evaluation.dataset import load
from assistant.evaluation.judge import Judge
from assistant.evaluation.metrics import RATE_METRICS, aggregate, score_record, verifier_rates
from tests.conftest import P9, P15

JUDGE = Judge(embed=None)


def record(
    answer,
    citations,
    answerable=True,
    status="answered",
    must=("2254",),
    gold=(9,),
    retrieved=(9, 15),
    source="model",
):
    from assistant.grounding.citations import parse

    r = {
        "model": "m",
        "id": "x",
        "answerable": answerable,
        "status": status,
        "answer": answer,
        "citations": [{"doc": "d", "paragraph": n, "text": t} for n, t in citations],
        "must_include": list(must),
        "any_of": [],
        "gold": [{"doc": "d", "paragraph": g} for g in gold],
        "sentences": [
            {"text": s.text, "paragraphs": s.paragraphs, "docs": ["d"] * len(s.paragraphs), "source": source}
            for s in parse(answer)
        ]
        if status == "answered"
        else [],
        "retrieved": [["d", n] for n in retrieved],
        "timings_ms": {"total": 100.0},
        "kind": "fact",
    }
    r["scores"] = score_record(r, JUDGE, 3)
    return r


def test_perfect_run_scores_one():
    good = record("The settlement follows UN Security Council Resolution 2254 [¶9].", [(9, P9)])
    refusal = record("The documents do not say.", [], answerable=False, status="not_found", must=(), gold=())
    m = aggregate([good, refusal])
    for metric in RATE_METRICS:
        assert m[metric] == 1.0, metric


def test_uncited_answer_scores_zero_citation_recall():
    m = aggregate([record("The settlement follows UN Security Council Resolution 2254.", [(9, P9)])])
    assert m["citation_recall"] == 0.0 and m["groundedness"] == 0.0
    assert m["accuracy"] == 1.0  # the fact is there, it is just not cited


def test_wrong_paragraph_lowers_precision():
    one_wrong = record("The settlement follows UN Security Council Resolution 2254 [¶15].", [(15, P15)])
    assert aggregate([one_wrong])["citation_precision"] == 0.0
    extra = record(
        "The settlement follows UN Security Council Resolution 2254 [¶9][¶15].", [(9, P9), (15, P15)]
    )
    scores = extra["scores"]
    assert scores["citation_recall"] == 1.0 and scores["citation_precision"] == 0.5


def test_refusal_on_answerable_item_is_a_false_refusal():
    m = aggregate(
        [
            record("The documents do not say.", [], status="not_found"),
            record("x", [], answerable=False, status="answered", must=(), gold=()),
        ]
    )
    assert m["false_refusal_rate"] == 1.0 and m["accuracy"] == 0.0
    assert m["refusal_recall"] == 0.0 and m["refusal_precision"] == 0.0


def test_retrieval_mrr_uses_the_first_gold_rank():
    r = record("Resolution 2254 [¶9].", [(9, P9)], retrieved=(4, 7, 9))
    assert r["scores"]["hit_at_k"] == 1.0 and abs(r["scores"]["mrr"] - 1 / 3) < 1e-9


def test_a_quotation_of_the_wrong_paragraph_is_seen_by_cited_gold():
    """A quotation always supports itself; only the gold check can see it answers from the wrong place."""
    quote = record("“The Ministers also confirmed their intent” [¶15].", [(15, P15)], must=(), source="quote")
    m = aggregate([quote])
    assert m["citation_precision"] == 1.0 and m["cited_gold"] == 0.0 and m["quoted_share"] == 1.0


def test_verifier_rates():
    rates = verifier_rates([(True, True, "a"), (True, False, "a"), (False, True, "b"), (False, False, "b")])
    assert rates["false_accept"] == 0.5 and rates["false_reject"] == 0.5 and rates["n"] == 4


def test_judge_rejects_invented_numbers_and_unrelated_claims():
    assert JUDGE.supports("The next meeting will be in Italy [¶15].", P15)
    assert not JUDGE.supports("Resolution 2255 guides the settlement.", P9)
    assert not JUDGE.supports("Troops were deployed to Mosul.", P9)


def test_malformed_line_fails_with_its_line_number(tmp_path: Path):
    path = tmp_path / "bad.jsonl"
    good = {"id": "a", "question": "q?", "answerable": True}
    path.write_text(json.dumps(good) + "\n" + "{not json\n")
    with pytest.raises(UserError, match=r"bad.jsonl:2: not valid JSON"):
        load(path)
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({"id": "b", "question": "q"}) + "\n")
    with pytest.raises(UserError, match=r"bad.jsonl:3: missing required field 'answerable'"):
        load(path)


def test_shipped_datasets_are_valid_split_and_cover_every_kind():
    evals = Path(__file__).resolve().parent.parent / "evals"
    items = load(evals / "seed.jsonl").items
    assert len(items) >= 50
    test = load(evals / "seed_test.jsonl").items
    assert len(test) >= 30 and {i.split for i in test} == {"test"}
    collection = load(evals / "collection.jsonl")
    assert len(collection.items) >= 40 and {i.split for i in collection.items} == {"dev", "test"}
    assert all(g.doc for i in collection.items for g in i.gold)
    claims = load(evals / "verification.jsonl").claims
    assert len(claims) >= 300 and {c.supported for c in claims} == {True, False}
    kinds = {i.kind for i in items}
    assert {
        "fact",
        "paraphrase",
        "two_paragraph",
        "follow_up",
        "unanswerable",
        "out_of_scope",
        "injection",
    } <= kinds


def test_any_kind_label_is_accepted_and_gold_is_found_by_its_quote(tmp_path):
    from assistant.corpus import Paragraph
    from assistant.evaluation.dataset import resolve

    path = tmp_path / "mine.jsonl"
    line = {"id": "a", "question": "Q?", "answerable": True, "kind": "factoid",
            "gold": [{"doc": "d.txt", "quote": "Seventeen   varieties of quince"}]}  # fmt: skip
    path.write_text(json.dumps(line) + "\n")
    data = load(path)
    assert data.items[0].kind == "factoid" and data.items[0].gold[0].paragraph == 0
    paragraphs = [
        Paragraph("d.txt", 1, "Orchard news", 0, 1, "x"),
        Paragraph("d.txt", 2, "The orchard grows seventeen varieties of quince.", 0, 1, "y"),
    ]
    resolve(data, paragraphs)
    assert data.items[0].gold[0].paragraph == 2
    line["gold"] = [{"doc": "d.txt", "paragraph": 1, "quote": "seventeen varieties"}]  # the wrong ¶
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(UserError, match="lacks"):
        resolve(load(path), paragraphs)


def test_decision_accuracy_right_document_and_intervals():
    from assistant.evaluation.metrics import interval

    right = record("Resolution 2254 [¶9].", [(9, P9)])
    wrong_doc = record("Resolution 2254 [¶9].", [(9, P9)])
    wrong_doc["citations"][0]["doc"] = "other"
    refused = record("", [], answerable=False, status="not_found", gold=())
    for r in (right, wrong_doc, refused):
        r["scores"] = score_record(r, JUDGE, 3)
    m = aggregate([right, wrong_doc, refused])
    assert m["decision_accuracy"] == pytest.approx(1.0)  # both answers hold "2254"; the refusal is right
    assert m["right_document"] == pytest.approx(0.5)  # one of them cites a paragraph of another document
    low, high = m["intervals"]["right_document"]
    assert 0.0 <= low <= 0.5 <= high <= 1.0
    assert interval([1.0] * 10) == [1.0, 1.0]
    wide, narrow = interval([0.0, 1.0] * 10), interval([0.0, 1.0] * 200)
    assert wide[1] - wide[0] > narrow[1] - narrow[0] > 0  # more items, a narrower interval
    assert m["by_kind"]["fact"]["n"] == 3


def test_invented_facts_counts_numbers_and_names_no_citation_states():
    honest = record("Resolution 2254 guides it [¶9].", [(9, P9)])
    invented = record("Resolution 2254 and Resolution 9999 were adopted in Geneva [¶9].", [(9, P9)])
    assert score_record(honest, JUDGE, 3)["invented_facts"] == 0
    assert score_record(invented, JUDGE, 3)["invented_facts"] == 2  # 9999 and Geneva


def test_a_verdict_is_matched_as_a_word_not_inside_another():
    """A yes/no item whose answer is "no" is not answered by "Yes: … not … in November"."""
    wrong = record("Yes: the Fund was not wound up in November [¶9].", [(9, P9)], must=("no",))
    right = record("No: the Fund was not wound up [¶9].", [(9, P9)], must=("no",))
    assert not wrong["scores"]["correct"]
    assert right["scores"]["correct"]


def test_an_answer_string_is_matched_where_a_word_starts():
    """ "7" is not in "17"; "cost" is in "costs" (a right answer is not failed for its grammar)."""
    assert not record("Seventeen members, 17 in all [¶9].", [(9, P9)], must=("7",))["scores"]["correct"]
    assert not record("We take note of it [¶9].", [(9, P9)], must=("no",))["scores"]["correct"]
    assert record("Owing to testing costs [¶9].", [(9, P9)], must=("cost",))["scores"]["correct"]


def test_where_lost_names_the_first_stage_that_went_wrong():
    from assistant.evaluation.metrics import STAGES, where_lost

    right = record("Resolution 2254 [¶9].", [(9, P9)])
    refused = record("The documents do not say.", [], status="not_found")
    not_retrieved = record("Resolution 2254 [¶15].", [(15, P15)], must=("9999",), retrieved=(4, 7, 15))
    other_cited = record("The Ministers confirmed their intent [¶15].", [(15, P15)], must=("9999",))
    wrong_sentence = record("The settlement follows a resolution [¶9].", [(9, P9)], must=("9999",))
    answered_unanswerable = record("x", [], answerable=False, status="answered", must=(), gold=())
    counts = where_lost([right, refused, not_retrieved, other_cited, wrong_sentence, answered_unanswerable])
    assert list(counts) == list(STAGES) and sum(counts.values()) == 6
    assert counts == {
        "right": 1,
        "refused, though answerable": 1,
        "answering paragraph not retrieved": 1,
        "retrieved, not cited": 1,
        "cited, answer not stated": 1,
        "answered wrong, no gold paragraph": 0,
        "unanswerable, answered": 1,
    }
    assert aggregate([right, refused])["where_lost"]["refused, though answerable"] == 1


def test_the_report_lists_items_whose_model_sentence_the_verifier_failed_on(tmp_path):
    """The pipeline drops such a sentence and goes on (tests/test_verify.py); the bug must still show."""
    import json as _json

    from assistant.evaluation.metrics import aggregate, by_split
    from assistant.evaluation.report import write_report
    from assistant.grounding.ground import VERIFIER_FAILED

    base = {"model": "m", "split": "dev", "kind": "fact", "question": "Q?", "history": [], "answerable": True,
            "gold": [], "status": "answered", "answer": "A [¶1].", "citations": [], "sentences": [],
            "timings_ms": {"total": 1.0}, "answer_tokens": 3, "retrieved": [],
            "scores": {"correct": True, "grounded": 1.0}}  # fmt: skip
    records = [
        {**base, "id": "ok-1", "notes": []},
        {**base, "id": "bug-1", "notes": [f"dropped model sentence 'X': {VERIFIER_FAILED} (KeyError: 'h')"]},
    ]
    result = {"models": {"m": {**aggregate(records), "splits": by_split(records)}}}
    write_report(_json.loads(_json.dumps(result)), records, ["d.jsonl"], 3, tmp_path / "r.md", None)
    text = (tmp_path / "r.md").read_text()
    assert (
        "verifier failed on a model sentence of 1 items" in text
        and "`bug-1`" in text
        and "`ok-1`" not in text
    )

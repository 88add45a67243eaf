"""What the pipeline does with a capable model's output, good and bad, through a real HTTP server:
faithful short answers are kept as written, corrupted facts never reach the user, and a model that
declines or babbles is visible in the results (so a broken backend fails these tests)."""

from __future__ import annotations

import re

import pytest

from assistant.pipeline import Assistant
from assistant.text import strip_markers
from tests.scripted_model import load_table, scripted_model

pytestmark = pytest.mark.slow
ROWS = load_table()


def _run(settings, behaviour: str) -> list[tuple[dict, object]]:
    with scripted_model(behaviour) as server:
        host, port = server.server_address
        bot = Assistant(settings=settings, model="scripted", base_url=f"http://{host}:{port}/v1")
        return [(row, bot.ask(row["question"])) for row in ROWS]


@pytest.fixture(scope="module")
def faithful(settings):
    return _run(settings, "faithful")


def _norm(text: str) -> str:
    return " ".join(strip_markers(text).lower().split())


def test_faithful_answers_are_kept_as_written(faithful):
    kept = [
        row
        for row, answer in faithful
        if all(s.source == "model" for s in answer.sentences)
        and _norm(answer.answer) == _norm(row["faithful"])
    ]
    assert len(kept) / len(ROWS) >= 0.85, [
        (r["faithful"], a.answer, a.notes) for r, a in faithful if r not in kept
    ]


def test_faithful_answers_are_right_and_cite_a_right_paragraph(faithful):
    right = sum(
        a.status == "answered" and all(m.lower() in a.answer.lower() for m in r["must_include"])
        for r, a in faithful
    )
    cited = sum(bool({c.paragraph for c in a.citations} & set(r["gold_paragraphs"])) for r, a in faithful)
    # The calibrated refusal (at most 5 % false refusals on dev) now guards generative answers too:
    # 27 of 30 answered here.
    assert right / len(ROWS) >= 0.85 and cited / len(ROWS) >= 0.85


def test_corrupted_facts_never_reach_the_user(settings):
    results = _run(settings, "corrupted")
    leaked = [
        (row["corrupted"], answer.answer)
        for row, answer in results
        if row["wrong_fact"].lower() in answer.answer.lower()
    ]
    assert len(leaked) <= 1, leaked
    # Not by saying nothing: the corrupted sentence gives way to the evidence, which still answers.
    answered = [a for _, a in results if a.status == "answered"]
    assert len(answered) / len(results) >= 0.8, [(a.answer, a.notes) for _, a in results]


def test_a_declining_model_is_refused_not_papered_over(settings):
    answers = [a for _, a in _run(settings, "decline")]
    assert all(a.status == "not_found" for a in answers)
    # Each refusal says why: the model found no answer, or the gate saw none before asking it.
    assert all(re.search(r"no answer|do not seem", " ".join(a.notes)) for a in answers)


def test_garbage_is_never_shown_as_a_model_sentence(settings):
    for _, answer in _run(settings, "garbage"):
        assert "lorem" not in answer.answer and not any(s.source == "model" for s in answer.sentences)


def test_a_yes_no_answer_without_its_verdict_gets_the_evidence_verdict(settings):
    """A true sentence that says neither yes nor no leaves the question open: the extract answers."""
    rows = [r for r in ROWS if r.get("partial")]
    with scripted_model("partial") as server:
        host, port = server.server_address
        bot = Assistant(settings=settings, model="scripted", base_url=f"http://{host}:{port}/v1")
        answers = [bot.ask(row["question"]) for row in rows]
    assert answers and all(re.match(r"(Yes|No)\b", a.answer) for a in answers), answers
    assert all("neither yes nor no" in " ".join(a.notes) for a in answers)

"""Parsing, verification and repair on crafted model outputs (no model needed)."""

import pytest

from assistant.evidence import EvidenceSentence, best_quote
from assistant.ground import highlights, parse, render, verify
from tests.conftest import P9, P15, SEEDS


def test_parse_sentences_and_markers():
    got = parse("Resolution 2254 guides it [¶9]. The next meeting is in Italy [¶15][¶9]. Uncited claim.")
    assert [(s.text, s.paragraphs) for s in got] == [
        ("Resolution 2254 guides it.", [9]),
        ("The next meeting is in Italy.", [15, 9]),
        ("Uncited claim.", []),
    ]
    assert parse("[¶7] Marker first")[0].paragraphs == [7]
    assert parse("Two at once [¶3, ¶4].")[0].paragraphs == [3, 4]


def test_faithful_paraphrase_is_supported():
    assert verify("The Coalition supports a political settlement under Resolution 2254.", [P9]).ok


def test_invented_number_fails():
    support = verify("The settlement follows Resolution 2255.", [P9])
    assert not support.ok and "2255" in support.missing


def test_invented_name_fails():
    support = verify("Minister Rossi will host the next meeting in Italy.", [P15])
    assert not support.ok and support.reason.startswith("name")


def test_right_fact_wrong_paragraph_fails_there_and_passes_where_it_belongs():
    claim = "The next full ministerial meeting will be held in Italy."
    assert not verify(claim, [P9]).ok
    assert verify(claim, [P15]).ok


def test_unsupported_content_fails_threshold():
    support = verify("The Coalition deployed troops and aircraft to protect oil fields.", [P9])
    assert not support.ok and support.score < 0.8


def test_render_puts_markers_before_the_full_stop():
    assert render("It is Resolution 2254.", [9]) == "It is Resolution 2254 [¶9]."
    assert render("“A quote”", [15]) == "“A quote” [¶15]."


def test_highlights_mark_the_supporting_words():
    spans = highlights("Resolution 2254 guides the settlement", P9)
    marked = " ".join(P9[a:b] for a, b in spans)
    assert "Resolution 2254" in marked and "settlement" in marked


def test_quote_trims_long_sentences_to_the_relevant_clauses():
    from assistant.corpus import find_documents, read_document

    p2 = read_document(find_documents([SEEDS])[0])[1]
    long = EvidenceSentence(p2, 0, p2.text.split(". ")[0] + ".", 0.5, 0.5, 1.0)
    quote = best_quote("Who invited the foreign ministers?", long)
    assert len(quote.split()) <= 42 and "Di Maio" in quote and quote.startswith("“")


@pytest.mark.parametrize(
    "draft,expected_source",
    [
        ("Resolution 2254 guides a lasting political settlement in Syria [¶9].", "model"),
        ("The settlement follows Resolution 2301 [¶9].", "quote"),  # invented number
        ("Resolution 2254 guides a lasting political settlement in Syria.", "model"),  # uncited: re-attached
        (
            "Resolution 2254 guides a lasting political settlement in Syria [¶15].",
            "model",
        ),  # wrong ¶: re-attached
        (
            "In Syria a lasting political settlement accords with UN Security Council Resolution 2254 [¶4].",
            "model",
        ),  # ¶4 not retrieved: re-attached
        ("The ministers discussed many topics [¶9].", "quote"),  # supported-ish but says nothing new
        ("NOT FOUND", "quote"),
    ],
)
def test_grounding_repairs_crafted_drafts(assistant, draft, expected_source):
    question = "Which Security Council resolution guides a political settlement in Syria?"
    evidence = assistant._evidence(question, question)
    notes: list[str] = []
    sentences = assistant._ground(question, draft, evidence, notes, injected=False)
    assert sentences, notes
    assert sentences[0].source == expected_source, notes
    assert sentences[0].paragraphs == [9]
    assert "2254" in sentences[0].text and sentences[0].text.rstrip().endswith("[¶9].")

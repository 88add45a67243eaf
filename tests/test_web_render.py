"""The chat window's HTML, without a server: what each answer and source shows."""

from assistant.answer import Answer, AnswerSentence, Citation
from assistant.web import document_choices, render_answer, render_collection, render_sources


def _answer(question="Where is the meeting?", rewritten="", status="answered", date=""):
    sentence = AnswerSentence("It is in Italy [¶15].", [15], "quote", 1.0, "a.txt", ["a.txt"])
    return Answer(
        question=question,
        status=status,
        answer="It is in Italy [¶15]." if status == "answered" else "The documents do not say.",
        citations=[Citation("a.txt", 15, "The meeting is in Italy.", "Statement", date)]
        if status == "answered"
        else [],
        model="embedded",
        timings_ms={"retrieve": 1, "generate": 2, "total": 3},
        sentences=[sentence] if status == "answered" else [],
        rewritten_question=rewritten or question,
    )


def test_the_rewrite_is_shown_only_when_the_question_was_read_as_a_follow_up():
    alone = render_answer(_answer(), show_rewrite=True)
    assert "follow-up" not in alone and "Understood" not in alone
    follow = _answer("Where?", "Where? (following: When did they meet?)")
    assert "Read as a follow-up to: When did they meet?" in render_answer(follow, show_rewrite=True)
    assert "follow-up" not in render_answer(follow, show_rewrite=False)


def test_a_document_without_a_date_says_undated():
    assert "(undated)" in render_sources(_answer())
    assert "(2 May 2022)" in render_sources(_answer(date="2 May 2022"))
    rows = [{"id": "a.txt", "title": "Statement", "paragraphs": 3}]
    assert "undated" in render_collection(rows)
    assert document_choices(rows)[1] == ("Statement (undated)", "a.txt")


def test_a_refusal_names_the_document_filter_and_quotes_read_as_quotes():
    refusal = render_answer(_answer(status="not_found"), only="report.md")
    assert "Searched report.md only" in refusal
    assert "Searched" not in render_answer(_answer(status="not_found"))
    assert "Searched" not in render_answer(_answer(), only="report.md")
    shown = render_answer(_answer())
    assert 'class="quote"' in shown and 'class="cite"' in shown
    assert "Back to the answer" in render_sources(_answer())

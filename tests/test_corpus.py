from pathlib import Path

import pytest

from assistant.corpus import find_documents, read_document, split_sentences, split_text
from assistant.errors import UserError
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def paragraphs():
    (doc,) = find_documents([SEEDS])
    return read_document(doc)


def test_seed_has_sixteen_numbered_paragraphs(paragraphs):
    assert len(paragraphs) == 16
    assert [p.number for p in paragraphs] == list(range(1, 17))
    assert "2254" in paragraphs[8].text and paragraphs[8].number == 9
    assert paragraphs[0].doc == "000_932768985d274d7c"


def test_boilerplate_is_flagged_but_keeps_its_number(paragraphs):
    assert {p.number for p in paragraphs if p.boilerplate} == {1, 5, 11, 16}
    assert paragraphs[4].text == paragraphs[10].text  # the repeated photo caption


def test_offsets_and_hashes_point_back_into_the_file(paragraphs):
    text = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    for p in paragraphs:
        assert text[p.start : p.end] == p.text
    assert len({p.sha for p in paragraphs}) == 15  # the caption repeats verbatim


def test_one_or_two_newlines_both_separate_paragraphs():
    ps = split_text("d", "First line.\nSecond line.\n\n\nThird line.\n")
    assert [p.text for p in ps] == ["First line.", "Second line.", "Third line."]


def test_sentence_split_keeps_abbreviations_together(paragraphs):
    first = split_sentences(paragraphs[1])[0].text
    assert "U.S. Secretary of State Michael R. Pompeo" in first
    assert len(split_sentences(paragraphs[8])) == 2


def test_unreadable_file_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa not utf-8 \x80")
    with pytest.raises(UserError, match="not UTF-8"):
        read_document(bad)
    with pytest.raises(UserError, match="no such file"):
        find_documents([tmp_path / "missing"])

"""Files to Documents, per format, with a library each; bad files are one clear reason."""

from pathlib import Path

import pytest

from assistant.corpus import sentences_of, split_sentences
from assistant.errors import UserError
from assistant.loading import load
from tests.conftest import COLLECTION, ROOT, SEEDS

SEED = next(SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def seed():
    return load(SEED, SEED.name)


def test_seed_has_sixteen_numbered_paragraphs_and_its_headline_as_title(seed):
    assert [p.number for p in seed.paragraphs] == list(range(1, 17))
    assert "2254" in seed.paragraphs[8].text and seed.paragraphs[8].number == 9
    assert seed.id == SEED.name and seed.title.startswith("Joint Communique by Ministers")
    assert seed.date == ""  # it states no year: nothing is guessed


def test_boilerplate_is_flagged_but_keeps_its_number(seed):
    assert {p.number for p in seed.paragraphs if p.boilerplate} == {1, 5, 11, 16}


def test_sentence_split_keeps_abbreviations_together(seed):
    first = split_sentences(seed.paragraphs[1])[0].text
    assert "U.S. Secretary of State Michael R. Pompeo" in first
    assert len(split_sentences(seed.paragraphs[8])) == 2
    # A title before a name is no sentence end ("Hon." as pysbd reads "Dr.").
    assert sentences_of(
        "Held under the chairmanship of Hon. Thabo Mokhesi of Lesotho. It was the fourth."
    ) == [
        "Held under the chairmanship of Hon. Thabo Mokhesi of Lesotho.",
        "It was the fourth.",
    ]


@pytest.mark.parametrize(
    "name,title_word,date,place,count",
    [
        ("2019-tallinn.txt", "First", "2019-05-09", "Tallinn", 11),
        ("2021-split.md", "Second", "2021-06-22", "Split", 15),
        ("2022-gdansk.html", "Third", "2022-03-14", "Gdansk", 11),
        ("2023-valletta.pdf", "Fourth", "2023-10-05", "Valletta", 11),
    ],
)
def test_each_format_gives_title_date_place_and_paragraphs(name, title_word, date, place, count):
    doc = load(COLLECTION / name, name)
    assert title_word in doc.title and doc.paragraphs[0].text == doc.title
    assert (doc.date, doc.place, len(doc.paragraphs)) == (date, place, count)
    assert doc.paragraphs[1].text.startswith(place)


def test_cp1252_text_is_decoded_not_refused():
    doc = load(COLLECTION / "2019-tallinn.txt", "t")
    assert any("Hélène Ménard" in p.text for p in doc.paragraphs)
    assert any("€" in p.text for p in doc.paragraphs)


def test_html_main_text_only():
    doc = load(COLLECTION / "2022-gdansk.html", "g")
    text = " ".join(p.text for p in doc.paragraphs)
    assert "cookies" not in text.lower() and "All rights reserved" not in text and "About us" not in text


def test_pdf_paragraphs_are_rejoined_and_dehyphenated():
    doc = load(COLLECTION / "2023-valletta.pdf", "v")
    text = " ".join(p.text for p in doc.paragraphs)
    assert "accession" in text and "certification" in text and "ac- cession" not in text
    assert all(len(p.text.split()) > 20 for p in doc.paragraphs[1:])  # no paragraph cut at a line end


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("blob.txt", b"\x00\x01\x02\x03binary\x00", "binary"),
        ("empty.txt", b"", "no text"),
        ("scan.pdf", None, "no text layer"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("table.csv", b"a,b\n1,2\n", "unsupported format"),
    ],
)
def test_bad_files_are_one_clear_reason(tmp_path: Path, name, data, reason):
    path = tmp_path / name
    if data is None:
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=200, height=200)
        with path.open("wb") as fh:
            writer.write(fh)
    else:
        path.write_bytes(data)
    with pytest.raises(UserError, match=reason) as info:
        load(path, name)
    assert "\n" not in str(info.value) and name in str(info.value)


def test_encrypted_pdf_is_named_as_such(tmp_path: Path):
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=COLLECTION / "2023-valletta.pdf")
    writer.encrypt(user_password="secret", algorithm="AES-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(UserError, match="encrypted"):
        load(path, "locked.pdf")


def test_docx_paragraphs(tmp_path: Path):
    import docx

    document = docx.Document()
    document.add_heading("Oslo Statement", level=1)
    document.add_paragraph("Oslo, 2 May 2022 — The Ministers met in Oslo and agreed on a plan.")
    path = tmp_path / "oslo.docx"
    document.save(str(path))
    doc = load(path, "oslo.docx")
    assert (doc.title, doc.date, doc.place, len(doc.paragraphs)) == (
        "Oslo Statement",
        "2022-05-02",
        "Oslo",
        2,
    )


HEADERS = {  # dev documents of the eval collection: what their header blocks and datelines say
    "iwcf-2021-coimbra.txt": ("Joint Communique", "Coimbra", "2021-10-14"),
    "molapo-river-basin-forum-2020-maseru.md": ("Chair's Statement", "Maseru", "2020-11-17"),
    "molapo-river-basin-forum-2022-gaborone.docx": ("Joint Statement", "Gaborone", "2022-10-05"),
    "molapo-river-basin-forum-2024-windhoek.txt": ("Chair's Statement", "Windhoek", "2024-09-12"),
    "iwcf-2025-valparaiso.pdf": ("Joint Communique", "Valparaíso", "2025-11-20"),
    "danube-carpathian-resilience-community-2024-council-conclusions.docx": (
        "Council Conclusions",
        "Novi Sad",
        "2024-03-19",
    ),
}


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_header_block_gives_kind_place_and_date(name):
    doc = load(ROOT / "evals" / "communiques" / "dev" / name, name)
    assert (doc.kind, doc.place, doc.date) == HEADERS[name]
    assert doc.title.lower() != doc.kind.lower()  # a kind alone is completed with organisation and session


def test_every_eval_document_has_kind_place_and_date_and_the_seed_is_undated(seed):
    folders = sorted((ROOT / "evals" / "communiques").iterdir()) + [ROOT / "evals" / "collection"]
    for path in sorted(p for f in folders for p in f.iterdir()):
        doc = load(path, path.name)
        assert doc.kind and doc.place and doc.date[:4].isdigit(), path.name
    assert seed.date == ""  # "Thursday 4 June" names no year: the seed says so by being undated


def test_a_header_gives_the_session_a_day_range_and_hyphenated_names_in_capitals(tmp_path: Path):
    # "Seventh" is no ORDINAL entity to spaCy here; "7–9" is one token; "TRANS-SAHARAN" has two words.
    path = tmp_path / "tsfc.md"
    path.write_text(
        "# TRANS-SAHARAN FLYWAY COMMISSION\n\n## Seventh Session of the Commission\n\n"
        "**Saint-Louis, Republic of Senegal, 7–9 November 2023**\n\n## Final Communique\n\n"
        "1. The Seventh Session of the Commission was held in Saint-Louis from 7 to 9 November 2023.\n",
        encoding="utf-8",
    )
    doc = load(path, "tsfc.md")
    assert doc.title == "Final Communique: Trans-Saharan Flyway Commission, Seventh Session of the Commission"
    assert (doc.place, doc.date) == ("Saint-Louis", "2023-11-07")


def test_a_subtitle_between_title_and_dateline_is_header_not_body(tmp_path: Path):
    # A long line with no finite verb and no closing stop is a subtitle: the dateline after it dates the
    # statement (it was dated from a date near its end before, and placed nowhere).
    path = tmp_path / "statement.txt"
    path.write_text(
        "JOINT PRESS STATEMENT\n\nby the Minister of Transport of the Republic of Latvia and the Minister "
        "of Transport and Communications of the Republic of Lithuania on joint inspections of freight "
        "trains at the border crossing\n\nRIGA, 6 February 2024\n\nThe two ministers today signed an "
        "agreement on joint inspections.\n\nThe agreement follows talks held in November 2023.\n",
        encoding="utf-8",
    )
    doc = load(path, "statement.txt")
    assert (doc.place, doc.date) == ("Riga", "2024-02-06")
    assert doc.title.startswith("JOINT PRESS STATEMENT by the Minister of Transport")


def test_an_ordinal_names_the_session_whose_title_counts_it(tmp_path: Path):
    from assistant.corpus import Document
    from assistant.question import analyse

    def titled(title: str) -> Document:
        return Document(
            id=title, title=title, date="", place="", kind="", format="md", path="", sha="", paragraphs=[]
        )

    seventh = titled("Final Communique: Trans-Saharan Flyway Commission, Seventh Session of the Commission")
    eighth = titled("Final Communique: Trans-Saharan Flyway Commission, Eighth Session of the Commission")
    hints = analyse("Which two countries became full members at its seventh session?").hints
    assert hints.match(seventh) and not hints.match(eighth)
    assert analyse("What happened at the 8th session?").hints.match(eighth)
    # An ordinal of another noun names no session: "the first time".
    assert not analyse("Was it the first time the commission met in Africa?").hints.match(seventh)

import shutil
from pathlib import Path

from assistant.config import load_settings
from assistant.index import Store, parse_id, window_texts
from tests.conftest import COLLECTION, SEEDS


def test_ingest_is_idempotent_and_replaces_stale_paragraphs(tmp_path: Path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    store = Store(load_settings(data_dir=tmp_path / "data"))
    first = store.ingest([docs])
    assert (first.documents, first.paragraphs, first.added) == (1, 16, 16)
    second = store.ingest([docs])
    assert (second.added, second.unchanged, second.removed) == (0, 16, 0)
    path = next(docs.glob("*.txt"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("Resolution 2254", "Resolution 9999"), encoding="utf-8"
    )
    third = store.ingest([docs])
    assert (third.added, third.removed, third.unchanged) == (1, 1, 15)
    texts = [p.text for p in store.all_paragraphs() if p.number == 9]
    assert len(texts) == 1 and "9999" in texts[0]


def test_list_items_and_table_rows_are_paragraphs_to_retrieve_in_old_stores_too(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "fund.txt").write_text(
        "Joint Statement of the Rail Council\n\nKaunas, 19 October 2023\n\nJoint Corridor Fund 2024\n\n"
        "Ministers agreed the following contributions to the Fund for 2024:\n\n"
        "Estonia — EUR 3.4 million\n\nPoland — EUR 7.2 million\n\n"
        "Ministers also agreed to:\n\nextend RailPass North to the Riga–Vilnius section;\n\n"
        "Ministers welcomed the first issue of the Council's quarterly newsletter on border crossings, "
        "which reports the average dwell time of freight trains at each of the corridor's border stations, "
        "and invited the railway undertakings of the member countries to subscribe to it free of charge, "
        "so that shippers, customs authorities and infrastructure managers can follow the progress made "
        "towards the target of halving waiting times by 2025.\n\n"
        "This website uses cookies to improve your experience. Accept or opt-out.\n\n"
        "Adopted in Kaunas on 19 October 2023.\n",
        encoding="utf-8",
    )
    store = Store(load_settings(data_dir=tmp_path / "data"))
    store.ingest([docs])
    # A store written before list items counted marks them boilerplate; reading it decides again.
    rows = store.paragraphs.get(where={"window": 0}, include=["metadatas"])
    store.paragraphs.update(
        ids=rows["ids"], metadatas=[{**m, "boilerplate": True} for m in rows["metadatas"]]
    )
    heading = {p.text: p.boilerplate for p in store.all_paragraphs()}
    assert heading["Joint Corridor Fund 2024"] and heading["Kaunas, 19 October 2023"]  # a year is no amount
    assert not heading["Poland — EUR 7.2 million"]
    assert not heading["extend RailPass North to the Riga–Vilnius section;"]
    assert heading["This website uses cookies to improve your experience. Accept or opt-out."]
    assert not next(b for t, b in heading.items() if "quarterly newsletter" in t)


def test_documents_are_records_with_relative_ids_titles_and_dates(tmp_path: Path):
    store = Store(load_settings(data_dir=tmp_path / "data"))
    report = store.ingest([SEEDS, COLLECTION])
    assert report.documents == 6 and not report.skipped
    rows = {r["id"]: r for r in store.sources()}
    assert set(rows) >= {"2022-gdansk.html", "2023-valletta.pdf", "000_932768985d274d7c.txt"}
    gdansk = rows["2022-gdansk.html"]
    assert gdansk["date"] == "2022-03-14" and gdansk["place"] == "Gdansk" and gdansk["paragraphs"] == 11
    assert gdansk["ingested_at"] and gdansk["format"] == "html"


def test_same_file_name_in_two_folders_does_not_collide(tmp_path: Path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "note.txt").write_text(f"Statement {folder}.\nThe ministers met in {folder}.\n")
    store = Store(load_settings(data_dir=tmp_path / "data"))
    store.ingest([tmp_path / "a", tmp_path / "b"])
    assert sorted(r["id"] for r in store.sources()) == ["a/note.txt", "b/note.txt"]


def test_unreadable_file_is_named_and_others_still_load(tmp_path: Path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not a pdf")
    (docs / "picture.png").write_bytes(b"\x89PNG\r\n")
    report = Store(load_settings(data_dir=tmp_path / "data")).ingest([docs])
    assert report.added == 16
    assert sorted(Path(s["path"]).name for s in report.skipped) == ["broken.pdf", "picture.png"]


def test_prune_drops_documents_whose_files_are_gone(tmp_path: Path):
    docs = tmp_path / "docs"
    shutil.copytree(COLLECTION, docs)
    store = Store(load_settings(data_dir=tmp_path / "data"))
    store.ingest([docs])
    (docs / "2024-rome.txt").unlink()
    report = store.ingest([docs], prune=True)
    assert report.pruned == ["2024-rome.txt"]
    assert "2024-rome.txt" not in {r["id"] for r in store.sources()}
    assert not [p for p in store.all_paragraphs() if p.doc == "2024-rome.txt"]


def test_long_paragraphs_are_embedded_as_windows_that_name_their_paragraph(settings):
    long = " ".join(f"Sentence number {i} says something about the meeting." for i in range(40))
    windows = window_texts(long)
    assert len(windows) > 1 and all(len(w.split()) <= 100 for w in windows)
    store = Store(settings)
    hits = store.query(store.embedder.embed(["Resolution 2254 Syria"])[0], 3)
    assert parse_id(hits[0][0]) == ("000_932768985d274d7c.txt", 9)

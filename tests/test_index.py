import shutil
from pathlib import Path

from assistant.config import load_settings
from assistant.index import Store, parse_id
from tests.conftest import SEEDS


def test_ingest_is_idempotent_and_replaces_stale_paragraphs(tmp_path: Path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    store = Store(load_settings(data_dir=tmp_path / "data"))
    first = store.ingest([docs])
    assert (first.documents, first.paragraphs, first.added) == (1, 16, 16)
    second = store.ingest([docs])
    assert (second.added, second.unchanged, second.removed) == (0, 16, 0)
    # Edit one paragraph: exactly that one is replaced.
    path = next(docs.glob("*.txt"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("Resolution 2254", "Resolution 9999"), encoding="utf-8"
    )
    third = store.ingest([docs])
    assert (third.added, third.removed, third.unchanged) == (1, 1, 15)
    texts = [p.text for p in store.all_paragraphs() if p.number == 9]
    assert len(texts) == 1 and "9999" in texts[0]


def test_unreadable_file_is_reported_and_others_still_load(tmp_path: Path):
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    (docs / "broken.txt").write_bytes(b"\xff\xfe\x80\x81")
    report = Store(load_settings(data_dir=tmp_path / "data")).ingest([docs])
    assert report.added == 16
    assert len(report.errors) == 1 and "broken.txt" in report.errors[0]


def test_store_reopens_with_our_embedding_function(settings):
    store = Store(settings)
    assert store.count() == 16
    hits = store.query(store.paragraphs, store.embedder.embed(["Resolution 2254 Syria"])[0], 3)
    assert parse_id(hits[0][0])[:2] == ("000_932768985d274d7c", 9)

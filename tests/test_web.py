"""The chat app, launched for real: API-level through gradio_client, then in headless Chromium."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.web import launch, source_id
from tests.conftest import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SRC9 = source_id("000_932768985d274d7c.txt", 9)


def _text(message: dict) -> str:
    """Chat message content as text (Gradio 6 sends a list of typed parts)."""
    content = message["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


@pytest.fixture(scope="module")
def app_url(assistant):
    port = free_port()
    demo = launch(assistant, port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def test_answer_api_returns_the_answer_object(client):
    data = client.predict(
        "Where will the next full ministerial meeting be held?", "", "embedded", api_name="/answer"
    )
    assert data["status"] == "answered" and "Italy" in data["answer"]
    assert [c["paragraph"] for c in data["citations"]] == [15]


def test_respond_streams_then_shows_the_verified_answer(client):
    # Session state (the conversation's turns) is not part of the API signature.
    job = client.submit(
        "Which Security Council resolution guides a settlement in Syria?",
        [],
        "embedded",
        False,
        "All documents",
        api_name="/respond",
    )
    outputs = list(job)
    assert len(outputs) >= 2, "expected draft updates before the final answer"
    chat, sources, box, raw = outputs[-1]
    final = _text(chat[-1])
    assert 'class="cite"' in final and "[¶9]" in final
    assert f'id="{SRC9}"' in sources and "<mark>" in sources and "Joint Communique" in sources
    assert box == "" and json.loads(raw)["status"] == "answered"


def test_follow_up_resolves_against_the_conversation(client):
    data = client.predict(
        "Which resolution did they cite there?",
        json.dumps(["What did the ministers say about Syria?"]),
        "embedded",
        api_name="/answer",
    )
    assert data["status"] == "answered" and "2254" in data["answer"]
    assert "following" in data["rewritten_question"]


def test_model_switch_takes_effect_on_the_next_question(client):
    with pytest.raises(Exception, match="needs a server"):
        client.predict("Where is the next meeting?", "", "openai-compatible:x", api_name="/answer")
    back = client.predict(
        "Where will the next full ministerial meeting be held?", "", "embedded", api_name="/answer"
    )
    assert back["model"] == "embedded" and back["status"] == "answered"


def test_eight_simultaneous_users_all_get_correct_answers(client):
    questions = [
        "Which Security Council resolution guides a settlement in Syria?",
        "Where will the next full ministerial meeting be held?",
    ] * 4
    expected = ["2254", "Italy"] * 4

    def one(q):
        return client.predict(q, "", "embedded", api_name="/answer")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, questions))
    assert all(r["status"] == "answered" for r in results)
    assert all(e in r["answer"] for r, e in zip(results, expected, strict=True))


def test_refusal_is_shown_plainly_without_sources(client):
    job = client.submit(
        "What is the capital of France?", [], "embedded", False, "All documents", api_name="/respond"
    )
    chat, sources, *_ = list(job)[-1]
    assert "The documents do not say" in _text(chat[-1]) and 'class="cite"' not in _text(chat[-1])
    assert "src-" not in sources


def test_browser_click_on_marker_shows_the_paragraph(app_url, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: scripts/test.sh installs it")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(app_url, wait_until="load")
        page.locator("#question textarea").wait_for(timeout=60_000)
        page.locator("#question textarea").fill(
            "Which Security Council resolution guides a settlement in Syria?"
        )
        page.locator("#send").click()
        marker = page.locator("#chat a.cite").first
        marker.wait_for(timeout=60_000)
        assert marker.inner_text() == "[¶9]"
        marker.click()
        source = page.locator(f"#{SRC9}")
        source.wait_for(timeout=10_000)
        assert "Resolution 2254" in source.inner_text()
        page.wait_for_function(
            f"document.querySelector('#{SRC9}').classList.contains('flash')", timeout=10_000
        )
        assert source.locator("mark").count() >= 1
        page.screenshot(path=str(tmp_path / "screenshot.png"))  # tests never write tracked files
        browser.close()


def test_non_loopback_bind_requires_auth():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "assistant", "chat", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2 and "--auth" in out.stderr and "Traceback" not in out.stderr


def test_served_page_loads_nothing_from_the_internet(app_url):
    import urllib.request

    page = urllib.request.urlopen(app_url, timeout=10).read().decode()
    assert "fonts.googleapis.com" not in page and "googletagmanager" not in page


def test_upload_adds_a_document_and_reports_a_bad_one(client, tmp_path):
    from gradio_client import handle_file

    good = tmp_path / "oslo.md"
    good.write_text(
        "# Oslo Statement\n\nOslo, 2 May 2022 — The Ministers agreed to open a liaison office in Tromsø.\n"
    )
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    collection, _, report = client.predict([handle_file(str(good)), handle_file(str(bad))], api_name="/add")
    assert "Oslo Statement" in collection and "scan.pdf" in report and "Not ingested" in report
    data = client.predict("Where will the liaison office be opened?", "", "embedded", api_name="/answer")
    assert data["status"] == "answered" and "Tromsø" in data["answer"], data

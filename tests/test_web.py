"""The chat app, launched for real: API-level through gradio_client, then in headless Chromium."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.web import EXAMPLES, launch, source_id
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


def _fresh(app_url):
    """A new session: no earlier questions in its conversation state to read a question against."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


def test_refusal_is_shown_plainly_without_sources(app_url):
    job = _fresh(app_url).submit(
        "What is the capital of France?", [], "embedded", False, "All documents", api_name="/respond"
    )
    chat, sources, *_ = list(job)[-1]
    assert "The documents do not say" in _text(chat[-1]) and 'class="cite"' not in _text(chat[-1])
    assert "src-" not in sources and "Searched" not in _text(chat[-1])


def test_refusal_names_the_document_filter(app_url):
    doc = "000_932768985d274d7c.txt"
    job = _fresh(app_url).submit(
        "What is the capital of France?", [], "embedded", False, doc, api_name="/respond"
    )
    chat, *_ = list(job)[-1]
    assert f"Searched {doc} only" in _text(chat[-1])


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SYRIA = "Which Security Council resolution guides a settlement in Syria?"


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("Debian's chromium is missing: scripts/test.sh installs it")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open(browser, app_url, width=1400, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(app_url, wait_until="load")
    page.locator("#question textarea").wait_for(timeout=60_000)
    return page


def _ask(page, question):
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    marker = page.locator("#chat a.cite").first
    marker.wait_for(timeout=60_000)
    return marker


def _in_view(page, selector):
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.bottom > 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_browser_click_on_marker_shows_the_paragraph(app_url, browser, tmp_path):
    page = _open(browser, app_url, 1280)
    marker = _ask(page, SYRIA)
    assert marker.inner_text() == "[¶9]"
    marker.click()
    source = page.locator(f"#{SRC9}")
    source.wait_for(timeout=10_000)
    assert "Resolution 2254" in source.inner_text()
    page.wait_for_function(f"document.querySelector('#{SRC9}').classList.contains('flash')", timeout=10_000)
    assert source.locator("mark").count() >= 1
    page.screenshot(path=str(tmp_path / "screenshot.png"))  # tests never write tracked files
    page.close()


def test_browser_empty_question_is_a_notice_not_an_error(app_url, browser, tmp_path):
    page = _open(browser, app_url)
    page.locator("#send").click()
    page.locator(".toast-body").first.wait_for(timeout=10_000)
    assert "Type a question" in page.locator(".toast-body").first.inner_text()
    page.wait_for_timeout(500)
    assert page.locator(".error").count() == 0, "an error badge or toast is shown"
    assert page.locator("#chat").is_visible() and _in_view(page, "#chat")
    page.screenshot(path=str(tmp_path / "empty.png"))
    page.close()


def test_browser_binary_upload_leaves_the_collection_readable(app_url, browser, tmp_path):
    page = _open(browser, app_url)
    page.locator("#collection-panel").click()
    blob, fake = tmp_path / "blob.bin", tmp_path / "notes.txt"
    blob.write_bytes(bytes(range(256)) * 8)
    fake.write_bytes(b"\x00\x01\x02binary" * 50)
    page.locator("#upload input[type=file]").set_input_files([str(blob), str(fake)])
    page.locator('#upload [aria-label="notes.txt"]').wait_for(timeout=10_000)
    page.locator("#add").click()
    page.wait_for_function(
        "document.querySelector('#added textarea').value.includes('notes.txt')", timeout=60_000
    )
    report = page.locator("#added textarea").input_value()
    assert "Not ingested: blob.bin: unsupported format" in report and "notes.txt: binary file" in report
    assert page.locator(".error").count() == 0, "an error badge or toast is shown"
    collection = page.locator("#collection")
    assert collection.is_visible() and "Joint Communique" in collection.inner_text()
    page.screenshot(path=str(tmp_path / "upload.png"))
    page.close()


CONTRAST = """
(sel) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  return [...document.querySelectorAll(sel)].map((el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    const fg = over(parse(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return [el.className, Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100];
  });
}
"""


def test_browser_answer_text_and_metadata_have_enough_contrast(app_url, browser):
    page = _open(browser, app_url)
    _ask(page, SYRIA)
    page.wait_for_selector("#chat .answer .meta", timeout=60_000)
    measured = []
    for selector in (
        "#chat .answer .model, #chat .answer .quote",
        "#chat .answer a.cite",
        "#chat .answer .meta",
        "#sources .source .text, #sources .source h4, #sources .source small, #sources a.back",
    ):
        found = page.evaluate(CONTRAST, selector)
        assert found, f"nothing matches {selector}"
        measured += found
    low = [(name, ratio) for name, ratio in measured if ratio < 4.5]
    assert not low, f"text below 4.5:1 contrast: {low}"
    cite = page.locator("#chat a.cite").first
    assert cite.evaluate("e => getComputedStyle(e).cursor") == "pointer"
    cite.hover()
    assert "underline" in cite.evaluate("e => getComputedStyle(e).textDecorationLine")
    page.close()


def test_browser_phone_width_citation_and_the_way_back(app_url, browser, tmp_path):
    page = _open(browser, app_url, width=400, height=800)
    top = lambda sel: page.locator(sel).bounding_box()["y"]  # noqa: E731
    assert top("#chat") < top("#sources") < top("#model"), "at 400 px: the conversation, then the sources"
    marker = _ask(page, SYRIA)
    page.wait_for_selector(f"#{SRC9}", timeout=60_000)
    marker.click()
    page.wait_for_function(  # the paragraph in view, the conversation scrolled away
        f"(() => {{ const r = document.querySelector('#{SRC9}').getBoundingClientRect();"
        " const c = document.querySelector('#chat a.cite').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight && c.bottom < 0; })()",
        timeout=10_000,
    )
    page.screenshot(path=str(tmp_path / "phone-source.png"))
    page.locator(f"#{SRC9} a.back").click()
    page.wait_for_function(
        "(() => { const r = document.querySelector('#chat a.cite').getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; })()",
        timeout=10_000,
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page is {width} px wide at a 400 px screen"
    page.screenshot(path=str(tmp_path / "phone-back.png"))
    page.close()


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


def test_upload_adds_a_document_and_reports_a_bad_one(client, assistant, tmp_path):
    from gradio_client import handle_file

    good = tmp_path / "oslo.md"
    good.write_text(
        "# Oslo Statement\n\nOslo, 2 May 2022 — The Ministers agreed to open a liaison office in Tromsø.\n"
    )
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    collection, _, report = client.predict([handle_file(str(good)), handle_file(str(bad))], api_name="/add")
    assert "Oslo Statement" in collection and "scan.pdf" in report and "Not ingested" in report
    uploads = Path(assistant.settings.data_dir) / "uploads"
    assert (uploads / "oslo.md").exists() and not (uploads / "scan.pdf").exists(), "refused files are removed"
    _, _, again = client.predict([handle_file(str(good))], api_name="/add")
    assert "oslo.md: already up to date" in again
    data = client.predict("Where will the liaison office be opened?", "", "embedded", api_name="/answer")
    assert data["status"] == "answered" and "Tromsø" in data["answer"], data


def test_browser_examples_wrap_whole_and_fill_the_box(app_url, browser):
    page = _open(browser, app_url, width=400, height=800)
    buttons = page.locator("#examples button.example")
    assert buttons.all_inner_texts() == EXAMPLES, "every example whole, no ellipsis"
    for button in buttons.all():
        assert button.evaluate("e => e.scrollWidth <= e.clientWidth"), "an example runs off its button"
    buttons.first.click()
    page.wait_for_function(
        f"document.querySelector('#question textarea').value === {json.dumps(EXAMPLES[0])}", timeout=10_000
    )
    page.close()


def test_user_errors_leave_no_traceback_in_the_server_log(client, capfd, tmp_path):
    import logging

    from gradio_client import handle_file

    class Lines(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.INFO)
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    collected = Lines()
    logger = logging.getLogger("assistant.web")
    logger.addHandler(collected)
    capfd.readouterr()
    try:
        with pytest.raises(Exception, match="needs a server"):
            client.predict("Where is the next meeting?", "", "openai-compatible:x", api_name="/answer")
        with pytest.raises(Exception, match="empty"):
            client.predict("   ", "", "embedded", api_name="/answer")
        odd = tmp_path / "photo.png"
        odd.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
        _, _, report = client.predict([handle_file(str(odd))], api_name="/add")
    finally:
        logger.removeHandler(collected)
    assert "photo.png" in report and "unsupported format" in report
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
    lines = collected.lines
    assert len(lines) == 3, lines  # one line per request
    assert lines[0].startswith("answer: not answered (model 'x' needs a server") and "photo.png" in lines[2]

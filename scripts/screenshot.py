"""Make the README's screenshot: the chat window with a cited answer and its source paragraph.

    .venv/bin/python scripts/screenshot.py [OUT.png]    (default docs/screenshot.png; `make screenshot`)

Indexes the seed into a temporary folder, serves the chat window on a free loopback port, asks one
of the example questions in headless Debian Chromium, clicks its first citation and saves the page.
"""

from __future__ import annotations

import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "Which Security Council resolution guides a settlement in Syria?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    from playwright.sync_api import sync_playwright

    from assistant.config import load_settings
    from assistant.index import Store
    from assistant.pipeline import Assistant
    from assistant.web import launch

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp, corpus=[ROOT / "seeds"], models_dir=Path(tmp) / "models")
        Store(settings).ingest([ROOT / "seeds"])
        demo = launch(Assistant(settings=settings), port=port, block=False)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 820})
                page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
                page.locator("#question textarea").fill(QUESTION)
                page.locator("#send").click()
                page.locator("#chat .answer .meta").wait_for(timeout=120_000)
                page.locator("#chat a.cite").first.click()
                page.wait_for_selector("#sources .source.flash", timeout=10_000)
                page.wait_for_timeout(800)  # the smooth scroll settles; the flash stays
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(out))
                browser.close()
        finally:
            demo.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Web pages (trafilatura): the main text without navigation, cookie banners and footers, plus the
page's title and date."""

from __future__ import annotations

from pathlib import Path

from assistant.loading.text import decode


def load(path: Path):  # noqa: ANN201 - returns loading.Extracted
    import trafilatura

    from assistant.loading import Extracted

    page = decode(path.read_bytes())
    result = trafilatura.bare_extraction(
        page,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_formatting=False,
        favor_precision=True,
        deduplicate=False,
    )
    if result is None:
        return Extracted([])
    data = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = data.get("text") or ""
    blocks = [line.strip().lstrip("-•* ").strip() for line in text.splitlines() if line.strip()]
    return Extracted(blocks, title=(data.get("title") or "").strip(), date=(data.get("date") or "")[:10])

"""Plain text in any common encoding (charset-normalizer), split into paragraphs."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from assistant.errors import UserError

# A file is hard-wrapped when most lines sit in blocks of several lines and few lines are long:
# then a paragraph is a blank-line-separated block, not a line.
_WRAP_WIDTH = 100
_WRAPPED_SHARE = 0.6
CHAOS_TIE = 0.01
_COMMON = ["utf_8", "cp1252", "latin_1", "iso8859_15", "cp1250", "utf_16"]


def decode(data: bytes) -> str:
    """UTF-8 first (with or without BOM); otherwise the encoding charset-normalizer finds most likely."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise UserError("binary file, not text (no known text encoding fits)")
    # Among the encodings that read the bytes as cleanly as the best (chaos within CHAOS_TIE), the
    # more common one: charset-normalizer scores cp1250, cp1252 and cp1257 alike on Western text and
    # may even rank cp775 first on coherence (seen on evals/collection/2019-tallinn.txt, where cp1250
    # turned "è" into "č", and on a cp1252 statement read as cp775, "’" as "Æ").
    least = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= least + CHAOS_TIE] or [best]
    tied.sort(key=lambda m: _COMMON.index(m.encoding) if m.encoding in _COMMON else len(_COMMON))
    return str(tied[0])


def blocks_of(text: str) -> list[str]:
    """Paragraphs of plain text: lines, or blank-line-separated blocks when the text is hard-wrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    lines = [line for b in blocks for line in b.splitlines() if line.strip()]
    if not lines:
        return []
    in_multiline = sum(
        len([x for x in b.splitlines() if x.strip()]) for b in blocks if len(b.splitlines()) > 1
    )
    wrapped = (
        in_multiline / len(lines) >= _WRAPPED_SHARE
        and statistics.quantiles([len(x) for x in lines], n=10)[-1] <= _WRAP_WIDTH
        if len(lines) >= 4
        else False
    )
    if wrapped:
        return [re.sub(r"\s*\n\s*", " ", b).strip() for b in blocks]
    return [line.strip() for line in lines]


def load(path: Path):  # noqa: ANN201 - returns loading.Extracted (import cycle)
    from assistant.loading import Extracted

    return Extracted(blocks_of(decode(path.read_bytes())))

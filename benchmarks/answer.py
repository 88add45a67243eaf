"""Answer latency with the embedded model: cold CLI, warm p50/p95, time to first token.

Run: .venv/bin/python benchmarks/answer.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import load_settings
from assistant.pipeline import Assistant

ROOT = Path(__file__).resolve().parent.parent
ITEMS = [json.loads(line) for line in (ROOT / "evals" / "seed.jsonl").read_text().splitlines()]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ASSISTANT_DATA_DIR": tmp}
        subprocess.run(
            [sys.executable, "-m", "assistant", "ingest"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        cold = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "assistant", "ask", "Where will the next meeting be held?"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            cold.append(time.perf_counter() - t)
        print(
            f"cold `assistant ask` (new process, index built): median {statistics.median(cold):.2f} s "
            f"over {len(cold)} runs"
        )
        bot = Assistant(settings=load_settings(data_dir=tmp))
        t = time.perf_counter()
        bot.warm()
        print(f"warm-up (index, embedder, model load): {time.perf_counter() - t:.2f} s")
        totals, ttft, generate = [], [], []
        for item in ITEMS:
            start = time.perf_counter()
            first = None
            for event in bot.ask_stream(item["question"], item["history"] or None):
                if event.kind == "token" and first is None:
                    first = time.perf_counter() - start
                if event.kind == "answer":
                    totals.append(event.answer.timings_ms["total"])
                    generate.append(event.answer.timings_ms["generate"])
            if first is not None:
                ttft.append(first * 1000)
        print(
            f"warm answer: p50 {statistics.median(totals):.0f} ms, p95 {pct(totals, 0.95):.0f} ms "
            f"(n={len(totals)}; generation p50 {statistics.median(generate):.0f} ms)"
        )
        print(
            f"time to first token: p50 {statistics.median(ttft):.0f} ms, p95 {pct(ttft, 0.95):.0f} ms "
            f"(n={len(ttft)}, questions that reached the model)"
        )


if __name__ == "__main__":
    main()

"""Warm answers idle and beside CPU-bound neighbours: does a busy machine slow answers in proportion
to the CPU it takes, or stall them?

    .venv/bin/python benchmarks/load.py [--neighbours 2] [--questions 8] [--budget 60]

Prints one JSON object: p50 and worst warm answer (ms) idle and while `--neighbours` busy loops
(`while True: pass`) run. The thread settings come from the environment as usual
(`ASSISTANT_LLAMA_THREADS`, `ASSISTANT_LLAMA_BATCH_THREADS`, `ASSISTANT_ONNX_THREADS`). Each phase
stops after `--budget` seconds, so a run takes a minute or two whatever the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Which Security Council resolution guides a settlement in Syria?",
    "Where will the next full ministerial meeting be held?",
    "Who invited the foreign ministers to meet?",
    "How many people have been freed from Daesh/ISIS control?",
]


def phase(bot, n: int, budget: float) -> list[float]:
    times: list[float] = []
    deadline = time.monotonic() + budget
    for i in range(n):
        t0 = time.perf_counter()
        bot.ask(QUESTIONS[i % len(QUESTIONS)])
        times.append((time.perf_counter() - t0) * 1000)
        if time.monotonic() > deadline:
            break
    return times


def summary(times: list[float]) -> dict[str, float]:
    return {"n": len(times), "p50_ms": round(statistics.median(times)), "worst_ms": round(max(times))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neighbours", type=int, default=2, help="CPU-bound busy loops (default 2)")
    parser.add_argument("--questions", type=int, default=8, help="answers per phase (default 8)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per phase at most")
    args = parser.parse_args()
    from assistant.config import load_settings
    from assistant.index import Store
    from assistant.pipeline import Assistant

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp, corpus=[ROOT / "seeds"])
        Store(settings).ingest([ROOT / "seeds"])
        bot = Assistant(settings=settings)
        bot.warm()
        phase(bot, len(QUESTIONS), args.budget)  # every question once: memo and prefix cache warm
        idle = phase(bot, args.questions, args.budget)
        busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.neighbours)]
        try:
            time.sleep(1.0)
            loaded = phase(bot, args.questions, args.budget)
        finally:
            for proc in busy:
                proc.kill()
                proc.wait()
    result = {
        "threads": {
            "llama": settings.llama_threads,
            "llama_batch": settings.llama_batch_threads,
            "onnx": settings.onnx_threads,
        }
        if hasattr(settings, "llama_threads")
        else "library defaults",
        "cores": os.cpu_count(),
        "idle": summary(idle),
        f"beside {args.neighbours} busy loop(s)": summary(loaded),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

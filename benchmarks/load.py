"""Warm answers idle and beside CPU-bound neighbours: does a busy machine slow answers in proportion
to the CPU it takes, or stall them?

    .venv/bin/python benchmarks/load.py [--neighbours 2] [--questions 8] [--budget 60]

Prints one JSON object: p50 and worst warm answer (ms) idle, while `--neighbours` busy loops
(`while True: pass`) run, and in each of two assistant processes answering at the same time (as two
chat processes behind one address would). The thread settings come from the environment as usual
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


def worker(data_dir: str, start: str, n: int, budget: float) -> None:
    """One of the two answering processes: load and warm, say so, wait for the start, answer."""
    from assistant.config import load_settings
    from assistant.pipeline import Assistant

    bot = Assistant(settings=load_settings(data_dir=data_dir, corpus=[ROOT / "seeds"]))
    bot.warm()
    phase(bot, len(QUESTIONS), budget)
    print("ready", flush=True)
    while not Path(start).exists():
        time.sleep(0.05)
    print(json.dumps(phase(bot, n, budget)), flush=True)


def two_processes(data_dir: str, n: int, budget: float) -> list[list[float]]:
    start = Path(data_dir) / "start"
    cmd = [sys.executable, __file__, "--worker", data_dir, str(start), str(n), str(budget)]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) for _ in range(2)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        start.touch()
        return [json.loads(proc.stdout.readline()) for proc in procs if proc.stdout is not None]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
        return
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
        del bot  # its model stays idle in memory; the two processes below do the answering
        pair = two_processes(tmp, args.questions, args.budget)
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
        "two processes answering at once": [summary(times) for times in pair],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

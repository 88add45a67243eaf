"""The `assistant` command. It only parses arguments, calls the core and prints results."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.config import Settings, load_settings
from assistant.errors import UserError


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        getattr(args, "config", None),
        data_dir=getattr(args, "data_dir", None),
        model=getattr(args, "model", None),
        base_url=getattr(args, "base_url", None),
    )


def _print_json(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.index import Store

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or list(settings.corpus)
    progress = (not args.json and sys.stderr.isatty()) or args.progress
    report = Store(settings).ingest(paths, progress=progress, prune=args.prune)
    if args.json:
        _print_json(report.as_dict())
    else:
        print(
            f"{report.documents} document(s), {report.paragraphs} paragraph(s): added {report.added}, "
            f"unchanged {report.unchanged}, removed {report.removed}"
            + (f", pruned {len(report.pruned)} document(s) whose files are gone" if report.pruned else "")
            + f" in {report.seconds:.2f} s"
        )
    for skipped in report.skipped:
        print(f"assistant: not ingested: {skipped['path']}: {skipped['reason']}", file=sys.stderr)
    return 1 if report.skipped else 0


def cmd_sources(args: argparse.Namespace) -> int:
    from assistant.index import Store

    store = Store(_settings(args))
    if args.prune:
        for doc in store.prune():
            print(f"pruned {doc} (its file is gone)", file=sys.stderr)
    rows = store.sources()
    if args.json:
        _print_json({"documents": rows})
        return 0
    if not rows:
        print("no documents yet; add some with `assistant ingest PATH`")
        return 0
    for row in rows:
        where = ", ".join(x for x in (row.get("kind"), row.get("place"), row.get("date") or "undated") if x)
        print(f"{row['id']}  {row.get('title', '')} ({where})")
        print(
            f"    {row.get('paragraphs', 0)} paragraphs · {row.get('format', '')} · ingested {row.get('ingested_at', '')}"
        )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.index import open_store
    from assistant.retrieve import Retriever

    query = _question(args.query)
    if args.k < 1:
        raise UserError("--k must be at least 1")
    retriever = Retriever(open_store(_settings(args), progress=not args.json))
    hits = retriever.search(query, args.k)
    if args.json:
        _print_json(
            {
                "query": query,
                "results": [
                    {
                        "doc": h.paragraph.doc,
                        "title": retriever.document(h.paragraph.doc).title
                        if retriever.document(h.paragraph.doc)
                        else "",
                        "date": retriever.document(h.paragraph.doc).date
                        if retriever.document(h.paragraph.doc)
                        else "",
                        "paragraph": h.paragraph.number,
                        "text": h.paragraph.text,
                        "score": round(h.score, 6),
                        "parts": h.parts,
                    }
                    for h in hits
                ],
            }
        )
    else:
        for rank, h in enumerate(hits, 1):
            doc = retriever.document(h.paragraph.doc)
            print(
                f"{rank}. [¶{h.paragraph.number}] {doc.label if doc else h.paragraph.doc}  score {h.score:.4f}"
            )
            print(f"   {h.paragraph.text}\n")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.pipeline import Assistant

    assistant = Assistant(settings=_settings(args))
    question = assistant.validate(args.question)
    history = args.history or None
    documents = set(args.doc) if args.doc else None
    if documents:
        known = set(assistant.retriever.documents)
        unknown = sorted(documents - known)
        if unknown:
            raise UserError(f"no such document: {', '.join(unknown)} (see `assistant sources`)")
    if args.stream and not args.json:
        answer = None
        print("draft: ", end="", flush=True)
        for event in assistant.ask_stream(question, history, documents=documents):
            if event.kind == "token":
                print(event.text, end="", flush=True)
            else:
                answer = event.answer
        print("\n")
    else:
        answer = assistant.ask(question, history, documents=documents)
    assert answer is not None
    if args.json:
        _print_json(answer.to_dict())
        return 0
    print(answer.answer)
    if answer.citations:
        print("\nSources:")
        for cite in answer.citations:
            print(
                f"  [¶{cite.paragraph}] {cite.title}"
                + (f" ({cite.date})" if cite.date else "")
                + f" · {cite.doc}"
            )
            print(f"      {cite.text}")
    quoted = [s for s in answer.sentences if s.source == "quote"]
    if quoted:
        print(f"\n({len(quoted)} sentence(s) taken word for word from the source, not written by the model)")
    t = answer.timings_ms
    print(
        f"\n[{answer.model} · retrieve {t['retrieve']:.0f} ms · generate {t['generate']:.0f} ms · "
        f"total {t['total']:.0f} ms]",
        file=sys.stderr,
    )
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    import ipaddress

    from assistant.pipeline import Assistant
    from assistant.web import launch

    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            raise UserError("--auth takes USER:PASS")
        auth = (user, password)
    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and auth is None:
        if not args.no_auth:
            raise UserError(
                f"binding {args.host} exposes the assistant to the network: pass --auth USER:PASS "
                "(or --no-auth to accept the risk)"
            )
        print(f"assistant: warning: serving {args.host} without authentication", file=sys.stderr)
    assistant = Assistant(settings=_settings(args))
    print(
        f"assistant: chat on http://{args.host}:{args.port} (model {assistant.settings.model}); Ctrl-C stops",
        file=sys.stderr,
    )
    launch(assistant, host=args.host, port=args.port, auth=auth)
    return 0


def _size(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def cmd_models(args: argparse.Namespace) -> int:
    from assistant.models import gguf
    from assistant.models.embedded import model_path
    from assistant.models.openai_compatible import ollama_models

    settings = _settings(args)
    folder = Path(settings.models_dir).expanduser()
    found, problems = gguf.scan(folder)
    rows = [
        {"name": "embedded", **gguf.read_info(model_path()).as_dict(), "source": "bundled"},
        *({"name": f"gguf:{i.path.name}", **i.as_dict(), "source": "models_dir"} for i in found),
        *(
            {
                "name": f"ollama:{m['name']}",
                "size": m["size"],
                "kind": "chat",
                "context": 0,
                "source": "ollama",
            }
            for m in ollama_models()
        ),
    ]
    if args.json:
        _print_json({"models_dir": str(folder), "models": rows, "unreadable": problems})
    else:
        width = max(len(r["name"]) for r in rows)
        print(f"{'NAME'.ljust(width)}  {'SIZE':>8}  KIND  CONTEXT")
        for r in rows:
            context = f"{r['context']:,}" if r["context"] else "—"
            print(f"{r['name'].ljust(width)}  {_size(r['size']):>8}  {r['kind']:<4}  {context}")
        if not found:
            print(f"\n(no .gguf files in {folder}; put some there or set ASSISTANT_MODELS_DIR)")
    for line in problems:
        print(f"assistant: {line}", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation.metrics import RATE_METRICS
    from assistant.evaluation.runner import run

    settings = _settings(args)
    paths = [Path(p) for p in args.datasets] or sorted(Path("evals").glob("*.jsonl"))
    if not paths:
        raise UserError("no datasets: pass DATASET.jsonl files (none found in evals/)")
    limits = [(*_threshold(spec), 1) for spec in args.min] + [(*_threshold(spec), -1) for spec in args.max]
    models = args.model or [settings.model]
    result = run(
        paths,
        models,
        settings,
        Path(args.out),
        judge_model=args.judge,
        progress=not args.json or sys.stderr.isatty(),
    )
    if args.json:
        _print_json(result)
    else:
        if "verifier" in result:
            for split, v in result["verifier"].items():
                if v["n"]:
                    print(
                        f"verifier ({split}, {v['n']} claims): false accepts {v['false_accept']:.3f}, "
                        f"false rejects {v['false_reject']:.3f}"
                    )
        names = list(result["models"])
        print("metric".ljust(22) + "".join(n[:18].rjust(20) for n in names))
        for metric in (
            "n",
            *RATE_METRICS,
            "quoted_share",
            "answer_words_median",
            "latency_p50_ms",
            "latency_p95_ms",
        ):
            cells = []
            for n in names:
                value, low_high = result["models"][n][metric], result["models"][n]["intervals"].get(metric)
                text = f"{value:.3f}" if isinstance(value, float) else str(value)
                cells.append(f"{text} ±{(low_high[1] - low_high[0]) / 2:.2f}" if low_high else text)
            print(metric.ljust(22) + "".join(c.rjust(20) for c in cells))
        print(f"\nwrote {args.out}/results.jsonl, report.md, chart.png")
    failed = []
    for name, metrics in result["models"].items():
        for split, metric, bound, sign in limits:
            scope = metrics if split is None else metrics["splits"].get(split)
            if scope is None:
                raise UserError(f"no {split!r} items in these datasets, so nothing to gate on")
            if metric not in scope or not isinstance(scope[metric], int | float):
                raise UserError(f"unknown metric {metric!r} in --min/--max")
            if (scope[metric] - bound) * sign < 0:
                where = f"{split} " if split else ""
                failed.append(
                    f"{name}: {where}{metric} {scope[metric]:.3f} {'<' if sign > 0 else '>'} {bound}"
                )
    for line in failed:
        print(f"assistant: eval below threshold: {line}", file=sys.stderr)
    return 1 if failed else 0


def _threshold(spec: str) -> tuple[str | None, str, float]:
    """`METRIC=V` (over all items) or `SPLIT.METRIC=V` (e.g. test.decision_accuracy=0.6)."""
    name, sep, value = spec.partition("=")
    split, dot, metric = name.strip().rpartition(".")
    try:
        if not sep:
            raise ValueError
        return (split if dot else None), metric, float(value)
    except ValueError:
        raise UserError(f"--min/--max take [SPLIT.]METRIC=VALUE, got {spec!r}") from None


def _question(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise UserError(
            "the question is empty; say what you want to know, e.g. "
            'assistant search "Where will the next meeting be held?"'
        )
    return text


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", help="where the index lives (env ASSISTANT_DATA_DIR)")
    p.add_argument("--config", help="TOML settings file (env ASSISTANT_CONFIG; default ./assistant.toml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Answer questions about a document collection, citing the source paragraph [¶n] "
        "for every claim. Runs offline on a laptop CPU.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "ingest",
        help="index documents (default: seeds/); idempotent",
        description="Index .txt, .md, .html/.htm, .pdf and .docx files (folders are searched). A file that "
        "cannot be ingested is named with its reason and the command exits 1; what is stored is kept.",
    )
    p.add_argument("paths", nargs="*", help="files or folders (.txt .md .html .htm .pdf .docx)")
    p.add_argument("--prune", action="store_true", help="also drop documents whose files are gone")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    _add_common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "sources", help="list the documents in the index: title, date, paragraphs, ingest time"
    )
    p.add_argument("--json", action="store_true", help='print {"documents": [{id, title, date, place, ...}]}')
    p.add_argument("--prune", action="store_true", help="drop documents whose files are gone first")
    _add_common(p)
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("search", help="hybrid retrieval only: ranked paragraphs for a query")
    p.add_argument("query", help="what to look for")
    p.add_argument("--k", type=int, default=5, help="how many paragraphs (default 5)")
    p.add_argument(
        "--json", action="store_true", help='print {"query", "results": [{doc, paragraph, text, score}]}'
    )
    _add_common(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with cited, verified sentences")
    p.add_argument("question", help="what you want to know about the documents")
    p.add_argument(
        "--model",
        help="embedded (default), gguf:<file or name in the models folder>, openai:<model>, "
        "ollama:<model>, a model name with --base-url, none (no model), naive:<model> (baseline) "
        "(env ASSISTANT_MODEL; list: `assistant models`)",
    )
    p.add_argument(
        "--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (env ASSISTANT_BASE_URL)"
    )
    p.add_argument(
        "--stream", action="store_true", help="print the draft as it is generated, then the verified answer"
    )
    p.add_argument("--json", action="store_true", help="print the answer object as JSON")
    p.add_argument(
        "--doc",
        action="append",
        metavar="ID",
        help="ask only this document (repeatable; ids: `assistant sources`)",
    )
    p.add_argument(
        "--history",
        action="append",
        metavar="TURN",
        help="an earlier question in the conversation (repeatable, oldest first)",
    )
    _add_common(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="open the chat window (Gradio) in your browser")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--model", help="default model for the chat (the picker can switch)")
    p.add_argument("--base-url", help="OpenAI-compatible server for --model")
    p.add_argument("--auth", help="USER:PASS required to open the app (needed off loopback)")
    p.add_argument("--no-auth", action="store_true", help="allow a non-loopback bind without --auth")
    _add_common(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "models",
        help="list the models you can pass to --model: the embedded one, GGUF files, Ollama's",
        description="The bundled model, each .gguf file in the models folder (ASSISTANT_MODELS_DIR; "
        "default ~/.local/share/assistant/models) with its size, kind (chat: generative mode; base: "
        "extractive) and trained context, and the models of a local Ollama server if one answers.",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print {"models_dir", "models": [{name, path, size, kind, context}]}',
    )
    _add_common(p)
    p.set_defaults(func=cmd_models)

    p = sub.add_parser(
        "eval", help="score models on eval datasets: answers, citations, refusals, retrieval, speed"
    )
    p.add_argument("datasets", nargs="*", help="JSONL datasets (default: evals/*.jsonl)")
    p.add_argument(
        "--model", action="append", help="model to evaluate (repeat to compare; default: the configured one)"
    )
    p.add_argument("--base-url", help="OpenAI-compatible server for non-embedded models")
    p.add_argument("--judge", help="also judge citation support with this model (yes/no prompt)")
    p.add_argument(
        "--out", default="eval-out", help="folder for results.jsonl, report.md, chart.png (default eval-out)"
    )
    p.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="[SPLIT.]METRIC=VALUE",
        help="exit 1 when a metric falls below VALUE (repeatable), e.g. --min test.decision_accuracy=0.6",
    )
    p.add_argument(
        "--max",
        action="append",
        default=[],
        metavar="[SPLIT.]METRIC=VALUE",
        help="exit 1 when a metric rises above VALUE (repeatable), e.g. --max test.false_refusal_rate=0.2",
    )
    p.add_argument("--json", action="store_true", help="print the metrics object as JSON")
    _add_common(p)
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0
    try:
        return func(args)
    except UserError as exc:
        print(f"assistant: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("assistant: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug still gets one line; ASSISTANT_DEBUG=1 shows the traceback
        if os.environ.get("ASSISTANT_DEBUG"):
            raise
        print(
            f"assistant: error: unexpected {type(exc).__name__}: {exc} (ASSISTANT_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())

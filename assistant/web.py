"""The Gradio chat window. It only calls the core (`Assistant`) and renders its Answer objects.

Answers stream in as the model drafts, then the verified answer replaces the draft: `[¶n]`
markers become footnote links, quoted (repaired) sentences are styled apart from model-written
ones, and the sources panel shows each cited paragraph with the supporting words highlighted.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.answer import Answer
from assistant.errors import UserError
from assistant.models import registry
from assistant.pipeline import Assistant

EXAMPLES = [
    "Which Security Council resolution guides a settlement in Syria?",
    "Where will the next full ministerial meeting be held?",
    "Who invited the foreign ministers to meet?",
    "How many people have been freed from Daesh/ISIS control?",
]

# Every text colour keeps at least 4.5:1 contrast against its background, in light and dark themes.
CSS = """
#sources .source { border-left: 3px solid #6366f1; padding: 6px 10px; margin: 8px 0; border-radius: 4px; }
#sources .source.flash { background: #fef9c3; color: #1f2937; border-left-color: #a16207; transition: background .3s; }
#sources .source h4 { margin: 0 0 4px 0; font-size: .9em; }
#sources mark { background: #fde68a; color: #1f2937; padding: 0 1px; }
#sources a.back { display: inline-block; margin-top: 4px; font-size: .85em; color: #1d4ed8; text-decoration: underline; cursor: pointer; }
.answer a.cite { color: #1d4ed8; text-decoration: none; font-weight: 600; cursor: pointer; }
.answer a.cite:hover, .answer a.cite:focus { text-decoration: underline; }
.answer .quote { display: block; font-style: italic; border-left: 3px solid #64748b; padding: 2px 0 2px 10px; margin: 4px 0; }
.answer .not-found { color: #334155; }
.answer .meta, .answer .rewrite, .answer .scope { color: #475569; font-size: .8em; margin-top: 4px; }
.answer .drafting { color: #475569; font-style: italic; }
.dark .answer a.cite, .dark #sources a.back { color: #93c5fd; }
.dark .answer .not-found { color: #e2e8f0; }
.dark .answer .meta, .dark .answer .rewrite, .dark .answer .scope, .dark .answer .drafting { color: #cbd5e1; }
.dark .answer .quote { border-left-color: #94a3b8; }
#examples button.example { white-space: normal; text-align: left; justify-content: flex-start; height: auto; }
/* Phone width: the conversation first, then the sources (above the model and filter controls). */
@media (max-width: 720px) { #sources-heading, #sources { order: -1; } }
"""

# Clicking a marker brings its paragraph into view and flashes it; "Back to the answer" returns to
# the marker last clicked (on a phone the sources sit far below the conversation).
JS = """
() => {
  let lastCite = null;
  document.addEventListener('click', (event) => {
    const back = event.target.closest('#sources a.back');
    if (back) {
      event.preventDefault();
      const to = lastCite && lastCite.isConnected ? lastCite : document.querySelector('#chat');
      if (to) to.scrollIntoView({behavior: 'smooth', block: 'center'});
      return;
    }
    const link = event.target.closest('a.cite');
    if (!link) return;
    event.preventDefault();
    const target = document.getElementById(link.dataset.p);
    if (!target) return;
    lastCite = link;
    target.scrollIntoView({behavior: 'smooth', block: 'center'});
    document.querySelectorAll('#sources .source.flash').forEach((el) => el.classList.remove('flash'));
    target.classList.add('flash');
  }, true);
}
"""


_MARKER = re.compile(r"\[¶(\d+)\]")
ALL_DOCUMENTS = "All documents"
UNDATED = "undated"
# Named in the upload box. Any file is accepted there, so that one of another kind gets the same
# "not ingested: unsupported format" line as `assistant ingest`, not the upload widget's error badge.
FORMATS = ".txt .md .html .pdf .docx"
log = logging.getLogger("assistant.web")


def source_id(doc: str, paragraph: int) -> str:
    """The HTML id of a cited paragraph: documents may share paragraph numbers."""
    return f"src-{hashlib.sha1(doc.encode()).hexdigest()[:8]}-{paragraph}"


def _markers_to_links(escaped: str, docs: list[str]) -> str:
    """Each marker links to its own document's paragraph (the i-th marker, the i-th cited doc)."""
    count = iter(range(10_000))

    def link(m: re.Match[str]) -> str:
        i = next(count)
        target = source_id(docs[min(i, len(docs) - 1)] if docs else "", int(m.group(1)))
        return f'<a class="cite" href="#{target}" data-p="{target}">[¶{m.group(1)}]</a>'

    return _MARKER.sub(link, escaped)


def follow_up_of(answer: Answer) -> str:
    """The earlier question a follow-up was read with; empty when the question stood alone."""
    head, sep, previous = answer.rewritten_question.rpartition(" (following: ")
    return previous.removesuffix(")") if sep and previous.endswith(")") else ""


def render_answer(answer: Answer, show_rewrite: bool = False, only: str = "") -> str:
    """The chat bubble's HTML for a verified answer; `only`: the document the search was limited to."""
    if answer.status == "not_found":
        body = f'<span class="not-found">{html.escape(answer.answer)}</span>'
    else:
        parts = []
        for sentence in answer.sentences:
            text = _markers_to_links(html.escape(sentence.text), sentence.docs or [sentence.doc])
            css = "quote" if sentence.source == "quote" else "model"
            title = "quoted from the source" if css == "quote" else "written by the model, verified"
            parts.append(f'<span class="{css}" title="{title}">{text}</span>')
        body = " ".join(parts)
    t = answer.timings_ms
    meta = (
        f'<div class="meta">{html.escape(answer.model)} · retrieve {t.get("retrieve", 0):.0f} ms · '
        f"generate {t.get('generate', 0):.0f} ms · total {t.get('total', 0):.0f} ms</div>"
    )
    rewrite = scope = ""
    previous = follow_up_of(answer)
    if show_rewrite and previous:
        rewrite = f'<div class="rewrite">Read as a follow-up to: {html.escape(previous)}</div>'
    if only and answer.status == "not_found":
        scope = (
            f'<div class="scope">Searched {html.escape(only)} only; choose “{ALL_DOCUMENTS}” under '
            "<i>Ask</i> to search every document.</div>"
        )
    return f'<div class="answer">{body}{scope}{rewrite}{meta}</div>'


def render_sources(answer: Answer | None) -> str:
    if answer is None or not answer.citations:
        return '<div id="sources-empty">No sources for this answer.</div>' if answer else ""
    blocks = []
    for cite in answer.citations:
        text, out, pos = cite.text, [], 0
        for start, end in cite.highlights:
            out.append(html.escape(text[pos:start]))
            out.append(f"<mark>{html.escape(text[start:end])}</mark>")
            pos = end
        out.append(html.escape(text[pos:]))
        dated = f" ({html.escape(cite.date or UNDATED)})"
        blocks.append(
            f'<div class="source" id="{source_id(cite.doc, cite.paragraph)}" data-paragraph="{cite.paragraph}">'
            f"<h4>[¶{cite.paragraph}] {html.escape(cite.title or cite.doc)}{dated} "
            f"<small>{html.escape(cite.doc)}</small></h4>"
            f'<div class="text">{"".join(out)}</div>'
            '<a class="back" href="#chat">↑ Back to the answer</a></div>'
        )
    return "".join(blocks)


def render_collection(rows: list[dict[str, Any]]) -> str:
    """The sources panel: every document with its title, date and paragraph count."""
    if not rows:
        return '<div class="collection">No documents yet: add some below.</div>'
    items = "".join(
        f'<li data-doc="{html.escape(r["id"])}"><b>{html.escape(r.get("title") or r["id"])}</b>'
        + f" · {html.escape(r.get('date') or UNDATED)}"
        + f" · {r.get('paragraphs', 0)} ¶ <small>{html.escape(r['id'])}</small></li>"
        for r in rows
    )
    return f'<ul class="collection">{items}</ul>'


def document_choices(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(ALL_DOCUMENTS, ALL_DOCUMENTS)] + [
        (f"{r.get('title') or r['id']} ({r.get('date') or UNDATED})", r["id"]) for r in rows
    ]


def build_app(assistant: Assistant) -> Any:
    import gradio as gr

    models = registry.configured(assistant.settings)

    def respond(
        question: str,
        chat: list[dict],
        turns: list[str],
        model: str,
        show_rewrite: bool,
        only: str | None = None,
    ) -> Iterator[tuple[list[dict], str, list[str], str, str]]:
        question = (question or "").strip()
        chat = list(chat or [])
        turns = list(turns or [])
        if not question:
            # A notice beside the box, not an error over the conversation.
            gr.Warning("Type a question about the documents first.")
            log.info("ask: empty question")
            yield chat, gr.skip(), turns, "", gr.skip()
            return
        chat = [*chat, {"role": "user", "content": question}, {"role": "assistant", "content": ""}]
        draft = ""
        started = time.perf_counter()
        scope = only if only and only != ALL_DOCUMENTS else ""
        try:
            documents = {scope} if scope else None
            for event in assistant.ask_stream(
                question, history=turns, model=model or None, documents=documents
            ):
                if event.kind == "token":
                    draft += event.text
                    chat[-1] = {
                        "role": "assistant",
                        "content": f'<div class="answer"><span class="drafting">{html.escape(draft)}</span></div>',
                    }
                    yield chat, gr.skip(), turns, "", gr.skip()
                else:
                    answer = event.answer
                    assert answer is not None
                    chat[-1] = {"role": "assistant", "content": render_answer(answer, show_rewrite, scope)}
                    log.info(
                        "ask %s: %s, model %s%s, %.0f ms",
                        json.dumps(question[:120], ensure_ascii=False),
                        answer.status,
                        answer.model,
                        f", only {scope}" if scope else "",
                        answer.timings_ms.get("total", 0.0),
                    )
                    yield chat, render_sources(answer), [*turns, question], "", json.dumps(answer.to_dict())
        except UserError as exc:
            # Shown in the conversation as a notice; the question stays in the box so nothing typed is lost.
            log.info(
                "ask %s: not answered (%s), %.0f ms",
                json.dumps(question[:120], ensure_ascii=False),
                exc,
                (time.perf_counter() - started) * 1000,
            )
            chat[-1] = {
                "role": "assistant",
                "content": f'<div class="answer"><span class="not-found">'
                f"{html.escape(str(exc))}</span></div>",
            }
            yield chat, "", turns, question, gr.skip()

    def answer_api(question: str, history_json: str, model: str) -> dict:
        """Plain JSON answer for scripts: same object as `assistant ask --json`."""
        try:
            history = json.loads(history_json) if history_json else []
            answer = assistant.ask(question, history=history, model=model or None)
        except (UserError, json.JSONDecodeError) as exc:
            log.info("answer: not answered (%s)", exc)
            raise gr.Error(str(exc), print_exception=False) from None
        log.info(
            "answer %s: %s, model %s, %.0f ms",
            json.dumps(question[:120], ensure_ascii=False),
            answer.status,
            answer.model,
            answer.timings_ms.get("total", 0.0),
        )
        return answer.to_dict()

    def clear() -> tuple[list, str, list, str]:
        return [], "", [], ""

    def add_files(files: list[Any] | None) -> tuple[str, Any, str]:
        """Copy uploads into the data directory's uploads/ folder and ingest them, as the CLI would;
        a file that is refused is removed from there again."""
        names = [Path(getattr(f, "name", f)) for f in files or []]
        if not names:
            gr.Warning("Choose one or more files first.")
            return gr.skip(), gr.skip(), gr.skip()
        target = Path(assistant.settings.data_dir) / "uploads"
        target.mkdir(parents=True, exist_ok=True)
        store = assistant.retriever.store
        lines = []
        for path in names:
            dest = target / path.name
            shutil.copyfile(path, dest)
            report = store.ingest([dest])
            if report.skipped:
                dest.unlink(missing_ok=True)
                lines += [f"Not ingested: {path.name}: {s['reason']}" for s in report.skipped]
            elif report.added == 0 and report.removed == 0:
                lines.append(f"{path.name}: already up to date ({report.paragraphs} paragraph(s)).")
            elif report.added == report.paragraphs:
                lines.append(f"{path.name}: added, {report.added} paragraph(s).")
            else:
                lines.append(
                    f"{path.name}: updated, {report.added} new paragraph(s), {report.removed} removed."
                )
        assistant.reload()
        rows = store.sources()
        log.info("add: %s", "; ".join(lines))
        return render_collection(rows), gr.update(choices=document_choices(rows)), "\n".join(lines)

    with gr.Blocks(title="Document assistant", analytics_enabled=False) as demo:
        gr.Markdown("### Ask the documents\nEvery sentence cites its paragraph; click a **[¶n]** to see it.")
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    elem_id="chat",
                    height=460,
                    sanitize_html=False,
                    render_markdown=False,
                    buttons=["copy"],
                    label="Conversation",
                )
                question = gr.Textbox(
                    elem_id="question",
                    placeholder="Ask about the documents…",
                    show_label=False,
                    lines=1,
                    max_lines=4,
                )
                with gr.Row():
                    send = gr.Button("Ask", variant="primary", elem_id="send")
                    clear_btn = gr.Button("Clear", elem_id="clear")
                # Plain buttons, not gr.Examples: its cells cut a question at 60 characters with an ellipsis.
                with gr.Column(elem_id="examples"):
                    gr.Markdown("Try one of these:")
                    for text in EXAMPLES:
                        gr.Button(text, size="sm", variant="secondary", elem_classes="example").click(
                            None, None, question, js=f"() => {json.dumps(text)}", api_name=False
                        )
            with gr.Column(scale=2):
                model = gr.Dropdown(
                    models,
                    value=assistant.settings.model if assistant.settings.model in models else models[0],
                    label="Model",
                    elem_id="model",
                )
                show_rewrite = gr.Checkbox(
                    False, label="Show how follow-ups were understood", elem_id="rewrite"
                )
                rows = assistant.retriever.store.sources()
                only = gr.Dropdown(document_choices(rows), value=ALL_DOCUMENTS, label="Ask", elem_id="only")
                gr.Markdown("#### Sources", elem_id="sources-heading")
                sources = gr.HTML("", elem_id="sources")
                with gr.Accordion("Collection", open=False, elem_id="collection-panel"):
                    collection = gr.HTML(render_collection(rows), elem_id="collection")
                    uploads = gr.File(
                        file_count="multiple",
                        label=f"Add documents ({FORMATS})",
                        elem_id="upload",
                    )
                    add = gr.Button("Add to the collection", elem_id="add")
                    added = gr.Textbox(label="Ingest report", interactive=False, elem_id="added")
                last_json = gr.Textbox(visible=False, elem_id="last-json")
        inputs = [question, chat, turns, model, show_rewrite, only]
        outputs = [chat, sources, turns, question, last_json]
        send.click(respond, inputs, outputs, api_name="respond")
        question.submit(respond, inputs, outputs, api_name=False)
        clear_btn.click(clear, None, [chat, sources, turns, question], api_name=False)
        add.click(add_files, [uploads], [collection, only, added], api_name="add")
        api_in = [gr.Textbox(visible=False), gr.Textbox(visible=False), gr.Textbox(visible=False)]
        gr.Button(visible=False).click(answer_api, api_in, gr.JSON(visible=False), api_name="answer")
    # One question runs at a time per event; the llama.cpp model has its own lock on top.
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo


def _log_requests() -> None:
    """One INFO line per request on stderr (`assistant.web`), whatever the root logger says."""
    logger = logging.getLogger("assistant")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def launch(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: tuple[str, str] | None = None,
    block: bool = True,
) -> Any:
    import gradio as gr

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    _log_requests()
    assistant.warm()
    demo = build_app(assistant)
    theme = gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
    )
    demo.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        prevent_thread_lock=not block,
        theme=theme,
        css=CSS,
        js=JS,
        footer_links=["api"],
        show_error=True,
        quiet=not block,
    )
    return demo

"""A scripted OpenAI-compatible model behind a real HTTP server, for testing what the pipeline does
with good and bad model output. It reads the question from the prompt and answers from a table:
`faithful`, `corrupted` or `partial` answers (tests/data/scripted_answers.jsonl; `partial`: a true
answer to only part of the question), or always `decline`s, or returns `garbage`."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "scripted_answers.jsonl"


def load_table() -> list[dict]:
    return [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines() if line.strip()]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        prompt = body.get("prompt") or "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        asked = re.findall(r"Question:\s*(.+)", prompt)
        text = self.server.reply(asked[-1].strip() if asked else "")
        self.server.prompts.append(prompt)
        chat = self.path.endswith("/chat/completions")
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in re.findall(r"\S+\s*", text) or [""]:
                choice = {"index": 0, "delta": {"content": piece}} if chat else {"index": 0, "text": piece}
                self._event(
                    {
                        "id": "x",
                        "object": "chunk",
                        "model": "scripted",
                        "choices": [{**choice, "finish_reason": None}],
                    }
                )
            end = {"index": 0, "delta": {}} if chat else {"index": 0, "text": ""}
            self._event(
                {
                    "id": "x",
                    "object": "chunk",
                    "model": "scripted",
                    "choices": [{**end, "finish_reason": "stop"}],
                }
            )
            self.wfile.write(b"data: [DONE]\n\n")
            return
        choice = (
            {"index": 0, "message": {"role": "assistant", "content": text}}
            if chat
            else {"index": 0, "text": text}
        )
        data = json.dumps(
            {
                "id": "x",
                "object": "completion",
                "model": "scripted",
                "choices": [{**choice, "finish_reason": "stop"}],
            }
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data.encode())

    def _event(self, data: dict) -> None:
        self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    def __init__(self, behaviour: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.table = {row["question"]: row for row in load_table()}
        self.prompts: list[str] = []

    def reply(self, question: str) -> str:
        if self.behaviour == "decline":
            return "NOT FOUND"
        if self.behaviour == "garbage":
            return "lorem ipsum [¶99] ~~ ### 12345 zzz"
        row = self.table.get(question) or {}
        return row.get(self.behaviour) or "NOT FOUND"


@contextmanager
def scripted_model(behaviour: str) -> Iterator[_Server]:
    """Serve the scripted model on a free loopback port; `server.server_address` says where."""
    server = _Server(behaviour)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()

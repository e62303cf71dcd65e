"""A local OpenAI-compatible Chat Completions server for the generate tests and benchmark.

It listens on 127.0.0.1 (port 0: the system picks one), answers ``POST
/v1/chat/completions`` deterministically from the prompt, records every request, and can
be told to answer a prompt with 429 (and ``Retry-After``), 500, an empty message, a
delay, or anything else, a given number of times, before answering normally. The
official ``openai`` client talks to it through ``OPENAI_BASE_URL``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer_for(prompt: str) -> str:
    """The answer to *prompt*, shaped like the assistant's for the house question list
    (numbered questions; answers after 答案： where the prompt asks for them) so that
    the lessons pass ``studysite check``, and unique to the prompt."""
    tag = hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:8]
    if "答案" in prompt or "answers" in prompt:
        return "\n".join(f"{n}. 第{n}題（{tag}）是什麼？\n答案：這是第{n}題的答案。" for n in range(1, 4))
    if "問題" in prompt or "question" in prompt:
        return "\n".join(f"{n}. 問題{n}（{tag}）是什麼？" for n in range(1, 4))
    return f"這是對「{prompt}」的說明（{tag}）。\n\n第二段。"


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that was killed or gave up
            super().handle_error(request, client_address)


@dataclass
class Reply:
    """One scripted answer: *status*, *headers*, a *content* (None: the normal answer),
    a raw JSON *body* for errors, and a *delay* in seconds before answering."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content: str | None = None
    body: dict | None = None
    delay: float = 0.0


@dataclass
class Request:
    model: str
    messages: list[dict]
    authorization: str
    status: int = 0

    @property
    def prompt(self) -> str:
        return self.messages[-1]["content"]

    @property
    def system(self) -> str | None:
        return next((m["content"] for m in self.messages if m["role"] == "system"), None)


class AssistantServer:
    def __init__(self, *, delay: float = 0.0, wrap: str = "\n\n{answer} "):
        self.delay = delay
        self.wrap = wrap
        """How the normal answer is sent: with blank lines before and a space after, as
        the old Chat Completions answers came (stored trimmed of spaces only)."""
        self.requests: list[Request] = []
        self.every_reply: Reply | None = None
        self.gate: int = 0
        """When set, hold every answer until this many requests are in flight at once
        (or 10 s pass): proof that requests really overlap."""
        self.in_flight = 0
        self.most_in_flight = 0
        self._scripts: dict[str, list[Reply]] = {}
        self._lock = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, prompt: str, *replies: Reply) -> None:
        """Answer the next requests for *prompt* with *replies*, then normally."""
        self._scripts.setdefault(prompt, []).extend(replies)

    def prompts(self) -> list[str]:
        return [request.prompt for request in self.requests]

    def __enter__(self) -> AssistantServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            scripted = self._scripts.get(request.prompt)
            if scripted:
                return scripted.pop(0)
        return self.every_reply or Reply(delay=self.delay)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # one small response should not wait for a delayed ACK

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                data = self.rfile.read(length)
                if len(data) < length:
                    return  # the client hung up mid-request
                payload = json.loads(data)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {}, {"error": {"message": f"no route {self.path}"}})
                    return
                request = Request(payload["model"], payload["messages"], self.headers.get("Authorization", ""))
                with server._lock:
                    server.requests.append(request)
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                    server._lock.notify_all()
                    if server.gate:
                        server._lock.wait_for(lambda: server.most_in_flight >= server.gate, timeout=10)
                try:
                    reply = server._reply_for(request)
                    if reply.delay:
                        time.sleep(reply.delay)
                    request.status = reply.status
                    if reply.status != 200:
                        self._send(reply.status, reply.headers, reply.body or {"error": {"message": "scripted", "type": "test"}})
                        return
                    content = server.wrap.format(answer=answer_for(request.prompt)) if reply.content is None else reply.content
                    self._send(200, reply.headers, {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": request.model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": len(request.prompt), "completion_tokens": len(content),
                                  "total_tokens": len(request.prompt) + len(content)},
                    })
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _send(self, status: int, headers: dict[str, str], body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler

"""Test helpers: throwaway sites built from a dict of files, the lesson corpus, and
running the command line the way a user does."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("0*.md")) if CORPUS.is_dir() else []


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if ": error: " in line]


def run_cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run ``studysite`` in this process (fast), as the console script would."""
    from generator.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(arg) for arg in args])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


def run_subprocess(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> Run:
    """Run ``python -m generator`` in a fresh interpreter (for what imports or exits)."""
    completed = subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " (" + event.sourceFile + ":" + event.lineNumber + ")");
});"""
"""A browser init script: the page reports each violation of its Content-Security-Policy
as a console error, where the browser tests' watch sees it."""


def record_figures(path: Path, name: str, text: str) -> None:
    """Put *text* between the ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` lines of
    *path* (RELIABILITY.md), replacing what the last run wrote there."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    document = path.read_text(encoding="utf-8")
    if begin not in document or end not in document:
        raise SystemExit(f"{path} has no {begin} … {end} section to write the figures into")
    head, _, rest = document.partition(begin)
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{begin}\n{text.strip()}\n{end}{tail}", encoding="utf-8")


class ServeProcess:
    """``studysite serve SITE --port 0`` in a process of its own. The port is the one the
    server reports it took (no probe that another process could race for); waiting for it
    fails at once, with the server's messages, if the process exits."""

    def __init__(self, site: Path, *extra: str, timeout: float = 120):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", str(site), "--port", "0", *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.messages: list[str] = []
        """Every line the server has printed to stderr so far."""
        # Read all along: a server whose pipe fills up would block on its next message.
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        self.port = self._wait_for_port(deadline)
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_for_an_answer(deadline)

    def _read(self) -> None:
        for line in self.process.stderr:
            self._lines.put(line)
        self._lines.put(None)

    def _wait_for_port(self, deadline: float) -> int:
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.process.kill()
                raise AssertionError("the server did not start:\n" + "".join(self.messages)) from None
            if line is None:
                self.process.wait()
                raise AssertionError(f"the server exited with {self.process.returncode}:\n" + "".join(self.messages))
            self.messages.append(line)
            serving = re.search(r" at http://127\.0\.0\.1:(\d+)/ ", line)
            if serving:
                return int(serving.group(1))

    def until(self, start: str, timeout: float = 60) -> list[str]:
        """The lines printed from now up to the first that starts with *start* (included);
        fails at once if the server exits first."""
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line starting with {start!r} in {lines}") from None
            if line is None:
                raise AssertionError(f"the server exited with {self.process.wait()}: {lines}")
            self.messages.append(line)
            lines.append(line.rstrip("\n"))
            if line.startswith(start):
                return lines

    def _wait_for_an_answer(self, deadline: float) -> None:
        """Until the server has answered once: it then serves, and watches the site."""
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as connection:
                    connection.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
                    if connection.recv(12).startswith(b"HTTP/"):
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                code, messages = self.stop()
                raise AssertionError(f"the server exited with {code} before answering:\n{messages}")
            time.sleep(0.05)

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a user stops it: its exit code and everything it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        self._reader.join(timeout=15)
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.messages.append(line)
        return self.process.returncode, "".join(self.messages)


def tree_snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- Processes, through Linux's /proc -------------------------------------------------


def children(pid: int) -> set[int]:
    """The processes *pid* has started and that have not been reaped."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except FileNotFoundError:
            pass  # the thread ended meanwhile
    return found


def gone(pid: int) -> bool:
    """Whether *pid* has ended (a zombie waiting for its new parent to reap it has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def wait_until_gone(pids: set[int], seconds: float) -> set[int]:
    """The pids of *pids* still running after *seconds*."""
    deadline = time.monotonic() + seconds
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if not gone(pid)}
        time.sleep(0.01)
    return {pid for pid in alive if not gone(pid)}


# --- A small DOM, enough to ask a built page what a reader would see ------------------

from html.parser import HTMLParser  # noqa: E402

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None"):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str | bool) -> list["Node"]:
        found = []
        for node in self.iter():
            if tag is not None and node.tag != tag:
                continue
            if cls is not None and cls not in node.classes:
                continue
            if any(
                (name.replace("_", "-") in node.attrs) != value if isinstance(value, bool)
                else node.attrs.get(name.replace("_", "-")) != value
                for name, value in attrs.items()
            ):
                continue
            found.append(node)
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str | bool) -> "Node | None":
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in _VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str | bytes) -> Node:
    builder = _TreeBuilder()
    builder.feed(text.decode("utf-8") if isinstance(text, bytes) else text)
    builder.close()
    return builder.root


def answer_html(question) -> str | None:
    """A parsed question's answer as the HTML it shows, plots left out."""
    if question.answer is None:
        return None
    return "".join(getattr(part, "html", "") for part in question.answer)

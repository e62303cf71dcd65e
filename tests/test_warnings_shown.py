"""`build` and `serve` show the count of `check`'s warnings and the first few, where the
author looks; `--quiet` hides them."""

import queue
import subprocess
import sys
import threading
import time

from helpers import run_cli, write_site
from test_serve import Server, free_port, lesson, site_files

UNANSWERED = '+++\ntitle = "{title}"\n+++\n## 知識測驗\n\n1. One?\n\n2. Two?\n\n3. Three?\n'


def unanswered_site(tmp_path):
    """Seven warnings: two lessons with three unanswered questions each, one broken link."""
    return write_site(tmp_path / "site", {
        "content/a.md": UNANSWERED.format(title="A"),
        "content/b.md": UNANSWERED.format(title="B").replace("## 知識測驗", "See [c](c.md).\n\n## 知識測驗"),
        "studysite.toml": '[check]\nignore = ["missing-section"]\n',
    })


def test_build_prints_the_first_five_warnings_as_check_does_and_their_count(tmp_path):
    site = unanswered_site(tmp_path)
    checked = run_cli("check", site).out.splitlines()
    assert len(checked) == 7
    for jobs in ("1", "2"):
        result = run_cli("build", site, "--jobs", jobs, "-o", tmp_path / f"out-{jobs}")
        assert result.code == 0
        assert result.err.splitlines() == checked[:5] + [
            "studysite: 7 warnings; the first 5 above, and `studysite check` lists them all (--quiet hides them)"
        ]
    quiet = run_cli("build", site, "--quiet", "-o", tmp_path / "out-quiet")
    assert quiet.code == 0 and quiet.err == ""


def test_build_prints_all_of_a_few_warnings(tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": '+++\ntitle = "A"\nweight = 2.5\n+++\nx\n'})
    result = run_cli("build", site)
    assert result.err.splitlines() == [
        "content/a.md:3:1: warning: weight 2.5 is not a whole number; Hugo cuts it to 2, and so does studysite [fractional-weight]",
        "studysite: 1 warning (--quiet hides them)",
    ]


class Lines:
    """The lines a process writes to stderr, as they come."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.queue.put(line.rstrip("\n"))

    def until(self, start: str, timeout: float = 30) -> list[str]:
        """Lines up to the first that starts with *start* (included)."""
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.1)
            except queue.Empty:
                assert self.process.poll() is None, f"the server ended: {lines}"
                continue
            lines.append(line)
            if line.startswith(start):
                return lines
        raise AssertionError(f"no line starting with {start!r} in {lines}")


def test_serve_prints_the_warnings_and_after_an_edit_the_new_ones(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    running = Server(site, free_port())
    try:
        lines = Lines(running.process)
        startup = lines.until("studysite: serving")
        checked = run_cli("check", site).out.splitlines()
        assert len(checked) == 12  # every lesson lacks two sections of the question list
        assert startup[:-1] == checked[:5] + [
            "studysite: 12 warnings; the first 5 above, and `studysite check` lists them all (--quiet hides them)"
        ]
        edited = site / "content/part1/l3.md"
        edited.write_text(lesson("L3", 4) + "\n2. 沒有答案？\n", encoding="utf-8")
        rebuilt = lines.until("studysite: 13 warnings")
        assert rebuilt[0].startswith("studysite: rebuilt in ")
        assert rebuilt[1:] == [
            "content/part1/l3.md:12:1: warning: test question 2 has no answer [no-answer]",
            "studysite: 13 warnings, 1 new (--quiet hides them)",
        ]
    finally:
        running.process.kill()
        running.process.wait()


def test_serve_quiet_prints_no_warnings(tmp_path):
    site = write_site(tmp_path / "site", site_files())
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", str(site), "--port", str(free_port()), "--quiet"],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        assert [line.split(" at ")[0] for line in Lines(process).until("studysite: serving")] == [f"studysite: serving {site}"]
    finally:
        process.kill()
        process.wait()

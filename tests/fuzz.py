"""``make fuzz``: generated lessons through the pipeline, in-process, counting tracebacks.

Each lesson comes from ``tests/lesson_grammar.py`` with its own seed, so any finding is
reproduced by its number: ``python tests/fuzz.py --show SEED`` prints the lesson and runs
it with the full traceback. Every lesson is parsed and enriched; the lessons of a batch
without errors are made into a site whose pages and search text are rendered and encoded
as the writer would (plots are specified but not drawn: drawing is ``make bench``'s). What
counts as a failure:

- a traceback at any stage;
- a problem not reported as one ``path:line: severity: message`` line with a line inside
  the file;
- a page with a script the page did not load from a file, an ``on…`` handler, a
  ``javascript:`` link, or MathML with anything but MathML in it (hostile input that got
  through).

``--record RELIABILITY.md`` writes the figures into that file's fuzzing section.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import record_figures  # noqa: E402
from lesson_grammar import RandomChoices, lesson  # noqa: E402

BATCH = 250
FOLDERS = 7
_LINE = re.compile(r"^content/[^\n\r]*:(\d+): (error|warning): [^\n\r]+$")


@dataclass
class Tally:
    lessons: int = 0
    crashes: list[str] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    with_errors: int = 0
    diagnostics: Counter = field(default_factory=Counter)
    pages: int = 0
    page_bytes: int = 0
    input_bytes: int = 0

    def add(self, other: Tally) -> None:
        self.lessons += other.lessons
        self.crashes += other.crashes
        self.bad_lines += other.bad_lines
        self.leaks += other.leaks
        self.with_errors += other.with_errors
        self.diagnostics.update(other.diagnostics)
        self.pages += other.pages
        self.page_bytes += other.page_bytes
        self.input_bytes += other.input_bytes


def lesson_bytes(seed: int) -> bytes:
    text = lesson(RandomChoices(seed))
    data = text.encode("utf-8")
    if seed % 97 == 0:  # now and then a file that is not UTF-8 at all
        data = data[: len(data) // 2] + b"\xff\xfe" + data[len(data) // 2 :]
    return data


class Pipeline:
    """The build's stages, in this process, for lessons that live only in memory."""

    def __init__(self):
        from generator.config import SiteConfig
        from generator.content.markdown import create_markdown
        from generator.render.environment import create_environment

        self._folder = tempfile.TemporaryDirectory(prefix="studysite-fuzz-")  # an empty site: bundled templates
        self.root = Path(self._folder.name)
        self.config = SiteConfig(self.root)
        self.md = create_markdown(unsafe_html=self.config.unsafe_html)
        self.environment = create_environment(self.root)

    def parse(self, content_path: str, data: bytes):
        from generator.content.lesson import parse_lesson
        from generator.enrich import enrich
        from generator.languages import normalize_language

        lesson_, problems = parse_lesson(f"content/{content_path}", content_path, data, self.md, self.config.heading_kinds)
        if lesson_ is not None:
            problems += enrich(lesson_, normalize_language(lesson_.lang) or self.config.language)
        return lesson_, problems

    def render(self, lessons: dict) -> dict[str, bytes]:
        """Every page and search file of a site made of *lessons*, encoded."""
        from generator.content.site import Manifest, Sites, build_site
        from generator.render.pages import Renderer
        from generator.render.search import SearchShardWriter, lesson_entries

        folders = sorted({path.rsplit("/", 1)[0] for path in lessons if "/" in path})
        site, _ = build_site([lesson_.summary() for lesson_ in lessons.values()], folders)
        by_path = {lesson_.path: lesson_ for lesson_ in lessons.values()}
        renderer = Renderer(self.config, Sites([site], Manifest()), site, by_path, self.environment, "fuzz")
        files: dict[str, bytes] = {}
        search = SearchShardWriter("text-00")
        for page in site.pages:
            files[page.url + "index.html"] = renderer.lesson_page(page).encode("utf-8")
            search.add(lesson_entries(lessons[page.lesson.content_path], page.url))
        for folder in site.folders:
            files[folder.url + "index.html"] = renderer.folder_page(folder).encode("utf-8")
        search.flush()
        files.update((name, script.encode("utf-8")) for name, script in search.files.items())
        return files


def check_diagnostics(data: bytes, problems) -> list[str]:
    """The problems that are not one well-formed line pointing inside the file."""
    last_line = len(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"))
    bad = []
    for problem in problems:
        line = problem.format()
        match = _LINE.match(line)
        if match is None or not 1 <= int(match.group(1)) <= last_line:
            bad.append(line[:300])
    return bad


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>")
_ATTRIBUTE = re.compile(r"""([^\s=/"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def check_page(page: bytes) -> list[str]:
    """What hostile input must never become in a page: a script not loaded from a file,
    an ``on…`` handler, a ``javascript:`` link, anything but MathML inside a formula.
    The page is scanned tag by tag (our pages escape every ``<`` and ``>`` in text and
    attributes, so a tag is always a tag), which is many times quicker than a parser."""
    from generator.content.mathml import MATHML_ELEMENTS

    found = []
    math_depth = 0
    for match in _TAG.finditer(page.decode("utf-8")):
        closing, tag, rest = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            math_depth -= tag == "math" and math_depth > 0
            continue
        attributes = {name.lower(): value.strip("\"'") for name, value in _ATTRIBUTE.findall(rest)}
        if tag == "script" and not attributes.get("src"):
            found.append("inline <script>")
        for name, value in attributes.items():
            if name.startswith("on"):
                found.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(("javascript:", "vbscript:")):
                found.append(f"{name}={value[:40]!r} on <{tag}>")
        if tag == "math":
            math_depth += not rest.rstrip().endswith("/")
        elif math_depth and tag not in MATHML_ELEMENTS:
            found.append(f"<{tag}> inside <math>")
    return found


@cache
def pipeline_of_this_process() -> Pipeline:
    """One per worker process: its Markdown parser and compiled templates serve every batch."""
    return Pipeline()


def run_batch(first: int, count: int) -> Tally:
    tally = Tally()
    pipeline = pipeline_of_this_process()
    lessons = {}
    sources = {}
    for seed in range(first, first + count):
        content_path = f"f{seed % FOLDERS}/lesson-{seed}.md"
        data = lesson_bytes(seed)
        tally.lessons += 1
        tally.input_bytes += len(data)
        try:
            lesson_, problems = pipeline.parse(content_path, data)
        except Exception:  # noqa: BLE001 - what the fuzzer is looking for
            tally.crashes.append(f"seed {seed}: parse: {_last_lines(traceback.format_exc())}")
            continue
        tally.diagnostics.update(problem.code or problem.severity for problem in problems)
        tally.bad_lines += [f"seed {seed}: {line}" for line in check_diagnostics(data, problems)]
        if any(problem.severity == "error" for problem in problems):
            tally.with_errors += 1
        elif lesson_ is not None:
            lessons[content_path] = lesson_
            sources[content_path] = seed
    try:
        files = pipeline.render(lessons)
    except Exception:  # noqa: BLE001
        # Render each lesson alone to find the one that fails.
        files = {}
        for content_path, lesson_ in lessons.items():
            try:
                files.update(pipeline.render({content_path: lesson_}))
            except Exception:  # noqa: BLE001
                tally.crashes.append(f"seed {sources[content_path]}: render: {_last_lines(traceback.format_exc())}")
    for name, page in files.items():
        tally.pages += 1
        tally.page_bytes += len(page)
        if name.endswith(".html"):
            tally.leaks += [f"{name}: {found}" for found in check_page(page)]
    return tally


def _last_lines(text: str, count: int = 4) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-count:])


def _run(arguments: tuple[int, int]) -> Tally:
    return run_batch(*arguments)


def fuzz(lessons: int, seed: int, jobs: int) -> tuple[Tally, float, float]:
    """The tally of *lessons* lessons from *seed* on, wall seconds and CPU seconds."""
    started = time.perf_counter()
    batches = [(start, min(BATCH, seed + lessons - start)) for start in range(seed, seed + lessons, BATCH)]
    total = Tally()
    done = 0
    pool = multiprocessing.get_context("fork").Pool(jobs)
    for tally in pool.imap_unordered(_run, batches):
        total.add(tally)
        done += tally.lessons
        if done % 10_000 < BATCH:
            rate = done / (time.perf_counter() - started)
            print(f"fuzz: {done:,} lessons, {len(total.crashes)} tracebacks, {rate:,.0f} lessons/s", file=sys.stderr)
    pool.close()
    pool.join()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return total, time.perf_counter() - started, sum(u.ru_utime + u.ru_stime for u in usage)


def show(seed: int) -> int:
    data = lesson_bytes(seed)
    print(data.decode("utf-8", "backslashreplace"))
    print("-" * 72)
    pipeline = Pipeline()
    lesson_, problems = pipeline.parse("f0/lesson.md", data)
    for problem in problems:
        print(problem.format())
    if lesson_ is not None and not any(problem.severity == "error" for problem in problems):
        files = pipeline.render({"f0/lesson.md": lesson_})
        for name, page in files.items():
            for found in check_page(page) if name.endswith(".html") else ():
                print(f"{name}: {found}")
        print(f"rendered {len(files)} files")
    return 0


def figures(tally: Tally, seconds: float, cpu: float, seed: int, jobs: int) -> str:
    codes = ", ".join(f"{code} {count:,}" for code, count in tally.diagnostics.most_common())
    return (
        f"`make fuzz`, {time.strftime('%Y-%m-%d')}: {tally.lessons:,} lessons (seeds {seed:,}–{seed + tally.lessons - 1:,}, "
        f"{tally.input_bytes / 1e6:,.1f} MB) in {seconds / 60:,.1f} minutes with {jobs} processes on a machine shared with "
        f"other work: {cpu / 60:,.1f} minutes of CPU, {cpu / tally.lessons * 1000:.1f} ms a lesson, so "
        f"{cpu / jobs / 60:,.1f} minutes with {jobs} cores to itself. "
        f"{tally.with_errors:,} lessons had errors, {sum(tally.diagnostics.values()):,} "
        f"problems reported ({codes}); {tally.pages:,} pages and search files rendered from the others "
        f"({tally.page_bytes / 1e6:,.0f} MB).\n\n"
        f"**Tracebacks: {len(tally.crashes)}.** Problems not reported as one `path:line:` line inside the file: "
        f"{len(tally.bad_lines)}. Hostile input that reached a page as a script, a handler, a `javascript:` link or "
        f"non-MathML inside a formula: {len(tally.leaks)}."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0, help="first lesson's seed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--record", type=Path, help="write the figures into this file (RELIABILITY.md)")
    parser.add_argument("--show", type=int, metavar="SEED", help="print one lesson and run it, tracebacks shown")
    args = parser.parse_args(argv)
    if args.show is not None:
        return show(args.show)
    tally, seconds, cpu = fuzz(args.lessons, args.seed, args.jobs)
    for finding in (*tally.crashes, *tally.bad_lines, *tally.leaks)[:50]:
        print(finding)
    print(
        f"fuzz: {tally.lessons:,} lessons in {seconds:.0f} s: {len(tally.crashes)} tracebacks, "
        f"{len(tally.bad_lines)} malformed problem lines, {len(tally.leaks)} hostile leaks; "
        f"{tally.pages:,} files rendered"
    )
    if args.record:
        record_figures(args.record, "fuzz", figures(tally, seconds, cpu, args.seed, args.jobs))
    return 1 if tally.crashes or tally.bad_lines or tally.leaks else 0


if __name__ == "__main__":
    sys.exit(main())

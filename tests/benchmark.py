"""The benchmark behind BENCHMARKS.md (`make bench`).

Generates synthetic sites of N lessons from the bundled lessons (fixed seed; nested
folders: 5 subjects, chapters of 25 lessons), builds each with the real command in a fresh
process, cold (no output, no cache) and warm (nothing changed), and prints wall time,
pages per second, peak memory and the size of one lesson page at each N. A bare
markdown-it + Jinja2 loop over the same files is timed as the floor to compare with.

    python tests/benchmark.py [--sizes 100 1000 5000] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = 20261123
SUBJECTS = ["機器學習 Machine Learning", "深度學習 (Deep Learning)", "統計 Statistics", "最佳化 Optimization", "資料科學"]
LESSONS_PER_CHAPTER = 25
PROBE_LESSON = "content/機器學習 Machine Learning/Chapter 001/Lesson 00000.md"
"""The page whose size is compared across N (the first lesson of the first chapter)."""


def bundled_lessons() -> list[str]:
    texts = []
    for path in sorted((REPO / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "## " in text:  # lessons, not folder introductions
            texts.append(text)
    return texts


def generate_site(root: Path, count: int, seed: int = SEED) -> Path:
    rng = random.Random(seed)
    sources = bundled_lessons()
    content = root / "content"
    for subject_index, subject in enumerate(SUBJECTS):
        folder = content / subject
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f'+++\ntitle = "{subject}"\nweight = {subject_index + 1}\n+++\n', encoding="utf-8")
    for number in range(count):
        subject = SUBJECTS[number % len(SUBJECTS)]
        chapter = number // len(SUBJECTS) // LESSONS_PER_CHAPTER + 1
        folder = content / subject / f"Chapter {chapter:03}"
        if not folder.exists():
            folder.mkdir()
            (folder / "_index.md").write_text(f'+++\ntitle = "第 {chapter} 章"\nweight = {chapter}\n+++\n', encoding="utf-8")
        text = rng.choice(sources) if number else sources[0]
        text = re.sub(r'(?m)^title = "(.*)"$', lambda m: f'title = "{m.group(1)} #{number}"', text, count=1)
        text = re.sub(r"(?m)^weight = .*$", f"weight = {number // len(SUBJECTS) % LESSONS_PER_CHAPTER + 1}", text, count=1)
        (folder / f"Lesson {number:05}.md").write_text(text, encoding="utf-8")
    return root


def run_build(site: Path, *extra: str) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one `studysite build` process."""
    command = [sys.executable, "-m", "generator", "build", str(site), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed:\n{stderr}")
    return elapsed, usage.ru_maxrss


def clear_outputs(site: Path) -> None:
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / ".studysite", ignore_errors=True)


def bare_loop_seconds(site: Path) -> float:
    """The floor: parse and render every file with markdown-it and one Jinja2 template."""
    code = r"""
import sys, time, pathlib
started = time.perf_counter()
from markdown_it import MarkdownIt
import jinja2
site = pathlib.Path(sys.argv[1]); out = pathlib.Path(sys.argv[2])
md = MarkdownIt("commonmark").enable("table")
template = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><html><head><title>{{ title }}</title></head><body><main>{{ body|safe }}</main></body></html>")
for index, path in enumerate(sorted(site.joinpath("content").rglob("*.md"))):
    text = path.read_text(encoding="utf-8")
    body = text.split("+++", 2)[2]
    folder = out / str(index); folder.mkdir(parents=True)
    (folder / "index.html").write_text(template.render(title=path.stem, body=md.render(body)), encoding="utf-8")
print(time.perf_counter() - started)
"""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, str(site), out], check=True, capture_output=True)
        return time.perf_counter() - started


def measure(count: int, repeat: int, keep: Path | None) -> dict:
    base = keep or Path(tempfile.mkdtemp(prefix="studysite-bench-"))
    site = base / f"site-{count}"
    if site.exists():
        shutil.rmtree(site)
    generate_site(site, count)
    pages = count + sum(1 for _ in (site / "content").rglob("_index.md")) + 1
    row: dict = {"n": count, "pages": pages}
    for label, extra in (("cold", ["--jobs", "1"]), ("cold_jobs2", ["--jobs", "2"])):
        times, memory = [], []
        for _ in range(repeat):
            clear_outputs(site)
            seconds, peak = run_build(site, *extra)
            times.append(seconds)
            memory.append(peak)
        row[label] = statistics.median(times)
        row[label + "_mem"] = max(memory)
    times = []
    for _ in range(repeat):
        seconds, _ = run_build(site, "--jobs", "1")
        times.append(seconds)
    row["warm"] = statistics.median(times)
    probe = site / "public" / "機器學習-machine-learning" / "chapter-001" / "lesson-00000" / "index.html"
    row["page_bytes"] = probe.stat().st_size
    row["bare"] = statistics.median(bare_loop_seconds(site) for _ in range(repeat))
    if keep is None:
        shutil.rmtree(base)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate the sites here and keep them")
    arguments = parser.parse_args()
    rows = [measure(n, arguments.repeat, arguments.keep) for n in arguments.sizes]
    print(f"{'N':>6} {'pages':>6} {'cold 1 job':>11} {'pages/s':>8} {'peak MiB':>9} {'cold 2 jobs':>12} "
          f"{'warm':>7} {'bare loop':>10} {'page KiB':>9}")
    for row in rows:
        print(
            f"{row['n']:>6} {row['pages']:>6} {row['cold']:>10.2f}s {row['pages'] / row['cold']:>8.0f} "
            f"{row['cold_mem'] / 1024:>9.0f} {row['cold_jobs2']:>11.2f}s {row['warm']:>6.2f}s "
            f"{row['bare']:>9.2f}s {row['page_bytes'] / 1024:>9.1f}"
        )
    smallest = rows[0]["page_bytes"]
    for row in rows[1:]:
        print(f"page size at N={row['n']} is {row['page_bytes'] / smallest:.3f}x the size at N={rows[0]['n']}")


if __name__ == "__main__":
    main()

"""What showing `check`'s warnings costs a build (BENCHMARKS.md, "Warnings in the build").

Builds a synthetic site (tests/benchmark.py's, N lessons) in this process, in rounds,
with the plot cache kept and the lessons parsed anew each time (a cold build but for
matplotlib), and prints the build's CPU time and the part of it spent finding the
lessons' own problems, links and anchors while they are parsed (``lint_lesson``) and
checking them against the site (``site_warnings``). Then what those findings add to the
lesson cache: bytes, and CPU time to read it back (what a build with one lesson
changed pays besides ``site_warnings``).

    python tests/bench_warnings.py [--lessons 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generator.build as build_module  # noqa: E402
import generator.content.lesson as lesson_module  # noqa: E402
from benchmark import generate_site  # noqa: E402
from generator.build import BuildOptions, build, load_site  # noqa: E402
from generator.content.lint import LessonLint  # noqa: E402

spent = {"lint_lesson": 0.0, "site_warnings": 0.0}


def timed(name, function):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    lesson_module.lint_lesson = timed("lint_lesson", lesson_module.lint_lesson)
    build_module.site_warnings = timed("site_warnings", build_module.site_warnings)

    with tempfile.TemporaryDirectory(prefix="studysite-warnings-") as work:
        site = generate_site(Path(work) / "site", arguments.lessons)
        build(BuildOptions(site_root=site, out_dir=Path(work) / "first"))  # draws the plots once
        totals, added = [], []
        for round_ in range(arguments.rounds):
            shutil.rmtree(site / ".studysite" / "lessons")
            for key in spent:
                spent[key] = 0.0
            started = time.process_time()
            result = build(BuildOptions(site_root=site, out_dir=Path(work) / f"out-{round_}"))
            totals.append(time.process_time() - started)
            added.append(sum(spent.values()))
            print(
                f"round {round_ + 1}: build {totals[-1]:.2f} s CPU ({result.parsed} lessons parsed, "
                f"{len(result.warnings)} warnings); lint_lesson {spent['lint_lesson'] * 1000:.0f} ms, "
                f"site_warnings {spent['site_warnings'] * 1000:.0f} ms"
            )
        shares = [extra / (total - extra) for total, extra in zip(totals, added)]
        print(f"added to the build without them: median {100 * statistics.median(shares):.1f} %, "
              f"max {100 * max(shares):.1f} %")

        lessons = list(load_site(BuildOptions(site_root=site)).lessons_by_path.values())
        with_findings = pickle.dumps(lessons, protocol=pickle.HIGHEST_PROTOCOL)
        without = pickle.dumps([dataclasses.replace(lesson, lint=LessonLint()) for lesson in lessons], protocol=pickle.HIGHEST_PROTOCOL)
        reads: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(9):  # in turns, so that the machine's load falls on both alike
            for name, data in (("with", with_findings), ("without", without)):
                started = time.process_time()
                pickle.loads(data)
                reads[name].append(time.process_time() - started)
        print(f"lesson cache: {len(with_findings) / 2**20:.2f} MiB with the findings, {len(without) / 2**20:.2f} MiB "
              f"without; read back in {min(reads['with']) * 1000:.0f} ms and {min(reads['without']) * 1000:.0f} ms (best of 9)")


if __name__ == "__main__":
    main()

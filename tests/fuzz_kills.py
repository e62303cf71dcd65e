"""Kill builds at random moments (`make fuzz-kills`).

Each round edits one lesson (and sometimes empties the lesson cache, so that the workers
parse everything), starts `python -m generator build` with one or two processes, and
sends it SIGKILL after a random delay within the time such a build takes, until --kills
builds were killed while running (a build that finished first does not count). Then:

* the output folder must hold the old site or the new one, whole (compared by content
  with the site before the round and with the site the next, unkilled build writes);
* no worker of the killed build may be running 2 s after the kill;
* the next build must succeed and leave nothing beside the output folder.

    python tests/fuzz_kills.py [--kills 64] [--lessons 150] [--seed 20261129]

Prints the figures, and exits 1 if any round failed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import generate_site  # noqa: E402
from helpers import REPO, children, wait_until_gone  # noqa: E402


def site_digest(folder: Path) -> str | None:
    """A digest of every file's path and bytes below *folder* (None if it is missing)."""
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def start_build(site: Path, jobs: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", str(site), "--jobs", jobs],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def timed_build(site: Path, jobs: str) -> float:
    started = time.perf_counter()
    process = start_build(site, jobs)
    _, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"a build that was not killed failed:\n{err.decode()}")
    return time.perf_counter() - started


def leftovers(site: Path, seconds: float = 60.0) -> list[str]:
    """What is beside the output folder once the old site's background removal is done."""
    deadline = time.monotonic() + seconds
    while True:
        extra = sorted(p.name for p in site.iterdir() if p.name not in (".studysite", "content", "public"))
        if not extra or time.monotonic() > deadline:
            return extra
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=64)
    parser.add_argument("--lessons", type=int, default=150)
    parser.add_argument("--seed", type=int, default=20261129)
    arguments = parser.parse_args()

    rng = random.Random(arguments.seed)
    work = Path(tempfile.mkdtemp(prefix="studysite-kills-"))
    started = time.monotonic()
    try:
        site = generate_site(work / "site", arguments.lessons, seed=arguments.seed)
        lessons = sorted((site / "content").rglob("Lesson *.md"))
        public = site / "public"
        timed_build(site, "2")
        # How long the two kinds of build take: an edited lesson, and an emptied cache.
        durations = {}
        for cold in (False, True):
            if cold:
                shutil.rmtree(site / ".studysite/lessons")
            with lessons[0].open("a", encoding="utf-8") as handle:
                handle.write("\n測量。\n")
            durations[cold] = timed_build(site, "2")

        figures: Counter[str] = Counter()
        failures: list[str] = []
        round_number = 0
        while figures["killed while building"] < arguments.kills:
            round_number += 1
            old = site_digest(public)
            lesson = rng.choice(lessons)
            with lesson.open("a", encoding="utf-8") as handle:
                handle.write(f"\n第 {round_number} 次修改。\n")
            cold = rng.random() < 0.3
            if cold:
                shutil.rmtree(site / ".studysite/lessons", ignore_errors=True)
            jobs = rng.choice(["1", "2"])
            delay = rng.uniform(0, durations[cold])
            build = start_build(site, jobs)
            try:
                build.wait(timeout=delay)
                figures["finished before the kill"] += 1
            except subprocess.TimeoutExpired:
                workers = children(build.pid)
                build.send_signal(signal.SIGKILL)
                build.wait()
                figures["killed while building"] += 1
                survivors = wait_until_gone(workers, 2.0)
                if survivors:
                    failures.append(f"round {round_number}: workers {sorted(survivors)} still running 2 s after the kill")
            finally:
                build.stderr.close()
            after = site_digest(public)

            # Builds speed up and slow down with the machine's load: follow it.
            durations[cold] = (durations[cold] + timed_build(site, "2")) / 2
            new = site_digest(public)
            if after == old:
                figures["old site after the kill"] += 1
            elif after == new:
                figures["new site after the kill"] += 1
            else:
                state = "missing" if after is None else "neither the old nor the new site"
                failures.append(f"round {round_number} (--jobs {jobs}, killed after {delay:.2f} s): the output was {state}")
            extra = leftovers(site)
            if extra:
                failures.append(f"round {round_number}: left beside the output after the next build: {extra}")

        print(f"kills: {arguments.kills} builds killed in {round_number} rounds on a {arguments.lessons}-lesson site (seed {arguments.seed})")
        print(f"  typical build at the end: {durations[False]:.2f} s after an edit, {durations[True]:.2f} s with the lesson cache emptied")
        for name in ("killed while building", "finished before the kill", "old site after the kill", "new site after the kill"):
            print(f"  {name}: {figures[name]}")
        print(f"  failures: {len(failures)}")
        for failure in failures:
            print(f"    {failure}")
        print(f"  time: {time.monotonic() - started:.0f} s")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

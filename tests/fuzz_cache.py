"""Damage the build's cache at random (`make fuzz-cache`).

Each trial damages one file of `SITE/.studysite/` — a lesson bucket or the build stamp —
by flipping a byte, truncating it, appending bytes, emptying it, or replacing it with
another bucket, then builds (in this process, as `studysite build` does) and compares the
output with a clean build of the same content:

* "copy" trials damage a copy of a built site's cache and build into a fresh folder;
* "in place" trials edit a lesson of one working site, damage its cache or its stamp,
  and build over its own output, so that a stamp trusted wrongly would leave the old
  pages in place.

Every build must succeed, print no traceback, and publish exactly what a clean build
does. The plot SVG cache (`.studysite/plots/`) is not damaged here: it belongs to the
plot drawing code.

    python tests/fuzz_cache.py [--corruptions 330] [--seed 20261129]

Prints the figures, and exits 1 if any trial failed.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helpers import run_cli, tree_snapshot, write_site  # noqa: E402

TOPICS = [("ml", "loss"), ("ml", "gradient"), ("ml", "overfitting"), ("dl", "backprop"), ("dl", "relu"), ("dl", "dropout"),
          ("stats", "mean"), ("stats", "variance"), ("stats", "sampling"), ("", "overview"), ("", "glossary"), ("dl", "attention")]
EDITED = "content/ml/gradient.md"
"""The lesson the in-place trials switch between two versions."""


def lesson(name: str, version: int = 0) -> str:
    return (
        f'+++\ntitle = "{name.title()}"\n+++\n## 說明知識\n{name} 的說明（第 {version} 版）。\n\n'
        f"## 知識測驗\n1. {name} 是什麼？\n答案：{name} 的定義。\n2. 為什麼要學 {name}？\n答案：因為有用。\n"
    )


def content(version: int) -> dict[str, str]:
    files = {f"content/{folder + '/' if folder else ''}{name}.md": lesson(name) for folder, name in TOPICS}
    files[EDITED] = lesson("gradient", version)
    return files


def build(site: Path, *args) -> tuple[bool, str]:
    """Build *site*; (succeeded, what went wrong)."""
    try:
        result = run_cli("build", site, *args)
    except Exception:
        return False, traceback.format_exc()
    if result.code != 0 or "Traceback" in result.err:
        return False, result.err
    parsed = re.search(r"\((\d+) lessons parsed", result.out)
    return True, parsed.group(1) if parsed else "0"


def damage(path: Path, buckets: list[Path], rng: random.Random) -> str:
    data = bytearray(path.read_bytes())
    how = rng.choices(["flip", "truncate", "append", "empty", "another bucket"], [60, 15, 10, 5, 10])[0]
    others = [bucket for bucket in buckets if bucket.name != path.name]
    if how == "another bucket" and not others:
        how = "flip"
    if how == "flip" and data:
        data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
    elif how == "truncate":
        del data[rng.randrange(max(1, len(data))) :]
    elif how == "append":
        data += rng.randbytes(rng.randrange(1, 64))
    elif how == "another bucket":
        data = bytearray(rng.choice(others).read_bytes())
    else:
        how = "empty"
        data.clear()
    path.write_bytes(bytes(data))
    return how


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corruptions", type=int, default=330)
    parser.add_argument("--seed", type=int, default=20261129)
    arguments = parser.parse_args()

    rng = random.Random(arguments.seed)
    work = Path(tempfile.mkdtemp(prefix="studysite-cache-"))
    started = time.monotonic()
    try:
        references = {}
        for version in (0, 1):
            clean = write_site(work / f"clean-{version}", content(version))
            assert build(clean)[0]
            references[version] = tree_snapshot(clean / "public")
        pristine = write_site(work / "pristine", content(0))
        assert build(pristine)[0]
        working = write_site(work / "working", content(0))
        assert build(working)[0]
        version = 0

        figures: Counter[str] = Counter()
        failures: list[str] = []
        for trial in range(arguments.corruptions):
            in_place = rng.random() < 0.5
            if in_place:
                version = 1 - version
                (working / EDITED).write_text(lesson("gradient", version), encoding="utf-8")
                site, out, expected = working, working / "public", references[version]
            else:
                site = work / "copy"
                shutil.rmtree(site, ignore_errors=True)
                shutil.copytree(pristine, site)  # keeps modification times: the cache stays valid
                out, expected = site / "fresh", references[0]
            buckets = sorted((site / ".studysite/lessons").glob("*.pickle"))
            stamp = site / ".studysite/last-build.json"
            target = stamp if in_place and rng.random() < 0.3 else rng.choice(buckets)
            how = damage(target, buckets, rng)
            kind = "stamp" if target.name == "last-build.json" else "bucket"
            figures[f"{'in place' if in_place else 'copy'}, {kind}, {how}"] += 1
            succeeded, detail = build(site, "-o", out)
            if not succeeded:
                failures.append(f"trial {trial} ({how} {target.name}): the build failed:\n{detail}")
                continue
            figures["lessons parsed"] += int(detail)
            if tree_snapshot(out) != expected:
                failures.append(f"trial {trial} ({how} {target.name}): the output differs from a clean build")
            shutil.rmtree(site / "fresh", ignore_errors=True)

        print(f"cache corruptions: {arguments.corruptions} trials (seed {arguments.seed}), {len(TOPICS)} lessons")
        for name, count in sorted(figures.items()):
            if name != "lessons parsed":
                print(f"  {name}: {count}")
        print(f"  lessons parsed in all: {figures['lessons parsed']} (of {arguments.corruptions * len(TOPICS)} read)")
        print(f"  failures: {len(failures)}")
        for failure in failures:
            print(f"    {failure}")
        print(f"  time: {time.monotonic() - started:.0f} s")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

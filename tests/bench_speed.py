"""The table of issue 15 (`make bench` prints it first): studysite against Hugo with
minimal layouts on the synthetic sites of tests/benchmark.py, each build a fresh process,
studysite and Hugo alternating, medians of *repeat* runs; then how the build scales (20,000
lessons with ``--scale``, and a tree 100 folders deep).

Times are taken without sampling the processes' memory (sampling /proc costs CPU that the
builds would miss on a 2-core machine); peak memory comes from separate runs, sampled.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmark import generate_multilingual_site, generate_site, hugo_command, run_sampled

DEPTH = 100
"""Folders, one inside the other, of the deep-tree site."""
EDITED = Path("content/深度學習 (Deep Learning)/Chapter 001/Lesson 00001.md")


class Timing(tuple):
    """(wall seconds, CPU seconds of the process and its children)."""


def run_timed(command: list[str]) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{result.stderr.decode()}")
    return Timing((wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))


def ours(site: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", str(site), "-o", str(out), *extra]


def cold(site: Path, out: Path, *extra: str) -> Timing:
    """A build with no cache and no output folder."""
    shutil.rmtree(site / ".studysite", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return run_timed(ours(site, out, *extra))


def hugo_cold(site: Path, out: Path) -> Timing | None:
    shutil.rmtree(out, ignore_errors=True)
    command = hugo_command(site, out)
    return run_timed(command) if command is not None else None


def inodes(out: Path) -> dict[str, int]:
    return {
        os.path.relpath(os.path.join(folder, name), out): os.stat(os.path.join(folder, name)).st_ino
        for folder, _, names in os.walk(out)
        for name in names
    }


def tree_bytes(out: Path) -> int:
    return sum(os.path.getsize(os.path.join(folder, name)) for folder, _, names in os.walk(out) for name in names)


def median(values: list[Timing | None]) -> Timing | None:
    """The median wall time and the median CPU time (None if a run is missing)."""
    if not values or None in values:
        return None
    return Timing((statistics.median(v[0] for v in values), statistics.median(v[1] for v in values)))


def shown(timing: Timing | None) -> str:
    return f"{timing[0]:.2f} s ({timing[1]:.2f} s CPU)" if timing is not None else "not installed"


def ratio(a: Timing | int | None, b: Timing | int | None) -> str:
    if a is None or not b:
        return "-"
    return f"{(a[0] if isinstance(a, tuple) else a) / (b[0] if isinstance(b, tuple) else b):.2f}×"


def measure_cold_pair(site: Path, work: Path, repeat: int) -> dict:
    """Cold builds with the default --jobs, with --jobs 1, and Hugo's, alternating."""
    default, single, hugo = [], [], []
    for k in range(repeat):
        default.append(cold(site, work / "out"))
        hugo.append(hugo_cold(site, work / "hugo"))
        single.append(cold(site, work / "out", "--jobs", "1"))
    return {"default": median(default), "jobs1": median(single), "hugo": median(hugo)}


def measure_edit(site: Path, out: Path, repeat: int) -> dict:
    """One lesson edited, then `build` (default options) into an up-to-date *out*: time,
    and the share of output files whose inode changed (rewritten or new)."""
    cold(site, out)
    lesson = site / EDITED
    original = lesson.read_text(encoding="utf-8")
    times, shares = [], []
    try:
        for k in range(repeat):
            before = inodes(out)
            lesson.write_text(original + f"\n編輯第 {k} 次。\n", encoding="utf-8")
            times.append(run_timed(ours(site, out)))
            after = inodes(out)
            shares.append(sum(1 for name, inode in after.items() if before.get(name) != inode) / len(after))
        warm = [run_timed(ours(site, out)) for _ in range(repeat)]
    finally:
        lesson.write_text(original, encoding="utf-8")
    return {"edit": median(times), "rewritten": max(shares), "files": len(inodes(out)), "warm": median(warm)}


def measure_memory(site: Path, work: Path) -> dict:
    """Peak summed PSS (KiB) of the whole process tree, one cold build each."""
    shutil.rmtree(site / ".studysite", ignore_errors=True)
    shutil.rmtree(work / "out", ignore_errors=True)
    _, mine = run_sampled(ours(site, work / "out"))
    shutil.rmtree(work / "hugo", ignore_errors=True)
    command = hugo_command(site, work / "hugo")
    theirs = run_sampled(command)[1] if command is not None else None
    return {"ours": mine, "hugo": theirs}


def measure_multilingual_jobs(work: Path, count: int, repeat: int, source: str) -> dict:
    site = generate_multilingual_site(work / f"speed-multilingual-{count}", count, source)
    one, two = [], []
    for k in range(repeat):
        one.append(cold(site, work / "multi-out", "--jobs", "1"))
        two.append(cold(site, work / "multi-out", "--jobs", "2"))
    return {"jobs1": median(one), "jobs2": median(two)}


def generate_deep_site(root: Path, depth: int = DEPTH, lessons_per_level: int = 2) -> Path:
    """One folder inside the other, *depth* deep, each with an introduction and lessons."""
    folder = root / "content"
    for level in range(1, depth + 1):
        folder = folder / f"l{level:03}"
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f'+++\ntitle = "第 {level} 層"\n+++\n第 {level} 層的介紹。\n', encoding="utf-8")
        for number in range(1, lessons_per_level + 1):
            (folder / f"lesson {number}.md").write_text(
                f'+++\ntitle = "第 {level} 層第 {number} 課"\nweight = {number}\n+++\n'
                f"## 說明知識\n均方誤差（MSE）在第 {level} 層。\n\n## 知識測驗\n1. 第 {level} 層是什麼？\n答案：第 {level} 層。\n",
                encoding="utf-8",
            )
    return root


def measure_scale(site: Path, out: Path) -> dict:
    """One cold build (default options), sampled: time, peak memory, output size."""
    shutil.rmtree(site / ".studysite", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    seconds, peak = run_sampled(ours(site, out))
    return {"seconds": seconds, "peak": peak, "bytes": tree_bytes(out), "files": len(inodes(out))}


def report(work: Path, repeat: int, source: str, scale: bool) -> None:
    started = time.perf_counter()
    jobs = len(os.sched_getaffinity(0))
    sites = {n: generate_site(work / f"speed-{n}", n, source) for n in (1000, 5000)}
    small = measure_cold_pair(sites[1000], work / "speed-1000-runs", repeat)
    large = measure_cold_pair(sites[5000], work / "speed-5000-runs", repeat)
    edit = measure_edit(sites[5000], work / "speed-5000-edit", repeat)
    memory = measure_memory(sites[5000], work / "speed-5000-memory")
    multilingual = measure_multilingual_jobs(work, 1000, repeat, source)

    print(f"Issue 15: studysite against Hugo (minimal layouts), {source} lessons; --jobs default = {jobs} usable cores;")
    print(f"medians of {repeat} alternating runs; the machine is shared, so timings are noisy.\n")
    print("| | studysite | Hugo | ratio | target |")
    print("|---|---|---|---|---|")
    print(f"| cold, N = 1,000, default options | {shown(small['default'])} | {shown(small['hugo'])} | {ratio(small['default'], small['hugo'])} | ≤ 2.5× |")
    print(f"| cold, N = 5,000, default options | {shown(large['default'])} | {shown(large['hugo'])} | {ratio(large['default'], large['hugo'])} | ≤ 1.6× |")
    print(
        f"| one lesson edited, then `build`, N = 5,000 | {shown(edit['edit'])}; {edit['rewritten'] * 100:.2f} % of "
        f"{edit['files']:,} output files rewritten (by inode) | Hugo cold: {shown(large['hugo'])} | "
        f"{ratio(edit['edit'], large['hugo'])} | ≤ 0.25×, ≤ 1 % |"
    )
    print(f"| warm, nothing changed, N = 5,000 | {shown(edit['warm'])} | — | {ratio(edit['warm'], large['hugo'])} | |")
    hugo_memory = f"{memory['hugo'] / 1024:.0f} MiB" if memory["hugo"] else "-"
    print(f"| peak memory (process tree, PSS), N = 5,000 | {memory['ours'] / 1024:.0f} MiB | {hugo_memory} | "
          f"{ratio(memory['ours'], memory['hugo'])} | ≤ 1× |")
    print(f"| `--jobs 1` / `--jobs {jobs}`, cold, N = 5,000 | {shown(large['jobs1'])} / {shown(large['default'])} | | "
          f"{ratio(large['jobs1'], large['default'])} faster | ≥ 1.6× |")
    print(f"| `--jobs 1` / `--jobs 2`, cold, 3 languages × 1,000 | {shown(multilingual['jobs1'])} / {shown(multilingual['jobs2'])} | | "
          f"{ratio(multilingual['jobs1'], multilingual['jobs2'])} faster | ≥ 1.6× |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (2 cores)")
    report_scale(work, source, scale, {1000: small["default"][0], 5000: large["default"][0]})
    print(f"\n(the table took {time.perf_counter() - started:.0f} s)")


def report_scale(work: Path, source: str, scale: bool, cold_times: dict[int, float]) -> None:
    print("\nScale (default options, cold):\n")
    print("| site | time | per 1,000 lessons | peak memory (tree) | output |")
    print("|---|---|---|---|---|")
    for n, seconds in cold_times.items():
        print(f"| N = {n:,} | {seconds:.2f} s | {seconds / n * 1000:.2f} s | | |")
    if scale:
        big = measure_scale(generate_site(work / "speed-20000", 20000, source), work / "speed-20000-out")
        print(f"| N = 20,000 (one run) | {big['seconds']:.2f} s | {big['seconds'] / 20:.2f} s | {big['peak'] / 1024:.0f} MiB | "
              f"{big['files']:,} files, {big['bytes'] / 2**20:.0f} MiB |")
    deep = measure_scale(generate_deep_site(work / "speed-deep"), work / "speed-deep-out")
    print(f"| {DEPTH} folders deep, {2 * DEPTH} lessons (one run) | {deep['seconds']:.2f} s | "
          f"{deep['seconds'] / (2 * DEPTH) * 1000:.2f} s | {deep['peak'] / 1024:.0f} MiB | "
          f"{deep['files']:,} files, {deep['bytes'] / 2**20:.1f} MiB |")

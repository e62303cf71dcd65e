"""The benchmark behind BENCHMARKS.md (`make bench`).

Generates synthetic sites of N lessons (fixed seed; nested folders: 5 subjects, chapters
of 25 lessons) from the bundled lessons — or, with ``--source corpus``, from the test
corpus in ../shared — and measures, each build in a fresh process:

* cold builds (no output, no cache) with one process and with ``--jobs 2``: wall time,
  pages per second, peak memory;
* a warm build with nothing changed;
* the size of one lesson page at each N;
* a bare markdown-it + Jinja2 loop over the same files (the floor to compare with), and
  Hugo building the same files when ``hugo`` is installed;
* the live server: one lesson edited in the served N = 1,000 site, rebuild time in
  process, and from the file being saved to the reload being signalled (watcher included);
* plots: milliseconds per distinct figure, and how many figures a site draws cold and warm;
* the detection of the losses a lesson names, on a 5,000-character lesson;
* the numpy losses: value plus gradient on 10^6 elements, and the ratio to PyTorch when
  it is installed;
* generate: 1,000 lessons regenerated offline from a full cache (cold output, then
  unchanged), and 400 prompts put with ``--jobs 8`` to the test server answering after
  200 ms.
* first, the table of issue 15 (tests/bench_speed.py): studysite against Hugo, cold at
  N = 1,000 and 5,000, one lesson edited, warm, peak memory, ``--jobs`` scaling, and a
  100-folder-deep site (plus 20,000 lessons with ``--scale``); ``--only speed`` for it alone;
* search: the data a reader downloads at first use of the search box on the N = 1,000
  site (``search/*.js``), raw and gzip-compressed (``--only search``).
* multilingual sites (``--multilingual-sizes``): 3 languages × N lessons, two thirds of
  each language's lessons translated (same path in the other two), in Hugo's layout
  (``config.toml`` with ``[languages]`` and a ``contentDir`` each); cold (``--jobs 2``)
  and warm, against the three single-language builds of the same lessons and against
  Hugo with minimal layouts, runs alternating; peak memory of the whole process tree
  (the sum of the processes' proportional set sizes, sampled); the size of one lesson
  page against the same page built without languages.

    python tests/benchmark.py [--sizes 100 1000 5000] [--repeat 3] [--source bundled|corpus]
                              [--multilingual-sizes 250 500 1000] [--only speed|multilingual|generate|search]
                              [--scale]
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from helpers import ServeProcess

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
SEED = 20261123
SUBJECTS = ["機器學習 Machine Learning", "深度學習 (Deep Learning)", "統計 Statistics", "最佳化 Optimization", "資料科學"]
LESSONS_PER_CHAPTER = 25
PROBE_PAGE = "機器學習-machine-learning/chapter-001/lesson-00000/index.html"
"""The page whose size is compared across N (the first lesson of the first chapter)."""

_FRONT_MATTER = re.compile(r"\A(\+\+\+\n.*?\n\+\+\+\n|---\n.*?\n---\n)", re.S)
_TITLE = re.compile(r'(?m)^title\s*[=:]\s*"?(.*?)"?\s*$')


def source_lessons(source: str) -> list[tuple[str, str]]:
    """(title, body) of each lesson the synthetic sites are made of."""
    paths = sorted((REPO / "content").rglob("*.md")) if source == "bundled" else sorted(CORPUS.glob("0*.md"))
    lessons = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if "## " not in text:
            continue  # folder introductions, not lessons
        front = _FRONT_MATTER.match(text)
        title = _TITLE.search(front.group(1)) if front else None
        lessons.append((title.group(1) if title else path.stem, text[front.end() :] if front else text))
    return lessons


def generate_site(root: Path, count: int, source: str = "bundled", seed: int = SEED) -> Path:
    rng = random.Random(seed)
    lessons = source_lessons(source)
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
        title, body = rng.choice(lessons) if number else lessons[0]
        weight = number // len(SUBJECTS) % LESSONS_PER_CHAPTER + 1
        title = f"{title} #{number}".replace('"', "'")
        (folder / f"Lesson {number:05}.md").write_text(f'+++\ntitle = "{title}"\nweight = {weight}\n+++\n{body}', encoding="utf-8")
    return root


def run_build(site: Path, out: Path, *extra: str) -> tuple[float, int, str]:
    """Wall seconds, peak resident memory (KiB) and output of one `studysite build` process."""
    command = [sys.executable, "-m", "generator", "build", str(site), "-o", str(out), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stdout, stderr = process.stdout.read().decode(), process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed:\n{stderr}")
    return elapsed, usage.ru_maxrss, stdout


def bare_loop_seconds(site: Path, out: Path) -> float:
    """The floor: parse and render every file with markdown-it and one Jinja2 template."""
    code = r"""
import sys, pathlib
from markdown_it import MarkdownIt
import jinja2
site = pathlib.Path(sys.argv[1]); out = pathlib.Path(sys.argv[2])
md = MarkdownIt("commonmark").enable("table")
template = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><html><head><title>{{ title }}</title></head><body><main>{{ body|safe }}</main></body></html>")
for index, path in enumerate(sorted(site.joinpath("content").rglob("*.md"))):
    body = path.read_text(encoding="utf-8").split("+++", 2)[2]
    folder = out / str(index); folder.mkdir(parents=True)
    (folder / "index.html").write_text(template.render(title=path.stem, body=md.render(body)), encoding="utf-8")
"""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(site), str(out)], check=True, capture_output=True)
    return time.perf_counter() - started


def hugo_command(site: Path, out: Path) -> list[str] | None:
    """Hugo building the same content with minimal layouts into *out* (None without hugo)."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    layouts = out.parent / f"{out.name}-layouts"
    (layouts / "_default").mkdir(parents=True, exist_ok=True)
    (layouts / "shortcodes").mkdir(exist_ok=True)
    (layouts / "shortcodes" / "ask_chatgpt.html").write_text('<blockquote class="ask-chatgpt">{{ .Inner }}</blockquote>')
    (layouts / "_default" / "baseof.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>"
    )
    (layouts / "_default" / "single.html").write_text('{{ define "main" }}<main>{{ .Content }}</main>{{ end }}')
    (layouts / "_default" / "list.html").write_text(
        '{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}'
    )
    config = out.parent / f"{out.name}-hugo.toml"
    config.write_text('baseURL = "/"\ndisableKinds = ["taxonomy", "term", "RSS"]\n')
    return [hugo, "--quiet", "-s", str(site), "--config", str(config), "--layoutDir", str(layouts), "-d", str(out)]


def hugo_seconds(site: Path, out: Path) -> float | None:
    """Seconds for Hugo to build the same content with minimal layouts (None without hugo)."""
    command = hugo_command(site, out)
    return run_timed(command) if command is not None else None


def run_timed(command: list[str]) -> float:
    """Wall seconds of one process, which must succeed."""
    started = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{result.stderr.decode()}")
    return elapsed


def median_of(repeat: int, run) -> float:
    return statistics.median(run(k) for k in range(repeat))


def measure_site(count: int, repeat: int, source: str, work: Path) -> dict:
    site = work / f"site-{source}-{count}"
    generate_site(site, count, source)
    pages = count + sum(1 for _ in (site / "content").rglob("_index.md")) + 1
    row: dict = {"n": count, "pages": pages}
    outs = work / f"outs-{count}"
    outs.mkdir()
    for label, extra in (("cold", ["--jobs", "1"]), ("cold_jobs2", ["--jobs", "2"])):
        times, memory = [], []
        for k in range(repeat):
            shutil.rmtree(site / ".studysite", ignore_errors=True)
            # A fresh folder each time: deleting thousands of files first would be measured too.
            seconds, peak, cold_output = run_build(site, outs / f"{label}-{k}", *extra)
            times.append(seconds)
            memory.append(peak)
        row[label] = statistics.median(times)
        row[label + "_mem"] = max(memory)
    warm_out = outs / f"cold_jobs2-{repeat - 1}"  # the last build: its inputs and output are unchanged
    row["warm"] = median_of(repeat, lambda k: run_build(site, warm_out)[0])
    row["drawn_cold"] = int(re.search(r"(\d+) plots drawn", cold_output).group(1))
    touched = site / "content" / SUBJECTS[1] / "Chapter 001" / "Lesson 00001.md"
    touched.write_text(touched.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    seconds, _, touched_output = run_build(site, warm_out)
    row["one_changed"] = seconds
    row["drawn_touched"] = int(re.search(r"(\d+) plots drawn", touched_output).group(1))
    row["page_bytes"] = (warm_out / PROBE_PAGE).stat().st_size
    row["bare"] = median_of(repeat, lambda k: bare_loop_seconds(site, outs / f"bare-{k}"))
    hugo = [hugo_seconds(site, outs / f"hugo-{k}") for k in range(repeat)]
    row["hugo"] = statistics.median(hugo) if None not in hugo else None
    row["site"] = site
    return row


def measure_live(site: Path, repeat: int) -> dict:
    """One lesson edited in a served site: the rebuild in process, and end to end."""
    sys.path.insert(0, str(REPO))
    from generator.serve import LiveSite

    lesson = site / "content" / SUBJECTS[2] / "Chapter 002" / f"Lesson {2 + 5 * 25:05}.md"
    original = lesson.read_text(encoding="utf-8")
    live = LiveSite(site)
    live.full_build()
    times = []
    for k in range(repeat + 2):
        lesson.write_text(original + f"\n編輯 {k}。\n", encoding="utf-8")
        live.rebuild({lesson})
        times.append(live.last_seconds)
    in_process = statistics.median(times)

    server = ServeProcess(site)
    base = f"{server.url}/__studysite/poll"
    try:
        state = json.load(urllib.request.urlopen(f"{base}?build=-1&errors=-1", timeout=60))
        end_to_end = []
        for k in range(repeat + 2):
            time.sleep(0.5)  # let the watcher settle
            started = time.perf_counter()
            lesson.write_text(original + f"\n再編輯 {k}。\n", encoding="utf-8")
            state = json.load(urllib.request.urlopen(f"{base}?build={state['build']}&errors={state['errors_version']}", timeout=60))
            end_to_end.append(time.perf_counter() - started)
    finally:
        server.stop()
        lesson.write_text(original, encoding="utf-8")
    return {"rebuild": in_process, "saved_to_reload": statistics.median(end_to_end)}


FIGURE_TIMING = r"""
import json, statistics, sys, time
from generator.enrich import automatic_specs, figure_from_shortcode
from generator.content.lesson import ShortcodePart
from generator.plots.draw import draw
shortcodes = {
    "loss curve, residual (MSE, MAE, Huber)": {"losses": "mse, mae, huber"},
    "loss curve, margin (4 losses + 0-1)": {"losses": "hinge, squared_hinge, bce_with_logits, focal", "x": "margin"},
    "loss curve, probability (2 panels)": {"losses": "bce, focal, dice", "x": "probability"},
    "loss curve with gradients, residual": {"losses": "mse, mae, huber", "gradient": "true"},
    "focal-loss family (Lin et al. Fig. 1)": {"losses": "focal", "family": "gamma"},
}
rows = []
for label, params in shortcodes.items():
    spec = figure_from_shortcode(ShortcodePart(0, "loss_curve", params), "zh-TW").spec
    rows.append((label, spec))
for label, data in (("training, line with outliers", "line-with-outliers"), ("training, two blobs", "two-blobs")):
    rows.append((label, figure_from_shortcode(ShortcodePart(0, "training_curve", {"data": data}), "zh-TW").spec))
draw(rows[0][1])  # warm fonts and caches once
out = []
for label, spec in rows:
    times = []
    for _ in range(5):
        started = time.perf_counter(); svg = draw(spec); times.append(time.perf_counter() - started)
    out.append([label, statistics.median(times), len(svg)])
print(json.dumps(out))
"""


def measure_search_data(work: Path, source: str) -> tuple[int, int]:
    """Bytes of the search files of the N = 1,000 site, raw and gzip-compressed (level 6, as
    web servers send them)."""
    site = generate_site(work / "search-site", 1000, source)
    out = work / "search-out"
    run_build(site, out)
    files = sorted((out / "search").glob("*.js"))
    raw = sum(path.stat().st_size for path in files)
    compressed = sum(len(gzip.compress(path.read_bytes(), compresslevel=6)) for path in files)
    return raw, compressed


def report_search_data(work: Path, source: str) -> None:
    raw, compressed = measure_search_data(work, source)
    print(f"\nsearch data at N=1000: {raw / 1e6:.2f} MB, {compressed / 1e6:.3f} MB gzip-compressed")


def measure_figures() -> list[list]:
    result = subprocess.run([sys.executable, "-c", FIGURE_TIMING], capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(result.stdout)


def measure_losses(python: str) -> list[dict]:
    code = "import json; from generator.core.bench import time_losses; print(json.dumps(time_losses()))"
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(result.stdout)


def measure_detection(python: str) -> float:
    """Seconds to find the losses a 5,000-character lesson names (median of 20, in a fresh process)."""
    code = (
        "import statistics, time\n"
        "from generator.enrich import detect_losses\n"
        "text = ('損失函數（loss function）衡量預測與真實值的差距，例如均方誤差 MSE、交叉熵與 Hinge Loss。'\n"
        "        'A classifier minimises the cross-entropy; a regressor the squared error. ') * 40\n"
        "detect_losses(text)\n"
        "times = []\n"
        "for _ in range(20):\n"
        "    started = time.perf_counter(); detect_losses(text); times.append(time.perf_counter() - started)\n"
        "print(statistics.median(times))\n"
    )
    result = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    return float(result.stdout)


def make_workzone(root: Path, subjects: int, chapters: int, leaves: int) -> Path:
    """A three-level catalogue (subjects, chapters, lessons) crossed with the fixture
    workzone's four questions, without its include/exclude."""
    root.mkdir(parents=True)
    config = (REPO / "tests/fixtures/workzone/config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(re.sub(r"(?m)^    (include|exclude): .*\n", "", config), encoding="utf-8")
    lines = []
    for subject in range(1, subjects + 1):
        lines.append(f"- Subject {subject}\n")
        for chapter in range(1, chapters + 1):
            lines.append(f"  - Chapter {subject}.{chapter}\n" if leaves else f"  - Topic {subject}.{chapter}\n")
            lines += [f"    - Topic {subject}.{chapter}.{leaf}\n" for leaf in range(1, leaves + 1)]
    (root / "input.md").write_text("".join(lines), encoding="utf-8")
    return root


def measure_generate_offline(work: Path, repeat: int) -> dict:
    """1,000 lessons (10 subjects, 9 chapters each, 10 lessons per chapter) with every
    answer cached (about 1.5 KB each): `generate --offline` into an empty OUT, then again
    with nothing to change; each a fresh process."""
    sys.path.insert(0, str(REPO / "tests"))
    from assistant_server import answer_for

    sys.path.insert(0, str(REPO))
    from generator.generate.workzone import load_workzone

    zone = make_workzone(work / "generate-offline", 10, 9, 10)
    plan = load_workzone(zone)
    for lesson in plan.lessons:
        for section in lesson.sections:
            path = zone / "cache" / section.cache
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n\n" + "\n\n".join([answer_for(section.prompt)] * 8), encoding="utf-8")

    def run(out: Path) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", "generate", str(zone), "--offline", "-o", str(out)],
                       check=True, capture_output=True, cwd=REPO)
        return time.perf_counter() - started, _child_cpu_since(before)

    cold = [run(work / f"generate-out-{k}") for k in range(repeat)]
    warm = [run(work / "generate-out-0") for _ in range(repeat)]
    return {"lessons": len(plan.lessons), "answers": sum(len(l.sections) for l in plan.lessons),
            "cold": statistics.median(t for t, _ in cold), "cold_cpu": statistics.median(c for _, c in cold),
            "warm": statistics.median(t for t, _ in warm), "warm_cpu": statistics.median(c for _, c in warm)}


def _child_cpu_since(before) -> float:
    """CPU seconds (user + system) of the child processes that ended since *before*."""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure_generate_asking(work: Path) -> dict:
    """400 prompts (100 lessons × 4 questions), none cached, to the test server answering
    each after 200 ms, with `--jobs 8`: wall time, the CPU time of the generate process,
    and the most requests the server saw in flight at once."""
    sys.path.insert(0, str(REPO / "tests"))
    from assistant_server import AssistantServer

    zone = make_workzone(work / "generate-asking", 10, 9, 0)
    with AssistantServer(delay=0.2) as server:
        env = {**os.environ, "OPENAI_BASE_URL": server.base_url}
        env.pop("OPENAI_API_KEY", None)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", "generate", str(zone), "--jobs", "8"],
                       check=True, capture_output=True, cwd=REPO, env=env)
        seconds = time.perf_counter() - started
        cpu = _child_cpu_since(before)
    return {"prompts": len(server.requests), "seconds": seconds, "cpu": cpu, "most_in_flight": server.most_in_flight}


def report_generate(work: Path, repeat: int) -> None:
    offline = measure_generate_offline(work, repeat)
    print(f"\ngenerate --offline, {offline['lessons']:,} lessons ({offline['answers']:,} cached answers): "
          f"{offline['cold']:.2f} s ({offline['cold_cpu']:.2f} s CPU) into an empty OUT, "
          f"{offline['warm']:.2f} s ({offline['warm_cpu']:.2f} s CPU) with nothing to change (target: 2 s)")
    asking = measure_generate_asking(work)
    print(f"generate, {asking['prompts']} prompts answered after 200 ms each, --jobs 8: {asking['seconds']:.1f} s "
          f"({asking['cpu']:.1f} s CPU; {asking['most_in_flight']} requests in flight at most; target: 15 s)")


LANGUAGE_DIRS = {"en": "english", "zh-cn": "zh-cn", "zh-tw": "zh-tw"}
MULTILINGUAL_CONFIG = """title = "Benchmark"
baseURL = "https://example.org/"
[languages.en]
contentDir = "content/english"
weight = 1
[languages.zh-cn]
contentDir = "content/zh-cn"
weight = 2
[languages.zh-tw]
contentDir = "content/zh-tw"
weight = 3
"""


def generate_multilingual_site(root: Path, count: int, source: str = "bundled") -> Path:
    """3 languages × *count* lessons: lesson i of each language has the same path in the
    other two (a translation) unless i % 3 == 2 (a lesson of its own)."""
    for number, (key, folder) in enumerate(LANGUAGE_DIRS.items()):
        staging = root / f"staging-{key}"
        generate_site(staging, count, source, seed=SEED + number)
        for lesson in sorted((staging / "content").rglob("Lesson *.md")):
            index = int(lesson.stem.split()[1])
            if index % 3 == 2:
                lesson.rename(lesson.with_name(f"{lesson.stem} {key}.md"))
        (root / "content").mkdir(parents=True, exist_ok=True)
        (staging / "content").rename(root / "content" / folder)
        shutil.rmtree(staging)
    (root / "config.toml").write_text(MULTILINGUAL_CONFIG, encoding="utf-8")
    return root


def run_sampled(command: list[str]) -> tuple[float, int]:
    """Wall seconds and the peak, over time, of the summed proportional set size (KiB) of
    the process and all its descendants (forked workers share pages: PSS counts them once)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_pss(process.pid))
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{process.stderr.read().decode()}")
    process.stderr.close()
    return elapsed, peak


def _tree_pss(root: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            pass
    return total


def hugo_multilingual_command(site: Path, out: Path) -> list[str] | None:
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    layouts = site / "hugo-layouts"
    (layouts / "_default").mkdir(parents=True, exist_ok=True)
    (layouts / "shortcodes").mkdir(exist_ok=True)
    (layouts / "shortcodes" / "ask_chatgpt.html").write_text('<blockquote class="ask-chatgpt">{{ .Inner }}</blockquote>')
    (layouts / "_default" / "baseof.html").write_text(
        '<!doctype html><html lang="{{ .Lang }}"><head><title>{{ .Title }}</title>'
        '{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Lang }}" href="{{ .Permalink }}">{{ end }}'
        '</head><body><nav>{{ range .Translations }}<a hreflang="{{ .Lang }}" href="{{ .RelPermalink }}">{{ .Language.LanguageName }}</a>{{ end }}</nav>'
        '{{ block "main" . }}{{ end }}</body></html>'
    )
    (layouts / "_default" / "single.html").write_text('{{ define "main" }}<main>{{ .Content }}</main>{{ end }}')
    (layouts / "_default" / "list.html").write_text(
        '{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}'
    )
    config = site / "hugo-bench.toml"
    config.write_text('disableKinds = ["taxonomy", "term", "RSS"]\n' + MULTILINGUAL_CONFIG, encoding="utf-8")
    return [hugo, "--quiet", "-s", str(site), "--config", str(config), "--layoutDir", str(layouts), "-d", str(out)]


def measure_multilingual(count: int, repeat: int, source: str, work: Path, with_hugo: bool) -> dict:
    site = generate_multilingual_site(work / f"multilingual-{count}", count, source)
    singles = []
    for key, folder in LANGUAGE_DIRS.items():
        single = work / f"single-{count}-{key}"
        (single / "content").mkdir(parents=True)
        shutil.copytree(site / "content" / folder, single / "content", dirs_exist_ok=True)
        singles.append(single)
    outs = work / f"multilingual-outs-{count}"
    outs.mkdir()
    ours = [sys.executable, "-m", "generator", "build"]
    multi_times, multi_memory, single_times, hugo_times, hugo_memory = [], [], [], [], []
    for k in range(repeat):  # alternating: ours, the three single builds, Hugo
        shutil.rmtree(site / ".studysite", ignore_errors=True)
        seconds, peak = run_sampled([*ours, str(site), "-o", str(outs / f"multi-{k}"), "--jobs", "2"])
        multi_times.append(seconds)
        multi_memory.append(peak)
        total = 0.0
        for single in singles:
            shutil.rmtree(single / ".studysite", ignore_errors=True)
            total += run_sampled([*ours, str(single), "-o", str(outs / f"{single.name}-{k}"), "--jobs", "2"])[0]
        single_times.append(total)
        hugo = hugo_multilingual_command(site, outs / f"hugo-{k}") if with_hugo else None
        if hugo is not None:
            seconds, peak = run_sampled(hugo)
            hugo_times.append(seconds)
            hugo_memory.append(peak)
    warm = statistics.median(
        run_sampled([*ours, str(site), "-o", str(outs / f"multi-{repeat - 1}"), "--jobs", "2"])[0] for _ in range(repeat)
    )
    probe = Path(PROBE_PAGE)
    multi_page = (outs / f"multi-{repeat - 1}" / probe).stat().st_size
    single_page = (outs / f"{singles[0].name}-{repeat - 1}" / probe).stat().st_size
    return {
        "n": count,
        "cold": statistics.median(multi_times),
        "cold_mem": max(multi_memory),
        "singles": statistics.median(single_times),
        "warm": warm,
        "hugo": statistics.median(hugo_times) if hugo_times else None,
        "hugo_mem": max(hugo_memory) if hugo_memory else None,
        "page_ratio": multi_page / single_page,
        "page_bytes": multi_page,
    }


def report_multilingual(rows: list[dict]) -> None:
    print("\nMultilingual: 3 languages × N lessons, 2/3 translated; cold and warm with --jobs 2; memory is the")
    print("peak summed PSS of the process tree.\n")
    print(f"{'N':>6} {'cold':>7} {'3 singles':>10} {'ratio':>6} {'s/1000':>7} {'warm':>6} {'hugo':>7} {'ratio':>6} "
          f"{'MiB':>5} {'hugo MiB':>9} {'page KiB':>9} {'page ratio':>11}")
    for row in rows:
        hugo = f"{row['hugo']:>6.2f}s {row['cold'] / row['hugo']:>6.2f}" if row["hugo"] else f"{'-':>7} {'-':>6}"
        hugo_mem = f"{row['hugo_mem'] / 1024:>9.0f}" if row["hugo_mem"] else f"{'-':>9}"
        print(
            f"{row['n']:>6} {row['cold']:>6.2f}s {row['singles']:>9.2f}s {row['cold'] / row['singles']:>6.2f} "
            f"{row['cold'] / (3 * row['n']) * 1000:>7.2f} {row['warm']:>5.2f}s {hugo} {row['cold_mem'] / 1024:>5.0f} "
            f"{hugo_mem} {row['page_bytes'] / 1024:>9.1f} {row['page_ratio']:>11.3f}"
        )


def use_bytecode() -> None:
    """Measure every build as an installed studysite runs: from cached bytecode. A shell
    with PYTHONDONTWRITEBYTECODE set (this machine's has it) would otherwise compile the
    whole package again in every process, a third of a second per build that no user pays."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(REPO / "generator", quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", choices=("bundled", "corpus"), default="bundled")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--torch-python", default=sys.executable,
                        help="a Python with torch installed, to compare the losses with PyTorch")
    parser.add_argument("--multilingual-sizes", type=int, nargs="+", default=[250, 500, 1000],
                        help="lessons per language of the multilingual sites")
    parser.add_argument("--only", choices=("speed", "multilingual", "generate", "search"), help="measure only this part")
    parser.add_argument("--scale", action="store_true", help="add a 20,000-lesson site to the speed table (a few minutes)")
    arguments = parser.parse_args()
    use_bytecode()
    work = arguments.keep or Path(tempfile.mkdtemp(prefix="studysite-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if arguments.only in (None, "speed"):
            import bench_speed

            bench_speed.report(work, arguments.repeat, arguments.source, arguments.scale)
        if arguments.only == "speed":
            return
        if arguments.only == "generate":
            report_generate(work, arguments.repeat)
            return
        if arguments.only == "search":
            report_search_data(work, arguments.source)
            return
        multilingual = [
            measure_multilingual(n, arguments.repeat, arguments.source, work, with_hugo=True)
            for n in arguments.multilingual_sizes
        ]
        report_multilingual(multilingual)
        if arguments.only == "multilingual":
            return
        rows = [measure_site(n, arguments.repeat, arguments.source, work) for n in arguments.sizes]
        print(f"Sites generated from the {arguments.source} lessons; medians of {arguments.repeat} runs.\n")
        print(f"{'N':>6} {'pages':>6} {'cold 1 job':>11} {'pages/s':>8} {'peak MiB':>9} {'cold 2 jobs':>12} "
              f"{'warm':>7} {'bare loop':>10} {'hugo':>7} {'page KiB':>9}")
        for row in rows:
            hugo = f"{row['hugo']:>6.2f}s" if row["hugo"] is not None else f"{'-':>7}"
            print(
                f"{row['n']:>6} {row['pages']:>6} {row['cold']:>10.2f}s {row['pages'] / row['cold']:>8.0f} "
                f"{row['cold_mem'] / 1024:>9.0f} {row['cold_jobs2']:>11.2f}s {row['warm']:>6.2f}s "
                f"{row['bare']:>9.2f}s {hugo} {row['page_bytes'] / 1024:>9.1f}"
            )
        for row in rows[1:]:
            print(f"page size at N={row['n']} is {row['page_bytes'] / rows[0]['page_bytes']:.3f}x the size at N={rows[0]['n']}")
        live_row = next((row for row in rows if row["n"] == 1000), rows[-1])
        live = measure_live(live_row["site"], arguments.repeat)
        for row in rows:
            print(f"N={row['n']}: one lesson changed, rebuilt in {row['one_changed']:.2f}s; plots drawn: "
                  f"{row['drawn_cold']} cold, {row['drawn_touched']} after the change")
        print(f"\nserve, N={live_row['n']}: one lesson edited: rebuilt in {live['rebuild'] * 1000:.0f} ms; "
              f"saved → reload signalled in {live['saved_to_reload'] * 1000:.0f} ms (watcher included)")
        print("\nplots, ms to draw one figure (median of 5; SVG size):")
        for label, seconds, size in measure_figures():
            print(f"  {label:<40} {seconds * 1000:5.1f} ms  {size / 1024:5.1f} KiB")
        print(f"\nloss detection in a 5,000-character lesson: {measure_detection(sys.executable) * 1000:.2f} ms")
        print("\nlosses, value + gradient on 10^6 float64 elements:")
        for loss in measure_losses(arguments.torch_python):
            torch = f", torch {loss['torch_seconds'] * 1000:.1f} ms, ratio {loss['ratio']:.2f}" if loss.get("ratio") else ", torch not installed"
            print(f"  {loss['name']:<16} {loss['seconds'] * 1000:.1f} ms{torch}")
        report_generate(work, arguments.repeat)
        report_search_data(work, arguments.source)
    finally:
        if arguments.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The build pipeline: read every lesson, make the site tree, render, then write.

Nothing is written until every lesson has been read and checked, so content errors stop
the build before the output folder is touched. The work is split into shards (groups of
cache buckets): with ``--jobs N`` each shard runs in its own forked process, parses its
lessons, sends back their summaries, then renders its own pages straight into the staging
folder once the parent has checked the whole site. Parsed lessons are cached between
builds; a build whose inputs are all unchanged does nothing.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from generator import __version__
from generator.cache import BuildStamp, LessonCache, bucket_of, fingerprint, tree_state
from generator.config import SiteConfig, load_config
from generator.languages import normalize_language
from generator.content.lesson import Lesson, LessonSummary, parse_lesson
from generator.content.markdown import create_markdown
from generator.content.refs import broken_refs
from generator.content.site import ContentTree, Site, SourceFile, build_site, scan_content
from generator.enrich import enrich
from generator.errors import ContentError, Diagnostic, UsageError
from generator.output import StagedOutput, check_output_dir, remove_leftovers, static_files
from generator.plots.cache import PlotCache, render_figures
from generator.render.environment import create_environment, plot_path, template_dirs
from generator.render.pages import Renderer
from generator.render.search import SearchShardWriter, index_script, lesson_entries
from generator.resources import bundled_dir


@dataclass
class BuildOptions:
    site_root: Path
    out_dir: Path | None = None
    drafts: bool = False
    base_url: str | None = None
    jobs: int = 1

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_root / "public"


@dataclass
class BuildResult:
    files: int = 0
    """Files written (0 when nothing had changed)."""
    drawn: int = 0
    """Plots drawn anew (the others came from the plot cache)."""
    parsed: int = 0
    """Lessons parsed anew (the others came from the cache)."""
    seconds: float = 0.0
    unchanged: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)


def load_site_config(options: BuildOptions) -> SiteConfig:
    config, problems = load_config(options.site_root)
    if problems:
        raise ContentError(problems)
    if options.base_url is not None:
        config.base_url = options.base_url
    if not config.content_dir.is_dir():
        raise UsageError(f"no content/ folder in {options.site_root}: is this a studysite site?")
    return config


@cache
def _code_state() -> str:
    return fingerprint(__version__, tree_state(Path(__file__).parent, (".py",)))


def _parse_key(config: SiteConfig) -> str:
    """Everything that changes how a lesson file is parsed, besides the file itself."""
    return fingerprint(_code_state(), config.unsafe_html, sorted(config.heading_kinds.items()), repr(config.params))


def _file_state(relative: str, path: Path) -> tuple[str, str, int, int]:
    stat = path.stat()
    return relative, str(path), stat.st_mtime_ns, stat.st_size


def asset_version(statics: dict[str, Path]) -> str:
    return fingerprint(__version__, [(r, p.stat().st_mtime_ns) for r, p in statics.items() if r.startswith("assets/")])[:10]


class Shard:
    """Parses some of the lessons, then renders their pages."""

    def __init__(self, config: SiteConfig, cache: LessonCache, sources: dict[int, list[SourceFile]]):
        self.config = config
        self.cache = cache
        self.sources = sources
        self.lessons: dict[str, Lesson] = {}
        self.problems: dict[str, list[Diagnostic]] = {}
        self.parsed = 0
        self._md = None
        self._buckets: dict[int, dict[str, tuple[int, int, Lesson]]] = {}
        self._dirty: set[int] = set()

    def parse(self) -> tuple[list[LessonSummary], list[Diagnostic]]:
        for bucket, sources in self.sources.items():
            cached = self.cache.load(bucket)
            self._buckets[bucket] = {}
            for source in sources:
                entry = cached.get(source.relative)
                if entry is not None and entry[:2] == (source.mtime_ns, source.size):
                    self._buckets[bucket][source.relative] = entry
                    self.lessons[source.relative] = entry[2]
                else:
                    self._parse(source, bucket)
            if self._buckets[bucket].keys() != cached.keys():
                self._dirty.add(bucket)
        return [lesson.summary() for lesson in self.lessons.values()], self.all_problems()

    def update(self, changed: list[SourceFile], removed: list[str]) -> None:
        """Parse changed files again and forget removed ones (for the live server)."""
        for relative in removed:
            bucket = bucket_of(relative)
            self.lessons.pop(relative, None)
            self.problems.pop(relative, None)
            self._buckets.setdefault(bucket, {}).pop(relative, None)
            self._dirty.add(bucket)
            if relative in self.sources.get(bucket, []):
                self.sources[bucket] = [s for s in self.sources[bucket] if s.relative != relative]
        for source in changed:
            bucket = bucket_of(source.relative)
            members = [s for s in self.sources.get(bucket, []) if s.relative != source.relative]
            self.sources[bucket] = sorted([*members, source], key=lambda s: s.relative)
            self._buckets.setdefault(bucket, {}).pop(source.relative, None)
            self._parse(source, bucket)
            self._dirty.add(bucket)

    def all_problems(self) -> list[Diagnostic]:
        return [problem for found in self.problems.values() for problem in found]

    def _parse(self, source: SourceFile, bucket: int) -> None:
        self._md = self._md or create_markdown(unsafe_html=self.config.unsafe_html, site_params=self.config.params)
        lesson, found = self._parse_file(source, self._md)
        self.parsed += 1
        self.problems.pop(source.relative, None)
        self.lessons.pop(source.relative, None)
        if found:
            self.problems[source.relative] = found
        if lesson is not None:
            self.lessons[source.relative] = lesson
            if not found:
                self._buckets[bucket][source.relative] = (source.mtime_ns, source.size, lesson)

    def _parse_file(self, source: SourceFile, md) -> tuple[Lesson | None, list[Diagnostic]]:
        path = f"content/{source.relative}"
        try:
            data = (self.config.content_dir / source.relative).read_bytes()
        except OSError as error:
            return None, [Diagnostic(path, 1, f"cannot read the file: {error.strerror}", code="read")]
        lesson, problems = parse_lesson(path, source.relative, data, md, self.config.heading_kinds)
        if lesson is not None:
            problems += enrich(lesson, normalize_language(lesson.lang) or self.config.language)
        return lesson, problems

    def render(self, site: Site, environment_root: Path, version: str, output) -> list[str]:
        """Write this shard's pages and their search text; return the search files."""
        renderer = Renderer(self.config, site, self.lessons, create_environment(environment_root), version)
        self.render_pages(site, renderer, output)
        scripts = self.search_scripts(site, set(self.sources))
        for name, script in scripts.items():
            output.write(name, script)
        return list(scripts)

    def render_pages(self, site: Site, renderer: Renderer, output, only: set[str] | None = None) -> None:
        """The pages of this shard's lessons (of those in *only*, when given)."""
        for page in site.pages:
            path = page.lesson.content_path
            if path in self.lessons and (only is None or path in only):
                output.write(page.url + "index.html", renderer.lesson_page(page))
        for folder in site.folders:
            path = folder.index.content_path if folder.index is not None else None
            if path in self.lessons and (only is None or path in only):
                output.write(folder.url + "index.html", renderer.folder_page(folder))

    def search_scripts(self, site: Site, buckets: set[int]) -> dict[str, str]:
        """The search files of *buckets*, one set per cache bucket, so that the output
        does not depend on --jobs."""
        writers = {bucket: SearchShardWriter(f"text-{bucket:02}") for bucket in sorted(buckets)}
        placed = [(page.lesson.content_path, page.url) for page in site.pages]
        placed += [(f.index.content_path, f.url) for f in site.folders if f.index is not None]
        for path, url in placed:
            writer = writers.get(bucket_of(path))
            lesson = self.lessons.get(path)
            if writer is not None and lesson is not None:
                writer.add(lesson_entries(lesson, url))
        scripts: dict[str, str] = {}
        for writer in writers.values():
            writer.flush()
            scripts.update(writer.files)
        return scripts

    def save_cache(self) -> None:
        for bucket in self._dirty:
            self.cache.save(bucket, self._buckets[bucket])


def _split(sources: list[SourceFile], jobs: int) -> list[dict[int, list[SourceFile]]]:
    """Group files by cache bucket, then deal buckets to *jobs* shards by total size."""
    buckets: dict[int, list[SourceFile]] = {}
    for source in sources:
        buckets.setdefault(bucket_of(source.relative), []).append(source)
    shards: list[dict[int, list[SourceFile]]] = [{} for _ in range(max(1, min(jobs, len(buckets))))]
    loads = [0] * len(shards)
    for bucket, members in sorted(buckets.items(), key=lambda item: -sum(s.size for s in item[1])):
        lightest = loads.index(min(loads))
        shards[lightest][bucket] = members
        loads[lightest] += sum(s.size for s in members)
    return shards


def build(options: BuildOptions) -> BuildResult:
    # Parsing allocates hundreds of thousands of short-lived objects and makes no cycles
    # worth collecting mid-build; the collector's frequent passes over them cost ~10%.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        return _build(options)
    finally:
        gc.set_threshold(*thresholds)


@dataclass
class LoadedSite:
    config: SiteConfig
    site: Site
    lessons: dict[str, Lesson]
    problems: list[Diagnostic]


def load_site(options: BuildOptions) -> LoadedSite:
    """Read and check the whole site without writing any output (for export and check)."""
    config = load_site_config(options)
    tree = scan_content(config.content_dir)
    shard = Shard(config, LessonCache(options.site_root, _parse_key(config)), _split(tree.sources, 1)[0])
    summaries, problems = shard.parse()
    shard.save_cache()
    site, site_problems = make_site(summaries, tree, options.drafts)
    return LoadedSite(config, site, shard.lessons, problems + site_problems)


def make_site(summaries: list[LessonSummary], tree: ContentTree, drafts: bool) -> tuple[Site, list[Diagnostic]]:
    site, problems = build_site(
        summaries, tree.folders, resources=[r.relative for r in tree.resources], include_drafts=drafts
    )
    return site, problems + broken_refs(site)


def _build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    config = load_site_config(options)
    output_dir = options.output
    check_output_dir(options.site_root, output_dir)
    tree = scan_content(config.content_dir)
    statics = static_files([bundled_dir("static"), options.site_root / "static"])
    parse_key = _parse_key(config)
    inputs = fingerprint(
        parse_key,
        (config.title, config.base_url, config.language, repr(config.params)),
        [(s.relative, s.mtime_ns, s.size) for s in tree.sources],
        tree.folders,
        [(s.relative, s.mtime_ns, s.size) for s in tree.resources],
        [_file_state(relative, path) for relative, path in statics.items()],
        [tree_state(d) for d in template_dirs(options.site_root)],
        options.drafts,
    )
    stamp = BuildStamp(options.site_root)
    if stamp.is_current(inputs, output_dir):
        return BuildResult(seconds=time.perf_counter() - started, unchanged=True)
    remove_leftovers(output_dir)

    cache = LessonCache(options.site_root, parse_key)
    shards = [Shard(config, cache, part) for part in _split(tree.sources, options.jobs)]
    if len(shards) > 1 and "fork" in multiprocessing.get_all_start_methods():
        runner: _Runner = _ForkedRunner(shards)
    else:
        runner = _InlineRunner(shards)
    try:
        summaries, problems = runner.parse()
        site, site_problems = make_site(summaries, tree, options.drafts)
        problems.extend(site_problems)
        problems.extend(_static_collisions(site, statics))
        if any(p.severity == "error" for p in problems):
            runner.stop()
            raise ContentError([p for p in problems if p.severity == "error"])
        version = asset_version(statics)
        # Figures are drawn before any thread starts (the pool forks), with every core.
        figures, drawn = draw_figures(site, options.site_root, options.jobs)
        output = StagedOutput(output_dir)
        try:
            runner.start_render(summaries, tree, options, version, output)
            for spec, svg in figures.items():
                output.write(plot_path(spec), svg)
            _write_shared_files(config, site, statics, options.site_root, version, output)
            search_files = runner.finish_render()
            output.write("search/index.js", index_script(search_files, _titles(site)))
            output.commit(f"studysite {__version__}")
        except BaseException:
            output.abort()
            raise
        stamp.record(inputs, output_dir)
        runner.stop()
    finally:
        runner.close()
    return BuildResult(
        files=output.count + runner.written,
        drawn=drawn,
        parsed=sum(shard.parsed for shard in shards) + runner.parsed_elsewhere,
        seconds=time.perf_counter() - started,
        warnings=[p for p in problems if p.severity != "error"],
    )


def site_figures(site: Site) -> list:
    """Every plot image the published pages show, in page order."""
    lessons = [page.lesson for page in site.pages] + [f.index for f in site.folders if f.index is not None]
    return [spec for lesson in lessons for spec in lesson.figures]


def draw_figures(site: Site, site_root: Path, jobs: int) -> tuple[dict, int]:
    """The SVG of every figure of the site, drawn or from the plot cache, and how many
    were drawn now."""
    return draw_plots(site_figures(site), site_root, jobs)


def draw_plots(specs: list, site_root: Path, jobs: int) -> tuple[dict, int]:
    """The SVG of each of *specs* (enrichment's FigureSpecs), drawn or from the site's plot
    cache, and how many were drawn now."""
    if not specs:
        return {}, 0  # matplotlib is never imported for a site without plots
    return render_figures(specs, PlotCache(site_root), jobs)


def _write_shared_files(
    config: SiteConfig, site: Site, statics: dict[str, Path], site_root: Path, version: str, output: StagedOutput
) -> None:
    """What no shard owns: static files, generated folder pages, 404 page, sitemap."""
    for relative, source in statics.items():
        output.copy(relative, source)
    for relative, published in site.resources.items():
        output.copy(published, config.content_dir / relative)
    renderer = Renderer(config, site, {}, create_environment(site_root), version)
    for folder in site.folders:
        if folder.index is None:
            output.write(folder.url + "index.html", renderer.folder_page(folder))
    output.write("404.html", renderer.not_found_page())
    output.write("search/index.html", renderer.search_page())
    output.write("sitemap.xml", renderer.sitemap())


def _titles(site: Site) -> dict[str, str]:
    titles = {folder.url: folder.title for folder in site.folders}
    titles.update((page.url, page.title) for page in site.pages)
    return titles


def _static_collisions(site: Site, statics: dict[str, Path]) -> list[Diagnostic]:
    return [
        Diagnostic(page.lesson.path, 1, f"static file static/{page.url}index.html has the same URL as this page", code="duplicate-url")
        for page in site.pages
        if page.url + "index.html" in statics
    ]


# --- Running shards in this process or in forked workers -----------------------------


class _Runner(Protocol):
    written: int
    parsed_elsewhere: int

    def parse(self) -> tuple[list[LessonSummary], list[Diagnostic]]: ...

    def start_render(self, summaries, tree, options, version, output) -> None: ...

    def finish_render(self) -> list[str]: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class _InlineRunner:
    written = 0
    parsed_elsewhere = 0

    def __init__(self, shards: list[Shard]):
        self.shards = shards

    def parse(self):
        summaries: list[LessonSummary] = []
        problems: list[Diagnostic] = []
        for shard in self.shards:
            found_summaries, found = shard.parse()
            summaries.extend(found_summaries)
            problems.extend(found)
        return summaries, problems

    def start_render(self, summaries, tree, options, version, output):
        site, _ = make_site(summaries, tree, options.drafts)
        self._search_files = [
            name for shard in self.shards for name in shard.render(site, options.site_root, version, output)
        ]

    def finish_render(self):
        return self._search_files

    def stop(self):
        for shard in self.shards:
            shard.save_cache()

    def close(self):
        pass


class _ForkedRunner:
    """One forked process per shard, driven through a pipe: parse, then render, then save."""

    def __init__(self, shards: list[Shard]):
        self.written = 0
        self.parsed_elsewhere = 0
        context = multiprocessing.get_context("fork")
        self.connections = []
        self.processes = []
        for shard in shards:
            parent_end, child_end = context.Pipe()
            process = context.Process(target=_shard_worker, args=(shard, child_end), daemon=True)
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)
        self._stopped = False

    def _receive(self, connection, expected: str):
        message = connection.recv()
        if message[0] == "failed":
            raise RuntimeError(f"a build worker failed:\n{message[1]}")
        if message[0] != expected:
            raise RuntimeError(f"a build worker answered {message[0]!r} instead of {expected!r}")
        return message[1:]

    def parse(self):
        summaries: list[LessonSummary] = []
        problems: list[Diagnostic] = []
        for connection in self.connections:
            found_summaries, found, parsed = self._receive(connection, "parsed")
            summaries.extend(found_summaries)
            problems.extend(found)
            self.parsed_elsewhere += parsed
        return summaries, problems

    def start_render(self, summaries, tree, options, version, output):
        for connection in self.connections:
            connection.send(("render", summaries, tree, options, version, str(output.staging)))

    def finish_render(self):
        search_files = []
        for connection in self.connections:
            written, files = self._receive(connection, "rendered")
            self.written += written
            search_files.extend(files)
        return search_files

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        for connection in self.connections:
            connection.send(("stop",))
        for connection in self.connections:
            self._receive(connection, "stopped")

    def close(self):
        for connection in self.connections:
            connection.close()
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def _shard_worker(shard: Shard, connection) -> None:
    try:
        summaries, problems = shard.parse()
        connection.send(("parsed", summaries, problems, shard.parsed))
        while True:
            message = connection.recv()
            if message[0] == "render":
                _, all_summaries, tree, options, version, staging = message
                site, _ = make_site(all_summaries, tree, options.drafts)
                output = StagedOutput.attach(Path(staging))
                search_files = shard.render(site, options.site_root, version, output)
                output.flush()
                connection.send(("rendered", output.count, search_files))
            elif message[0] == "stop":
                shard.save_cache()
                connection.send(("stopped",))
                return
    except (EOFError, BrokenPipeError):
        return  # the parent has gone; nothing is waiting for this worker
    except BaseException:
        connection.send(("failed", traceback.format_exc()))

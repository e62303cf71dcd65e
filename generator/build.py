"""The build pipeline: read every lesson, make the site tree, render, then write.

Its stages are public and shared by ``studysite build``, ``check``, the exporters and the
live server, which only decides which stages an edit needs:

1. :func:`load_inputs` — the config, each language's content folder, the static files;
2. :class:`Shard` ``.parse`` — the lessons, from the lesson cache where unchanged;
3. :func:`plan_site` — each language's tree, translations, and the manifest of every
   output file, so that problems (two sources of one URL among them) stop the build
   before anything is written;
4. :func:`draw_figures` — the plots the pages show;
5. :class:`Shard` ``.render`` and :func:`render_shared` — pages, search text, sitemaps;
6. the writer (:mod:`generator.output`).

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
import os
import time
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from jinja2 import Environment

from generator import __version__
from generator.cache import BuildStamp, LessonCache, bucket_of, fingerprint, tree_state
from generator.check import site_warnings
from generator.config import Language, SiteConfig, load_config
from generator.content.lesson import Lesson, LessonSummary, parse_lesson
from generator.content.markdown import create_markdown
from generator.content.refs import broken_refs
from generator.content.site import (
    RESERVED_ROOT_NAMES,
    ContentTree,
    Manifest,
    Site,
    Sites,
    SourceFile,
    build_site,
    page_file,
    scan_content,
)
from generator.enrich import enrich
from generator.errors import ContentError, Diagnostic, OutputError, UsageError
from generator.output import StagedOutput, check_output_dir, remove_leftovers, static_files
from generator.plots.cache import PlotCache, render_figures
from generator.render.environment import create_environment, plot_path, template_dirs
from generator.render.pages import Renderer, has_absolute_base_url, sitemap_file
from generator.render.search import SearchShardWriter, index_script, lesson_entries
from generator.resources import bundled_dir
from generator.workers import exit_with_parent


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


# --- Stage 1: the config, the content folders, the static files -------------------------


@dataclass
class SiteInputs:
    """Everything a build reads besides the lessons' text."""

    config: SiteConfig
    trees: list[ContentTree]
    """One per language, in the order of ``config.languages``."""
    statics: dict[str, Path]
    version: str
    """Changes whenever a file below ``assets/`` does (for the pages' cache-busting links)."""

    @property
    def sources(self) -> list[SourceFile]:
        return [source for tree in self.trees for source in tree.sources]


def load_site_config(options: BuildOptions) -> SiteConfig:
    config, problems = load_config(options.site_root)
    if problems:
        raise ContentError(problems)
    if options.base_url is not None:
        config.base_url = options.base_url
    if not (options.site_root / "content").is_dir() and not config.configured_languages:
        raise UsageError(f"no content/ folder in {options.site_root}: is this a studysite site?")
    return config


def load_inputs(options: BuildOptions, config: SiteConfig | None = None) -> SiteInputs:
    config = config or load_site_config(options)
    statics = load_statics(options.site_root)
    return SiteInputs(config, scan_trees(config), statics, asset_version(statics))


def scan_trees(config: SiteConfig) -> list[ContentTree]:
    return [scan_content(config.root / language.content_root, language.content_root) for language in config.languages]


def load_statics(site_root: Path) -> dict[str, Path]:
    """The bundled static files, overridden file by file by the site's own."""
    return static_files([bundled_dir("static"), site_root / "static"])


@cache
def _code_state() -> str:
    return fingerprint(__version__, tree_state(Path(__file__).parent, (".py",)))


def _parse_key(config: SiteConfig) -> str:
    """Everything that changes how a lesson file is parsed, besides the file itself."""
    return fingerprint(
        _code_state(),
        config.unsafe_html,
        config.hard_wraps,
        sorted(config.heading_kinds.items()),
        config.languages,
        repr(config.params),
    )


def _file_state(relative: str, path: Path) -> tuple[str, str, int, int]:
    stat = path.stat()
    return relative, str(path), stat.st_mtime_ns, stat.st_size


def asset_version(statics: dict[str, Path]) -> str:
    return fingerprint(__version__, [(r, p.stat().st_mtime_ns) for r, p in statics.items() if r.startswith("assets/")])[:10]


# --- Stage 2: parsing lessons (and rendering their pages, stage 5) ----------------------


class Shard:
    """Parses some of the lessons, then renders their pages."""

    def __init__(self, config: SiteConfig, cache: LessonCache, sources: dict[int, list[SourceFile]]):
        self.config = config
        self.cache = cache
        self.sources = sources
        self.lessons: dict[str, Lesson] = {}
        """By path relative to the site folder (``content/zh-cn/a.md``)."""
        self.problems: dict[str, list[Diagnostic]] = {}
        self.parsed = 0
        self._md = None
        self._buckets: dict[int, dict[str, tuple[int, int, Lesson]]] = {}
        self._dirty: set[int] = set()
        self._languages = {language.content_root: language for language in config.languages}

    def parse(self) -> tuple[list[LessonSummary], list[Diagnostic]]:
        for bucket, sources in self.sources.items():
            cached = self.cache.load(bucket)
            self._buckets[bucket] = {}
            parsed_before = self.parsed
            for source in sources:
                entry = cached.get(source.path)
                if entry is not None and entry[:2] == (source.mtime_ns, source.size):
                    self._buckets[bucket][source.path] = entry
                    self.lessons[source.path] = entry[2]
                else:
                    self._parse(source, bucket)
            # An edited lesson keeps its path but has a new entry: save it too.
            if self.parsed != parsed_before or self._buckets[bucket].keys() != cached.keys():
                self._dirty.add(bucket)
        return [lesson.summary() for lesson in self.lessons.values()], self.all_problems()

    def update(self, changed: list[SourceFile], removed: list[SourceFile]) -> None:
        """Parse changed files again and forget removed ones (for the live server)."""
        for source in removed:
            bucket = bucket_of(source.relative)
            self.lessons.pop(source.path, None)
            self.problems.pop(source.path, None)
            self._buckets.setdefault(bucket, {}).pop(source.path, None)
            self._dirty.add(bucket)
            self.sources[bucket] = [s for s in self.sources.get(bucket, []) if s.path != source.path]
        for source in changed:
            bucket = bucket_of(source.relative)
            members = [s for s in self.sources.get(bucket, []) if s.path != source.path]
            self.sources[bucket] = sorted([*members, source], key=lambda s: s.path)
            self._buckets.setdefault(bucket, {}).pop(source.path, None)
            self._parse(source, bucket)
            self._dirty.add(bucket)

    def all_problems(self) -> list[Diagnostic]:
        return [problem for found in self.problems.values() for problem in found]

    def _parse(self, source: SourceFile, bucket: int) -> None:
        self._md = self._md or create_markdown(
            unsafe_html=self.config.unsafe_html, hard_wraps=self.config.hard_wraps, site_params=self.config.params
        )
        lesson, found = self._parse_file(source, self._md)
        self.parsed += 1
        self.problems.pop(source.path, None)
        self.lessons.pop(source.path, None)
        if found:
            self.problems[source.path] = found
        if lesson is not None:
            self.lessons[source.path] = lesson
            if not found:
                self._buckets[bucket][source.path] = (source.mtime_ns, source.size, lesson)

    def _parse_file(self, source: SourceFile, md) -> tuple[Lesson | None, list[Diagnostic]]:
        try:
            data = (self.config.root / source.path).read_bytes()
        except OSError as error:
            return None, [Diagnostic(source.path, 1, f"cannot read the file: {error.strerror}", code="read")]
        lesson, problems = parse_lesson(source.path, source.relative, data, md, self.config.heading_kinds)
        if lesson is not None:
            language = self._languages[source.root]
            problems += enrich(lesson, self.config.interface_language(language, lesson.meta.lang, lesson.lang))
        return lesson, problems

    def render(self, sites: Sites, environment: Environment, version: str, output) -> list[str]:
        """Write this shard's pages and their search text; return the search files."""
        for site in sites.editions:
            renderer = Renderer(self.config, sites, site, self.lessons, environment, version)
            self.render_pages(site, renderer, output)
        scripts = self.search_scripts(sites, set(self.sources))
        for name, script in scripts.items():
            output.write(name, script)
        return list(scripts)

    def render_pages(self, site: Site, renderer: Renderer, output, only: set[str] | None = None) -> None:
        """The pages of this shard's lessons in *site* (of those in *only*, by path, when given)."""
        for page in site.pages:
            path = page.lesson.path
            if path in self.lessons and (only is None or path in only):
                output.write(page_file(page.url), renderer.lesson_page(page))
        for folder in site.folders:
            path = folder.index.path if folder.index is not None else None
            if path in self.lessons and (only is None or path in only):
                output.write(page_file(folder.url), renderer.folder_page(folder))

    def search_scripts(self, sites: Sites, buckets: set[int]) -> dict[str, str]:
        """The search files of *buckets*, one set per language and cache bucket, so that
        the output does not depend on --jobs."""
        scripts: dict[str, str] = {}
        for site in sites.editions:
            writers = {bucket: SearchShardWriter(f"text-{bucket:02}", site.prefix) for bucket in sorted(buckets)}
            placed = [(page.lesson, page.url) for page in site.pages]
            placed += [(f.index, f.url) for f in site.folders if f.index is not None]
            for summary, url in placed:
                writer = writers.get(bucket_of(summary.content_path))
                lesson = self.lessons.get(summary.path)
                if writer is not None and lesson is not None:
                    writer.add(lesson_entries(lesson, url[len(site.prefix) :]))
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


def new_shards(inputs: SiteInputs, site_root: Path, jobs: int = 1) -> list[Shard]:
    """The shards that parse the site's lessons, sharing one lesson cache."""
    cache = LessonCache(site_root, _parse_key(inputs.config))
    return [Shard(inputs.config, cache, part) for part in _split(inputs.sources, jobs)]


# --- Stage 3: the site plan and the manifest of output files ----------------------------


def generated_files(config: SiteConfig) -> list[str]:
    """The files the build writes itself, besides pages: claimed before anything else."""
    sitemaps = has_absolute_base_url(config)
    files = ["404.html"] + (["sitemap.xml"] if sitemaps else [])
    for language in config.languages:
        files += [language.prefix + "search/index.html", language.prefix + "search/index.js"]
        if language.prefix:
            files.append(language.prefix + "404.html")
        if config.multilingual and sitemaps:
            files.append(sitemap_file(language.key))
    default = config.default
    if config.multilingual and not default.prefix:
        files.append(page_file(default.key + "/"))  # Hugo's redirect from /en/ to /
    elif default.prefix:
        files.append("index.html")  # the redirect from / to the default language
    return files


def _reserved(config: SiteConfig, language: Language) -> dict[str, str]:
    """Top-level names (below the language's prefix) that its pages may not take."""
    own = "the site's own files"
    if language.prefix:
        return {name: own for name in ("search", "sitemap.xml", "404.html", "index.html")}
    reserved = dict.fromkeys(RESERVED_ROOT_NAMES, own)
    if config.multilingual:
        # Every language's key: the others' pages, and the default's sitemap and redirect.
        reserved.update((other.key, f"the {other.key} language") for other in config.languages)
    return reserved


def plan_site(inputs: SiteInputs, summaries: list[LessonSummary], drafts: bool) -> tuple[Sites, list[Diagnostic]]:
    """Each language's tree, the translations between them, and one owner for every
    output file: the last stage that can find problems before anything is rendered."""
    config = inputs.config
    manifest = Manifest()
    for name in generated_files(config):
        manifest.claim(name, f"the site's own /{name}")
    for name in sorted({plot_path(spec) for summary in summaries for spec in summary.figures}):
        manifest.claim(name, "the site's plots")
    own_static = (config.root / "static").resolve()
    for relative, source in inputs.statics.items():
        shown = f"static/{relative}"
        manifest.claim(relative, shown if source.resolve().is_relative_to(own_static) else f"the bundled {shown}")
    by_root: dict[str, list[LessonSummary]] = {language.content_root: [] for language in config.languages}
    for summary in summaries:
        by_root[summary.path[: -len(summary.content_path) - 1]].append(summary)
    editions: list[Site] = []
    problems: list[Diagnostic] = []
    for language, tree in zip(config.languages, inputs.trees):
        if config.configured_languages and not tree.sources:
            file, line = language.place
            problems.append(Diagnostic(file, line, f"languages.{language.key}: its content folder {language.content_root}/ has no lessons", code="config"))
        site, found = build_site(
            by_root[language.content_root],
            tree.folders,
            resources=[r.relative for r in tree.resources],
            include_drafts=drafts,
            manifest=manifest,
            content_root=language.content_root,
            prefix=language.prefix,
            language=language.key,
            reserved=_reserved(config, language),
            lower_case=config.lower_case_paths,
        )
        editions.append(site)
        problems.extend(found)
        problems.extend(broken_refs(site))
    sites = Sites(editions, manifest, config.default.key)
    sites.link_translations()
    return sites, problems + manifest.problems


# --- Stage 4: figures --------------------------------------------------------------------


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


# --- Stage 5: what no shard owns -----------------------------------------------------------


def write_figures(figures: dict, output) -> None:
    for spec, svg in figures.items():
        output.write(plot_path(spec), svg)


def render_shared(inputs: SiteInputs, sites: Sites, environment: Environment, figures: dict, output) -> None:
    """Static files, resources, plots, generated folder pages, 404 and search pages,
    sitemaps: everything but the lessons' own pages and search text."""
    config = inputs.config
    sitemaps = has_absolute_base_url(config)
    for relative, source in inputs.statics.items():
        output.copy(relative, source)
    write_figures(figures, output)
    for language, site in zip(config.languages, sites.editions):
        for relative, published in site.resources.items():
            output.copy(published, config.root / language.content_root / relative)
        renderer = Renderer(config, sites, site, {}, environment, inputs.version)
        for folder in site.folders:
            if folder.index is None:
                output.write(page_file(folder.url), renderer.folder_page(folder))
        output.write(site.prefix + "search/index.html", renderer.search_page())
        if site.prefix:
            output.write(site.prefix + "404.html", renderer.not_found_page())
        if sites.multilingual and sitemaps:
            output.write(sitemap_file(language.key), renderer.sitemap())
        if site is sites.default:
            output.write("404.html", renderer.not_found_page())
            if sitemaps:
                output.write("sitemap.xml", renderer.sitemap_index() if sites.multilingual else renderer.sitemap())
            if sites.multilingual:
                if site.prefix:
                    output.write("index.html", renderer.redirect_page("", site.prefix))
                else:
                    output.write(page_file(language.key + "/"), renderer.redirect_page(language.key + "/", ""))


def search_indexes(sites: Sites, search_files: list[str]) -> dict[str, str]:
    """Each language's ``search/index.js``: its search files and its pages' titles, by
    URL below the language's prefix (the page's search box loads them from there)."""
    indexes = {}
    for site in sites.editions:
        prefix = site.prefix
        own = [name[len(prefix) :] for name in search_files if name.startswith(prefix + "search/")]
        titles = {folder.url[len(prefix) :]: folder.title for folder in site.folders}
        titles.update((page.url[len(prefix) :], page.title) for page in site.pages)
        indexes[prefix + "search/index.js"] = index_script(own, titles)
    return indexes


# --- The build ------------------------------------------------------------------------------


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
    sites: Sites
    lessons_by_path: dict[str, Lesson]
    problems: list[Diagnostic]

    @property
    def site(self) -> Site:
        """The default language's tree (the whole tree of a site without languages)."""
        return self.sites.default

    @property
    def lessons(self) -> dict[str, Lesson]:
        """The default language's lessons, by path below its content folder."""
        return self.lessons_of(self.site)

    def lessons_of(self, site: Site) -> dict[str, Lesson]:
        start = len(site.content_root) + 1
        return {
            path[start:]: lesson for path, lesson in self.lessons_by_path.items() if path[:start] == site.content_root + "/"
        }


def load_site(options: BuildOptions) -> LoadedSite:
    """Read and check the whole site without writing any output (for export and check)."""
    inputs = load_inputs(options)
    (shard,) = new_shards(inputs, options.site_root)
    summaries, problems = shard.parse()
    shard.save_cache()
    sites, site_problems = plan_site(inputs, summaries, options.drafts)
    return LoadedSite(inputs.config, sites, shard.lessons, problems + site_problems + site_warnings(inputs, sites))


def _build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    inputs = load_inputs(options)
    config = inputs.config
    output_dir = options.output
    check_output_dir(options.site_root, output_dir)
    parse_key = _parse_key(config)
    sources = inputs.sources
    inputs_state = fingerprint(
        parse_key,
        (config.title, config.base_url, config.language, repr(config.params), config.languages, config.lower_case_paths),
        [(s.path, s.mtime_ns, s.size) for s in sources],
        [tree.folders for tree in inputs.trees],
        [(s.path, s.mtime_ns, s.size) for tree in inputs.trees for s in tree.resources],
        [_file_state(relative, path) for relative, path in inputs.statics.items()],
        [tree_state(d) for d in template_dirs(options.site_root)],
        options.drafts,
    )
    stamp = BuildStamp(options.site_root)
    if stamp.is_current(inputs_state, output_dir):
        return BuildResult(seconds=time.perf_counter() - started, unchanged=True)
    remove_leftovers(output_dir)

    shards = new_shards(inputs, options.site_root, options.jobs)
    if len(shards) > 1 and "fork" in multiprocessing.get_all_start_methods():
        runner: _Runner = _ForkedRunner(shards)
    else:
        runner = _InlineRunner(shards)
    try:
        summaries, problems = runner.parse()
        sites, site_problems = plan_site(inputs, summaries, options.drafts)
        problems.extend(site_problems)
        if any(p.severity == "error" for p in problems):
            runner.stop()
            raise ContentError([p for p in problems if p.severity == "error"])
        problems.extend(site_warnings(inputs, sites))
        # Figures are drawn before any thread starts (the pool forks), with every core.
        figures, drawn = draw_figures(sites, options.site_root, options.jobs)
        output = StagedOutput(output_dir)
        try:
            runner.start_render(summaries, inputs, options, inputs.version, output)
            render_shared(inputs, sites, create_environment(options.site_root), figures, output)
            search_files = runner.finish_render()
            for name, script in search_indexes(sites, search_files).items():
                output.write(name, script)
            output.commit(f"studysite {__version__}")
        except BaseException:
            runner.abandon()  # a worker still rendering would write into the staging folder
            output.abort()
            raise
        stamp.record(inputs_state, output_dir)
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


# --- Running shards in this process or in forked workers -----------------------------


class _Runner(Protocol):
    written: int
    parsed_elsewhere: int

    def parse(self) -> tuple[list[LessonSummary], list[Diagnostic]]: ...

    def start_render(self, summaries, inputs, options, version, output) -> None: ...

    def finish_render(self) -> list[str]: ...

    def stop(self) -> None: ...

    def abandon(self) -> None: ...

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

    def start_render(self, summaries, inputs, options, version, output):
        sites, _ = plan_site(inputs, summaries, options.drafts)
        environment = create_environment(options.site_root)
        self._search_files = [
            name for shard in self.shards for name in shard.render(sites, environment, version, output)
        ]

    def finish_render(self):
        return self._search_files

    def stop(self):
        for shard in self.shards:
            shard.save_cache()

    def abandon(self):
        pass

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
            # The worker inherits the build's ends of every pipe made so far, its own
            # included; it closes them, so that each pipe ends when the build does.
            inherited = [*self.connections, parent_end]
            process = context.Process(
                target=_shard_worker, args=(shard, child_end, os.getpid(), inherited), daemon=True
            )
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)
        self._stopped = False

    def _receive(self, connection, expected: str):
        message = connection.recv()
        if message[0] == "content-error":
            raise ContentError(message[1])
        if message[0] == "output-error":
            raise OutputError(message[1])
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

    def start_render(self, summaries, inputs, options, version, output):
        for connection in self.connections:
            connection.send(("render", summaries, inputs, options, version, output.staging, output.out_dir))

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

    def abandon(self):
        """End the workers now: the build failed, and nothing they do is wanted any more."""
        for process in self.processes:
            process.kill()
        for process in self.processes:
            process.join()

    def close(self):
        for connection in self.connections:
            connection.close()
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()


def _shard_worker(shard: Shard, connection, parent: int, inherited: list) -> None:
    exit_with_parent(parent)
    for other in inherited:
        other.close()
    try:
        summaries, problems = shard.parse()
        connection.send(("parsed", summaries, problems, shard.parsed))
        while True:
            message = connection.recv()
            if message[0] == "render":
                _, all_summaries, inputs, options, version, staging, out_dir = message
                sites, _ = plan_site(inputs, all_summaries, options.drafts)
                output = StagedOutput.attach(staging, out_dir)
                search_files = shard.render(sites, create_environment(options.site_root), version, output)
                output.flush()
                connection.send(("rendered", output.count, search_files))
            elif message[0] == "stop":
                shard.save_cache()
                connection.send(("stopped",))
                return
    except (EOFError, BrokenPipeError):
        return  # the parent has gone; nothing is waiting for this worker
    except ContentError as error:  # a broken template of the site's
        report = ("content-error", error.diagnostics)
    except OutputError as error:  # disk full, read-only file system
        report = ("output-error", str(error))
    except BaseException:
        report = ("failed", traceback.format_exc())
    try:
        connection.send(report)
    except OSError:
        pass  # the build already stopped, on another worker's report

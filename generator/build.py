"""The build pipeline: read every lesson, make the site tree, render, then write.

Its stages are public and shared by ``studysite build``, ``check``, the exporters and the
live server, which only decides which stages an edit needs:

1. :func:`load_inputs` — the config, each language's content folder, the static files;
2. :class:`Shard` ``.parse`` — the lessons, from the lesson cache where unchanged;
3. :func:`plan_site` — each language's tree, translations, and the manifest of every
   output file, so that problems (two sources of one URL among them) stop the build
   before anything is written;
4. :func:`draw_figures` — the plots the pages show;
5. :class:`Shard` ``.render`` and :func:`render_shared` — pages, search text, sitemaps
   (:func:`render_keys` and :mod:`generator.render.dependencies`: what each is made from);
6. the writer (:mod:`generator.output`).

Nothing is written until every lesson has been read and checked, so content errors stop
the build before the output folder is touched. The work is split into shards (groups of
cache buckets): with ``--jobs N`` each shard runs in its own forked process, parses its
lessons, sends back their summaries (and, as it finds them, the plots they show, which a
process of their own draws meanwhile), then renders its own pages straight into the
staging folder once the parent has checked the whole site. A build with few lessons to
parse runs in one process whatever ``--jobs`` says: forking would cost more.

Parsed lessons are cached between builds; a build whose inputs are all unchanged does
nothing. A build after an edit renders only the pages whose inputs changed (each page's
digest: its lesson, what it shows of other pages, the templates and config it is made
with), takes the others over from the previous site as they are, and rewrites only the
files whose bytes changed.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from jinja2 import Environment

from generator import __version__
from generator.cache import BuildStamp, LessonCache, OutputRecord, bucket_of, fingerprint, tree_state
from generator.config import Language, SiteConfig, load_config
from generator.content.lesson import Lesson, LessonSummary, parse_lesson
from generator.content.markdown import create_markdown
from generator.content.refs import broken_refs
from generator.content.site import (
    RESERVED_ROOT_NAMES,
    ContentTree,
    Folder,
    Manifest,
    Page,
    Site,
    Sites,
    SourceFile,
    build_site,
    page_file,
    scan_content,
)
from generator.enrich import enrich
from generator.errors import ContentError, Diagnostic, OutputError, UsageError
from generator.output import Placed, SpareSite, StagedOutput, check_output_dir, remove_leftovers, static_files
from generator.plots.cache import FigureDrawer, PlotCache, render_figures
from generator.render.dependencies import PageDependencies
from generator.render.environment import create_environment, plot_path, template_dirs, template_files
from generator.render.pages import Renderer, sitemap_file
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
    """Processes to build with (the command line's default is every usable core); 1
    builds in this process alone."""

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_root / "public"


@dataclass
class BuildResult:
    files: int = 0
    """Files written (0 when nothing had changed)."""
    kept: int = 0
    """Files taken over from the previous site as they were (same inode, same time)."""
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
    """Parses some of the lessons, then renders their pages.

    Parsing reads each unchanged lesson's summary from the lesson cache, and parses the
    changed files; rendering takes over every page whose inputs did not change from the
    previous site (:mod:`generator.render.dependencies`) and reads from the cache only
    the lessons of the pages it must render."""

    def __init__(self, config: SiteConfig, cache: LessonCache, sources: dict[int, list[SourceFile]]):
        self.config = config
        self.cache = cache
        self.sources = sources
        self.summaries: dict[str, LessonSummary] = {}
        """Every lesson of the shard, by path relative to the site folder (``content/zh-cn/a.md``)."""
        self.lessons: dict[str, Lesson] = {}
        """The lessons read so far (parsed, or from the cache), by the same path."""
        self.problems: dict[str, list[Diagnostic]] = {}
        self.parsed = 0
        self._md = None
        self._buckets: dict[int, dict[str, tuple[int, int, Lesson]]] = {}
        """The cache entries of the buckets read in full."""
        self._dirty: set[int] = set()
        self._languages = {language.content_root: language for language in config.languages}
        self._by_path = {source.path: source for members in sources.values() for source in members}

    def parse(self, figures: Callable[[list], None] | None = None, drafts: bool = False) -> tuple[list[LessonSummary], list[Diagnostic]]:
        """Every lesson's summary, and the problems of those parsed now. *figures* is
        given, bucket by bucket, the plots that the published lessons show, each once, so
        that drawing them can start while the rest is parsed."""
        announced: set = set()
        for bucket, sources in self.sources.items():
            cached = self.cache.load_summaries(bucket)
            if len(cached) == len(sources) and all(_current(cached.get(source.path), source) for source in sources):
                for source in sources:
                    self.summaries[source.path] = cached[source.path][2]
            else:
                self._read_bucket(bucket)
            if figures is not None:
                shown = [self.summaries[s.path] for s in sources if s.path in self.summaries]
                new = {spec: None for summary in shown if drafts or not summary.draft for spec in summary.figures}
                new = [spec for spec in new if spec not in announced]
                if new:
                    announced.update(new)
                    figures(new)
        return list(self.summaries.values()), self.all_problems()

    def read(self, paths: Iterable[str]) -> None:
        """Have the lessons at *paths* (of this shard) in :attr:`lessons`: their buckets
        are read from the cache."""
        for path in paths:
            if path not in self.lessons:
                bucket = bucket_of(self._by_path[path].relative)
                if bucket not in self._buckets:
                    self._read_bucket(bucket)

    def read_all(self) -> None:
        for bucket in self.sources:
            if bucket not in self._buckets:
                self._read_bucket(bucket)

    def _read_bucket(self, bucket: int) -> None:
        cached = self.cache.load(bucket)
        self._buckets[bucket] = {}
        parsed_before = self.parsed
        for source in self.sources.get(bucket, []):
            entry = cached.get(source.path)
            if _current(entry, source):
                self._buckets[bucket][source.path] = entry
                self.lessons[source.path] = entry[2]
                self.summaries[source.path] = entry[2].summary()
            else:
                self._parse(source, bucket)
        # An edited lesson keeps its path but has a new entry: save it too.
        if self.parsed != parsed_before or self._buckets[bucket].keys() != cached.keys():
            self._dirty.add(bucket)

    def update(self, changed: list[SourceFile], removed: list[SourceFile]) -> None:
        """Parse changed files again and forget removed ones (for the live server, which
        has read every bucket)."""
        for source in removed:
            bucket = bucket_of(source.relative)
            self.lessons.pop(source.path, None)
            self.summaries.pop(source.path, None)
            self.problems.pop(source.path, None)
            self._by_path.pop(source.path, None)
            self._buckets.setdefault(bucket, {}).pop(source.path, None)
            self._dirty.add(bucket)
            self.sources[bucket] = [s for s in self.sources.get(bucket, []) if s.path != source.path]
        for source in changed:
            bucket = bucket_of(source.relative)
            members = [s for s in self.sources.get(bucket, []) if s.path != source.path]
            self.sources[bucket] = sorted([*members, source], key=lambda s: s.path)
            self._by_path[source.path] = source
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
        self.summaries.pop(source.path, None)
        if found:
            self.problems[source.path] = found
        if lesson is not None:
            self.lessons[source.path] = lesson
            self.summaries[source.path] = lesson.summary()
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

    def _state(self, path: str) -> tuple[int, int]:
        source = self._by_path[path]
        return source.mtime_ns, source.size

    # --- rendering (stage 5) ---------------------------------------------------------------

    def render(self, sites: Sites, environment: Environment, version: str, output, keys: RenderKeys | None = None) -> list[str]:
        """Write this shard's pages and their search text, or, with *keys*, take over
        from the previous site those whose inputs did not change; return the search files."""
        for site in sites.editions:
            self.render_pages(site, sites, environment, version, output, keys)
        names: list[str] = []
        for site, bucket, members in self._search_groups(sites, set(self.sources)):
            stem = f"{site.prefix}search/text-{bucket:02}"
            digest = None
            if keys is not None:
                digest = fingerprint(keys.search, stem, [(path, self._state(path), url) for path, url in members])
                reused = _reuse_group(output, stem, digest)
                if reused is not None:
                    names += reused
                    continue
            scripts = self._search_files(site, bucket, members)
            for name, script in scripts.items():
                output.write(name, script, (digest, len(scripts)) if digest is not None else None)
            names += scripts
        return names

    def render_pages(
        self, site: Site, sites: Sites, environment: Environment, version: str, output,
        keys: RenderKeys | None = None, only: set[str] | None = None,
    ) -> None:
        """The pages of this shard's lessons in *site* (of those in *only*, by path, when
        given); with *keys*, those whose inputs changed since the previous site."""
        dependencies = PageDependencies(sites, site) if keys is not None else None
        wanted: list[tuple[str, Page | Folder, str, str | None]] = []
        for page in site.pages:
            path = page.lesson.path
            if path in self.summaries and (only is None or path in only):
                wanted.append((page_file(page.url), page, path, keys.lesson if keys else None))
        for folder in site.folders:
            path = folder.index.path if folder.index is not None else None
            if path in self.summaries and (only is None or path in only):
                key = (keys.home if folder.parent is None else keys.section) if keys else None
                wanted.append((page_file(folder.url), folder, path, key))
        pending = []
        for relative, node, path, key in wanted:
            base = None
            if dependencies is not None:
                shown = dependencies.lesson_page(node) if isinstance(node, Page) else dependencies.folder_page(node)
                base = fingerprint(key, path, self._state(path), shown)
                if _reuse_page(output, relative, base, dependencies):
                    continue
            pending.append((relative, node, path, base))
        if not pending:
            return
        self.read(path for _, _, path, _ in pending)
        renderer = Renderer(self.config, sites, site, self.lessons, environment, version)
        for relative, node, path, base in pending:
            html = renderer.lesson_page(node) if isinstance(node, Page) else renderer.folder_page(node)
            links = dependencies.links() if dependencies is not None and self.lessons[path].has_site_links else None
            output.write(relative, html, (base, links) if base is not None else None)

    def search_scripts(self, sites: Sites, buckets: set[int]) -> dict[str, str]:
        """The search files of *buckets*, one set per language and cache bucket, so that
        the output does not depend on --jobs."""
        scripts: dict[str, str] = {}
        for site, bucket, members in self._search_groups(sites, buckets):
            scripts.update(self._search_files(site, bucket, members))
        return scripts

    def _search_groups(self, sites: Sites, buckets: set[int]):
        """(site, bucket, [(lesson path, URL below the language's root)]) for every
        language and each of *buckets*, lessons in page order."""
        for site in sites.editions:
            groups: dict[int, list[tuple[str, str]]] = {bucket: [] for bucket in sorted(buckets)}
            placed = [(page.lesson, page.url) for page in site.pages]
            placed += [(f.index, f.url) for f in site.folders if f.index is not None]
            for summary, url in placed:
                members = groups.get(bucket_of(summary.content_path))
                if members is not None and summary.path in self.summaries:
                    members.append((summary.path, url[len(site.prefix) :]))
            for bucket, members in groups.items():
                yield site, bucket, members

    def _search_files(self, site: Site, bucket: int, members: list[tuple[str, str]]) -> dict[str, str]:
        self.read(path for path, _ in members)
        writer = SearchShardWriter(f"text-{bucket:02}", site.prefix)
        for path, url in members:
            writer.add(lesson_entries(self.lessons[path], url))
        writer.flush()
        return writer.files

    def save_cache(self) -> None:
        for bucket in self._dirty:
            self.cache.save(bucket, self._buckets[bucket])
        self._dirty.clear()


def _current(entry: tuple | None, source: SourceFile) -> bool:
    """Whether a cache entry (time, size, ...) stands for *source* as it is now."""
    return entry is not None and entry[0] == source.mtime_ns and entry[1] == source.size


def _reuse_page(output, relative: str, base: str, dependencies: PageDependencies) -> bool:
    """Take over the previous site's page at *relative* if it was rendered from the same
    inputs (*base*, and the site's URLs where the page links to other lessons)."""
    previous = output.previous_digest(relative)
    if not isinstance(previous, tuple) or previous[0] != base:
        return False
    return output.reuse(relative, (base, dependencies.links() if previous[1] is not None else None))


def _reuse_group(output, stem: str, digest: str) -> list[str] | None:
    """The previous site's search files ``stem-NNN.js``, taken over, if they were made
    from the same lessons and URLs; None if they must be made again."""
    previous = output.previous_digest(f"{stem}-000.js")
    if not isinstance(previous, tuple) or previous[0] != digest:
        return None
    names = [f"{stem}-{number:03}.js" for number in range(previous[1])]
    return names if all(output.reuse(name, previous) for name in names) else None


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
    files = ["404.html", "sitemap.xml"]
    for language in config.languages:
        files += [language.prefix + "search/index.html", language.prefix + "search/index.js"]
        if language.prefix:
            files.append(language.prefix + "404.html")
        if config.multilingual:
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


def site_figures(site: Site | Sites) -> list:
    """Every plot image the published pages show, in page order."""
    lessons = [page.lesson for page in site.pages] + [f.index for f in site.folders if f.index is not None]
    return [spec for lesson in lessons for spec in lesson.figures]


def draw_figures(site: Site | Sites, site_root: Path) -> tuple[dict, int]:
    """The SVG of every figure of the site, drawn or from the plot cache, and how many
    were drawn now."""
    return draw_plots(site_figures(site), site_root)


def draw_plots(specs: list, site_root: Path) -> tuple[dict, int]:
    """The SVG of each of *specs* (enrichment's FigureSpecs), drawn or from the site's plot
    cache, and how many were drawn now."""
    if not specs:
        return {}, 0  # matplotlib is never imported for a site without plots
    return render_figures(specs, PlotCache(site_root))


def write_figures(figures: dict, output) -> None:
    for spec, svg in figures.items():
        output.write(plot_path(spec), svg)


_PLOT = "plot"
"""The digest of every plot file: its name already says what it shows, and how drawn."""


class _Figures:
    """The SVGs a build's pages show: taken over from the previous site, read from the
    plot cache, or drawn — by a :class:`FigureDrawer` while the lessons are parsed where
    the build runs workers, else here once the site is planned."""

    def __init__(self, cache: PlotCache, previous: dict, drawer: FigureDrawer | None):
        self.cache = cache
        self.previous = previous
        self.drawer = drawer
        self.drawn = 0
        self._svgs: dict = {}
        self._seen: set = set()

    def want(self, specs: list) -> None:
        """Get these figures ready: drawing starts now for those nowhere to be found."""
        for spec in specs:
            if spec in self._seen:
                continue
            self._seen.add(spec)
            if plot_path(spec) in self.previous:
                continue  # most likely taken over as it is
            svg = self.cache.get(spec)
            if svg is not None:
                self._svgs[spec] = svg
            elif self.drawer is not None:
                self.drawer.ask(spec)

    def place(self, specs: list, output) -> None:
        """Place the SVG of each of *specs* in the output."""
        if self.drawer is not None:
            drawn = self.drawer.results()
            self.drawn += len(drawn)
            self._svgs.update(drawn)
        unplaced = [spec for spec in dict.fromkeys(specs) if not output.reuse(plot_path(spec), _PLOT)]
        missing = [spec for spec in unplaced if spec not in self._svgs]
        if missing:
            found, drawn = render_figures(missing, self.cache)
            self._svgs.update(found)
            self.drawn += drawn
        for spec in unplaced:
            output.write(plot_path(spec), self._svgs[spec], _PLOT)


# --- Stage 5: what pages are made from, and what no shard owns ----------------------------


@dataclass(frozen=True)
class RenderKeys:
    """What every page of a kind is made from besides the site plan and its own lesson:
    the code, the config, the templates it is rendered with, the assets' version. Part
    of each page's digest, so that a change re-renders the pages it concerns."""

    lesson: str
    section: str
    home: str
    search: str


def render_keys(inputs: SiteInputs, site_root: Path, environment: Environment) -> RenderKeys:
    """The keys of this build; ContentError for a template that does not parse."""
    config = inputs.config
    common = fingerprint(_parse_key(config), repr(config), inputs.version)

    def kind(name: str) -> str:
        files = template_files(environment, f"{name}.html")
        if files is None:  # a template chosen at render time: any of them
            state = [tree_state(folder) for folder in template_dirs(site_root)]
        else:
            state = [_file_state(name, Path(name)) for name in files]
        return fingerprint(common, name, state)

    return RenderKeys(kind("lesson"), kind("section"), kind("home"), fingerprint(_parse_key(config), "search"))


def render_shared(inputs: SiteInputs, sites: Sites, environment: Environment, output, keys: RenderKeys | None = None) -> None:
    """Static files, resources, generated folder pages, 404 and search pages, sitemaps:
    everything but the lessons' own pages and search text, and the plots. With *keys*,
    what did not change is taken over from the previous site."""
    config = inputs.config
    for relative, source in inputs.statics.items():
        output.copy(relative, source, _file_state(relative, source))
    for language, site in zip(config.languages, sites.editions):
        folder_root = config.root / language.content_root
        for relative, published in site.resources.items():
            output.copy(published, folder_root / relative, _file_state(published, folder_root / relative))
        renderer = Renderer(config, sites, site, {}, environment, inputs.version)
        dependencies = PageDependencies(sites, site)
        for folder in site.folders:
            if folder.index is None:
                relative = page_file(folder.url)
                digest = None
                if keys is not None:
                    digest = fingerprint(keys.home if folder.parent is None else keys.section, dependencies.folder_page(folder))
                    if output.reuse(relative, digest):
                        continue
                output.write(relative, renderer.folder_page(folder), digest)
        output.write(site.prefix + "search/index.html", renderer.search_page())
        if site.prefix:
            output.write(site.prefix + "404.html", renderer.not_found_page())
        if sites.multilingual:
            output.write(sitemap_file(language.key), renderer.sitemap())
        if site is sites.default:
            output.write("404.html", renderer.not_found_page())
            if not sites.multilingual:
                output.write("sitemap.xml", renderer.sitemap())
            else:
                output.write("sitemap.xml", renderer.sitemap_index())
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
    shard.read_all()
    shard.save_cache()
    sites, site_problems = plan_site(inputs, summaries, options.drafts)
    return LoadedSite(inputs.config, sites, shard.lessons, problems + site_problems + inputs.config.warnings)


_PARSE_IN_WORKERS = 100
"""Lessons to parse from which a build with --jobs above 1 forks its workers. Fewer are
parsed here: forking, and planning the site again in every worker, would cost more."""


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

    record = OutputRecord(options.site_root, output_dir)
    last = record.load() or {}
    previous: dict[str, Placed] = last.get("files", {})
    environment = create_environment(options.site_root)
    try:
        keys: RenderKeys | None = render_keys(inputs, options.site_root, environment)
    except ContentError:
        keys = None  # reported where the page is rendered, after every lesson's problems
    states = {source.path: (source.mtime_ns, source.size) for source in sources}
    last_states = last.get("sources", {})
    changed = sum(1 for path, state in states.items() if last_states.get(path) != state)
    in_workers = (
        options.jobs > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and (not previous or keys is None or keys != last.get("keys") or changed >= _PARSE_IN_WORKERS)
    )
    shards = new_shards(inputs, options.site_root, options.jobs if in_workers else 1)
    runner: _Runner = _ForkedRunner(shards, previous, options.drafts) if len(shards) > 1 else _InlineRunner(shards)
    try:
        drawer = FigureDrawer(PlotCache(options.site_root), runner.connections) if len(shards) > 1 else None
        figures = _Figures(PlotCache(options.site_root), previous, drawer)
        summaries, problems = runner.parse(figures.want)
        sites, site_problems = plan_site(inputs, summaries, options.drafts)
        problems = sorted(problems + site_problems)
        if any(p.severity == "error" for p in problems):
            runner.stop()
            raise ContentError([p for p in problems if p.severity == "error"])
        shown = site_figures(sites)
        figures.want(shown)  # before the writer thread starts: the drawer forks
        spare = SpareSite.claim(record.home, output_dir)
        try:
            output = StagedOutput(output_dir, previous, spare)
            try:
                runner.start_render(sites, summaries, inputs, options, output, keys)
                output.survey()
                render_shared(inputs, sites, environment, output, keys)
                figures.place(shown, output)
                search_files = runner.finish_render(output)
                for name, script in search_indexes(sites, search_files).items():
                    output.write(name, script)
                output.commit(f"studysite {__version__}")
            except BaseException:
                runner.abandon()  # a worker still rendering would write into the staging folder
                output.abort()
                raise
        finally:
            if spare is not None:
                spare.release()
        record.save({"files": output.placed, "sources": states, "keys": keys})
        stamp.record(inputs_state, output_dir, [(name, placed.mtime_ns, placed.size) for name, placed in output.placed.items()])
        runner.stop()
    finally:
        runner.close()
    return BuildResult(
        files=output.written,
        kept=output.count - output.written,
        drawn=figures.drawn,
        parsed=sum(shard.parsed for shard in shards) + runner.parsed_elsewhere,
        seconds=time.perf_counter() - started,
        warnings=[p for p in problems if p.severity != "error"],
    )


# --- Running shards in this process or in forked workers -----------------------------


class _Runner(Protocol):
    parsed_elsewhere: int
    connections: list

    def parse(self, figures: Callable[[list], None]) -> tuple[list[LessonSummary], list[Diagnostic]]: ...

    def start_render(self, sites, summaries, inputs, options, output, keys) -> None: ...

    def finish_render(self, output) -> list[str]: ...

    def stop(self) -> None: ...

    def abandon(self) -> None: ...

    def close(self) -> None: ...


class _InlineRunner:
    parsed_elsewhere = 0
    connections: list = []

    def __init__(self, shards: list[Shard]):
        self.shards = shards

    def parse(self, figures):
        summaries: list[LessonSummary] = []
        problems: list[Diagnostic] = []
        for shard in self.shards:
            found_summaries, found = shard.parse()
            summaries.extend(found_summaries)
            problems.extend(found)
        return summaries, problems

    def start_render(self, sites, summaries, inputs, options, output, keys):
        environment = create_environment(options.site_root)
        self._search_files = [
            name for shard in self.shards for name in shard.render(sites, environment, inputs.version, output, keys)
        ]

    def finish_render(self, output):
        return self._search_files

    def stop(self):
        for shard in self.shards:
            shard.save_cache()

    def abandon(self):
        pass

    def close(self):
        pass


class _ForkedRunner:
    """One forked process per shard, driven through a pipe: parse (announcing the plots
    it finds as it goes), then render, then save the lesson cache."""

    def __init__(self, shards: list[Shard], previous: dict[str, Placed], drafts: bool):
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
                target=_shard_worker, args=(shard, child_end, os.getpid(), inherited, previous, drafts), daemon=True
            )
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)
        self._stopped = False

    def _receive(self, connection, *expected: str):
        message = connection.recv()
        if message[0] == "content-error":
            raise ContentError(message[1])
        if message[0] == "output-error":
            raise OutputError(message[1])
        if message[0] == "failed":
            raise RuntimeError(f"a build worker failed:\n{message[1]}")
        if message[0] not in expected:
            raise RuntimeError(f"a build worker answered {message[0]!r} instead of {expected[0]!r}")
        return message

    def parse(self, figures):
        summaries: list[LessonSummary] = []
        problems: list[Diagnostic] = []
        parsing = list(self.connections)
        while parsing:
            for connection in multiprocessing.connection.wait(parsing):
                message = self._receive(connection, "parsed", "figures")
                if message[0] == "figures":
                    figures(message[1])
                    continue
                _, found_summaries, found, parsed = message
                summaries.extend(found_summaries)
                problems.extend(found)
                self.parsed_elsewhere += parsed
                parsing.remove(connection)
        return summaries, problems

    def start_render(self, sites, summaries, inputs, options, output, keys):
        for connection in self.connections:
            connection.send(("render", summaries, inputs, options, output.staging, output.out_dir, output.in_place, keys))

    def finish_render(self, output):
        search_files = []
        for connection in self.connections:
            _, placed, written, files = self._receive(connection, "rendered")
            output.adopt(placed, written)
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


def _shard_worker(shard: Shard, connection, parent: int, inherited: list, previous: dict[str, Placed], drafts: bool) -> None:
    exit_with_parent(parent)
    for other in inherited:
        other.close()
    try:
        summaries, problems = shard.parse(lambda specs: connection.send(("figures", specs)), drafts)
        connection.send(("parsed", summaries, problems, shard.parsed))
        while True:
            message = connection.recv()
            if message[0] == "render":
                _, all_summaries, inputs, options, staging, out_dir, in_place, keys = message
                sites, _ = plan_site(inputs, all_summaries, options.drafts)
                output = StagedOutput.attach(staging, out_dir, previous, in_place)
                search_files = shard.render(sites, create_environment(options.site_root), inputs.version, output, keys)
                output.flush()
                connection.send(("rendered", output.placed, output.written, search_files))
                shard.save_cache()  # while the build swaps the site in
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

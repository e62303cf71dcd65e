"""Stages 2 and 5 for a share of the lessons: a :class:`Shard` parses its lessons (from the
lesson cache where unchanged), then renders their pages and search text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from generator.build.inputs import SiteInputs, parse_key
from generator.cache import LessonCache, bucket_of, fingerprint
from generator.config import SiteConfig
from generator.content.lesson import Lesson, LessonSummary, parse_lesson
from generator.content.markdown import create_markdown
from generator.content.site import Folder, Page, Site, Sites, SourceFile, page_file
from generator.enrich import enrich
from generator.errors import Diagnostic
from generator.render.dependencies import PageDependencies
from generator.render.pages import Renderer
from generator.render.search import SearchShardWriter, lesson_entries

if TYPE_CHECKING:
    from generator.build.shared import RenderKeys


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
        pending = []
        for relative, node, path, key in self._pages(site, keys, only):
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

    def _pages(self, site: Site, keys: RenderKeys | None, only: set[str] | None) -> list[tuple[str, Page | Folder, str, str | None]]:
        """(output file, page or folder, lesson path, render key) of each page of *site*
        made from one of this shard's lessons (of those in *only*, when given)."""
        pages: list[tuple[str, Page | Folder, str, str | None]] = []
        for page in site.pages:
            path = page.lesson.path
            if path in self.summaries and (only is None or path in only):
                pages.append((page_file(page.url), page, path, keys.lesson if keys else None))
        for folder in site.folders:
            path = folder.index.path if folder.index is not None else None
            if path in self.summaries and (only is None or path in only):
                key = (keys.home if folder.parent is None else keys.section) if keys else None
                pages.append((page_file(folder.url), folder, path, key))
        return pages

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
    cache = LessonCache(site_root, parse_key(inputs.config))
    return [Shard(inputs.config, cache, part) for part in _split(inputs.sources, jobs)]

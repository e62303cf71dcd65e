"""The build pipeline: read every lesson, make the site tree, render, then write.

Its stages are public and shared by ``studysite build``, ``check``, the exporters and the
live server, which only decides which stages an edit needs:

1. :func:`load_inputs` — the config, each language's content folder, the static files
   (:mod:`generator.build.inputs`);
2. :class:`Shard` ``.parse`` — the lessons, from the lesson cache where unchanged
   (:mod:`generator.build.shard`);
3. :func:`plan_site` — each language's tree, translations, and the manifest of every
   output file, so that problems (two sources of one URL among them) stop the build
   before anything is written (:mod:`generator.build.plan`);
4. :func:`draw_figures` — the plots the pages show (:mod:`generator.build.figures`);
5. :class:`Shard` ``.render`` and :func:`render_shared` — pages, search text, sitemaps
   (:func:`render_keys` and :mod:`generator.render.dependencies`: what each is made from;
   :mod:`generator.build.shared`);
6. the writer (:mod:`generator.output`).

Nothing is written until every lesson has been read and checked, so content errors stop
the build before the output folder is touched. The work is split into shards (groups of
cache buckets): with ``--jobs N`` each shard runs in its own forked process
(:mod:`generator.build.runners`), parses its lessons, sends back their summaries (and, as
it finds them, the plots they show, which a process of their own draws meanwhile), then
renders its own pages straight into the staging folder once the parent has checked the
whole site. A build with few lessons to parse runs in one process whatever ``--jobs``
says: forking would cost more.

Parsed lessons are cached between builds; a build whose inputs are all unchanged does
nothing. A build after an edit renders only the pages whose inputs changed (each page's
digest: its lesson, what it shows of other pages, the templates and config it is made
with), takes the others over from the previous site as they are, and rewrites only the
files whose bytes changed.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from dataclasses import dataclass, field

from jinja2 import Environment

from generator import __version__
from generator.build.figures import SiteFigures, draw_figures, draw_plots, site_figures, write_figures
from generator.build.inputs import (
    BuildOptions,
    SiteInputs,
    asset_version,
    inputs_state,
    load_inputs,
    load_site_config,
    load_statics,
    scan_trees,
)
from generator.build.plan import generated_files, plan_site
from generator.build.runners import ForkedRunner, InlineRunner, Runner
from generator.build.shard import Shard, new_shards
from generator.build.shared import RenderKeys, published_statics, render_keys, render_shared, search_indexes
from generator.cache import BuildStamp, OutputRecord
from generator.check import site_warnings
from generator.config import SiteConfig
from generator.content.lesson import Lesson, LessonSummary
from generator.content.site import Site, Sites
from generator.errors import ContentError, Diagnostic
from generator.output import StagedOutput, check_output_dir, remove_leftovers
from generator.spare import SpareSite
from generator.plots.cache import FigureDrawer, PlotCache
from generator.render.environment import create_environment

__all__ = [
    "BuildOptions",
    "BuildResult",
    "LoadedSite",
    "RenderKeys",
    "Shard",
    "SiteInputs",
    "asset_version",
    "build",
    "draw_figures",
    "draw_plots",
    "generated_files",
    "load_inputs",
    "load_site",
    "load_site_config",
    "load_statics",
    "new_shards",
    "plan_site",
    "published_statics",
    "render_keys",
    "render_shared",
    "scan_trees",
    "search_indexes",
    "site_figures",
    "write_figures",
]


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
    return LoadedSite(inputs.config, sites, shard.lessons, problems + site_problems + site_warnings(inputs, sites))


_PARSE_IN_WORKERS = 100
"""Lessons to parse from which a build with --jobs above 1 forks its workers. Fewer are
parsed here: forking, and planning the site again in every worker, would cost more."""


def _build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    inputs = load_inputs(options)
    output_dir = options.output
    check_output_dir(options.site_root, output_dir)
    state = inputs_state(inputs, options)
    stamp = BuildStamp(options.site_root)
    if stamp.is_current(state, output_dir):
        return BuildResult(seconds=time.perf_counter() - started, unchanged=True)
    remove_leftovers(output_dir)
    record = OutputRecord(options.site_root, output_dir)
    run = _Run(options, inputs, record.load() or {})
    try:
        summaries, sites, problems = run.parse_and_plan()
        output = run.write(sites, summaries, record)
        record.save({"files": output.placed, "sources": run.sources, "keys": run.keys})
        stamp.record(state, output_dir, [(name, placed.mtime_ns, placed.size) for name, placed in output.placed.items()])
        run.runner.stop()
    finally:
        run.runner.close()
    return BuildResult(
        files=output.written,
        kept=output.count - output.written,
        drawn=run.figures.drawn,
        parsed=sum(shard.parsed for shard in run.shards) + run.runner.parsed_elsewhere,
        seconds=time.perf_counter() - started,
        warnings=[p for p in problems if p.severity != "error"],
    )


class _Run:
    """One build past the stamp check: its shards, in this process or in workers, the
    figures they find, and what the previous build left (*last*, its
    :class:`~generator.cache.OutputRecord`)."""

    def __init__(self, options: BuildOptions, inputs: SiteInputs, last: dict):
        self.options = options
        self.inputs = inputs
        self.previous = last.get("files", {})
        self.environment = create_environment(options.site_root)
        self.keys = self._render_keys(self.environment)
        self.sources = {source.path: (source.mtime_ns, source.size) for source in inputs.sources}
        jobs = options.jobs if self._in_workers(last) else 1
        self.shards = new_shards(inputs, options.site_root, jobs)
        if len(self.shards) > 1:
            self.runner: Runner = ForkedRunner(self.shards, self.previous, options.drafts)
            drawer = FigureDrawer(PlotCache(options.site_root), self.runner.connections)
        else:
            self.runner, drawer = InlineRunner(self.shards), None
        self.figures = SiteFigures(PlotCache(options.site_root), self.previous, drawer)

    def _render_keys(self, environment: Environment) -> RenderKeys | None:
        try:
            return render_keys(self.inputs, self.options.site_root, environment)
        except ContentError:
            return None  # reported where the page is rendered, after every lesson's problems

    def _in_workers(self, last: dict) -> bool:
        """Whether to fork workers: only where there is more to do than a few pages."""
        if self.options.jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return False
        if not self.previous or self.keys is None or self.keys != last.get("keys"):
            return True
        last_sources = last.get("sources", {})
        changed = sum(1 for path, state in self.sources.items() if last_sources.get(path) != state)
        return changed >= _PARSE_IN_WORKERS

    def parse_and_plan(self) -> tuple[list[LessonSummary], Sites, list[Diagnostic]]:
        """Every lesson's summary, the site plan, and the problems found; ContentError
        (the workers stopped) if any is an error."""
        summaries, problems = self.runner.parse(self.figures.want)
        sites, site_problems = plan_site(self.inputs, summaries, self.options.drafts)
        problems = sorted(problems + site_problems)
        if any(p.severity == "error" for p in problems):
            self.runner.stop()
            raise ContentError([p for p in problems if p.severity == "error"])
        return summaries, sites, problems + site_warnings(self.inputs, sites)

    def write(self, sites: Sites, summaries: list[LessonSummary], record: OutputRecord) -> StagedOutput:
        """Render the site into the spare copy (or a fresh staging folder) and swap it in."""
        shown = site_figures(sites)
        self.figures.want(shown)  # before the writer thread starts: the drawer forks
        spare = SpareSite.claim(record.home, self.options.output)
        try:
            output = StagedOutput(self.options.output, self.previous, spare)
            try:
                self.runner.start_render(sites, summaries, self.inputs, self.options, output, self.keys)
                output.survey()
                render_shared(self.inputs, sites, self.environment, output, self.keys)
                self.figures.place(shown, output)
                search_files = self.runner.finish_render(output)
                for name, script in search_indexes(sites, search_files).items():
                    output.write(name, script)
                output.commit(f"studysite {__version__}")
            except BaseException:
                self.runner.abandon()  # a worker still rendering would write into the staging folder
                output.abort()
                raise
        finally:
            if spare is not None:
                spare.release()
        return output

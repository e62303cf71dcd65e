"""The build pipeline: read every lesson, make the site tree, render, then write.

Nothing is written until every page has been read and checked, so content errors stop
the build before the output folder is touched.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__
from generator.config import SiteConfig, load_config
from generator.content.lesson import Lesson, parse_lesson
from generator.content.markdown import create_markdown
from generator.content.site import Site, build_site, scan_content
from generator.errors import ContentError, Diagnostic, UsageError
from generator.output import StagedOutput, check_output_dir, static_files
from generator.render.environment import create_environment
from generator.render.pages import Renderer
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
    pages: int
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0


def load_site_config(options: BuildOptions) -> SiteConfig:
    config, problems = load_config(options.site_root)
    if problems:
        raise ContentError(problems)
    if options.base_url is not None:
        config.base_url = options.base_url
    if not config.content_dir.is_dir():
        raise UsageError(f"no content/ folder in {options.site_root}: is this a studysite site?")
    return config


def read_lessons(config: SiteConfig, files: list[str]) -> tuple[list[Lesson], list[Diagnostic]]:
    md = create_markdown(unsafe_html=config.unsafe_html)
    lessons: list[Lesson] = []
    problems: list[Diagnostic] = []
    for relative in files:
        path = f"content/{relative}"
        try:
            data = (config.content_dir / relative).read_bytes()
        except OSError as error:
            problems.append(Diagnostic(path, 0, f"cannot read the file: {error.strerror}"))
            continue
        lesson, found = parse_lesson(path, relative, data, md, config.heading_kinds)
        problems.extend(found)
        if lesson is not None:
            lessons.append(lesson)
    return lessons, problems


def asset_version(files: dict[str, Path]) -> str:
    digest = hashlib.sha256(__version__.encode())
    for relative in sorted(files):
        if relative.startswith("assets/"):
            stat = files[relative].stat()
            digest.update(f"{relative}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:10]


def build(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    config = load_site_config(options)
    check_output_dir(options.site_root, options.output)
    files, folders = scan_content(config.content_dir)
    lessons, problems = read_lessons(config, files)
    site, site_problems = build_site(lessons, folders, include_drafts=options.drafts)
    problems.extend(site_problems)
    statics = static_files([bundled_dir("static"), options.site_root / "static"])
    problems.extend(_static_collisions(site, statics))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    renderer = Renderer(config, site, create_environment(options.site_root), asset_version(statics))
    output = StagedOutput(options.output)
    try:
        _write_site(site, renderer, statics, output)
        output.commit(f"studysite {__version__}")
    except BaseException:
        output.abort()
        raise
    return BuildResult(len(output.written), [p for p in problems if p.severity != "error"], time.perf_counter() - started)


def _write_site(site: Site, renderer: Renderer, statics: dict[str, Path], output: StagedOutput) -> None:
    for relative, source in statics.items():
        output.copy(relative, source)
    for page in site.pages:
        output.write(page.url + "index.html", renderer.lesson_page(page))
    for folder in site.folders:
        output.write(folder.url + "index.html", renderer.folder_page(folder))
    output.write("404.html", renderer.not_found_page())
    output.write("sitemap.xml", renderer.sitemap())


def _static_collisions(site: Site, statics: dict[str, Path]) -> list[Diagnostic]:
    problems = []
    for page in site.pages:
        if page.url + "index.html" in statics:
            problems.append(
                Diagnostic(page.lesson.path, 1, f"static file static/{page.url}index.html has the same URL as this page")
            )
    return problems

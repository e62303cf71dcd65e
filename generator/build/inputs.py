"""Stage 1 of the build: the options, the config, each language's content folder, the
static files, and the fingerprints that say whether any of them changed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator import __version__
from generator.cache import fingerprint, tree_state
from generator.config import SiteConfig, load_config
from generator.content.site import ContentTree, SourceFile, scan_content
from generator.errors import ContentError, UsageError
from generator.output import MINIFIED_BY, static_files
from generator.render.environment import template_dirs
from generator.resources import bundled_dir


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
def code_state() -> str:
    return fingerprint(__version__, tree_state(Path(__file__).parent.parent, (".py",)))


def parse_key(config: SiteConfig) -> str:
    """Everything that changes how a lesson file is parsed, besides the file itself."""
    return fingerprint(
        code_state(),
        config.unsafe_html,
        config.hard_wraps,
        sorted(config.heading_kinds.items()),
        config.languages,
        repr(config.params),
    )


def file_state(relative: str, path: Path) -> tuple[str, str, int, int]:
    stat = path.stat()
    return relative, str(path), stat.st_mtime_ns, stat.st_size


def asset_version(statics: dict[str, Path]) -> str:
    return fingerprint(__version__, MINIFIED_BY, [(r, p.stat().st_mtime_ns) for r, p in statics.items() if r.startswith("assets/")])[:10]


def inputs_state(inputs: SiteInputs, options: BuildOptions) -> str:
    """A digest of everything a build reads: equal to the last build's, nothing changed."""
    config = inputs.config
    return fingerprint(
        parse_key(config),
        (config.title, config.base_url, config.language, repr(config.params), config.languages, config.lower_case_paths),
        [(s.path, s.mtime_ns, s.size) for s in inputs.sources],
        [tree.folders for tree in inputs.trees],
        [(s.path, s.mtime_ns, s.size) for tree in inputs.trees for s in tree.resources],
        [file_state(relative, path) for relative, path in inputs.statics.items()],
        [tree_state(d) for d in template_dirs(options.site_root)],
        options.drafts,
    )

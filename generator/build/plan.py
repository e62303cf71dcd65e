"""Stage 3 of the build: each language's tree, the translations between them, and the
manifest that gives every output file one owner."""

from __future__ import annotations

from generator.build.inputs import SiteInputs
from generator.config import Language, SiteConfig
from generator.content.lesson import LessonSummary
from generator.content.refs import broken_refs
from generator.content.site import RESERVED_ROOT_NAMES, Manifest, Site, Sites, build_site, page_file
from generator.errors import Diagnostic
from generator.render.environment import plot_path
from generator.render.pages import has_absolute_base_url, sitemap_file
from generator.render.tree import tree_file


def generated_files(config: SiteConfig) -> list[str]:
    """The files the build writes itself, besides pages: claimed before anything else."""
    sitemaps = has_absolute_base_url(config)
    files = ["404.html"] + (["sitemap.xml"] if sitemaps else [])
    for language in config.languages:
        files += [language.prefix + "search/index.html", language.prefix + "search/index.js", tree_file(language.key)]
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

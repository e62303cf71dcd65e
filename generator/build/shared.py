"""Stage 5 beyond the shards: what every page of a kind is made from (:class:`RenderKeys`),
and the files no shard owns — static files, resources, generated folder pages, search
pages and indexes, 404 pages, sitemaps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment

from generator.build.inputs import SiteInputs, file_state, parse_key
from generator.cache import fingerprint, tree_state
from generator.content.site import Sites, page_file
from generator.output import place_static
from generator.render.csp import DIAGRAM_ASSETS
from generator.render.dependencies import PageDependencies
from generator.render.environment import template_dirs, template_files
from generator.render.pages import Renderer, has_absolute_base_url, sitemap_file
from generator.render.search import index_script
from generator.render.tree import tree_file


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
    common = fingerprint(parse_key(config), repr(config), inputs.version)

    def kind(name: str) -> str:
        files = template_files(environment, f"{name}.html")
        if files is None:  # a template chosen at render time: any of them
            state = [tree_state(folder) for folder in template_dirs(site_root)]
        else:
            state = [file_state(name, Path(name)) for name in files]
        return fingerprint(common, name, state)

    return RenderKeys(kind("lesson"), kind("section"), kind("home"), fingerprint(parse_key(config), "search"))


def render_shared(inputs: SiteInputs, sites: Sites, environment: Environment, output, keys: RenderKeys | None = None) -> None:
    """Static files, resources, generated folder pages, 404 and search pages, sitemaps:
    everything but the lessons' own pages and search text, and the plots. With *keys*,
    what did not change is taken over from the previous site."""
    config = inputs.config
    sitemaps = has_absolute_base_url(config)
    for relative, source in published_statics(inputs, sites).items():
        place_static(output, relative, source, file_state(relative, source))
    for language, site in zip(config.languages, sites.editions):
        folder_root = config.root / language.content_root
        for relative, published in site.resources.items():
            output.copy(published, folder_root / relative, file_state(published, folder_root / relative))
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
        output.write(tree_file(language.key), renderer.tree_script())
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


def published_statics(inputs: SiteInputs, sites: Sites) -> dict[str, Path]:
    """The static files the site publishes: all of them, but Mermaid only where a page has
    a diagram."""
    if _shows_diagrams(sites):
        return inputs.statics
    return {relative: source for relative, source in inputs.statics.items() if not relative.startswith(DIAGRAM_ASSETS)}


def _shows_diagrams(sites: Sites) -> bool:
    return any(
        page.lesson.diagrams for site in sites.editions for page in site.pages
    ) or any(folder.index.diagrams for site in sites.editions for folder in site.folders if folder.index is not None)

"""Page contexts and rendering: lesson, section, home and 404 pages, and the sitemap.

Everything a template shows is computed here as plain data; templates only lay it out.
Links between pages are relative (``../../other/``) so the site works from any base path.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html import escape as html_escape, unescape as html_unescape
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment

from generator.config import SiteConfig
from generator.content.lesson import Lesson
from generator.content.markdown import LINK_END, LINK_START, REF_PREFIX
from generator.content.links import resolve_site_link
from generator.content.site import Folder, Page, Site, Sites
from generator.render.csp import content_policy, content_security_policy
from generator.render.toc import table_of_contents
from generator.render.tree import tree_file, tree_script
from generator.i18n import script_strings_json, strings_for
from generator.render.views import NavItem, nav_items, section_views

_SITE_LINK = re.compile(re.escape(LINK_START) + "([^" + LINK_END + "]*)" + re.escape(LINK_END))


def _xml_text(text: str) -> str:
    """Text in the sitemap's XML: what xml.sax.saxutils.escape does (``&``, ``<``, ``>``),
    without the urllib.request, email and ssl modules that importing it brings along."""
    return html_escape(text, quote=False)


@dataclass
class Link:
    title: str
    href: str


@dataclass
class LanguageLink:
    """One entry of the language menu: the counterpart of this page in a language, or
    that language's home page where it has none."""

    key: str
    """The language's key in the config: ``hreflang`` and ``lang``."""
    name: str
    href: str
    current: bool = False
    counterpart: bool = True


@dataclass
class ListedLesson:
    title: str
    href: str
    url: str
    tests: int
    warmups: int


@dataclass
class ListedGroup:
    title: str
    href: str
    depth: int
    lessons: list[ListedLesson]
    folders: list[Link] = field(default_factory=list)
    lesson_total: int = 0
    continued: bool = False
    """The rest of a folder's lessons, after one of its sub-folders: no heading again."""


def _policy_for(lesson: Lesson | None) -> str:
    """The page's Content-Security-Policy: the base one, plus the remote images its lesson
    shows and, where it has a diagram, inline styles."""
    if lesson is None:
        return content_security_policy()
    return content_policy(lesson.html_fragments())


def root_prefix(url: str) -> str:
    """The relative path from the page at *url* back to the site root."""
    depth = url.count("/")
    return "../" * depth if depth else "./"


def sitemap_file(language: str) -> str:
    """Where a language's sitemap goes on a site with languages (Hugo's place for it)."""
    return f"{language}/sitemap.xml"


def has_absolute_base_url(config: SiteConfig) -> bool:
    """Whether the config says where the site is published (``baseURL = "https://…"``).
    Only then do pages get canonical links and the site its sitemaps, which the sitemap
    protocol requires to list absolute URLs."""
    return urlsplit(config.base_url).scheme in ("http", "https")


class Renderer:
    def __init__(
        self,
        config: SiteConfig,
        sites: Sites,
        site: Site,
        lessons: dict[str, Lesson],
        environment: Environment,
        asset_version: str,
    ):
        """Renders the pages of *site*, one language's tree of *sites*. *lessons* are the
        parsed lessons it may be asked to render pages of, by path (``content/a.md``); the
        rest of the site is known from the trees' summaries."""
        self.config = config
        self.sites = sites
        self.site = site
        self.language = next(language for language in config.languages if language.key == site.language)
        self.languages = {language.key: language for language in config.languages}
        self.lessons = lessons
        self.environment = environment
        self.asset_version = asset_version
        self._templates = {
            name: environment.get_template(f"{name}.html") for name in ("lesson", "section", "home", "404", "search", "redirect")
        }
        self.site_title = self.language.title or config.title
        # Readers' progress of different sites opened from one origin (file://) stays apart.
        self.site_key = hashlib.blake2b(f"{config.title}|{config.base_url}".encode(), digest_size=4).hexdigest()
        self._neighbours = site.neighbours()
        """The language's tree script and its version, made when first asked for."""

    # --- pages ------------------------------------------------------------------------

    def lesson_page(self, page: Page) -> str:
        root = root_prefix(page.url)
        lesson = self.lessons[page.lesson.path]
        previous, following = self._neighbours[id(page)]
        context = self._base_context(page.url, lesson.title, self._language(lesson), "lesson", page)
        context.update(
            csp=_policy_for(lesson),
            diagrams=page.lesson.diagrams,
            lesson=lesson,
            sections=section_views(lesson, root),
            description=lesson.meta.description,
            breadcrumbs=self._breadcrumbs(page.folder, root),
            nav=self._nav(page.folder, page, root, context["lang"]),
            previous=Link(previous.link_title, root + previous.url) if previous else None,
            next=Link(following.link_title, root + following.url) if following else None,
            test_count=len(lesson.questions("test")),
            toc=table_of_contents(lesson),
        )
        html = self._templates["lesson"].render(page=context)
        return self._resolve_links(html, lesson, root) if lesson.has_site_links else html

    def folder_page(self, folder: Folder) -> str:
        root = root_prefix(folder.url)
        lesson = self.lessons[folder.index.path] if folder.index is not None else None
        kind = "home" if folder.parent is None else "section"
        title = self.site_title if kind == "home" and (lesson is None or lesson.meta.title is None) else folder.title
        context = self._base_context(folder.url, title, self._language(lesson), kind, folder)
        description = lesson.meta.description if lesson else ""
        if kind == "home" and not description:
            description = self.language.description  # as Hugo themes do: .Description, else the site's
        context.update(
            csp=_policy_for(lesson),
            diagrams=folder.index is not None and folder.index.diagrams,
            lesson=lesson,
            sections=section_views(lesson, root) if lesson else [],
            description=description,
            breadcrumbs=self._breadcrumbs(folder.parent, root) if folder.parent else [],
            nav=self._nav(folder, None, root, context["lang"]),
            previous=None,
            next=None,
            test_count=len(lesson.questions("test")) if lesson else 0,
            groups=self._groups(folder, root),
        )
        html = self._templates[kind].render(page=context)
        return self._resolve_links(html, lesson, root) if lesson and lesson.has_site_links else html

    def not_found_page(self) -> str:
        """The language's 404 page, with links from the base path (it is served at any URL)."""
        base_path = urlsplit(self.config.base_url).path or "/"
        if not base_path.endswith("/"):
            base_path += "/"
        language = self.language.interface
        context = self._base_context(self.site.prefix, self.strings(language)["not_found_title"], language, "404")
        context.update(root=base_path, home=base_path + self.site.prefix, nav=self._nav(self.site.root, None, base_path, language))
        context.update(tree=self._tree_source(base_path))
        context.update(languages=self._language_menu(None, base_path), alternates=[])
        return self._templates["404"].render(page=context)

    def search_page(self) -> str:
        language = self.language.interface
        url = self.site.prefix + "search/"
        context = self._base_context(url, self.strings(language)["search"], language, "search")
        context.update(nav=self._nav(self.site.root, None, root_prefix(url), language))
        return self._templates["search"].render(page=context)

    def sitemap(self) -> str:
        """The language's sitemap; on a site with languages each entry lists its
        translations (itself included) as alternates, as Hugo's does."""
        base = self._base()
        entries = []
        for folder in self.site.folders:
            entries.append((folder, folder.url, folder.index.date if folder.index else None))
        for page in self.site.pages:
            entries.append((page, page.url, page.lesson.date))
        namespaces = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if self.sites.multilingual:
            namespaces += ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'
        lines = ['<?xml version="1.0" encoding="utf-8" standalone="yes"?>', f"<urlset {namespaces}>"]
        for node, url, date in entries:
            alternates = "".join(
                f'<xhtml:link rel="alternate" hreflang="{_xml_text(key)}" href="{_xml_text(base + quote(other.url))}"/>'
                for key, other in self.sites.counterparts(node).items()
            )
            lines.append(f"  <url><loc>{_xml_text(base + quote(url))}</loc>"
                         + (f"<lastmod>{date.date().isoformat()}</lastmod>" if date else "") + alternates + "</url>")
        lines.append("</urlset>")
        return "\n".join(lines) + "\n"

    def sitemap_index(self) -> str:
        """The site's ``sitemap.xml`` on a site with languages: one sitemap per language."""
        base = self._base()
        lines = ['<?xml version="1.0" encoding="utf-8" standalone="yes"?>',
                 '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        lines += [f"  <sitemap><loc>{_xml_text(base + quote(sitemap_file(site.language)))}</loc></sitemap>"
                  for site in self.sites.editions]
        lines.append("</sitemapindex>")
        return "\n".join(lines) + "\n"

    def redirect_page(self, url: str, target: str) -> str:
        """A page at *url* that sends the reader to *target*: ``/`` to the default
        language's folder, or (as Hugo does) ``/en/`` back to ``/`` where it is at the root."""
        href = root_prefix(url) + target if url else target
        context = {"href": href, "canonical": self._canonical(target), "lang": self.language.key}
        return self._templates["redirect"].render(page=context)

    def tree_script(self) -> str:
        """The language's navigation tree, published at :func:`tree_file`."""
        return tree_script(self.site)

    def _tree_source(self, root: str) -> str:
        """The tree's address from a page at *root*. Versioned as the other assets are, by
        the code and the bundled files, not by its own content: a digest of the tree would
        change every page of the site whenever one lesson's title changes, and a rebuild
        rewrites only the pages that change. A browser revalidates it as any other file."""
        return f"{root}{tree_file(self.site.language)}?v={self.asset_version}"

    # --- parts --------------------------------------------------------------------------

    def strings(self, language: str) -> dict[str, str]:
        return strings_for(language)

    def _language(self, lesson: Lesson | None) -> str:
        if lesson is None:
            return self.language.interface
        return self.config.interface_language(self.language, lesson.meta.lang, lesson.lang)

    def _base(self) -> str:
        return self.config.base_url if self.config.base_url.endswith("/") else self.config.base_url + "/"

    def _language_menu(self, node: Page | Folder | None, root: str) -> list[LanguageLink]:
        """Every language of the site, each linking this page's counterpart in it (its
        home page where there is none); empty on a site without languages."""
        if not self.sites.multilingual:
            return []
        counterparts = self.sites.counterparts(node) if node is not None else {}
        menu = []
        for site in self.sites.editions:
            language = self.languages[site.language]
            other = counterparts.get(site.language)
            target = node if site is self.site and node is not None else other
            href = root + (target.url if target is not None else site.prefix)
            menu.append(LanguageLink(language.key, language.name or language.key, href, site is self.site, target is not None))
        return menu

    def _alternates(self, node: Page | Folder, root: str) -> list[LanguageLink]:
        """``link rel=alternate hreflang`` for the page and each of its translations."""
        return [
            LanguageLink(key, self.languages[key].name, self._canonical(other.url) or root + other.url)
            for key, other in self.sites.counterparts(node).items()
        ]

    def _base_context(self, url: str, title: str, language: str, kind: str, node: Page | Folder | None = None) -> dict[str, Any]:
        root = root_prefix(url)
        return {
            "kind": kind,
            "url": url,
            "root": root,
            "home": root + self.site.prefix,
            "title": title,
            "lang": language,
            "ui": self.strings(language),
            "languages": self._language_menu(node, root),
            "alternates": self._alternates(node, root) if node is not None else [],
            "site_title": self.site_title,
            "site_key": self.site_key,
            "ui_json": script_strings_json(language),
            "asset_version": self.asset_version,
            "tree": self._tree_source(root),
            "canonical": self._canonical(url),
            "csp": content_security_policy(),
            "diagrams": False,
            "description": "",
            "lesson": None,
            "sections": [],
            "breadcrumbs": [],
            "nav": [],
            "previous": None,
            "next": None,
            "test_count": 0,
            "groups": [],
            "toc": [],
        }

    def _canonical(self, url: str) -> str | None:
        if has_absolute_base_url(self.config):
            base = self.config.base_url if self.config.base_url.endswith("/") else self.config.base_url + "/"
            return base + quote(url)
        return None

    def _breadcrumbs(self, folder: Folder | None, root: str) -> list[Link]:
        if folder is None:
            return []
        crumbs = [Link(self.strings(self.language.interface)["home"], root + self.site.prefix)]
        crumbs.extend(Link(ancestor.link_title, root + ancestor.url) for ancestor in folder.ancestors()[1:])
        return crumbs

    def _nav(self, folder: Folder, current: Page | None, root: str, language: str) -> list[NavItem]:
        return nav_items(folder, current, root, self.strings(language)["more"])

    def _groups(self, folder: Folder, root: str) -> list[ListedGroup]:
        """The lessons below *folder* in reading order — :meth:`Folder.walk`'s, which the
        sidebar and the previous/next links follow too — grouped by folder: each sub-folder
        opens a group under its title, and a folder's lessons that come after one of its
        sub-folders continue its list below it."""
        base_depth = folder.url.count("/")

        def group(of: Folder, continued: bool = False) -> ListedGroup:
            sub_folders = [] if continued else [Link(c.title, root + c.url) for c in of.children if isinstance(c, Folder)]
            depth = of.url.count("/") - base_depth
            return ListedGroup(of.title, root + of.url, depth, [], sub_folders, of.lesson_count(), continued)

        groups = [group(folder)]
        listing = [folder]
        """The folder whose lessons each group lists."""
        for node in folder.walk():
            if isinstance(node, Folder):
                groups.append(group(node))
                listing.append(node)
                continue
            if listing[-1] is not node.folder:
                groups.append(group(node.folder, continued=True))
                listing.append(node.folder)
            groups[-1].lessons.append(ListedLesson(node.title, root + node.url, node.url, node.lesson.tests, node.lesson.warmups))
        return groups

    def _resolve_links(self, html: str, lesson: Lesson, root: str) -> str:
        def resolve(match: re.Match[str]) -> str:
            target = match.group(1)
            if target.startswith(REF_PREFIX):  # the build has checked that it names a page
                link = resolve_site_link(self.site, lesson.content_path, html_unescape(target))
                return root + html_escape(link.url or "")
            link = resolve_site_link(self.site, lesson.content_path, target)
            # Left as written where it leads nowhere: `studysite check` reports it.
            return target if link.url is None else root + link.url

        return _SITE_LINK.sub(resolve, html)

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
from xml.sax.saxutils import escape as xml_escape

from jinja2 import Environment

from generator.config import SiteConfig
from generator.languages import normalize_language
from generator.content.lesson import Lesson
from generator.content.markdown import LINK_END, LINK_START, REF_PREFIX
from generator.content.links import resolve_site_link
from generator.content.site import Folder, Page, Site
from generator.i18n import script_strings_json, strings_for

NAV_WINDOW = 7
"""Sidebar entries shown on each side of the open one, per level. Larger folders are
summarised with a "N more" link, so a page's size does not grow with the site."""

_SITE_LINK = re.compile(re.escape(LINK_START) + "([^" + LINK_END + "]*)" + re.escape(LINK_END))


@dataclass
class Link:
    title: str
    href: str


@dataclass
class NavItem:
    title: str
    href: str
    url: str
    is_folder: bool = False
    current: bool = False
    open: bool = False
    more: int = 0
    """For a "N more" entry: how many entries it stands for."""
    children: list[NavItem] = field(default_factory=list)


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


def root_prefix(url: str) -> str:
    """The relative path from the page at *url* back to the site root."""
    depth = url.count("/")
    return "../" * depth if depth else "./"


class Renderer:
    def __init__(
        self,
        config: SiteConfig,
        site: Site,
        lessons: dict[str, Lesson],
        environment: Environment,
        asset_version: str,
    ):
        """*lessons* are the parsed lessons this renderer may be asked to render pages of,
        by content path; the rest of the site is known from the tree's summaries."""
        self.config = config
        self.site = site
        self.lessons = lessons
        self.environment = environment
        self.asset_version = asset_version
        self._templates = {
            name: environment.get_template(f"{name}.html") for name in ("lesson", "section", "home", "404", "search")
        }
        # Readers' progress of different sites opened from one origin (file://) stays apart.
        self.site_key = hashlib.blake2b(f"{config.title}|{config.base_url}".encode(), digest_size=4).hexdigest()
        self._neighbours = {
            id(page): (
                site.pages[index - 1] if index > 0 else None,
                site.pages[index + 1] if index + 1 < len(site.pages) else None,
            )
            for index, page in enumerate(site.pages)
        }

    # --- pages ------------------------------------------------------------------------

    def lesson_page(self, page: Page) -> str:
        root = root_prefix(page.url)
        lesson = self.lessons[page.lesson.content_path]
        previous, following = self._neighbours[id(page)]
        context = self._base_context(page.url, lesson.title, self._language(lesson.lang), "lesson")
        context.update(
            lesson=lesson,
            description=lesson.meta.description,
            breadcrumbs=self._breadcrumbs(page.folder, root),
            nav=self._nav(page.folder, page, root),
            previous=Link(previous.title, root + previous.url) if previous else None,
            next=Link(following.title, root + following.url) if following else None,
            test_count=len(lesson.questions("test")),
        )
        html = self._templates["lesson"].render(page=context)
        return self._resolve_links(html, lesson, root) if lesson.has_site_links else html

    def folder_page(self, folder: Folder) -> str:
        root = root_prefix(folder.url)
        lesson = self.lessons[folder.index.content_path] if folder.index is not None else None
        kind = "home" if folder.parent is None else "section"
        title = self.config.title if kind == "home" and (lesson is None or lesson.meta.title is None) else folder.title
        context = self._base_context(folder.url, title, self._language(lesson.lang if lesson else None), kind)
        context.update(
            lesson=lesson,
            description=lesson.meta.description if lesson else "",
            breadcrumbs=self._breadcrumbs(folder.parent, root) if folder.parent else [],
            nav=self._nav(folder, None, root),
            previous=None,
            next=None,
            test_count=len(lesson.questions("test")) if lesson else 0,
            groups=self._groups(folder, root),
        )
        html = self._templates[kind].render(page=context)
        return self._resolve_links(html, lesson, root) if lesson and lesson.has_site_links else html

    def not_found_page(self) -> str:
        base_path = urlsplit(self.config.base_url).path or "/"
        if not base_path.endswith("/"):
            base_path += "/"
        context = self._base_context("", self.strings(self.config.language)["not_found_title"], self.config.language, "404")
        context.update(root=base_path, nav=self._nav(self.site.root, None, base_path))
        return self._templates["404"].render(page=context)

    def search_page(self) -> str:
        context = self._base_context("search/", self.strings(self.config.language)["search"], self.config.language, "search")
        context.update(nav=self._nav(self.site.root, None, "../"))
        return self._templates["search"].render(page=context)

    def sitemap(self) -> str:
        base = self.config.base_url if self.config.base_url.endswith("/") else self.config.base_url + "/"
        entries = []
        for folder in self.site.folders:
            entries.append((folder.url, folder.index.date if folder.index else None))
        for page in self.site.pages:
            entries.append((page.url, page.lesson.date))
        lines = ['<?xml version="1.0" encoding="utf-8" standalone="yes"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        for url, date in entries:
            lines.append(f"  <url><loc>{xml_escape(base + quote(url))}</loc>"
                         + (f"<lastmod>{date.date().isoformat()}</lastmod>" if date else "") + "</url>")
        lines.append("</urlset>")
        return "\n".join(lines) + "\n"

    # --- parts --------------------------------------------------------------------------

    def strings(self, language: str) -> dict[str, str]:
        return strings_for(language)

    def _language(self, lang: str | None) -> str:
        return normalize_language(lang) or self.config.language

    def _base_context(self, url: str, title: str, language: str, kind: str) -> dict[str, Any]:
        return {
            "kind": kind,
            "url": url,
            "root": root_prefix(url),
            "title": title,
            "lang": language,
            "ui": self.strings(language),
            "site_title": self.config.title,
            "site_key": self.site_key,
            "ui_json": script_strings_json(language),
            "asset_version": self.asset_version,
            "canonical": self._canonical(url),
            "description": "",
            "lesson": None,
            "breadcrumbs": [],
            "nav": [],
            "previous": None,
            "next": None,
            "test_count": 0,
            "groups": [],
        }

    def _canonical(self, url: str) -> str | None:
        if urlsplit(self.config.base_url).scheme in ("http", "https"):
            base = self.config.base_url if self.config.base_url.endswith("/") else self.config.base_url + "/"
            return base + quote(url)
        return None

    def _breadcrumbs(self, folder: Folder | None, root: str) -> list[Link]:
        if folder is None:
            return []
        crumbs = [Link(self.strings(self.config.language)["home"], root)]
        crumbs.extend(Link(ancestor.title, root + ancestor.url) for ancestor in folder.ancestors()[1:])
        return crumbs

    def _nav(self, folder: Folder, current: Page | None, root: str) -> list[NavItem]:
        path = folder.ancestors()
        focus_chain: list[Folder | Page] = path[1:] + ([current] if current else [])
        return self._nav_level(path[0], focus_chain, 0, root, current, folder)

    def _nav_level(self, folder, chain, depth, root, current, open_folder) -> list[NavItem]:
        focus = chain[depth] if depth < len(chain) else None
        children = folder.children
        if focus is not None and focus in children:
            centre = children.index(focus)
        else:
            centre = 0
        start = max(0, min(centre - NAV_WINDOW, len(children) - 2 * NAV_WINDOW - 1))
        stop = min(len(children), start + 2 * NAV_WINDOW + 1)
        items: list[NavItem] = []
        if start > 0:
            items.append(NavItem("", root + folder.url, folder.url, more=start))
        for child in children[start:stop]:
            is_folder = isinstance(child, Folder)
            item = NavItem(
                child.title,
                root + child.url,
                child.url,
                is_folder=is_folder,
                current=child is current or (current is None and child is open_folder),
                open=child is focus,
            )
            if is_folder and child is focus:
                item.children = self._nav_level(child, chain, depth + 1, root, current, open_folder)
            items.append(item)
        if stop < len(children):
            items.append(NavItem("", root + folder.url, folder.url, more=len(children) - stop))
        return items

    def _groups(self, folder: Folder, root: str) -> list[ListedGroup]:
        """Lessons grouped by folder: this folder's own lessons, then each sub-folder's."""
        groups: list[ListedGroup] = []
        base_depth = folder.url.count("/")

        def add(group_folder: Folder) -> None:
            lessons = [
                ListedLesson(
                    child.title,
                    root + child.url,
                    child.url,
                    child.lesson.tests,
                    child.lesson.warmups,
                )
                for child in group_folder.children
                if isinstance(child, Page)
            ]
            sub_folders = [Link(c.title, root + c.url) for c in group_folder.children if isinstance(c, Folder)]
            groups.append(
                ListedGroup(
                    group_folder.title,
                    root + group_folder.url,
                    group_folder.url.count("/") - base_depth,
                    lessons,
                    sub_folders,
                    group_folder.lesson_count(),
                )
            )
            for child in group_folder.children:
                if isinstance(child, Folder):
                    add(child)

        add(folder)
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

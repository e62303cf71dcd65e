"""``studysite check``: lint a site like a compiler; the build and the live server report
the same warnings.

Errors are what would stop a build (front matter, shortcodes, weights, slugs, URLs, plot
shortcodes). Warnings are what a reader would trip over, each with a code from
:data:`WARNING_CODES` that ``--ignore`` and the config's ``[check] ignore`` leave out.

What concerns a lesson alone is found while it is parsed (:mod:`generator.content.lint`)
and kept in its summary; :func:`site_warnings` checks it against the whole published site
— links, anchors, the sections the question list asks for, titles repeated in a folder —
so the build lists the warnings from what it has computed anyway, reading no file again.
Drafts are not published, so they are not checked unless the build includes them.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from generator.config import Language, SiteConfig
from generator.content.lesson import LessonSummary
from generator.content.links import resolve_site_link
from generator.content.lint import Link
from generator.content.site import ContentTree, Folder, Page, Site, Sites
from generator.errors import Diagnostic

if TYPE_CHECKING:
    from generator.build import SiteInputs

WARNING_CODES: dict[str, str] = {
    "no-answer": "a test question without an answer",
    "no-questions": "a warm-up or test section without numbered questions",
    "missing-section": "a section of the question list that the lesson lacks",
    "empty-prompt": "an ask_chatgpt prompt with nothing in it",
    "empty-section": "a section with nothing below its prompt",
    "duplicate-title": "two lessons of one folder with the same title",
    "broken-link": "a link or image to nothing in the site",
    "broken-anchor": "a link to a #fragment that its page does not have",
    "link-spaces": "a link that a space in its destination leaves as text",
    "fractional-weight": "a weight such as 1.5, which Hugo cuts to a whole number",
    "config-ignored": "a config setting written where Hugo ignores it",
    "config-language": "a language without studysite's interface words",
}
"""Every warning's code and what it is about (``--ignore CODE``, ``[check] ignore``)."""

WARNINGS_SHOWN = 5
"""How many warnings ``build`` and ``serve`` print before the count."""

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def site_warnings(inputs: SiteInputs, sites: Sites) -> list[Diagnostic]:
    """Every warning of the site as *sites* publishes it, but those whose code the
    config's ``[check] ignore`` names."""
    config = inputs.config
    found = list(config.warnings) + _unknown_ignored_codes(config)
    nodes = {node.url: node for node in [*sites.pages, *sites.folders]}
    for language, tree, site in zip(config.languages, inputs.trees, sites.editions):
        links = _LinkChecker(site, tree, config.root / site.content_root, inputs.statics, nodes)
        published = [(page, page.lesson) for page in site.pages]
        published += [(folder, folder.index) for folder in site.folders if folder.index is not None]
        for node, summary in published:
            found.extend(summary.lint.warnings)
            found.extend(_missing_sections(summary, config, language))
            found.extend(links.problems(node, summary))
        for folder in site.folders:
            found.extend(_duplicate_titles(folder))
    ignored = set(config.check_ignore)
    return [problem for problem in found if problem.code not in ignored]


def by_place(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """*diagnostics* once each, in file and line order."""
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.column, d.severity, d.message))


def warnings_report(warnings: list[Diagnostic], *, known: Iterable[Diagnostic] | None = None) -> list[str]:
    """What ``build`` and ``serve`` print: the first few warnings and their count. With
    *known* (the warnings the last rebuild reported), the first few of the new ones."""
    before = set(known) if known is not None else set()
    fresh = [warning for warning in warnings if warning not in before]
    if not fresh and known is None:
        return []
    lines = [warning.format(with_column=True) for warning in fresh[:WARNINGS_SHOWN]]
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    if known is not None:
        count += f", {len(fresh)} new"
    if len(fresh) > WARNINGS_SHOWN:
        count += f"; the first {WARNINGS_SHOWN} above, and `studysite check` lists them all"
    return lines + [f"studysite: {count}" + (" (--quiet hides them)" if warnings else "")]


def _warning(path: str, line: int, code: str, message: str, column: int = 1) -> Diagnostic:
    return Diagnostic(path, line, message, severity="warning", code=code, column=column)


def _unknown_ignored_codes(config: SiteConfig) -> list[Diagnostic]:
    file, line = config.check_ignore_place
    return [
        Diagnostic(file, line, f"check.ignore: no warning has the code {code!r} (codes: {', '.join(WARNING_CODES)})", severity="warning", code="config")
        for code in config.check_ignore
        if code not in WARNING_CODES
    ]


def _missing_sections(summary: LessonSummary, config: SiteConfig, language: Language) -> list[Diagnostic]:
    kinds = summary.lint.kinds
    if not kinds - {"other"}:
        return []
    interface = config.interface_language(language, summary.lint.stated_lang, summary.lang)
    return [
        _warning(summary.path, 1, "missing-section", f"no {item.heading} ({item.kind}) section, which the question list has")
        for item in config.question_lists.get(interface, ())
        if item.kind not in kinds
    ]


def _duplicate_titles(folder: Folder) -> list[Diagnostic]:
    seen: dict[str, str] = {}
    found = []
    for child in folder.children:
        if isinstance(child, Folder):
            continue
        key = child.title.strip().casefold()
        if key in seen:
            found.append(
                Diagnostic(
                    child.lesson.path, child.lesson.title_line, f"title {child.title!r} is also the title of {seen[key]} in this folder",
                    severity="warning", code="duplicate-title",
                )
            )
        else:
            seen[key] = child.lesson.path
    return found


class _LinkChecker:
    """Where the links of one language's lessons lead, from the site plan alone."""

    def __init__(self, site: Site, tree: ContentTree, content_dir: Path, statics: dict, nodes: dict[str, Page | Folder]):
        self.site = site
        self.content_dir = content_dir
        """Where the files are, for a link to one that is there but never published."""
        self.lesson_files = {source.relative for source in tree.sources}
        self.resources = {resource.relative for resource in tree.resources}
        self.statics = statics
        self.nodes = nodes
        """Every page and folder of every language, by URL."""

    def problems(self, node: Page | Folder, summary: LessonSummary) -> list[Diagnostic]:
        folder = summary.content_path.rpartition("/")[0]
        found = []
        for link in summary.lint.links:
            if link.text is not None:
                found.extend(self._spaces(summary, link, folder))
                continue
            problem = self._problem(link.target, summary.content_path, node)
            if problem is not None:
                code, message = problem
                kind = "image" if link.image else "link"
                found.append(_warning(summary.path, link.line, code, f"{kind} {link.target!r}: {message}", link.column))
        return found

    def _problem(self, target: str, content_path: str, own: Page | Folder) -> tuple[str, str] | None:
        if _SCHEME.match(target) or target.startswith("//"):
            return None  # another site: not checked (no network)
        address, _, fragment = target.partition("#")
        path = unquote(address.split("?", 1)[0])
        if not path:
            return self._anchor_problem(own, unquote(fragment), "this page")
        if path.startswith("/"):
            if path[1:] in self.statics:
                return None
            if path.endswith("/") and path[1:] in self.nodes:
                return self._anchor_problem(self.nodes[path[1:]], unquote(fragment), path)
            return "broken-link", "no such file in static/ or page"
        if path.endswith("/"):
            url = posixpath.normpath(posixpath.join(own.url, path))
            url = "" if url == "." else url + "/"
            if url in self.nodes:
                return self._anchor_problem(self.nodes[url], unquote(fragment), path)
            return "broken-link", "no page at that URL"
        # A lesson or a file beside it: where the page's link leads, the renderer's answer.
        link = resolve_site_link(self.site, content_path, target)
        if link.problem is None:
            destination = self.site.by_content_path.get(link.path)
            if destination is None:
                return None  # a file the site publishes
            return self._anchor_problem(destination, unquote(fragment), f"{self.site.content_root}/{link.path}")
        if link.path in self.lesson_files:
            return "broken-link", "that lesson is a draft"
        if (self.content_dir / link.path).is_file():
            return "broken-link", (
                f"{self.site.content_root}/{link.path} is not published: "
                "hidden files, editors' temporary files and names starting with '_' never are"
            )
        return "broken-link", link.problem

    def _anchor_problem(self, node: Page | Folder, fragment: str, where: str) -> tuple[str, str] | None:
        if not fragment:
            return None
        summary = node.lesson if isinstance(node, Page) else node.index
        anchors = summary.lint.anchors if summary is not None else frozenset()
        if fragment in anchors:
            return None
        message = f"{where} has no heading or anchor #{fragment}"
        close = difflib.get_close_matches(fragment, sorted(anchors), n=1)
        if close:
            message += f" (did you mean #{close[0]}?)"
        return "broken-anchor", message

    def _spaces(self, summary: LessonSummary, link: Link, folder: str) -> list[Diagnostic]:
        """``[x](Gradient Descent.md)``: CommonMark shows it as text. Warn where the
        destination names a lesson or a file, with the two ways to write it."""
        target = link.target
        path = target.split("#", 1)[0]
        resolved = posixpath.normpath(posixpath.join(folder, path))
        names_file = (
            path.endswith((".md", ".markdown"))
            or resolved in self.resources
            or resolved in self.lesson_files
            or path.lstrip("/") in self.statics
        )
        if not names_file:
            return []
        bang = "!" if link.image else ""
        encoded = target.replace(" ", "%20")
        message = (
            f"{'image' if link.image else 'link'} {target!r} has spaces, so Markdown shows it as text; "
            f"write {bang}[{link.text}](<{target}>) or {bang}[{link.text}]({encoded})"
        )
        return [_warning(summary.path, link.line, "link-spaces", message, link.column)]


def format_text(diagnostics: list[Diagnostic]) -> str:
    return "".join(diagnostic.format(with_column=True) + "\n" for diagnostic in diagnostics)


def format_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps(
        [
            {
                "file": d.path,
                "line": d.line,
                "column": d.column or 1,
                "severity": d.severity,
                "code": d.code or "content",
                "message": d.message,
            }
            for d in diagnostics
        ],
        ensure_ascii=False,
        indent=2,
    ) + "\n"

"""``studysite check``: lint a site like a compiler, without writing any output.

Errors are what would stop a build (front matter, shortcodes, weights, slugs, URLs, plot
shortcodes). Warnings are what a reader would trip over: test questions without answers,
sections missing from the question list, empty prompts and sections, duplicate titles in
a folder, broken links and images, links whose spaces leave them as text.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import assert_never
from urllib.parse import unquote

from generator.build import BuildOptions, LoadedSite, load_site
from generator.content.frontmatter import FrontMatterError, normalize_text, split_front_matter
from generator.content.lesson import FigurePart, HtmlPart, Lesson, PromptPart, QuestionsPart, ShortcodePart
from generator.content.links import resolve_site_link
from generator.content.site import Folder, Site
from generator.content.structure import hidden_lines
from generator.errors import Diagnostic
from generator.output import static_files
from generator.resources import bundled_dir

_CODE_SPAN = re.compile(r"`+[^`\n]*`+")
_LINK = re.compile(r"(!?)\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# A link whose destination has a space, which CommonMark leaves as text.
_SPACED_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^()<>\n]*\s[^()<>\n]*)\)")
_TITLED = re.compile(r"""\S+\s+(?:"[^"]*"|'[^']*')\s*""")


def check_site(options: BuildOptions) -> list[Diagnostic]:
    loaded = load_site(options)
    diagnostics = list(loaded.problems)
    static = static_files([bundled_dir("static"), options.site_root / "static"])
    for site in loaded.sites.editions:
        lessons = loaded.lessons_of(site)
        for lesson in lessons.values():
            diagnostics.extend(_lint_lesson(lesson, loaded, site))
            diagnostics.extend(_broken_links(lesson, loaded, site, lessons, static))
        for folder in site.folders:
            diagnostics.extend(_duplicate_titles(folder))
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.column, d.severity, d.message))


def _warning(lesson: Lesson, line: int, code: str, message: str, column: int = 1) -> Diagnostic:
    return Diagnostic(lesson.path, line, message, severity="warning", code=code, column=column)


def _lint_lesson(lesson: Lesson, loaded: LoadedSite, site: Site) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for section in lesson.sections:
        for part in section.parts:
            match part:
                case PromptPart(line=line, prompt=prompt) if not prompt.strip():
                    found.append(_warning(lesson, line, "empty-prompt", f"the prompt of section {section.heading!r} is empty"))
                case PromptPart() | HtmlPart() | QuestionsPart() | ShortcodePart() | FigurePart():
                    pass
                case _:
                    assert_never(part)
        if section.kind == "test":
            for question in section.questions:
                if question.answer is None:
                    found.append(
                        _warning(lesson, question.line, "no-answer", f"test question {question.number} has no answer")
                    )
        if section.heading and all(isinstance(part, PromptPart) for part in section.parts):
            found.append(
                _warning(lesson, section.line, "empty-section", f"section {section.heading!r} has no answer below its prompt yet")
            )
        elif section.kind in ("preview", "test") and not section.questions:
            found.append(
                _warning(lesson, section.line, "no-questions", f"section {section.heading!r} has no numbered questions")
            )
    kinds = {section.kind for section in lesson.sections}
    if kinds - {"other"}:
        config = loaded.config
        own = next(language for language in config.languages if language.key == site.language)
        language = config.interface_language(own, lesson.meta.lang, lesson.lang)
        items = config.question_lists.get(language, ())
        for item in items:
            if item.kind not in kinds:
                found.append(
                    _warning(lesson, 1, "missing-section", f"no {item.heading} ({item.kind}) section, which the question list has")
                )
    return found


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


def _broken_links(lesson: Lesson, loaded: LoadedSite, site: Site, lessons: dict[str, Lesson], static: dict[str, Path]) -> list[Diagnostic]:
    content_dir = loaded.config.root / site.content_root
    try:
        text = normalize_text((content_dir / lesson.content_path).read_bytes().decode("utf-8"))
        front_matter = split_front_matter(text)
    except (OSError, UnicodeDecodeError, FrontMatterError):
        return []  # the build has reported it
    lines = front_matter.body.split("\n")
    folder = lesson.content_path.rpartition("/")[0]
    found = []
    # Where the parser sees no Markdown (code, prompts, highlight shortcodes), no link either.
    for index, (line, hidden) in enumerate(zip(lines, hidden_lines(lines))):
        if hidden:
            continue
        number = index + front_matter.body_offset + 1
        visible = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        for match in _LINK.finditer(visible):
            is_image, target = match.group(1) == "!", match.group(2)
            problem = _link_problem(target, lesson, loaded, site, lessons, static)
            if problem:
                kind = "image" if is_image else "link"
                found.append(_warning(lesson, number, "broken-link", f"{kind} {target!r}: {problem}", match.start() + 1))
        found.extend(_links_with_spaces(lesson, number, visible, folder, content_dir, static))
    return found


def _links_with_spaces(lesson: Lesson, number: int, line: str, folder: str, content_dir: Path, static) -> list[Diagnostic]:
    """``[x](Gradient Descent.md)``: CommonMark shows it as text. Warn where the destination
    names a lesson or an existing file, with the two ways to write it."""
    found = []
    for match in _SPACED_LINK.finditer(line):
        is_image, text, target = match.group(1) == "!", match.group(2), match.group(3).strip()
        if _TITLED.fullmatch(target) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            continue  # a destination followed by its title, or another site's address
        path = target.split("#", 1)[0]
        names_file = path.endswith((".md", ".markdown")) or (
            (content_dir / posixpath.normpath(posixpath.join(folder, path))).is_file()
            or path.lstrip("/") in static
        )
        if not names_file:
            continue
        bang = "!" if is_image else ""
        encoded = target.replace(" ", "%20")
        message = (
            f"{'image' if is_image else 'link'} {target!r} has spaces, so Markdown shows it as text; "
            f"write {bang}[{text}](<{target}>) or {bang}[{text}]({encoded})"
        )
        found.append(_warning(lesson, number, "link-spaces", message, match.start() + 1))
    return found


def _link_problem(
    target: str, lesson: Lesson, loaded: LoadedSite, site: Site, lessons: dict[str, Lesson], static: dict[str, Path]
) -> str | None:
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("#", "//", "?")):
        return None  # external or same-page: not checked (no network)
    link = resolve_site_link(site, lesson.content_path, target)
    if link.from_root:
        # A path from the site root may lead into any language's pages.
        path = unquote(link.url.split("#", 1)[0].split("?", 1)[0])
        pages = {page.url for page in loaded.sites.pages} | {folder.url for folder in loaded.sites.folders}
        return None if path in static or (path.endswith("/") and path in pages) else "no such file in static/ or page"
    if link.problem is None or link.path is None:
        return link.problem
    if link.path in lessons:
        return "that lesson is a draft"
    if (loaded.config.root / site.content_root / link.path).is_file():
        return f"{site.content_root}/{link.path} is not published: hidden files, editors' temporary files and names starting with '_' never are"
    return link.problem


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

"""The site tree: folders are sections, files are lessons, each with its URL and order.

Built from parsed lessons only (no file reading here), so that the build can parse in any
way it likes — in worker processes, or from a cache — and then ask for the tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.content.lesson import LessonSummary
from generator.content.paths import slugify
from generator.errors import Diagnostic

RESERVED_ROOT_NAMES = frozenset({"assets", "search", "sitemap.xml", "404.html", "index.html"})
"""Top-level output names the build writes itself; pages may not take them."""

_IGNORED_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig")


def inside(path: str, root: str) -> bool:
    """Whether the real path *path* is *root* or lies below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def is_ignored_name(name: str) -> bool:
    """Hidden files and editors' temporary files are never content."""
    return (
        name.startswith((".", "#"))
        or name.endswith(_IGNORED_SUFFIXES)
        or (name.startswith("_") and name != "_index.md")
    )


@dataclass(frozen=True)
class SourceFile:
    relative: str
    """Path below content/, with forward slashes."""
    mtime_ns: int
    size: int


@dataclass
class ContentTree:
    sources: list[SourceFile]
    """Markdown files: the lessons and folder indexes."""
    folders: list[str]
    resources: list[SourceFile]
    """Other files (images and the like), published beside their folder's page."""


def scan_content(content_dir: Path) -> ContentTree:
    """The files and folders below *content_dir*, each list sorted by path."""
    files: list[SourceFile] = []
    folders: list[str] = []
    resources: list[SourceFile] = []
    real_root = os.path.realpath(content_dir)
    visited = {real_root}

    def walk(directory: Path, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if is_ignored_name(entry.name):
                    continue
                relative = prefix + entry.name
                if entry.is_symlink() and not inside(os.path.realpath(entry.path), real_root):
                    continue  # a link out of the content folder is never published
                if entry.is_dir():
                    real = os.path.realpath(entry.path)
                    if real in visited:
                        continue  # a link back into the tree
                    visited.add(real)
                    folders.append(relative)
                    walk(Path(entry.path), relative + "/")
                elif entry.is_file():
                    stat = entry.stat()
                    found = files if entry.name.endswith((".md", ".markdown")) else resources
                    found.append(SourceFile(relative, stat.st_mtime_ns, stat.st_size))

    walk(content_dir, "")
    by_path = lambda source: source.relative  # noqa: E731
    return ContentTree(sorted(files, key=by_path), sorted(folders), sorted(resources, key=by_path))


@dataclass(eq=False)
class Page:
    lesson: LessonSummary
    url: str
    """Path below the site root, ending in '/' (no leading slash)."""
    folder: Folder

    @property
    def title(self) -> str:
        return self.lesson.title

    @property
    def sort_key(self) -> tuple:
        return _sort_key(self.lesson.weight, self.lesson.date, self.title, self.lesson.content_path)


@dataclass(eq=False)
class Folder:
    path: str
    """Content-relative folder path ('' for the root)."""
    url: str
    parent: Folder | None
    index: LessonSummary | None = None
    children: list[Folder | Page] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        if self.index is not None:
            return self.index.title
        return self.name

    @property
    def sort_key(self) -> tuple:
        weight = self.index.weight if self.index else 0
        date = self.index.date if self.index else None
        return _sort_key(weight, date, self.title, self.path)

    def ancestors(self) -> list[Folder]:
        chain: list[Folder] = []
        folder: Folder | None = self
        while folder is not None:
            chain.append(folder)
            folder = folder.parent
        return chain[::-1]

    def walk(self):
        """This folder's pages and sub-folders, depth first, in reading order."""
        for child in self.children:
            yield child
            if isinstance(child, Folder):
                yield from child.walk()

    def lesson_count(self) -> int:
        return sum(1 for child in self.walk() if isinstance(child, Page))


def _sort_key(weight: int, date: datetime | None, title: str, path: str) -> tuple:
    # Hugo's default order: weight (0 = unweighted, last), newest date, title, file path.
    timestamp = -date.timestamp() if date is not None else 0.0
    return (weight == 0, weight, timestamp, title.casefold(), title, path)


@dataclass
class Site:
    root: Folder
    pages: list[Page]
    """Lesson pages in reading order (a depth-first walk of the tree)."""
    folders: list[Folder]
    by_content_path: dict[str, Page | Folder]
    resources: dict[str, str]
    """Content-relative path of each resource file → its path in the output."""


def build_site(
    lessons: list[LessonSummary],
    folders: list[str],
    *,
    resources: list[str] = (),
    include_drafts: bool = False,
) -> tuple[Site, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    url_owner: dict[str, str] = {}

    def claim(url: str, path: str) -> bool:
        top = url.split("/", 1)[0]
        if top in RESERVED_ROOT_NAMES and url.count("/") <= 1:
            problems.append(Diagnostic(path, 1, f"URL /{url} is reserved for the site's own files; rename the file or set a slug", code="duplicate-url"))
            return False
        other = url_owner.get(url)
        if other is not None:
            problems.append(Diagnostic(path, 1, f"URL /{url} is also the URL of {other}; rename one or set a slug", code="duplicate-url"))
            return False
        url_owner[url] = path
        return True

    root = Folder("", "", None)
    folder_by_path: dict[str, Folder] = {"": root}
    for path in folders:  # sorted, so parents come first
        parent_path = path.rsplit("/", 1)[0] if "/" in path else ""
        parent = folder_by_path[parent_path]
        segment = slugify(path.rsplit("/", 1)[-1])
        folder = Folder(path, f"{parent.url}{segment}/" if segment else parent.url, parent)
        folder_by_path[path] = folder
        parent.children.append(folder)
        if not segment:
            problems.append(Diagnostic(f"content/{path}", 1, "folder name gives an empty URL; rename the folder", code="file-name"))
        else:
            claim(folder.url, f"content/{path}")

    pages: list[Page] = []
    by_content_path: dict[str, Page | Folder] = {}
    for lesson in sorted(lessons, key=lambda lesson: lesson.content_path):
        if lesson.draft and not include_drafts:
            continue
        folder_path, _, file_name = lesson.content_path.rpartition("/")
        folder = folder_by_path[folder_path]
        stem = file_name.rsplit(".", 1)[0]
        if stem == "_index" or (folder.path and stem == folder.name):
            if folder.index is None or stem == "_index":
                if folder.index is not None:
                    # _index.md wins over a file named like the folder, which becomes a page.
                    _add_page(folder.index, folder, pages, by_content_path, claim, problems)
                folder.index = lesson
                by_content_path[lesson.content_path] = folder
                continue
        _add_page(lesson, folder, pages, by_content_path, claim, problems)

    for folder in folder_by_path.values():
        folder.children.sort(key=lambda child: child.sort_key)
    ordered = [child for child in root.walk() if isinstance(child, Page)]
    ordered_folders = [root] + [child for child in root.walk() if isinstance(child, Folder)]
    published: dict[str, str] = {}
    for resource in resources:
        folder_path, _, name = resource.rpartition("/")
        output = folder_by_path[folder_path].url + name
        if name == "index.html" or output + "/" in url_owner or (not folder_path and name in RESERVED_ROOT_NAMES):
            problems.append(Diagnostic(f"content/{resource}", 1, f"file /{output} would replace a page; rename it", code="duplicate-url"))
            continue
        published[resource] = output
    return Site(root, ordered, ordered_folders, by_content_path, published), problems


def _add_page(lesson, folder, pages, by_content_path, claim, problems) -> None:
    stem = lesson.content_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    segment = _url_segment(lesson, stem, problems)
    if segment is None:
        return
    page = Page(lesson, f"{folder.url}{segment}/", folder)
    if claim(page.url, lesson.path):
        folder.children.append(page)
        pages.append(page)
        by_content_path[lesson.content_path] = page


def _url_segment(lesson: LessonSummary, stem: str, problems: list[Diagnostic]) -> str | None:
    slug = lesson.slug
    if slug is not None:
        line = lesson.slug_line
        segment = slugify(slug)
        if "/" in slug or "\\" in slug or not segment or set(segment) == {"."}:
            problems.append(
                Diagnostic(lesson.path, line, f"slug {slug!r} must be one URL segment such as 'loss-function' (no '/' or '..')", code="slug")
            )
            return None
        return segment
    segment = slugify(stem)
    if not segment or set(segment) == {"."}:
        problems.append(Diagnostic(lesson.path, 1, f"file name {stem!r} gives an empty URL; rename the file or set a slug", code="file-name"))
        return None
    return segment

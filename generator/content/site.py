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
    """Path below its content folder, with forward slashes."""
    mtime_ns: int
    size: int
    root: str = "content"
    """Its content folder, relative to the site folder (``content/zh-cn`` for a language's)."""

    @property
    def path(self) -> str:
        """Path relative to the site folder, as messages show it; unique in the site."""
        return f"{self.root}/{self.relative}"


@dataclass
class ContentTree:
    sources: list[SourceFile]
    """Markdown files: the lessons and folder indexes."""
    folders: list[str]
    resources: list[SourceFile]
    """Other files (images and the like), published beside their folder's page."""


def scan_content(content_dir: Path, root: str = "content") -> ContentTree:
    """The files and folders below *content_dir* (shown as *root* in messages), each list
    sorted by path."""
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
                    found.append(SourceFile(relative, stat.st_mtime_ns, stat.st_size, root))

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
    def link_title(self) -> str:
        """The label in navigation: front matter ``linkTitle``, else the title."""
        return self.lesson.link_title or self.lesson.title

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
    def link_title(self) -> str:
        if self.index is not None and self.index.link_title:
            return self.index.link_title
        return self.title

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
    """One language's tree of folders and pages (a site without languages has one)."""

    root: Folder
    pages: list[Page]
    """Lesson pages in reading order (a depth-first walk of the tree)."""
    folders: list[Folder]
    by_content_path: dict[str, Page | Folder]
    resources: dict[str, str]
    """Content-relative path of each resource file → its path in the output."""
    language: str = ""
    """The language's key in the config (``zh-cn``), '' for a site without languages."""
    content_root: str = "content"
    """Its content folder, relative to the site folder."""

    @property
    def prefix(self) -> str:
        """Where its pages go below the site root: '' or ``zh-cn/``."""
        return self.root.url

    def neighbours(self) -> dict[int, tuple[Page | None, Page | None]]:
        """The previous and next page of each page (by ``id``) in reading order."""
        pages = self.pages
        return {
            id(page): (pages[index - 1] if index > 0 else None, pages[index + 1] if index + 1 < len(pages) else None)
            for index, page in enumerate(pages)
        }


class Manifest:
    """Every file a build writes, each with one owner, made before anything is rendered:
    two sources of one file (or a file where a folder of pages must be) are an error that
    names both, whatever order the build's workers would have written them in."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}
        self._folders: dict[str, str] = {}
        """Each folder that claimed files lie in → the owner of the first of them."""
        self.problems: list[Diagnostic] = []

    def claim(self, output: str, owner: str, line: int = 1) -> bool:
        """*owner* (a path as messages show it) writes *output*; if that file is taken,
        record an error at *owner* naming the other and return False."""
        message = None
        if output in self.owners:
            message = _same_file_message(output, self.owners[output])
        elif output in self._folders:
            message = f"file /{output} would replace the folder holding {self._folders[output]}; rename one"
        parent = output
        while message is None and "/" in parent:
            parent = parent.rpartition("/")[0]
            if parent in self.owners:
                message = f"/{output} needs a folder /{parent}/, which is the file {self.owners[parent]}; rename one"
        if message is not None:
            self.problems.append(Diagnostic(owner, line, message, code="duplicate-url"))
            return False
        self.owners[output] = owner
        parent = output
        while "/" in parent:
            parent = parent.rpartition("/")[0]
            if parent in self._folders:
                break
            self._folders[parent] = owner
        return True


def _same_file_message(output: str, other: str) -> str:
    if output == "index.html" or output.endswith("/index.html"):
        return f"URL /{output[: -len('index.html')]} is also the URL of {other}; rename one or set a slug"
    return f"file /{output} is also written by {other}; rename one"


def page_file(url: str) -> str:
    """The output file of the page at *url*."""
    return url + "index.html"


def build_site(
    lessons: list[LessonSummary],
    folders: list[str],
    *,
    resources: list[str] = (),
    include_drafts: bool = False,
    manifest: Manifest | None = None,
    content_root: str = "content",
    prefix: str = "",
    language: str = "",
    reserved: dict[str, str] | None = None,
    lower_case: bool = True,
) -> tuple[Site, list[Diagnostic]]:
    """One language's tree: its pages go below *prefix*, and claim their files in
    *manifest*. A top-level name in *reserved* (relative to *prefix*) is not for pages:
    its value says whose it is."""
    problems: list[Diagnostic] = []
    manifest = manifest if manifest is not None else Manifest()
    reserved = reserved if reserved is not None else dict.fromkeys(RESERVED_ROOT_NAMES, "the site's own files")
    urls = _PageUrls(manifest, prefix, reserved, problems)
    folder_by_path = _folder_tree(folders, prefix, content_root, lower_case, problems)
    root = folder_by_path[""]
    page_lessons, by_content_path = _place_folder_indexes(lessons, folder_by_path, include_drafts)

    # Folder pages claim their URLs first, then lesson pages, in path order.
    _claim_folder_urls(folder_by_path, urls, content_root)
    for lesson in page_lessons:
        _add_page(lesson, folder_by_path[lesson.content_path.rpartition("/")[0]], by_content_path, urls.claim, problems, lower_case)

    for folder in folder_by_path.values():
        folder.children.sort(key=lambda child: child.sort_key)
    ordered = [child for child in root.walk() if isinstance(child, Page)]
    ordered_folders = [root] + [child for child in root.walk() if isinstance(child, Folder)]
    published = _publish_resources(resources, folder_by_path, reserved, manifest, content_root, problems)
    site = Site(root, ordered, ordered_folders, by_content_path, published, language, content_root)
    return site, problems


@dataclass
class _PageUrls:
    """Claims page URLs in the manifest, refusing the names the build keeps for itself."""

    manifest: Manifest
    prefix: str
    reserved: dict[str, str]
    problems: list[Diagnostic]

    def claim(self, url: str, path: str) -> bool:
        top = url[len(self.prefix) :].split("/", 1)[0]
        if top in self.reserved and url.count("/") <= self.prefix.count("/") + 1:
            self.problems.append(Diagnostic(path, 1, f"URL /{url} is reserved for {self.reserved[top]}; rename the file or set a slug", code="duplicate-url"))
            return False
        if "index.html" in url.split("/"):
            self.problems.append(
                Diagnostic(path, 1, f"URL /{url} has a part named index.html, the file of a folder's own page; rename it or set a slug", code="duplicate-url")
            )
            return False
        return self.manifest.claim(page_file(url), path)


def _claim_folder_urls(folder_by_path: dict[str, Folder], urls: _PageUrls, content_root: str) -> None:
    """Each folder page's URL; the root's is the home page (or the language's), which no
    reserved name can block."""
    root = folder_by_path[""]
    urls.manifest.claim(page_file(root.url), root.index.path if root.index else content_root)
    for folder in folder_by_path.values():
        if folder.path and folder.url != folder.parent.url:
            urls.claim(folder.url, folder.index.path if folder.index else f"{content_root}/{folder.path}")


def _folder_tree(folders: list[str], prefix: str, content_root: str, lower_case: bool, problems: list[Diagnostic]) -> dict[str, Folder]:
    """Every content folder by its path, linked to its parent, with its URL; the root
    folder is ``""``."""
    root = Folder("", prefix, None)
    folder_by_path: dict[str, Folder] = {"": root}
    for path in folders:  # sorted, so parents come first
        parent_path = path.rsplit("/", 1)[0] if "/" in path else ""
        parent = folder_by_path[parent_path]
        segment = slugify(path.rsplit("/", 1)[-1], lower=lower_case)
        unusable = _unusable_folder_segment(segment)
        folder = Folder(path, parent.url if unusable else f"{parent.url}{segment}/", parent)
        folder_by_path[path] = folder
        parent.children.append(folder)
        if unusable:
            problems.append(Diagnostic(f"{content_root}/{path}", 1, f"folder name gives {unusable}; rename the folder", code="file-name"))
    return folder_by_path


def _place_folder_indexes(
    lessons: list[LessonSummary], folder_by_path: dict[str, Folder], include_drafts: bool
) -> tuple[list[LessonSummary], dict[str, Page | Folder]]:
    """Makes each folder's ``_index.md`` (else the file named like the folder) its index;
    returns the lessons left to become pages, in path order, and the folders by the
    content path of their index."""
    by_content_path: dict[str, Page | Folder] = {}
    page_lessons: list[LessonSummary] = []
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
                    page_lessons.append(folder.index)
                folder.index = lesson
                by_content_path[lesson.content_path] = folder
                continue
        page_lessons.append(lesson)
    return page_lessons, by_content_path


def _publish_resources(
    resources: list[str], folder_by_path: dict[str, Folder], reserved: dict[str, str], manifest: Manifest, content_root: str, problems: list[Diagnostic]
) -> dict[str, str]:
    """Each resource file's output path, beside its folder's page, unless it would replace a page."""
    published: dict[str, str] = {}
    for resource in resources:
        folder_path, _, name = resource.rpartition("/")
        output = folder_by_path[folder_path].url + name
        if name == "index.html" or (not folder_path and name in reserved):
            problems.append(Diagnostic(f"{content_root}/{resource}", 1, f"file /{output} would replace a page; rename it", code="duplicate-url"))
        elif manifest.claim(output, f"{content_root}/{resource}"):
            published[resource] = output
    return published


def _unusable_folder_segment(segment: str) -> str | None:
    """Why a folder whose name gives the URL part *segment* cannot be published, if so."""
    if not segment:
        return "an empty URL"
    if set(segment) == {"."}:
        return f"the URL part {segment!r}, and dots alone cannot name a folder in a URL"
    if segment == "index.html":
        return "the URL part 'index.html', the file of its parent folder's own page"
    return None


def _add_page(lesson, folder, by_content_path, claim, problems, lower_case) -> None:
    stem = lesson.content_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    segment = _url_segment(lesson, stem, problems, lower_case)
    if segment is None:
        return
    page = Page(lesson, f"{folder.url}{segment}/", folder)
    if claim(page.url, lesson.path):
        folder.children.append(page)
        by_content_path[lesson.content_path] = page


def _url_segment(lesson: LessonSummary, stem: str, problems: list[Diagnostic], lower_case: bool) -> str | None:
    slug = lesson.slug
    if slug is not None:
        line = lesson.slug_line
        segment = slugify(slug, lower=lower_case)
        if "/" in slug or "\\" in slug or not segment or set(segment) == {"."}:
            problems.append(
                Diagnostic(lesson.path, line, f"slug {slug!r} must be one URL segment such as 'loss-function' (no '/' or '..')", code="slug")
            )
            return None
        return segment
    segment = slugify(stem, lower=lower_case)
    if not segment or set(segment) == {"."}:
        problems.append(Diagnostic(lesson.path, 1, f"file name {stem!r} gives an empty URL; rename the file or set a slug", code="file-name"))
        return None
    return segment


@dataclass
class Sites:
    """The whole site: each language's tree in the config's order of languages, which
    pages are translations of each other, and the manifest of every output file."""

    editions: list[Site]
    manifest: Manifest
    default_language: str = ""
    translations: dict[int, dict[str, Page | Folder]] = field(default_factory=dict)
    """id() of each page or folder that has counterparts → {language: page}, itself included."""

    @property
    def default(self) -> Site:
        return next((site for site in self.editions if site.language == self.default_language), self.editions[0])

    @property
    def multilingual(self) -> bool:
        return len(self.editions) > 1

    @property
    def pages(self) -> list[Page]:
        return [page for site in self.editions for page in site.pages]

    @property
    def folders(self) -> list[Folder]:
        return [folder for site in self.editions for folder in site.folders]

    def counterparts(self, node: Page | Folder) -> dict[str, Page | Folder]:
        return self.translations.get(id(node), {})

    def link_translations(self) -> None:
        """Match pages across languages as Hugo does: by ``translationKey`` where the
        front matter gives one, else by path within the language's content folder (kind
        included: a folder with its own page never matches one without)."""
        groups: dict[tuple, dict[str, Page | Folder]] = {}
        for site in self.editions:
            for node in [*site.folders, *site.pages]:
                groups.setdefault(translation_key(node), {}).setdefault(site.language, node)
        self.translations = {id(node): group for group in groups.values() if len(group) > 1 for node in group.values()}


def translation_key(node: Page | Folder) -> tuple:
    if isinstance(node, Page):
        if node.lesson.translation_key:
            return ("page", "key", node.lesson.translation_key)
        return ("page", node.lesson.content_path.rpartition(".")[0])
    if node.parent is None:
        return ("home",)
    if node.index is None:
        return ("section without page", node.path)
    if node.index.translation_key:
        return ("section", "key", node.index.translation_key)
    return ("section", node.path)

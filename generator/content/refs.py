"""Hugo's ``ref``/``relref`` lookup: which page of the site a target names.

As Hugo 0.111 looks a page up for ``ref``: a path starting with ``/`` is taken from the
content folder; any other path first relative to the lesson's folder, then from the
content folder; a bare name (no ``/``) last by file name anywhere, where it must be
unique. The ``.md`` extension may be left out, and a folder names its section page.
Paths ignore case, as Hugo's do. A ``#part`` is kept; a target of only ``#part`` is the
lesson itself.
"""

from __future__ import annotations

import posixpath
import weakref

from generator.content.site import Folder, Page, Site
from generator.errors import Diagnostic

_EXTENSIONS = (".md", ".markdown")


def find_ref(site: Site, from_path: str, target: str) -> tuple[str | None, str]:
    """The URL (below the site root, with any ``#part``) that *target*, written in the
    lesson at content path *from_path*, names; or None and why not."""
    path, hash_mark, fragment = target.replace("\\", "/").partition("#")
    path = path.strip().rstrip("/")
    if not path and hash_mark:
        found: Page | Folder | None = site.by_content_path.get(from_path)
    else:
        found = _lookup(site, from_path, path)
    if isinstance(found, str):
        return None, found
    if found is None:
        return None, "no published page has that path"
    return found.url + hash_mark + fragment, ""


def _lookup(site: Site, from_path: str, path: str) -> Page | Folder | str | None:
    index = _index(site)
    tries = [] if path.startswith("/") else [posixpath.join(from_path.rpartition("/")[0], path)]
    tries.append(path.lstrip("/"))
    for candidate in tries:
        key = _key(posixpath.normpath(candidate)) if candidate else ""
        if key in index:
            return index[key]
    if "/" in path or path.startswith(".."):
        return None
    named = [page for key, page in index.items() if key.rpartition("/")[2] == _key(path)]
    unique = list({id(page): page for page in named}.values())
    if len(unique) > 1:
        return "ambiguous: " + ", ".join(sorted(_shown(page) for page in unique)) + "; write the path"
    return unique[0] if unique else None


_indexes: dict[int, tuple[weakref.ref, dict[str, Page | Folder]]] = {}


def _index(site: Site) -> dict[str, Page | Folder]:
    """Every page and folder by lower-cased content path, with and without extension;
    made once per site, as every page with a ref asks."""
    cached = _indexes.get(id(site))
    if cached is not None and cached[0]() is site:
        return cached[1]
    index = _make_index(site)
    _indexes[id(site)] = (weakref.ref(site, lambda _, key=id(site): _indexes.pop(key, None)), index)
    return index


def _make_index(site: Site) -> dict[str, Page | Folder]:
    index: dict[str, Page | Folder] = {}
    for folder in site.folders:
        index[_key(folder.path)] = folder
    for content_path, page in site.by_content_path.items():
        if isinstance(page, Page):
            index[_key(content_path)] = page
            index[_key(_strip_extension(content_path))] = page
        else:
            index[_key(content_path)] = page
    return index


def _key(path: str) -> str:
    return "" if path in (".", "") else path.casefold()


def _strip_extension(path: str) -> str:
    for extension in _EXTENSIONS:
        if path.endswith(extension):
            return path[: -len(extension)]
    return path


def _shown(page: Page | Folder) -> str:
    return page.lesson.path if isinstance(page, Page) else f"content/{page.path}/"


def broken_refs(site: Site) -> list[Diagnostic]:
    """An error for every ``ref``/``relref`` of a published lesson that names no page."""
    lessons = [page.lesson for page in site.pages] + [f.index for f in site.folders if f.index is not None]
    problems = []
    for lesson in lessons:
        for line, target in lesson.refs:
            url, problem = find_ref(site, lesson.content_path, target)
            if url is None:
                problems.append(Diagnostic(lesson.path, line, f"ref {target!r}: {problem}", code="ref"))
    return problems

"""Where a link of a lesson into its own site leads: one answer for the pages, for
``studysite check`` and for the exporters.

A site link is what :mod:`generator.content.markdown` marks as one: a path from the site
root (``/images/x.png``: a file of ``static/`` or a page), a path relative to the lesson's
file (``other.md``, ``diagram.png``, ``../folder/``), or a ``ref``/``relref`` target.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import quote, unquote

from generator.content.markdown import REF_PREFIX
from generator.content.refs import find_ref
from generator.content.site import Site

_LESSON_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class SiteLink:
    url: str | None
    """Where the link leads, below the site root, with its ``?query`` and ``#fragment``;
    None where the link is to be left as written."""
    problem: str | None = None
    """Why the link leads nowhere, for the author; None when it leads somewhere."""
    path: str | None = None
    """For a link relative to the lesson's file: the content path it names."""

    @property
    def from_root(self) -> bool:
        """A path from the site root: a file of static/ or a page, which the site tree
        cannot tell apart (the caller who knows static/ does)."""
        return self.path is None and self.url is not None and self.problem is None


def resolve_site_link(site: Site, from_path: str, target: str) -> SiteLink:
    """Where *target*, written in the lesson at content path *from_path*, leads."""
    if target.startswith(REF_PREFIX):
        url, problem = find_ref(site, from_path, target[len(REF_PREFIX) :])
        return SiteLink(url, None if url is not None else problem)
    cut = min((index for index in (target.find("?"), target.find("#")) if index >= 0), default=len(target))
    path, rest = unquote(target[:cut]), target[cut:]
    if path.startswith("/"):
        return SiteLink(target[1:])
    if path.endswith("/"):
        # A page's URL relative to this one: right as written wherever it leads to a page.
        own = site.by_content_path.get(from_path)
        url = posixpath.normpath(posixpath.join(own.url if own is not None else "", path)) + "/"
        pages = {page.url for page in site.pages} | {folder.url for folder in site.folders}
        return SiteLink(None, None if url.lstrip("./") in pages or url == "./" else "no page at that URL")
    resolved = posixpath.normpath(posixpath.join(from_path.rpartition("/")[0], path))
    destination = site.by_content_path.get(resolved)
    if destination is not None:
        return SiteLink(destination.url + rest, path=resolved)
    resource = site.resources.get(resolved)
    if resource is not None:
        return SiteLink(quote(resource) + rest, path=resolved)
    kind = "lesson" if path.endswith(_LESSON_SUFFIXES) else "file"
    return SiteLink(None, f"no {kind} {site.content_root}/{resolved}", resolved)

"""What each page shows of the rest of the site, as digests: a rebuild renders again only
the pages whose digest changed (and the build compares the bytes of those, so that a
digest that changes without the page changing costs a render, never a rewrite).

This mirrors :class:`generator.render.pages.Renderer`: whatever a page context takes
from other pages must be in its digest here. A lesson page shows its lesson, its URL,
its neighbours' titles (previous and next), the sidebar (the window of each folder on
the way down to it), the breadcrumbs (the titles of those folders), its translations,
and its figures; a folder page shows, besides, every lesson and folder below it. Links
between lessons depend on every URL of the site (:meth:`PageDependencies.links`): they
are added by the build for the pages that have such links.

Everything here is computed from the site plan (lesson summaries), never from the
lessons themselves, so that deciding what to render needs no lesson to be read.
"""

from __future__ import annotations

from generator.cache import fingerprint
from generator.content.site import Folder, Page, Site, Sites
from generator.render.environment import plot_path


class PageDependencies:
    """The digests of the pages of *site*, one language's tree of *sites*."""

    def __init__(self, sites: Sites, site: Site):
        self.sites = sites
        self.site = site
        self._children: dict[int, str] = {}
        self._paths: dict[int, str] = {}
        self._subtrees: dict[int, str] = {}
        self._links: str | None = None
        self._neighbours = site.neighbours()

    def lesson_page(self, page: Page) -> tuple:
        """Everything the page at *page* shows besides its own lesson."""
        previous, following = self._neighbours[id(page)]
        return (
            "lesson",
            page.url,
            self._path(page.folder),
            (previous.link_title, previous.url) if previous else None,
            (following.link_title, following.url) if following else None,
            self._translations(page),
            tuple(plot_path(spec) for spec in page.lesson.figures),
        )

    def folder_page(self, folder: Folder) -> tuple:
        """Everything the page of *folder* shows besides its own lesson (its index)."""
        return (
            "folder",
            folder.url,
            folder.title,
            self._path(folder),
            self._subtree(folder),
            self._translations(folder),
            tuple(plot_path(spec) for spec in folder.index.figures) if folder.index else (),
        )

    def links(self) -> str:
        """Every page's and resource's URL: what links between lessons resolve against."""
        if self._links is None:
            site = self.site
            self._links = fingerprint(
                sorted((folder.path, folder.url) for folder in site.folders),
                sorted((path, node.url) for path, node in site.by_content_path.items()),
                sorted(site.resources.items()),
            )
        return self._links

    def _translations(self, node: Page | Folder) -> tuple:
        return tuple((key, other.url) for key, other in self.sites.counterparts(node).items())

    def _children_of(self, folder: Folder) -> str:
        """A folder's entries as the sidebar and the listings show them."""
        key = self._children.get(id(folder))
        if key is None:
            key = fingerprint(
                [
                    (child.title, child.link_title, child.url, child.lesson.tests, child.lesson.warmups)
                    if isinstance(child, Page)
                    else (child.title, child.link_title, child.url)
                    for child in folder.children
                ]
            )
            self._children[id(folder)] = key
        return key

    def _path(self, folder: Folder) -> str:
        """The entries of every folder from the root down to *folder*: the sidebar and
        breadcrumbs of the pages in it."""
        key = self._paths.get(id(folder))
        if key is None:
            above = self._path(folder.parent) if folder.parent is not None else ""
            key = fingerprint(above, self._children_of(folder))
            self._paths[id(folder)] = key
        return key

    def _subtree(self, folder: Folder) -> str:
        """Every lesson and folder below *folder*: its page's listing."""
        key = self._subtrees.get(id(folder))
        if key is None:
            key = fingerprint(
                self._children_of(folder),
                [self._subtree(child) for child in folder.children if isinstance(child, Folder)],
            )
            self._subtrees[id(folder)] = key
        return key

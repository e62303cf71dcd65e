"""The navigation tree of a language: every folder and lesson, written once per language
as a small script file that the sidebar loads when it is shown.

A page carries only its own branch (the sidebar of :mod:`generator.render.pages`), so its
size does not grow with the site; the whole tree is one file the browser fetches once
and keeps. A script that sets a global, not JSON: ``fetch`` is refused on pages opened
from ``file://``, a ``<script src>`` is not.

Each node is a list: ``[label, url]`` plus, for a folder, its children as a list, or,
for a lesson, its number of test questions (what its progress is counted against).
URLs are below the site root, as the pages' ``data-lesson`` keys are."""

from __future__ import annotations

import json

from generator.content.site import Folder, Site


def tree_file(language: str) -> str:
    """Where the tree of *language* (a key of the config's languages, empty on a site
    without them) is published, below the site root."""
    return f"assets/tree.{language}.js" if language else "assets/tree.js"


def tree_script(site: Site) -> str:
    data = json.dumps(_nodes(site.root), ensure_ascii=False, separators=(",", ":"))
    return f"window.studysiteTree={data};\n"


def _nodes(folder: Folder) -> list:
    nodes: list = []
    for child in folder.children:
        if isinstance(child, Folder):
            nodes.append([child.link_title, child.url, _nodes(child)])
        else:
            nodes.append([child.link_title, child.url, child.lesson.tests])
    return nodes

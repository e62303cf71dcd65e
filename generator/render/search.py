"""The search index: each lesson section's plain text, in small script files.

Search runs in the reader's browser as a case-insensitive substring scan over this text,
which needs no word segmentation for Chinese, works from ``file://`` and any static host,
and is written by each build worker for its own lessons (see BENCHMARKS.md for why not
Pagefind). The files are loaded only when the reader first uses the search box.
"""

from __future__ import annotations

import json

from generator.content.lesson import Lesson
from generator.render.script_data import search_entry

SHARD_BYTES = 256 * 1024


def lesson_entries(lesson: Lesson, url: str) -> list[dict[str, str]]:
    """One entry per section, with the fields :mod:`generator.render.script_data` names."""
    return [search_entry(url, section.anchor, section.heading, section.text()) for section in lesson.sections]


class SearchShardWriter:
    """Collects entries and cuts them into script files of about SHARD_BYTES each."""

    def __init__(self, prefix: str, folder: str = ""):
        """Files named ``{folder}search/{prefix}-NNN.js``: *folder* is a language's."""
        self.prefix = prefix
        self.folder = folder
        self._pending: list[dict[str, str]] = []
        self._size = 0
        self.files: dict[str, str] = {}

    def add(self, entries: list[dict[str, str]]) -> None:
        self._pending.extend(entries)
        self._size += sum(len(value) for entry in entries for value in entry.values())
        if self._size >= SHARD_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        name = f"{self.folder}search/{self.prefix}-{len(self.files):03}.js"
        payload = json.dumps(self._pending, ensure_ascii=False, separators=(",", ":"))
        self.files[name] = f"studysiteSearch.add({payload});\n"
        self._pending = []
        self._size = 0


def index_script(shard_files: list[str], titles: dict[str, str]) -> str:
    """search/index.js: the shard list and every page's title, both by path below the
    language's own root (where the page's search box loads them from)."""
    data = {"shards": sorted(shard_files), "titles": titles}
    return f"studysiteSearch.init({json.dumps(data, ensure_ascii=False, separators=(',', ':'))});\n"

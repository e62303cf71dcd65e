"""Answers in the cache, lessons in OUT, and the record of what generate wrote there.

Bytes are kept as they are: an answer is read and written undecoded where it is not
valid UTF-8 (``surrogateescape``), CRLF and leading blank lines included, because the
published lessons carry the cache's bytes exactly.

**Hand edits.** ``OUT/.studysite-generated.json`` records the SHA-256 of every lesson as
generate last wrote it. A lesson is replaced only when it is missing, already equal to
what would be written, or still has the recorded hash; anything else was edited (or was
never generate's) and is kept unless ``--force``. Lessons are written before the record,
so a run killed in between leaves lessons equal to what the next run writes: never
mistaken for edits.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.atomic import write_atomic
from generator.authoring import toml_string
from generator.errors import UsageError
from generator.generate.workzone import LessonPlan

MANIFEST = ".studysite-generated.json"
_ENCODING = ("utf-8", "surrogateescape")


def render(lesson: LessonPlan, answers: dict[str, str]) -> bytes:
    """The lesson exactly as aidocx wrote it: TOML front matter with the weight as a
    string, then per question its heading, its prompt in ``ask_chatgpt``, a blank line,
    the answer, three spaces and a blank line. (A title holding ``"`` or ``\\`` is
    escaped, where aidocx wrote it raw into a string TOML then rejected.)"""
    parts = ["+++\n", f"title = {toml_string(lesson.title)}\n", f'weight = "{lesson.weight}"\n', "+++\n"]
    for section in lesson.sections:
        parts.append(
            f"## {section.question.heading}\n{{{{< ask_chatgpt >}}}}\n{section.prompt}\n{{{{< /ask_chatgpt >}}}}\n\n"
            f"{answers[section.cache]}   \n\n"
        )
    return "".join(parts).encode(*_ENCODING)


class AnswerCache:
    """``cache/``: one answer per file."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._prefix = os.path.join(folder, "")

    def read(self, relative: str) -> str | None:
        """The stored answer, or None when there is none (an empty file is none: an
        empty answer is never a valid one)."""
        try:
            with open(self._prefix + relative, "rb") as handle:  # thousands per run: no pathlib
                data = handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None
        text = data.decode(*_ENCODING)
        return text if text.strip() else None

    def store(self, relative: str, answer: str) -> None:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, answer.encode(*_ENCODING))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class LessonWriter:
    """Writes lessons into OUT, never over an edit, and keeps the record."""

    out_dir: Path
    force: bool = False
    record: dict[str, str] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    kept_stale: list[str] = field(default_factory=list)
    """Edited lessons whose topics left the catalogue."""
    removed: list[str] = field(default_factory=list)
    _checked_folders: set[Path] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._out = self.out_dir.resolve()
        try:
            data = json.loads((self.out_dir / MANIFEST).read_text(encoding="utf-8"))
            lessons = data.get("lessons", {}) if isinstance(data, dict) else {}
            self.record = {path: value for path, value in lessons.items() if isinstance(value, str)}
        except (OSError, ValueError):
            self.record = {}  # no record: every existing lesson that differs counts as edited

    def write(self, relative: str, data: bytes) -> None:
        path = self.out_dir / relative
        try:
            existing = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            existing = None
        if existing == data:
            self.record[relative] = digest(data)
            self.unchanged.append(relative)
            return
        if existing is not None and not self.force and digest(existing) != self.record.get(relative):
            self.kept.append(relative)
            return
        self._folder(path.parent)
        write_atomic(path, data)
        self.record[relative] = digest(data)
        self.written.append(relative)

    def remove_stale(self, planned: set[str]) -> None:
        """Lessons generate wrote for topics no longer in the catalogue go, unless edited."""
        for relative in sorted(set(self.record) - planned):
            path = self.out_dir / relative
            if not self._inside(path.parent):
                del self.record[relative]  # not a path generate writes: the record was altered
                continue
            try:
                existing = path.read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                del self.record[relative]
                continue
            if digest(existing) != self.record[relative] and not self.force:
                self.kept_stale.append(relative)
                continue
            path.unlink()
            del self.record[relative]
            self.removed.append(relative)
            folder = path.parent
            while folder.resolve() != self._out and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent

    def save(self) -> None:
        if not self.record and not (self.out_dir / MANIFEST).exists():
            return
        text = json.dumps({"generator": "studysite generate", "lessons": dict(sorted(self.record.items()))}, ensure_ascii=False, indent=1)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.out_dir / MANIFEST, text + "\n")

    def _folder(self, folder: Path) -> None:
        """Create *folder*, refusing one that leads out of OUT (a symbolic link)."""
        if folder in self._checked_folders:
            return
        if not self._inside(folder):
            raise UsageError(f"{folder} leads outside {self.out_dir}; nothing is written there")
        folder.mkdir(parents=True, exist_ok=True)
        self._checked_folders.add(folder)

    def _inside(self, path: Path) -> bool:
        resolved = path.resolve()
        return resolved == self._out or self._out in resolved.parents


"""What a build keeps between runs, in ``SITE/.studysite/``: parsed lessons, and a stamp
of the inputs of the last build so that an unchanged site is not built again.

Parsed lessons are stored in a fixed number of buckets (by a hash of the file's path), so
that parallel workers each read and write only their own buckets. The cache is an
optimisation only: anything unreadable is ignored, and nothing fails when it cannot be
written.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import zlib
from pathlib import Path

from generator.atomic import write_atomic
from generator.content.lesson import Lesson

BUCKETS = 16
CACHE_DIR = ".studysite"


def bucket_of(relative: str) -> int:
    return zlib.crc32(relative.encode("utf-8")) % BUCKETS


def fingerprint(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def tree_state(folder: Path, suffixes: tuple[str, ...] = ()) -> list[tuple[str, int, int]]:
    """(path, mtime, size) of the files below *folder*, for fingerprints."""
    state = []
    if folder.is_dir():
        for directory, _, names in os.walk(folder):
            for name in names:
                if suffixes and not name.endswith(suffixes):
                    continue
                path = os.path.join(directory, name)
                stat = os.stat(path)
                state.append((path, stat.st_mtime_ns, stat.st_size))
    return sorted(state)


class LessonCache:
    def __init__(self, site_root: Path, key: str):
        self.directory = site_root / CACHE_DIR / "lessons"
        self.key = key

    def _path(self, bucket: int) -> Path:
        return self.directory / f"{bucket:02}.pickle"

    def load(self, bucket: int) -> dict[str, tuple[int, int, Lesson]]:
        try:
            with open(self._path(bucket), "rb") as handle:
                key, entries = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            return {}
        return entries if key == self.key else {}

    def save(self, bucket: int, entries: dict[str, tuple[int, int, Lesson]]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(bucket), pickle.dumps((self.key, entries), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass


class BuildStamp:
    """The inputs of the last successful build and the output folder it made."""

    def __init__(self, site_root: Path):
        self.path = site_root / CACHE_DIR / "last-build.json"

    @staticmethod
    def _output_identity(out_dir: Path) -> list[int] | None:
        try:
            stat = os.stat(out_dir)
        except OSError:
            return None
        return [stat.st_ino, stat.st_mtime_ns]

    def is_current(self, inputs: str, out_dir: Path) -> bool:
        try:
            recorded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        identity = self._output_identity(out_dir)
        return identity is not None and recorded == {"inputs": inputs, "output": str(out_dir.resolve()), "identity": identity}

    def record(self, inputs: str, out_dir: Path) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            data = {"inputs": inputs, "output": str(out_dir.resolve()), "identity": self._output_identity(out_dir)}
            write_atomic(self.path, json.dumps(data))
        except OSError:
            pass

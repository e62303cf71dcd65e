"""What a build keeps between runs, in ``SITE/.studysite/``: parsed lessons, a stamp of
the inputs of the last build so that an unchanged site is not built again, and a record of
the files of each output folder so that the next build rewrites only what changed.

Parsed lessons are stored in a fixed number of buckets (by a hash of the file's path), so
that parallel workers each read and write only their own buckets. Each bucket has a small
companion file of the lessons' summaries (what other pages need to know of a lesson):
a build that re-renders few pages reads those, and the full lessons only of the buckets
it renders. The cache is an optimisation only: anything unreadable is ignored, and
nothing fails when it cannot be written.

A site folder may come from anyone's repository, ``.studysite/`` included, and a pickle
runs code when it is loaded: every file here is sealed (:mod:`generator.integrity`) and
its seal is checked before a byte of it is unpickled or trusted. A file that another user
wrote, or that was damaged, reads as missing, and the build parses again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import zlib
from pathlib import Path

from generator.atomic import write_atomic
from generator.content.lesson import Lesson, LessonSummary
from generator.integrity import seal, unseal

BUCKETS = 16
CACHE_DIR = ".studysite"
_STAMP_PURPOSE = "last-build"
_RECORD_PURPOSE = "output-record"


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
                try:
                    stat = os.stat(path)
                except FileNotFoundError:  # deleted while we walk: the next look sees it gone
                    continue
                state.append((path, stat.st_mtime_ns, stat.st_size))
    return sorted(state)


class LessonCache:
    """Each bucket's parsed lessons, ``{path: (mtime_ns, size, Lesson)}``, and beside them
    their summaries, ``{path: (mtime_ns, size, LessonSummary)}``. The two files of a
    bucket are written one after the other, so a reader checks each entry's time and
    size against the file it stands for, whichever of the two it reads."""

    def __init__(self, site_root: Path, key: str):
        self.directory = site_root / CACHE_DIR / "lessons"
        self.key = key

    def load(self, bucket: int) -> dict[str, tuple[int, int, Lesson]]:
        return self._load(f"{bucket:02}.pickle", f"lessons/{bucket:02}")

    def load_summaries(self, bucket: int) -> dict[str, tuple[int, int, LessonSummary]]:
        return self._load(f"{bucket:02}.summaries", f"summaries/{bucket:02}")

    def save(self, bucket: int, entries: dict[str, tuple[int, int, Lesson]]) -> None:
        summaries = {path: (mtime, size, lesson.summary()) for path, (mtime, size, lesson) in entries.items()}
        self._save(f"{bucket:02}.pickle", f"lessons/{bucket:02}", entries)
        self._save(f"{bucket:02}.summaries", f"summaries/{bucket:02}", summaries)

    def _load(self, name: str, purpose: str) -> dict:
        try:
            sealed = (self.directory / name).read_bytes()
        except OSError:
            return {}
        data = unseal(sealed, purpose)
        # The key (code version, parse settings) comes before the pickle, so that a bucket
        # written by another version of the code is never unpickled either.
        key, _, pickled = (data or b"").partition(b"\n")
        if key != self.key.encode("ascii"):
            return {}
        return pickle.loads(pickled)

    def _save(self, name: str, purpose: str, entries: dict) -> None:
        data = self.key.encode("ascii") + b"\n" + pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self.directory / name, seal(data, purpose))
        except OSError:
            pass


class OutputRecord:
    """What the last build left in one output folder: each file with its digest and
    identity (:class:`generator.spare.Placed`), the lesson files it was made from (time
    and size), and the keys its pages were rendered under. Kept, with the spare copy of
    the site, in a folder of the site's cache named after OUT."""

    def __init__(self, site_root: Path, out_dir: Path):
        self.home = site_root / CACHE_DIR / "output" / fingerprint(str(out_dir.resolve()))[:16]
        self.path = self.home / "record"

    def load(self) -> dict | None:
        try:
            data = unseal(self.path.read_bytes(), _RECORD_PURPOSE)
        except OSError:
            return None
        return pickle.loads(data) if data is not None else None

    def save(self, record: dict) -> None:
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, seal(data, _RECORD_PURPOSE))
        except OSError:
            pass


class BuildStamp:
    """The inputs of the last successful build and the output folder it made."""

    def __init__(self, site_root: Path):
        self.path = site_root / CACHE_DIR / "last-build.json"

    @staticmethod
    def _output_identity(out_dir: Path, files: list[tuple[str, int, int]] | None = None) -> list | None:
        """The output folder, and the path, time and size of every file in it: a file
        deleted or edited inside OUT means building again (about 40 ms for 1,000 pages).
        *files* (relative path, time, size), where the build knows them, spare the walk."""
        try:
            stat = os.stat(out_dir)
        except OSError:
            return None
        if files is None:
            state = tree_state(out_dir)
        else:
            state = sorted((os.path.join(out_dir, relative), mtime, size) for relative, mtime, size in files)
        return [stat.st_ino, stat.st_mtime_ns, fingerprint(state)]

    def is_current(self, inputs: str, out_dir: Path) -> bool:
        try:
            data = unseal(self.path.read_bytes(), _STAMP_PURPOSE)
        except OSError:
            return False
        if data is None:
            return False  # damaged, or not written by this user: build
        recorded = json.loads(data)
        if not isinstance(recorded, dict) or recorded.get("inputs") != inputs:
            return False  # without walking OUT
        identity = self._output_identity(out_dir)
        return identity is not None and recorded == {"inputs": inputs, "output": str(out_dir.resolve()), "identity": identity}

    def record(self, inputs: str, out_dir: Path, files: list[tuple[str, int, int]] | None = None) -> None:
        data = {"inputs": inputs, "output": str(out_dir.resolve()), "identity": self._output_identity(out_dir, files)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, seal(json.dumps(data).encode("utf-8"), _STAMP_PURPOSE))
        except OSError:
            pass

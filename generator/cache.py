"""What a build keeps between runs, in ``SITE/.studysite/``: parsed lessons, and a stamp
of the inputs of the last build so that an unchanged site is not built again.

Parsed lessons are stored in a fixed number of buckets (by a hash of the file's path), so
that parallel workers each read and write only their own buckets. The cache is an
optimisation only: anything unreadable is ignored, and nothing fails when it cannot be
written.

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
from generator.content.lesson import Lesson
from generator.integrity import seal, unseal

BUCKETS = 16
CACHE_DIR = ".studysite"
_STAMP_PURPOSE = "last-build"


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
    def __init__(self, site_root: Path, key: str):
        self.directory = site_root / CACHE_DIR / "lessons"
        self.key = key

    def _path(self, bucket: int) -> Path:
        return self.directory / f"{bucket:02}.pickle"

    def load(self, bucket: int) -> dict[str, tuple[int, int, Lesson]]:
        try:
            sealed = self._path(bucket).read_bytes()
        except OSError:
            return {}
        data = unseal(sealed, f"lessons/{bucket:02}")
        # The key (code version, parse settings) comes before the pickle, so that a bucket
        # written by another version of the code is never unpickled either.
        key, _, pickled = (data or b"").partition(b"\n")
        if key != self.key.encode("ascii"):
            return {}
        return pickle.loads(pickled)

    def save(self, bucket: int, entries: dict[str, tuple[int, int, Lesson]]) -> None:
        data = self.key.encode("ascii") + b"\n" + pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self._path(bucket), seal(data, f"lessons/{bucket:02}"))
        except OSError:
            pass


class BuildStamp:
    """The inputs of the last successful build and the output folder it made."""

    def __init__(self, site_root: Path):
        self.path = site_root / CACHE_DIR / "last-build.json"

    @staticmethod
    def _output_identity(out_dir: Path) -> list | None:
        """The output folder, and the path, time and size of every file in it: a file
        deleted or edited inside OUT means building again (about 40 ms for 1,000 pages)."""
        try:
            stat = os.stat(out_dir)
            return [stat.st_ino, stat.st_mtime_ns, fingerprint(tree_state(out_dir))]
        except OSError:
            return None

    def is_current(self, inputs: str, out_dir: Path) -> bool:
        try:
            data = unseal(self.path.read_bytes(), _STAMP_PURPOSE)
        except OSError:
            return False
        if data is None:
            return False  # damaged, or not written by this user: build
        identity = self._output_identity(out_dir)
        recorded = json.loads(data)
        return identity is not None and recorded == {"inputs": inputs, "output": str(out_dir.resolve()), "identity": identity}

    def record(self, inputs: str, out_dir: Path) -> None:
        data = {"inputs": inputs, "output": str(out_dir.resolve()), "identity": self._output_identity(out_dir)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, seal(json.dumps(data).encode("utf-8"), _STAMP_PURPOSE))
        except OSError:
            pass

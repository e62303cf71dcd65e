"""What a build takes over from the one before it: the files it left in OUT
(:class:`Placed`), and the spare copy of the site that it brings up to date
(:class:`SpareSite`). Used by :mod:`generator.output`."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any, NamedTuple


class Placed(NamedTuple):
    """A file as a build left it in OUT: what it was made from (*digest*: the inputs of
    a page, the time and size of a static file, None for a file compared byte by byte)
    and its identity then. A later build reuses the file only while it still has that
    identity: edited, replaced or deleted, it is made again."""

    digest: Any
    ino: int
    size: int
    mtime_ns: int

    def same_file(self, stat: os.stat_result) -> bool:
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns) == (self.ino, self.size, self.mtime_ns)

    @classmethod
    def of(cls, digest: Any, stat: os.stat_result) -> Placed:
        return cls(digest, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class SpareSite:
    """The spare copy of the site: the site before last, kept after a build swaps it out
    (mostly hard links to the files of OUT), which the next build brings up to date in
    place and swaps in. Bringing it up to date touches only what changed; making a new
    tree would mean one new folder per page, which costs more than rendering a few pages
    on some disks.

    It lives in the site's cache folder, in *home*, and is locked there for the build
    that uses it: a build running beside it stages a fresh tree instead."""

    def __init__(self, home: Path, handle: int):
        self.home = home
        self.path = home / "site"
        self._handle = handle

    @classmethod
    def claim(cls, home: Path, out_dir: Path) -> SpareSite | None:
        """The spare copy's place, locked for this build; None where it cannot serve OUT:
        another build holds it, or it is not on OUT's file system (a swap and hard links
        need both on one)."""
        try:
            home.mkdir(parents=True, exist_ok=True)
            if os.stat(home).st_dev != os.stat(out_dir.absolute().parent).st_dev:
                return None
            handle = os.open(home, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(handle)
            return None
        return cls(home, handle)

    def release(self) -> None:
        if self._handle >= 0:
            os.close(self._handle)  # and with it the lock
            self._handle = -1

"""Writing the site: everything goes to a staging folder beside OUT, which replaces OUT
only once complete, so a failed build leaves the previous site whole. The two are swapped
in one step where the system can, so that OUT is never missing, even for a moment.

Every path is checked on the way in: nothing is ever written outside the staging folder,
whatever a slug or a file name says.
"""

from __future__ import annotations

import ctypes
import errno
import os
import queue
import secrets
import shutil
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path

from generator.cache import CACHE_DIR
from generator.content.site import inside
from generator.errors import OutputError, UsageError

MARKER = ".studysite"
"""A file in every output folder this tool wrote; only such a folder is ever replaced."""


def check_output_dir(site_root: Path, out_dir: Path) -> None:
    """Refuse output folders whose replacement would destroy something else."""
    out = out_dir.resolve()
    site = site_root.resolve()
    if out == site or out in site.parents:
        raise UsageError(f"output folder {out_dir} contains the site itself; choose a folder such as {site_root / 'public'}")
    for protected in ("content", "templates", "static", CACHE_DIR):
        folder = site / protected
        if out == folder or folder in out.parents:
            raise UsageError(f"output folder {out_dir} is inside the site's {protected}/ folder")
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing != out and not existing.is_dir():
        raise UsageError(f"output folder {out_dir} cannot be made: {existing} is a file")
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"output path {out_dir} exists and is not a folder")
        if os.path.ismount(out):
            raise UsageError(_mount_point_message(out_dir))
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise UsageError(
                f"output folder {out_dir} is not empty and was not written by studysite; "
                "remove it or choose another folder"
            )


def _mount_point_message(out_dir: Path) -> str:
    return (
        f"output folder {out_dir} is a mount point, which cannot be replaced as a whole; "
        f"build into a folder inside it, such as {out_dir / 'site'}"
    )


def safe_relative_path(relative: str) -> str:
    """*relative* if it names a file strictly inside the output folder, else ValueError."""
    if not relative or "\x00" in relative or "\\" in relative or relative.startswith("/"):
        raise ValueError(f"unsafe output path {relative!r}")
    parts = relative.split("/")
    if any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in ("", ".", ".."):
        raise ValueError(f"unsafe output path {relative!r}")
    return relative


class StagedOutput:
    """Files written into a staging folder by a background thread: rendering (Python
    work) and writing (the kernel's work) then overlap. :meth:`flush` waits for the
    writes and raises what went wrong in them."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.absolute()
        self.staging = self.out_dir.parent / f".{self.out_dir.name}.staging-{os.getpid()}"
        try:
            if self.staging.exists():
                shutil.rmtree(self.staging)
            self.staging.mkdir(parents=True)
        except OSError as error:
            raise OutputError(f"cannot write beside {self.out_dir}: {error.strerror}{self._kept()}") from None
        self._start()

    @classmethod
    def attach(cls, staging: Path, out_dir: Path) -> StagedOutput:
        """Write into the staging folder of *out_dir* that another process created (and
        will commit)."""
        output = cls.__new__(cls)
        output.out_dir = out_dir
        output.staging = staging
        output._start()
        return output

    def _kept(self) -> str:
        return f"; {self.out_dir} is left as it was" if self.out_dir.exists() else ""

    def _start(self) -> None:
        self.count = 0
        self._made_dirs: set[str] = {""}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._writer = threading.Thread(target=self._write_queued, daemon=True)
        self._writer.start()

    def write(self, relative: str, data: bytes | str) -> None:
        self._queue.put((safe_relative_path(relative), data.encode("utf-8") if isinstance(data, str) else data))
        self.count += 1

    def copy(self, relative: str, source: Path) -> None:
        self._queue.put((safe_relative_path(relative), source))
        self.count += 1

    def _write_queued(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._failure is not None:
                continue
            relative, data = item
            try:
                folder = relative.rpartition("/")[0]
                if folder not in self._made_dirs:
                    os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
                    self._made_dirs.add(folder)
                path = os.path.join(self.staging, relative)
                if isinstance(data, Path):
                    shutil.copyfile(data, path)
                else:
                    with open(path, "wb") as handle:
                        handle.write(data)
            except OSError as error:  # reported by flush() in the building thread
                # shutil names both files in errors of its copy loop, only the source
                # when that cannot be opened.
                if isinstance(data, Path) and error.filename == str(data) and error.filename2 is None:
                    self._failure = OutputError(f"cannot read {data}: {error.strerror}{self._kept()}")
                else:
                    self._failure = OutputError(f"cannot write {self.out_dir / relative}: {error.strerror}{self._kept()}")
            except BaseException as error:
                self._failure = error

    def flush(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()
        if self._failure is not None:
            raise self._failure

    def commit(self, build_id: str) -> None:
        self.write(MARKER, build_id + "\n")
        self.flush()
        try:
            if not self.out_dir.exists():
                os.rename(self.staging, self.out_dir)
            elif _exchange(self.staging, self.out_dir):
                self._discard(self.staging)  # which now holds the old site
            else:
                # Without an atomic exchange OUT is missing for a moment: a build killed
                # then leaves the old site in the previous folder, and the next build
                # puts it back (remove_leftovers).
                previous = self.out_dir.parent / f".{self.out_dir.name}.previous-{os.getpid()}"
                os.rename(self.out_dir, previous)
                try:
                    os.rename(self.staging, self.out_dir)
                except OSError:
                    os.rename(previous, self.out_dir)
                    raise
                self._discard(previous)
        except OSError as error:
            if error.errno in (errno.EBUSY, errno.EXDEV):
                raise UsageError(_mount_point_message(self.out_dir)) from None
            raise OutputError(f"cannot replace {self.out_dir}: {error.strerror}{self._kept()}") from None

    def _discard(self, old_site: Path) -> None:
        """Delete the old site in the background, renamed first: the next build of this
        process then finds the staging and previous names free, not half deleted."""
        trash = self.out_dir.parent / f".{self.out_dir.name}.trash-{secrets.token_hex(8)}"
        try:
            os.rename(old_site, trash)
        except OSError:
            trash = old_site
        _remove_in_background(trash)

    def abort(self) -> None:
        try:
            self.flush()
        except BaseException:
            pass  # the build already failed; its staging folder goes either way
        shutil.rmtree(self.staging, ignore_errors=True)


class MemoryOutput:
    """The same interface as :class:`StagedOutput`, into a dict (for the live server)."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    @property
    def count(self) -> int:
        return len(self.files)

    def write(self, relative: str, data: bytes | str) -> None:
        self.files[safe_relative_path(relative)] = data.encode("utf-8") if isinstance(data, str) else data

    def copy(self, relative: str, source: Path) -> None:
        self.files[safe_relative_path(relative)] = source.read_bytes()


def _remove_in_background(path: Path) -> None:
    # Deleting thousands of files takes seconds on some disks, and the new site is
    # already in place: nobody needs to wait for the old one to go.
    try:
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


def remove_leftovers(out_dir: Path) -> None:
    """Clean up after builds that were killed before finishing: remove their staging
    folders, and if one was killed while OUT was moved aside, put that site back."""
    out = out_dir.absolute()
    if not out.parent.is_dir():
        return
    previous: list[Path] = []
    for candidate in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = candidate.name.rpartition("-")
        if kind.endswith(".trash") and candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)  # an old site, whoever was deleting it
            continue
        if not kind.endswith((".staging", ".previous")) or not pid.isdigit() or not candidate.is_dir():
            continue
        if _process_alive(int(pid)):
            continue  # another build is working there right now
        if kind.endswith(".previous") and (candidate / MARKER).is_file():
            previous.append(candidate)
        else:
            shutil.rmtree(candidate, ignore_errors=True)
    if previous and not os.path.lexists(out):
        latest = max(previous, key=lambda folder: (folder / MARKER).stat().st_mtime_ns)
        try:
            os.rename(latest, out)
        except OSError as error:
            raise OutputError(f"cannot put the previous site {latest} back in {out}: {error.strerror}") from None
        previous.remove(latest)
    for candidate in previous:
        shutil.rmtree(candidate, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux's ``renameat2`` with ``RENAME_EXCHANGE``), so
    that a reader or a kill never finds *second* missing. False where the system or the
    file system cannot; OSError if it can but the swap failed."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@cache
def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None  # a C library older than glibc 2.28


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def static_files(folders: list[Path]) -> dict[str, Path]:
    """Files to copy to the site root: later folders override earlier ones. Links that
    lead out of their static folder are skipped: they are never published."""
    files: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        real_root = os.path.realpath(folder)
        visited = {real_root}
        for directory, subdirs, names in os.walk(folder, followlinks=True):
            kept = []
            for name in sorted(subdirs):
                real = os.path.realpath(os.path.join(directory, name))
                if not name.startswith(".") and inside(real, real_root) and real not in visited:
                    visited.add(real)
                    kept.append(name)
            subdirs[:] = kept
            relative_dir = os.path.relpath(directory, folder)
            for name in sorted(names):
                path = os.path.join(directory, name)
                if name.startswith(".") or name.endswith("~") or not inside(os.path.realpath(path), real_root):
                    continue
                relative = name if relative_dir == "." else f"{relative_dir}/{name}".replace(os.sep, "/")
                files[relative] = Path(path)
    return files

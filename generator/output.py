"""Writing the site: everything goes to a staging folder, which replaces OUT only once
complete, so a failed build leaves the previous site whole. The two are swapped in one
step where the system can, so that OUT is never missing, even for a moment.

A rebuild rewrites only the files that changed: the others are taken over from the
previous site as they are (hard links: same inode, same time), and the staging folder is
the spare copy of the site that the previous swap left, brought up to date in place
(:class:`StagedOutput`, :class:`SpareSite`).

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
from typing import Any

import rcssmin
import rjsmin

from generator.cache import CACHE_DIR
from generator.content.site import inside
from generator.errors import OutputError, UsageError
from generator.resources import bundled_dir
from generator.spare import Placed, SpareSite

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
    """The new site, made beside OUT and swapped in only once complete, so that a failed
    build leaves the previous site whole.

    With *previous* (the files the last build left in OUT) each file is placed by the
    cheapest way that gives the same bytes: a file whose inputs did not change (its
    digest, see :meth:`reuse`) or whose new bytes are those of the old file is taken over
    as it is — the very same file, hard-linked, same inode and time — and only the rest
    is written. With a *spare* copy of the site (:class:`SpareSite`) the new site is made
    by bringing that copy up to date in place: files that are already right stay, files
    are replaced and removed where the site changed. Otherwise a fresh staging folder is
    made beside OUT.

    Files are written by a background thread, so that rendering (Python work) and writing
    (the kernel's work) overlap; :meth:`flush` waits for the writes and raises what went
    wrong in them. Several processes may write into one staging folder
    (:meth:`attach`); each reports what it placed (:attr:`placed`) to the one that
    commits."""

    def __init__(self, out_dir: Path, previous: dict[str, Placed] | None = None, spare: SpareSite | None = None):
        self.out_dir = out_dir.absolute()
        self.previous = previous or {}
        self.spare = spare
        # A spare copy that a build left whole (one killed midway is checked file by file).
        self.in_place = spare is not None and (spare.path / MARKER).is_file()
        if self.in_place:
            self.staging = spare.path
        else:
            if spare is not None:  # something left where the spare copy goes, not a whole site
                shutil.rmtree(spare.path, ignore_errors=True)
            self.staging = self.out_dir.parent / f".{self.out_dir.name}.staging-{os.getpid()}"
            try:
                if self.staging.exists():
                    shutil.rmtree(self.staging)
                self.staging.mkdir(parents=True)
            except OSError as error:
                raise OutputError(f"cannot write beside {self.out_dir}: {error.strerror}{self._kept()}") from None
        self._start()

    @classmethod
    def attach(cls, staging: Path, out_dir: Path, previous: dict[str, Placed] | None, in_place: bool) -> StagedOutput:
        """Write into the staging folder of *out_dir* that another process set up (and
        will commit)."""
        output = cls.__new__(cls)
        output.out_dir = out_dir
        output.previous = previous or {}
        output.spare = None
        output.in_place = in_place
        output.staging = staging
        output._start()
        return output

    def _kept(self) -> str:
        return f"; {self.out_dir} is left as it was" if self.out_dir.exists() else ""

    def _start(self) -> None:
        self.written = 0
        self._survey: tuple[set[str], set[str]] | None = None
        self.placed: dict[str, Placed] = {}
        """Every file placed so far (by this process), as the next build will find it."""
        self._made_dirs: set[str] = {""}
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._writer = threading.Thread(target=self._write_queued, daemon=True)
        self._writer.start()

    @property
    def count(self) -> int:
        """Files placed: written anew or taken over from the previous site."""
        return len(self.placed)

    # --- placing files ------------------------------------------------------------------

    def previous_digest(self, relative: str) -> Any:
        """The digest of the previous build's file at *relative* (None if there was none)."""
        entry = self.previous.get(relative)
        return entry.digest if entry is not None else None

    def reuse(self, relative: str, digest: Any) -> bool:
        """Take over the previous build's file at *relative* if it was made from *digest*
        and is untouched since; False if the caller must make it."""
        entry = self.previous.get(relative)
        if entry is None or entry.digest != digest:
            return False
        if self._here(relative, entry):
            self.placed[relative] = entry
            return True
        if not self._in_out(relative, entry):
            return False
        self._queue.put((safe_relative_path(relative), entry))
        return True

    def write(self, relative: str, data: bytes | str, digest: Any = None) -> None:
        self._queue.put((safe_relative_path(relative), data.encode("utf-8") if isinstance(data, str) else data, digest))

    def copy(self, relative: str, source: Path, digest: Any = None) -> None:
        if digest is None or not self.reuse(relative, digest):
            self._queue.put((safe_relative_path(relative), source, digest))

    def adopt(self, placed: dict[str, Placed], written: int) -> None:
        """Count in what another process placed in the same staging folder."""
        self.placed.update(placed)
        self.written += written

    def _here(self, relative: str, entry: Placed) -> bool:
        """Whether the spare copy being brought up to date has the previous build's file
        at *relative*, unchanged (the same file as OUT's: a hard link)."""
        if not self.in_place:
            return False
        try:
            return entry.same_file(os.lstat(os.path.join(self.staging, relative)))
        except OSError:
            return False

    def _in_out(self, relative: str, entry: Placed) -> bool:
        """Whether OUT still has the previous build's file at *relative*, unchanged."""
        try:
            return entry.same_file(os.stat(os.path.join(self.out_dir, relative)))
        except OSError:
            return False

    def _write_queued(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._failure is not None:
                continue
            relative, data = item[0], item[1]
            try:
                if isinstance(data, Placed):
                    self._link_from_out(relative, data)
                elif isinstance(data, Path):
                    self._copy(relative, data, item[2])
                else:
                    self._write(relative, data, item[2])
            except OSError as error:  # reported by flush() in the building thread
                # shutil names both files in errors of its copy loop, only the source
                # when that cannot be opened.
                if isinstance(data, Path) and error.filename == str(data) and error.filename2 is None:
                    self._failure = OutputError(f"cannot read {data}: {error.strerror}{self._kept()}")
                else:
                    self._failure = OutputError(f"cannot write {self.out_dir / relative}: {error.strerror}{self._kept()}")
            except BaseException as error:
                self._failure = error

    def _write(self, relative: str, data: bytes, digest: Any) -> None:
        entry = self.previous.get(relative)
        if entry is not None and entry.size == len(data) and self._same_bytes(relative, entry, data):
            self._take_over(relative, entry._replace(digest=digest))
            return
        with self._create(relative) as handle:
            handle.write(data)
            handle.flush()
            self.placed[relative] = Placed.of(digest, os.fstat(handle.fileno()))
        self.written += 1

    def _copy(self, relative: str, source: Path, digest: Any) -> None:
        with open(source, "rb") as original, self._create(relative) as handle:
            shutil.copyfileobj(original, handle)
            handle.flush()
            self.placed[relative] = Placed.of(digest, os.fstat(handle.fileno()))
        self.written += 1

    def _same_bytes(self, relative: str, entry: Placed, data: bytes) -> bool:
        try:
            with open(os.path.join(self.out_dir, relative), "rb") as handle:
                return entry.same_file(os.fstat(handle.fileno())) and handle.read() == data
        except OSError:
            return False

    def _take_over(self, relative: str, entry: Placed) -> None:
        """Place the previous build's (checked) file at *relative*: keep it where the spare
        copy has it already, else hard-link it from OUT."""
        if self._here(relative, entry):
            self.placed[relative] = entry
        else:
            self._link_from_out(relative, entry)

    def _link_from_out(self, relative: str, entry: Placed) -> None:
        path = self._folder_made(relative)
        source = os.path.join(self.out_dir, relative)
        try:
            try:
                os.link(source, path)
            except FileExistsError:
                _remove(path)
                os.link(source, path)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            # OUT is a mount point of its own (a bind mount): copy; the swap will refuse it.
            self._copy(relative, Path(source), entry.digest)
            return
        if not entry.same_file(os.lstat(path)):  # replaced in OUT since it was checked
            os.unlink(path)
            raise OSError(errno.ESTALE, "changed while the site was built")
        self.placed[relative] = entry

    def _create(self, relative: str):
        """A new file at *relative*. Whatever was there is removed first, never written
        into: in a spare copy, or after a hard link, it may be a file of OUT's."""
        path = self._folder_made(relative)
        try:
            return open(path, "xb")
        except FileExistsError:
            _remove(path)
            return open(path, "xb")

    def _folder_made(self, relative: str) -> str:
        """The path of *relative* in the staging folder, its folder made (in a spare copy,
        in place of a file of the old site's that is in the way)."""
        folder = relative.rpartition("/")[0]
        if folder not in self._made_dirs:
            try:
                os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                if not self.in_place:
                    raise
                parts = folder.split("/")
                for end in range(1, len(parts) + 1):
                    above = os.path.join(self.staging, *parts[:end])
                    if os.path.islink(above) or os.path.isfile(above):
                        os.unlink(above)
                os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            self._made_dirs.add(folder)
        return os.path.join(self.staging, relative)

    def flush(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()
        if self._failure is not None:
            raise self._failure

    # --- committing ---------------------------------------------------------------------

    def survey(self) -> None:
        """List what the spare copy holds (the files the new site may not keep): done
        once, before or while the site is rendered."""
        if not self.in_place or self._survey is not None:
            return
        files: set[str] = set()
        folders: set[str] = set()
        top = str(self.staging)
        for directory, subdirs, names in os.walk(top):
            relative = directory[len(top) + 1 :]  # os.walk joins onto top; relpath costs more than the walk
            prefix = relative.replace(os.sep, "/") + "/" if relative else ""
            folders.update(prefix + name for name in subdirs)
            files.update(prefix + name for name in names)
        self._survey = files, folders

    def _remove_leftover_files(self) -> None:
        """Remove from the spare copy what the new site does not have."""
        self.survey()
        files, folders = self._survey
        needed = {""}
        for relative in self.placed:
            folder = relative.rpartition("/")[0]
            while folder not in needed:
                needed.add(folder)
                folder = folder.rpartition("/")[0]
        for folder in folders - needed - self.placed.keys():
            if folder.rpartition("/")[0] in needed:  # the top of a branch the site no longer has
                shutil.rmtree(os.path.join(self.staging, folder), ignore_errors=True)
        for relative in files - self.placed.keys() - needed:
            if relative.rpartition("/")[0] in needed:
                try:
                    os.unlink(os.path.join(self.staging, relative))
                except FileNotFoundError:
                    pass

    def commit(self, build_id: str) -> None:
        self.write(MARKER, build_id + "\n")
        self.flush()
        try:
            if self.in_place:
                self._remove_leftover_files()
            if not self.out_dir.exists():
                os.rename(self.staging, self.out_dir)
            elif _exchange(self.staging, self.out_dir):
                if not self.in_place:
                    self._keep_as_spare(self.staging)  # which now holds the old site
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
                self._keep_as_spare(previous)
        except OSError as error:
            if error.errno in (errno.EBUSY, errno.EXDEV):
                raise UsageError(_mount_point_message(self.out_dir)) from None
            raise OutputError(f"cannot replace {self.out_dir}: {error.strerror}{self._kept()}") from None

    def _keep_as_spare(self, old_site: Path) -> None:
        """The old site becomes the spare copy that the next build brings up to date, or,
        where there is none to be, is deleted."""
        if self.spare is not None and not os.path.lexists(self.spare.path):
            try:
                os.rename(old_site, self.spare.path)
                return
            except OSError:
                pass
        self._discard(old_site)

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
        if not self.in_place:  # a spare copy half brought up to date is checked file by file next time
            shutil.rmtree(self.staging, ignore_errors=True)


class MemoryOutput:
    """The same interface as :class:`StagedOutput`, into a dict (for the live server)."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    @property
    def count(self) -> int:
        return len(self.files)

    def previous_digest(self, relative: str) -> None:
        return None

    def reuse(self, relative: str, digest: Any) -> bool:
        return False

    def write(self, relative: str, data: bytes | str, digest: Any = None) -> None:
        self.files[safe_relative_path(relative)] = data.encode("utf-8") if isinstance(data, str) else data

    def copy(self, relative: str, source: Path, digest: Any = None) -> None:
        self.files[safe_relative_path(relative)] = source.read_bytes()


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except IsADirectoryError:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass


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


MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}
"""How the bundled scripts and stylesheets of ``assets/`` are published: without comments
and spare whitespace, a third of what every page loads (the sources stay readable)."""

MINIFIED_BY = f"rjsmin {rjsmin.__version__}, rcssmin {rcssmin.__version__}"
"""Part of a minified file's digest and of the assets' version: another minifier may make
other bytes."""


def minifier(relative: str, source: Path):
    """The minifier for the static file *source* published at *relative*, or None to copy
    it as it is: only the bundled ``assets/*.js`` and ``*.css`` are minified, not the
    vendored ones (already minified, with their licences) nor a site's own files, which
    are published exactly as written, as Hugo publishes ``static/``."""
    folder, _, name = relative.rpartition("/")
    if folder != "assets" or name.endswith((".min.js", ".min.css")):
        return None
    if not source.resolve().is_relative_to(bundled_dir("static")):
        return None
    return MINIFIERS.get(os.path.splitext(name)[1])


def place_static(output, relative: str, source: Path, digest: Any) -> None:
    """Publish the static file *source* at *relative* in *output* (a :class:`StagedOutput`
    or :class:`MemoryOutput`, so that the dev server sends the bytes a build writes)."""
    minify = minifier(relative, source)
    if minify is None:
        output.copy(relative, source, digest)
        return
    digest = (digest, MINIFIED_BY)
    if not output.reuse(relative, digest):
        output.write(relative, minify(source.read_text(encoding="utf-8")), digest)

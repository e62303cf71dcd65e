"""Writing a file so that a reader, or a kill at any moment, sees the old bytes or the new
ones, never a mix: write a temporary file beside the target, flush it, then rename it
over the target (a rename within one folder is atomic on POSIX file systems).

No fsync: the promise is about killed processes, whose written pages the kernel keeps;
an fsync per file would only guard against power loss, at a disk flush per file."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)  # read once, at import: os.umask can only be read by setting it
PUBLIC_MODE = 0o666 & ~_UMASK
"""The mode open() gives a new file; mkstemp's temporary files are private (0600)."""

_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")
"""The name :func:`write_atomic` gives its temporary file (tempfile's 8 random characters)."""


def write_atomic(path: Path | str, data: bytes | str, *, mode: int = PUBLIC_MODE) -> None:
    """Replace *path* with *data* atomically; OSError if it cannot be done (the target is
    then untouched and no temporary file is left behind). The file gets *mode*: by
    default the one open() would give it; secrets pass 0o600."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def remove_leftovers(folder: Path | str) -> int:
    """Delete the temporary files that killed writers left below *folder*; only for a
    folder no other process is writing into. Returns how many were removed."""
    removed = 0
    for directory, _, names in os.walk(folder):
        for name in names:
            if _TEMPORARY.fullmatch(name):
                try:
                    os.unlink(os.path.join(directory, name))
                    removed += 1
                except OSError:
                    pass
    return removed

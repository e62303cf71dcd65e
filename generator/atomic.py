"""Writing a file so that a reader, or a kill at any moment, sees the old bytes or the new
ones, never a mix: write a temporary file beside the target, flush it, then rename it
over the target (a rename within one folder is atomic on POSIX file systems).

No fsync: the promise is about killed processes, whose written pages the kernel keeps;
an fsync per file would only guard against power loss, at a disk flush per file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)  # read once, at import: os.umask can only be read by setting it
PUBLIC_MODE = 0o666 & ~_UMASK
"""The mode open() gives a new file; mkstemp's temporary files are private (0600)."""


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

"""Writing a file so that a reader, or a kill at any moment, sees the old bytes or the new
ones, never a mix: write a temporary file beside the target, flush it, then rename it
over the target (a rename within one folder is atomic on POSIX file systems).

No fsync: the promise is about killed processes, whose written pages the kernel keeps;
an fsync per file would only guard against power loss, at a disk flush per file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, data: bytes | str, *, mode: int | None = None) -> None:
    """Replace *path* with *data* atomically; OSError if it cannot be done (the target is
    then untouched and no temporary file is left behind)."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise

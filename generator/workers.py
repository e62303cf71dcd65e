"""Forked build workers: how many to run, and how they end with the build that forked them.

A build killed with SIGKILL cannot stop its workers, and a worker busy parsing reads
nothing from its pipe, so it would go on (and then wait forever for orders) holding the
build's stdout open. On Linux the kernel signals each worker when its parent ends
(``PR_SET_PDEATHSIG``); elsewhere a thread in the worker watches its parent's pid.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_POLL_SECONDS = 0.2


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as Hugo counts them), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def exit_with_parent(parent: int) -> None:
    """Make this (forked) process end within a second of its parent *parent* ending."""
    if not _kernel_signals_parent_death():
        threading.Thread(target=watch_parent, args=(parent,), name="watch-parent", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)  # the parent ended before the watch was in place


def _kernel_signals_parent_death() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(parent: int) -> None:
    """Poll until *parent* is no longer this process's parent, then end the process."""
    while os.getppid() == parent:
        time.sleep(_POLL_SECONDS)
    os._exit(1)

"""Where the bundled templates and static files are: inside the installed package (a
wheel carries them as ``generator/templates`` and ``generator/static``), or beside it in a
source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def bundled_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the bundled {name!r} folder is missing from the studysite installation")

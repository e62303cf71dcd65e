"""Writing TOML: the exported ``hugo.toml`` and each lesson's front matter.

Only what front matter and Hugo's config hold: strings, numbers, booleans, dates, lists
and tables. A value TOML cannot hold (None, as YAML front matter may give) is left out,
as if the key were not there, which is how Hugo reads an empty value too.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, time
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else string(name)


def string(text: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def value(item: Any) -> str | None:
    """*item* as a TOML value, or None where TOML has no way to write it."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if math.isnan(item):
            return "nan"
        if math.isinf(item):
            return "inf" if item > 0 else "-inf"
        return repr(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, (datetime, date, time)):
        return item.isoformat()
    if isinstance(item, (list, tuple)):
        written = [value(element) for element in item]
        return "[" + ", ".join(element for element in written if element is not None) + "]"
    if isinstance(item, dict):
        pairs = [(str(name), value(element)) for name, element in item.items()]
        return "{" + ", ".join(f"{key(name)} = {element}" for name, element in pairs if element is not None) + "}"
    return None


def assignments(table: dict[str, Any]) -> list[str]:
    """``key = value`` lines for *table*'s entries, in its order."""
    lines = []
    for name, item in table.items():
        written = value(item)
        if written is not None:
            lines.append(f"{key(str(name))} = {written}")
    return lines

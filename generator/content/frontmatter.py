"""Front matter: TOML (``+++``), YAML (``---``), a JSON object, or none, as Hugo reads it.

Line numbers matter here: every problem is reported against the file's own line, so the
split keeps track of where the front matter and the body start.
"""

from __future__ import annotations

import json
import math
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from functools import lru_cache
from typing import Any

_TOML_ERROR_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_KEY_PATTERNS = {
    "toml": re.compile(r'^\s*["\']?([A-Za-z0-9_-]+)["\']?\s*='),
    "yaml": re.compile(r"^([A-Za-z0-9_-]+)\s*:"),
    "json": re.compile(r'^\s*"([A-Za-z0-9_-]+)"\s*:'),
}
_GO_INT = re.compile(
    r"[+-]?(?:0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB]_?[01]+(?:_[01]+)*"
    r"|0[oO]_?[0-7]+(?:_[0-7]+)*|0_?[0-7]*(?:_[0-7]+)*|[1-9][0-9]*(?:_[0-9]+)*)"
)
_ZERO_DECIMAL = re.compile(r"^([+-]?\d+)\.0*$")


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class FrontMatter:
    format: str | None
    data: dict[str, Any]
    key_lines: dict[str, int]
    """1-based file line of each top-level key, for messages about its value."""
    body: str
    body_offset: int
    """How many file lines precede the body."""


def normalize_text(text: str) -> str:
    """Drop a UTF-8 byte-order mark and turn CRLF/CR line ends into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_front_matter(text: str) -> FrontMatter:
    """Separate and parse the front matter of normalized *text*.

    Raises :class:`FrontMatterError` with the file line where the problem starts.
    """
    first_line, _, _ = text.partition("\n")
    delimiter = first_line.rstrip()
    if delimiter in ("+++", "---"):
        return _split_delimited(text, delimiter)
    if text.startswith("{"):
        return _split_json(text)
    return FrontMatter(None, {}, {}, text, 0)


def _split_delimited(text: str, delimiter: str) -> FrontMatter:
    kind = "toml" if delimiter == "+++" else "yaml"
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == delimiter:
            closing = index
            break
    else:
        raise FrontMatterError(
            1, f"unterminated {kind.upper()} front matter: no closing '{delimiter}' line"
        )
    raw = "\n".join(lines[1:closing]) + "\n"
    parse = (lambda: _parse_toml(raw, closing)) if kind == "toml" else (lambda: _parse_yaml(raw))
    data = _guarded(kind, parse)
    if not isinstance(data, dict):
        raise FrontMatterError(2, "front matter must be a mapping of keys to values")
    key_lines = _key_lines(kind, lines[1:closing], 2)
    _check_values(data, key_lines)
    body = "\n".join(lines[closing + 1 :])
    return FrontMatter(kind, _lower_keys(data), key_lines, body, closing + 1)


def _guarded(kind: str, parse: Callable[[], Any]) -> Any:
    """Run a parser; whatever else it raises (Python's limits on recursion and on digits,
    a value its constructor cannot make) is an error at the front matter's first line."""
    try:
        return parse()
    except FrontMatterError:
        raise
    except RecursionError:
        raise FrontMatterError(1, f"invalid {kind.upper()} front matter: nested too deeply") from None
    except Exception as error:  # noqa: BLE001 - any failure of a parser is the author's input
        raise FrontMatterError(1, f"invalid {kind.upper()} front matter: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "Exceeds the limit" in text and "digits" in text:
        return f"a number has more than {sys.get_int_max_str_digits()} digits"
    return text


def _parse_toml(raw: str, last_line: int) -> dict[str, Any]:
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_ERROR_POSITION.search(message)
        line = int(match.group(1)) + 1 if match else last_line
        reason = _TOML_ERROR_POSITION.sub("", message).replace("(at end of document)", "").strip()
        raise FrontMatterError(line, f"invalid TOML front matter: {reason}") from None


def _parse_yaml(raw: str) -> Any:
    import yaml  # only YAML sites pay for the import

    try:
        data = yaml.load(raw, Loader=_yaml_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise FrontMatterError(line, f"invalid YAML front matter: {reason}") from None
    return {} if data is None else data


@lru_cache(maxsize=1)
def _yaml_loader():
    import yaml

    # libyaml's parser when PyYAML has it: the pure-Python one takes seconds, then
    # overflows the stack, on a few thousand nested brackets, where libyaml stops at 1,000.
    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(safe_loader):
        """PyYAML's safe loader, whose value constructors' own errors (``2024-02-30``,
        ``!!int a``) become errors at the value's line, like its syntax errors."""

        def construct_object(self, node, deep=False):
            try:
                return super().construct_object(node, deep)
            except (ValueError, TypeError, AttributeError, OverflowError) as error:
                kind = node.tag.rsplit(":", 1)[-1]
                value = node.value if isinstance(node.value, str) else ""
                problem = f"{_shorten(value)!r} is not a valid {kind}"
                if isinstance(error, ValueError):
                    problem += f": {_reason(error)}"
                raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    return Loader


def _split_json(text: str) -> FrontMatter:
    def parse():
        try:
            return json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as error:
            raise FrontMatterError(error.lineno, f"invalid JSON front matter: {error.msg}") from None

    data, end = _guarded("json", parse)
    if not isinstance(data, dict):
        raise FrontMatterError(1, "front matter must be a JSON object")
    line_end = text.find("\n", end)
    body_start = len(text) if line_end < 0 else line_end + 1
    if text[end:body_start].strip():
        raise FrontMatterError(
            text.count("\n", 0, end) + 1, "text after the closing '}' of the JSON front matter"
        )
    offset = text.count("\n", 0, body_start)
    raw_lines = text[:body_start].split("\n")
    key_lines = _key_lines("json", raw_lines, 1)
    _check_values(data, key_lines)
    return FrontMatter("json", _lower_keys(data), key_lines, text[body_start:], offset)


MAX_DEPTH = 32
"""How deeply front matter values may nest (real ones nest two or three levels)."""
MAX_VALUES = 20_000
"""How many values front matter may hold, counting each use of a YAML alias."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_values(data: dict[Any, Any], key_lines: dict[str, int]) -> None:
    """Refuse what parsed but would fail later, far from its line: values nested deeper
    than :data:`MAX_DEPTH` (or holding themselves, through a YAML alias), more than
    :data:`MAX_VALUES` values (a YAML alias bomb), and lone UTF-16 surrogates (JSON and
    YAML ``"\\ud800"`` escapes), which no page can be written with."""
    count = 0
    for key, value in data.items():
        line = key_lines.get(str(key).lower(), 1)
        stack = [(key, 1), (value, 1)]
        while stack:
            item, depth = stack.pop()
            count += 1
            if count > MAX_VALUES:
                raise FrontMatterError(line, f"front matter holds more than {MAX_VALUES:,} values")
            if depth > MAX_DEPTH:
                raise FrontMatterError(line, f"front matter nests deeper than {MAX_DEPTH} levels")
            if isinstance(item, str):
                surrogate = _SURROGATE.search(item)
                if surrogate:
                    code = f"\\u{ord(surrogate.group(0)):04x}"
                    raise FrontMatterError(line, f"front matter holds {code}, half of a UTF-16 surrogate pair, not a character")
            elif isinstance(item, dict):
                stack.extend((part, depth + 1) for pair in item.items() for part in pair)
            elif isinstance(item, (list, tuple, set, frozenset)):
                stack.extend((part, depth + 1) for part in item)


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lower_keys(data: dict[str, Any]) -> dict[str, Any]:
    # Hugo reads front matter keys case-insensitively ("Title" is the title).
    return {str(key).lower(): value for key, value in data.items()}


def _key_lines(kind: str, raw_lines: list[str], first_line: int) -> dict[str, int]:
    pattern = _KEY_PATTERNS[kind]
    found: dict[str, int] = {}
    for number, line in enumerate(raw_lines, start=first_line):
        match = pattern.match(line)
        if match:
            found.setdefault(match.group(1).lower(), number)
    return found


# --- Values, cast as Hugo casts them ------------------------------------------------


def cast_weight(value: Any) -> int:
    """Hugo's ``cast.ToIntE``: ints, floats (truncated), booleans and integer strings.

    Strings follow Go's ``strconv.ParseInt(s, 0, 0)`` after dropping a zero decimal part
    (``"3.0"`` is 3), so ``0x10`` is 16 and a leading ``0`` means octal, as in Hugo.
    Hugo turns anything else into a silent 0; here it is an error (``ValueError``).
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"weight must be a whole number, got {value!r}")
        return int(value)
    if isinstance(value, str):
        text = value
        zero_decimal = _ZERO_DECIMAL.match(text)
        if zero_decimal:
            text = zero_decimal.group(1)
        if _GO_INT.fullmatch(text):
            try:
                return _go_parse_int(text)
            except ValueError:  # more digits than Python converts
                pass
    raise ValueError(f"weight must be a whole number, got {_shorten(repr(value))}")


def _go_parse_int(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace("_", "")
    if len(digits) > 1 and digits[0] == "0" and digits[1] in "0123456789":
        return sign * int(digits, 8)
    return sign * int(digits, 0)


def cast_bool(value: Any) -> bool:
    """Hugo's ``cast.ToBoolE``: booleans, numbers, and Go's ``strconv.ParseBool`` strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        if value in ("1", "t", "T", "TRUE", "true", "True"):
            return True
        if value in ("0", "f", "F", "FALSE", "false", "False", ""):
            return False
    raise ValueError(f"must be true or false, got {value!r}")


def cast_date(value: Any) -> datetime:
    """A front matter date as an aware datetime (UTC when no zone is given)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"date {value!r} is not an ISO 8601 date such as 2024-05-01") from None
    else:
        raise ValueError(f"date must be a date such as 2024-05-01, got {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def cast_string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    raise ValueError(f"must be a list of strings, got {value!r}")


@dataclass
class Meta:
    """The front matter fields that have a meaning; all others stay in ``params``."""

    title: str | None = None
    weight: int = 0
    draft: bool = False
    date: datetime | None = None
    slug: str | None = None
    description: str = ""
    tags: list[str] = field(default_factory=list)
    lang: str | None = None
    plots: bool | None = None
    params: dict[str, Any] = field(default_factory=dict)
    fractional_weight: float | None = None
    """A ``weight`` such as 1.5, which Hugo cuts to a whole number (``check`` warns)."""


_CASTS = {
    "weight": cast_weight,
    "draft": cast_bool,
    "date": cast_date,
    "plots": cast_bool,
    "tags": cast_string_list,
    "title": str,
    "description": str,
    "lang": lambda value: str(value).strip(),
    "slug": lambda value: str(value).strip(),
}


def read_meta(front_matter: FrontMatter) -> tuple[Meta, list[tuple[int, str]]]:
    """Cast the known fields; return the metadata and (line, message) problems."""
    meta = Meta()
    problems: list[tuple[int, str]] = []
    for key, value in front_matter.data.items():
        cast = _CASTS.get(key)
        if cast is None:
            meta.params[key] = value
            continue
        if key == "weight" and isinstance(value, float) and math.isfinite(value) and not value.is_integer():
            meta.fractional_weight = value
        try:
            setattr(meta, key, cast(value))
        except ValueError as error:
            message = str(error)
            if not message.startswith(key):
                message = f"{key}: {message}" if key not in ("weight", "date") else message
            problems.append((front_matter.key_lines.get(key, 1), message))
    return meta, problems

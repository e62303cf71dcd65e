"""The part of Go's ``text/template`` that workzone prompts use: ``{{ .keyword }}``.

aidocx filled each prompt template with Go's ``text/template`` and a map holding one
field, ``keyword``. We fill the same templates the same way (text copied as written, the
field printed without escaping, ``{{-``/``-}}`` trimming the white space beside them,
``{{/* comments */}}`` dropped). Anything else Go would run — pipelines, functions, other
fields, which Go would print as ``<no value>`` — is refused with its column, so that a
mistake in a template is found before a single prompt is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD = "keyword"
_ACTION = re.compile(r"\{\{(-[ \t\r\n])?(.*?)([ \t\r\n]-)?\}\}", re.S)
_COMMENT = re.compile(r"\s*/\*.*\*/\s*", re.S)


class TemplateError(ValueError):
    """The template cannot be filled; ``column`` is 1-based within the template text."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Template:
    pieces: tuple[str | None, ...]
    """Literal text, and None where the keyword goes."""

    def fill(self, keyword: str) -> str:
        return "".join(keyword if piece is None else piece for piece in self.pieces)


def parse(source: str) -> Template:
    pieces: list[str | None] = []
    position = 0
    trim_next = False
    while True:
        start = source.find("{{", position)
        literal = source[position : start if start >= 0 else len(source)]
        if trim_next:
            literal = literal.lstrip(" \t\r\n")
        if start < 0:
            pieces.append(literal)
            break
        match = _ACTION.match(source, start)
        if match is None:
            raise TemplateError("unclosed action: '{{' without '}}'", start + 1)
        trim_before, body, trim_after = match.groups()
        if trim_before:
            literal = literal.rstrip(" \t\r\n")
        pieces.append(literal)
        _check_action(body, start)
        if not _COMMENT.fullmatch(body):
            pieces.append(None)
        trim_next = bool(trim_after)
        position = match.end()
    return Template(tuple(piece for piece in pieces if piece != ""))


def _check_action(body: str, start: int) -> None:
    action = body.strip()
    if _COMMENT.fullmatch(body):
        return
    if not action:
        raise TemplateError("empty action '{{ }}'", start + 1)
    if action == f".{FIELD}":
        return
    if re.fullmatch(r"\.[A-Za-z_]\w*", action):
        raise TemplateError(f"unknown field {action}: the only field is .{FIELD}", start + 1)
    raise TemplateError(f"unsupported action {{{{ {action} }}}}: only {{{{ .{FIELD} }}}} is filled in", start + 1)

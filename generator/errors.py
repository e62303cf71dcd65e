"""Problems found in a site's content, reported the way compilers report them.

Every stage of the pipeline records problems as :class:`Diagnostic` values instead of
raising on the first one, so that a build can list all of them; :class:`ContentError`
carries them to the command line, which prints one line each and exits 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Control characters, line and paragraph separators, and bidirectional overrides."""


def printable(text: str) -> str:
    """*text* with every control character written as an escape (``\\n``, ``\\x1b``,
    ``\\u202e``): a file name can then neither start a line of its own on the terminal,
    nor forge a diagnostic, nor turn the rest of a line around."""
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    """The file, relative to the site folder, with forward slashes."""
    line: int
    """1-based line where the problem starts (0 when it concerns the whole file)."""
    message: str
    severity: str = "error"
    code: str = ""
    column: int = 0

    def format(self, *, with_column: bool = False) -> str:
        location = f"{self.path}:{self.line}"
        if with_column:
            location += f":{self.column or 1}"
        text = f"{location}: {self.severity}: {self.message}"
        if with_column and self.code:
            text += f" [{self.code}]"
        return printable(text)

    def __str__(self) -> str:
        return self.format()


class ContentError(Exception):
    """A build stopped by mistakes in the content; holds every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(map(str, self.diagnostics)))


class UsageError(Exception):
    """The command was asked for something it cannot do (exit code 2)."""


class OutputError(Exception):
    """The output could not be written — disk full, read-only file system — (exit code 1);
    the previous output is left as it was."""

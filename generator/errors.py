"""Problems found in a site's content, reported the way compilers report them.

Every stage of the pipeline records problems as :class:`Diagnostic` values instead of
raising on the first one, so that a build can list all of them; :class:`ContentError`
carries them to the command line, which prints one line each and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        return text

    def __str__(self) -> str:
        return self.format()


class ContentError(Exception):
    """A build stopped by mistakes in the content; holds every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(map(str, self.diagnostics)))


class UsageError(Exception):
    """The command was asked for something it cannot do (exit code 2)."""

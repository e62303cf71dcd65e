"""Write static/assets/code.css from Pygments' "vs" style (light) and "github-dark" style
(dark), token rules only. The dark rules are written twice from the one list, as site.css
switches its palette: for the dark theme the reader picks (html[data-theme=dark]) and, with
JavaScript off, for a system that prefers dark. Both on screen only: paper is printed light.
A copy kept by hand drifted (code light grey on white without JavaScript);
tests/test_code_css.py fails when the file is not what this script writes.

    .venv/bin/python tests/make_code_css.py
"""

from __future__ import annotations

import re
from pathlib import Path

from pygments.formatters.html import HtmlFormatter

CODE_CSS = Path(__file__).resolve().parent.parent / "static" / "assets" / "code.css"
LIGHT, DARK = "vs", "github-dark"
DARK_THEME = ("@media screen {", "[data-theme=dark]")
"""The two conditions of site.css's dark palette: each as (media query, selector prefix).
Written short (only the root element carries ``data-theme``), as the prefix is repeated
on every dark rule: a lesson's first visit loads this file."""
SYSTEM_DARK = ("@media screen and (prefers-color-scheme: dark) {", ":root:not([data-theme=light])")

HEADER = """/* Code colours: Pygments' "vs" style (light) and "github-dark" (dark), token rules only.
   Written by tests/make_code_css.py; edit that, not this. */"""


def token_rules(style: str, scope: str) -> list[str]:
    """*style*'s rules for token classes under *scope* (not ``.hll`` nor the block itself:
    site.css gives code blocks their background)."""
    rules = HtmlFormatter(style=style).get_style_defs(scope).splitlines()
    token = re.compile(rf"^{re.escape(scope)} \.[\w-]+ \{{.*\}} /\* .+ \*/$")
    return [rule for rule in rules if token.match(rule)]


def code_css() -> str:
    lines = [HEADER, *token_rules(LIGHT, ".highlight")]
    for media, prefix in (DARK_THEME, SYSTEM_DARK):
        lines += [media, *(f"  {rule}" for rule in token_rules(DARK, f"{prefix} .highlight")), "}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    CODE_CSS.write_text(code_css(), encoding="utf-8")
    print(f"wrote {CODE_CSS}")

"""Code as the lesson pages show it: Pygments highlighting, without inline styles (the
site's CSS colours it), for fenced blocks and for Hugo's ``highlight`` shortcode."""

from __future__ import annotations

import html
from functools import lru_cache


def highlight_code(code: str, language: str, attrs: str) -> str:
    """markdown-it's ``highlight`` option: a fenced block's HTML (its *attrs* are not used)."""
    return _highlight(unescape_shortcode_comments(code), language.strip().lower())


@lru_cache(maxsize=2048)
def _highlight(code: str, language: str) -> str:
    # Cached: the same snippet recurs across a lesson's language versions.
    if not language:
        return f"<pre><code>{html.escape(code, quote=False)}</code></pre>"
    lexer = lexer_for(language)
    if lexer is None:
        body = html.escape(code, quote=False)
    else:
        from pygments import highlight

        body = highlight(code, lexer, _formatter())
    return f'<pre class="highlight"><code class="language-{html.escape(language)}">{body}</code></pre>'


@lru_cache(maxsize=1)
def _formatter():
    from pygments.formatters.html import HtmlFormatter

    return HtmlFormatter(nowrap=True)


@lru_cache(maxsize=256)
def lexer_for(language: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def unescape_shortcode_comments(code: str) -> str:
    # Hugo prints {{</* name */>}} as {{< name >}} even inside code blocks.
    if "{{" not in code:
        return code
    return code.replace("{{</*", "{{<").replace("*/>}}", ">}}").replace("{{%/*", "{{%").replace("*/%}}", "%}}")


def highlight_options(text: str) -> tuple[tuple[int, ...], bool, int] | None:
    """(lines to highlight, whether to number lines, first number) from Hugo's option text."""
    lines: list[int] = []
    numbers, first = False, 1
    for option in filter(None, (piece.strip() for piece in text.split(","))):
        key, _, value = option.partition("=")
        key, value = key.strip().lower(), value.strip().strip('"[]')
        try:
            if key == "hl_lines":
                for span in value.replace(",", " ").split():
                    low, _, high = span.partition("-")
                    lines.extend(range(int(low), int(high or low) + 1))
            elif key == "linenos":
                numbers = value.lower() not in ("false", "")
            elif key == "linenostart":
                first = int(value)
        except ValueError:
            return None
    return tuple(lines), numbers, first


def highlight_lines(code: str, language: str, lines: tuple[int, ...], numbers: bool, first: int) -> str:
    from pygments import highlight
    from pygments.formatters.html import HtmlFormatter
    from pygments.lexers.special import TextLexer

    lexer = lexer_for(language) or TextLexer()
    body = highlight(code, lexer, HtmlFormatter(nowrap=True, hl_lines=list(lines)))
    if numbers:
        # Pygments numbers lines only in its own wrapper; ours keeps the page's <pre><code>.
        rows = body.split("\n")
        count = code.count("\n")  # the last row is what follows the last line end
        body = "\n".join(
            f'<span class="linenos">{first + index}</span>{row}' if index < count else row for index, row in enumerate(rows)
        )
    language_class = f' class="language-{html.escape(language)}"' if language else ""
    return f'<pre class="highlight"><code{language_class}>{body}</code></pre>'

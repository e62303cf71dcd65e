"""Hugo shortcodes as markdown-it rules.

Forms accepted, as in Hugo: ``{{< name k="v" pos >}}…{{< /name >}}``, the ``{{% … %}}``
form, self-closing ``{{< name />}}``, with or without inner spaces, parameters spanning
lines, and the comment form ``{{</* name */>}}`` that prints the tag itself.

A shortcode that stands at the start of a line is a block (the usual case: the
``ask_chatgpt`` prompt that opens a section); one inside a paragraph is inline. Unknown,
unclosed and mismatched shortcodes are errors, reported with the line they start on (a
misspelt closing tag, with its own line).

Besides the lesson's own shortcodes, Hugo's built-ins that lessons use are known —
``figure``, ``highlight``, ``param``, ``ref`` and ``relref`` — and become ``hugo_shortcode``
tokens, which :mod:`generator.content.markdown` renders where they stand.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline


@dataclass(frozen=True)
class ShortcodeKind:
    inner: bool
    """Whether the shortcode wraps content and so needs a closing tag."""
    block_only: bool = False
    builtin: bool = False
    """One of Hugo's own shortcodes: rendered into the HTML where it stands, not a part of
    the lesson's structure."""
    in_text: bool = False
    """It prints a few words inside a paragraph, so a line starting with it is text."""


PLOT_SHORTCODES = ("loss_curve", "training_curve")
"""The shortcodes that ask for a figure: the parser checks their form, :mod:`generator.enrich`
their parameters."""

KNOWN: dict[str, ShortcodeKind] = {
    "ask_chatgpt": ShortcodeKind(inner=True),
    **{name: ShortcodeKind(inner=False, block_only=True) for name in PLOT_SHORTCODES},
    # Hugo 0.111's built-ins, as its embedded templates define them.
    "figure": ShortcodeKind(inner=False, builtin=True),
    "highlight": ShortcodeKind(inner=True, builtin=True),
    "param": ShortcodeKind(inner=False, builtin=True, in_text=True),
    "ref": ShortcodeKind(inner=False, builtin=True, in_text=True),
    "relref": ShortcodeKind(inner=False, builtin=True, in_text=True),
}

_ARGUMENT = re.compile(
    r'\s*(?:([A-Za-z_][\w-]*)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`=]+)', re.S
)
_NAME = re.compile(r"[A-Za-z0-9_][\w.-]*(?:/[\w.-]+)*")


@dataclass
class Tag:
    start: int
    end: int
    delimiter: str
    name: str = ""
    closing: bool = False
    self_closing: bool = False
    comment: str | None = None
    """For ``{{</* … */>}}``: the literal text to show."""
    named: dict[str, str] = field(default_factory=dict)
    positional: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def source(self) -> str:
        return f"{{{{{self.delimiter} {'/' if self.closing else ''}{self.name} {self.delimiter_close}}}}}"

    @property
    def delimiter_close(self) -> str:
        return ">" if self.delimiter == "<" else "%"


def is_tag_start(src: str, pos: int) -> bool:
    return src.startswith("{{", pos) and pos + 2 < len(src) and src[pos + 2] in "<%"


def scan_tag(src: str, pos: int) -> Tag:
    """Read the shortcode tag starting at *pos* (which must satisfy :func:`is_tag_start`)."""
    delimiter = src[pos + 2]
    close = ("%" if delimiter == "%" else ">") + "}}"
    inner_start = pos + 3
    if src.startswith("/*", inner_start):
        end = src.find("*/" + close, inner_start)
        if end < 0:
            return Tag(pos, _line_end(src, pos), delimiter, error="unterminated shortcode comment")
        literal = "{{" + delimiter + src[inner_start + 2 : end] + close[0] + "}}"
        return Tag(pos, end + len(close) + 2, delimiter, comment=literal)
    end = _find_close(src, inner_start, close)
    if end < 0:
        return Tag(pos, _line_end(src, pos), delimiter, error=f"shortcode tag has no closing '{close}'")
    tag = Tag(pos, end + len(close), delimiter)
    inner = src[inner_start:end].strip()
    if inner.startswith("/"):
        tag.closing = True
        inner = inner[1:].lstrip()
    if inner.endswith("/"):
        tag.self_closing = True
        inner = inner[:-1].rstrip()
    name = _NAME.match(inner)
    if not name:
        tag.error = "shortcode tag without a name"
        return tag
    tag.name = name.group(0)
    _read_arguments(tag, inner[name.end() :])
    return tag


def _find_close(src: str, pos: int, close: str) -> int:
    # Quoted values may contain the closing delimiter; skip over them.
    quote = None
    while pos < len(src):
        char = src[pos]
        if quote:
            if char == "\\" and quote == '"':
                pos += 2
                continue
            if char == quote:
                quote = None
        elif char in '"`':
            quote = char
        elif src.startswith(close, pos):
            return pos
        elif char == "\n" and src.startswith("\n", pos + 1):
            return -1  # a blank line: the tag was never closed
        pos += 1
    return -1


def _read_arguments(tag: Tag, text: str) -> None:
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _ARGUMENT.match(text, position)
        if not match or match.end() == position:
            tag.error = f"cannot read the parameters of shortcode {tag.name!r}: {text.strip()!r}"
            return
        key, raw = match.group(1), match.group(2)
        value = _unquote(raw)
        if key is None:
            tag.positional.append(value)
        else:
            tag.named[key] = value
        position = match.end()
    if tag.named and tag.positional:
        tag.error = f"shortcode {tag.name!r} mixes named and positional parameters"


def _unquote(raw: str) -> str:
    if raw.startswith('"'):
        return re.sub(r"\\(.)", r"\1", raw[1:-1])
    if raw.startswith("`"):
        return raw[1:-1]
    return raw


def _line_end(src: str, pos: int) -> int:
    end = src.find("\n", pos)
    return len(src) if end < 0 else end


def _find_closing(src: str, pos: int, opening: Tag) -> tuple[Tag | None, str | None]:
    """The tag that closes *opening*; or, with an error message, the tag in the way."""
    search = pos
    while True:
        found = _next_tag_start(src, search)
        if found < 0:
            close = f"{{{{{opening.delimiter} /{opening.name} {opening.delimiter_close}}}}}"
            return None, f"unclosed shortcode {opening.source}: no {close} follows"
        tag = scan_tag(src, found)
        if tag.comment is not None or tag.error:
            search = tag.end if tag.end > found else found + 3
            continue
        if tag.closing and tag.name == opening.name:
            return tag, None
        if tag.closing:
            return tag, f"mismatched shortcode: {tag.source} closes {opening.source}"
        return tag, f"shortcode {tag.source} inside {opening.source}: close {opening.name!r} first"


def _next_tag_start(src: str, pos: int) -> int:
    while True:
        found = src.find("{{", pos)
        if found < 0:
            return -1
        if is_tag_start(src, found):
            return found
        pos = found + 2


def _tag_problem(tag: Tag, *, inline: bool) -> str | None:
    """What is wrong with an opening tag where it stands, if anything."""
    if tag.error:
        return tag.error
    if tag.closing:
        return f"closing shortcode {tag.source} has no opening tag"
    if tag.name not in KNOWN:
        return f"unknown shortcode {tag.name!r} (known: {', '.join(sorted(KNOWN))})"
    if inline and KNOWN[tag.name].block_only:
        return f"shortcode {tag.name!r} must stand on a line of its own"
    return None


def report_problem(env: dict, line: int, message: str) -> None:
    env.setdefault("diagnostics", []).append((line, message))


def _line_of(state: StateBlock, pos: int) -> int:
    return bisect.bisect_right(state.bMarks, pos, 0, state.lineMax) - 1


def shortcode_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    src = state.src
    # Cheapest test first: this runs at every block start and paragraph line.
    if src[pos : pos + 2] != "{{" or not is_tag_start(src, pos) or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    tag = scan_tag(src, pos)
    if tag.comment is not None:
        return False  # plain text; the inline rule prints it
    if not tag.closing and tag.name in KNOWN and KNOWN[tag.name].in_text:
        return False  # words in a paragraph; the inline rule prints them
    if silent:
        return True
    end_pos = tag.end
    token = None
    problem = _tag_problem(tag, inline=False)
    if problem:
        report_problem(state.env, start_line, problem)
    else:
        inner, end_pos = _inner(src, tag, state.env, start_line, lambda at: _line_of(state, at))
        token = _push(state, "shortcode", tag, inner, start_line)
        token.block = True
    last_line = _line_of(state, max(end_pos - 1, pos))
    if token is not None:
        token.map = [start_line, last_line + 1]
    rest = end_pos
    while rest < state.eMarks[last_line] and src[rest] in " \t":
        rest += 1
    state.line = last_line + 1
    if rest < state.eMarks[last_line]:
        # Text after the closing tag on its line is parsed as the next block.
        state.bMarks[last_line] = rest
        state.tShift[last_line] = 0
        state.sCount[last_line] = state.blkIndent
        state.md.block.tokenize(state, last_line, last_line + 1)
        state.line = max(state.line, last_line + 1)
    return True


def shortcode_inline(state: StateInline, silent: bool) -> bool:
    src = state.src
    pos = state.pos
    if not is_tag_start(src, pos):
        return False
    tag = scan_tag(src, pos)
    if tag.comment is not None:
        if not silent:
            state.push("text", "", 0).content = tag.comment
        state.pos = tag.end
        return True
    if silent:
        return False
    line = state.env.get("_line", 0) + src.count("\n", 0, pos)
    end = tag.end
    problem = _tag_problem(tag, inline=True)
    if problem:
        report_problem(state.env, line, problem)
    else:
        inner, end = _inner(src, tag, state.env, line, lambda at: line + src.count("\n", pos, at))
        _push(state, "shortcode_inline", tag, inner, line)
    state.pos = end
    return True


def _inner(src: str, tag: Tag, env: dict, line: int, line_at: Callable[[int], int]) -> tuple[str | None, int]:
    """What the shortcode opened by *tag* wraps (None for one that wraps nothing) and where
    it ends. A missing closing tag is reported at *line*, the opening's; a misspelt one at
    its own line, ``line_at(its position in src)``: the mistake is there."""
    if not KNOWN[tag.name].inner or tag.self_closing:
        return None, tag.end
    closing, problem = _find_closing(src, tag.end, tag)
    if problem:
        if closing is not None and closing.closing:
            report_problem(env, line_at(closing.start), problem)
            return None, closing.end  # the stray closing tag is part of this one mistake
        report_problem(env, line, problem)
        return None, tag.end
    return src[tag.end : closing.start], closing.end


def _push(state: StateBlock | StateInline, lesson_type: str, tag: Tag, inner: str | None, line: int):
    """The token of a shortcode: *lesson_type* for the lesson's own, ``hugo_shortcode`` for Hugo's."""
    token = state.push("hugo_shortcode" if KNOWN[tag.name].builtin else lesson_type, "", 0)
    token.info = tag.name
    token.meta = {"name": tag.name, "named": tag.named, "positional": tag.positional, "inner": inner, "line": line}
    return token


def inline_with_lines(state) -> None:
    """markdown-it's core "inline" rule, recording each block's first line for messages."""
    env = state.env
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            env["_line"] = token.map[0] if token.map else 0
            state.md.inline.parse(token.content, state.md, env, token.children)


def render_misplaced(self, tokens, idx, options, env) -> str:
    """A lesson shortcode that reached the HTML renderer: the lesson parser takes prompts
    and plots as parts of a section (and plots as parts of an answer) only where they stand
    on a line of their own, outside lists, quotes and questions (see
    :mod:`generator.content.lesson`). Anywhere else it is the author's mistake."""
    meta = tokens[idx].meta
    name = meta["name"]
    where = "a section's text" if name == "ask_chatgpt" else "a section's text or an answer"
    report_problem(
        env, meta["line"], f"shortcode {name!r} must stand on a line of its own in {where}, not inside a question, a list or a quote"
    )
    return ""


def shortcodes_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "table", "shortcode", shortcode_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.inline.ruler.after("text", "shortcode", shortcode_inline)
    md.core.ruler.at("inline", inline_with_lines)
    md.add_render_rule("shortcode", render_misplaced)
    md.add_render_rule("shortcode_inline", render_misplaced)

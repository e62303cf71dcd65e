"""The Markdown parser: markdown-it (CommonMark + tables + strikethrough) with Hugo
shortcodes, ``$…$`` math rendered to MathML, Pygments highlighting, and the question
containers that follow a lesson's :class:`~generator.content.structure.Plan`.
"""

from __future__ import annotations

import html
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.dollarmath import dollarmath_plugin

from generator.content.mathml import latex_to_mathml
from generator.content.shortcodes import shortcodes_plugin

LINK_START = "\x02"
LINK_END = "\x03"
"""Site links (``other.md``, ``/images/x.png``) are wrapped in these until the page's
place in the site is known; the renderer then makes them relative."""


MAX_NESTING = 200
"""How deeply blocks may nest: 200 blockquotes, or 100 lists (a list and its item are a
level each). The parser recurses for each level, and about 500 levels would exhaust
Python's stack; beyond markdown-it's own limit it drops the rest of the document, so
deeper blocks are an error at their line, their text kept as a paragraph."""


def create_markdown(*, unsafe_html: bool = False) -> MarkdownIt:
    # markdown-it's own limit is set past ours (a list opens two levels at once), so that
    # nesting_limit_block, not markdown-it's silent skip, handles what is too deep.
    md = MarkdownIt("commonmark", {"html": True, "highlight": highlight_code, "maxNesting": MAX_NESTING + 10})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(shortcodes_plugin)
    md.block.ruler.before("shortcode", "nesting_limit", nesting_limit_block)
    md.block.ruler.before(
        "table", "lesson_structure", structure_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.add_render_rule("math_inline", _render_math_inline)
    md.add_render_rule("math_inline_double", _render_math_display)
    md.add_render_rule("math_block", _render_math_display)
    md.add_render_rule("math_block_label", _render_math_display)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    if not unsafe_html:
        # Hugo's default (markup.goldmark.renderer.unsafe = false): raw HTML is dropped.
        md.add_render_rule("html_block", lambda *args: "<!-- raw HTML omitted -->\n")
        md.add_render_rule("html_inline", lambda *args: "<!-- raw HTML omitted -->")
    return md


# --- Nesting --------------------------------------------------------------------------


def nesting_limit_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Deeper than :data:`MAX_NESTING` levels, the rest of the innermost block becomes a
    plain paragraph and an error at its first line (``env["too_deep"]``), instead of being
    lost."""
    if silent or state.level <= MAX_NESTING:
        return False
    line = start_line + 1
    while line < end_line and (state.isEmpty(line) or state.sCount[line] >= state.blkIndent):
        line += 1
    state.env.setdefault("too_deep", []).append(start_line)
    state.push("paragraph_open", "p", 1).map = [start_line, line]
    inline = state.push("inline", "", 0)
    inline.content = state.getLines(start_line, line, state.blkIndent, False).strip()
    inline.map = [start_line, line]
    inline.children = []
    state.push("paragraph_close", "p", -1)
    state.line = line
    return True


# --- Questions and answers as containers ---------------------------------------------


def structure_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Where the lesson's plan puts a question (parsed as a container, with its answer)
    or a block of answers already shown with their questions (skipped)."""
    plan = state.env.get("plan")
    planned = plan.block_at.get(start_line) if plan is not None else None
    if planned is None or state.parentType == "question":
        return False
    if silent:
        return True
    if isinstance(planned, int):
        state.line = planned
        return True
    question = planned
    opening = state.push("qa_open", "div", 1)
    opening.meta = {"number": question.number}
    opening.map = [start_line, question.resume]
    state.push("question_open", "div", 1).map = [question.question.line, question.question.end]
    _tokenize_span(state, question.question)
    state.push("question_close", "div", -1)
    if question.answer is not None:
        state.push("answer_open", "div", 1).map = [question.answer.line, question.answer.end]
        _tokenize_span(state, question.answer)
        state.push("answer_close", "div", -1)
    state.push("qa_close", "div", -1)
    state.line = question.resume
    return True


def _tokenize_span(state: StateBlock, span) -> None:
    """Parse lines ``[span.line, span.end)`` as a container, the way markdown-it's
    blockquote rule parses its content: by moving the line marks, then restoring them."""
    first, last = span.line, span.end - 1
    if last < first:
        return
    saved_first = (state.bMarks[first], state.tShift[first], state.sCount[first])
    saved_last_end = state.eMarks[last]
    saved_state = (state.lineMax, state.blkIndent, state.parentType, state.line)
    indent = state.sCount[first]
    line_start = state.bMarks[first]
    if span.cut is not None:
        state.eMarks[last] = state.bMarks[last] + span.cut
    content = line_start + span.col
    while content < state.eMarks[first] and state.src[content] in " \t":
        content += 1
    state.bMarks[first] = content
    state.tShift[first] = 0
    state.sCount[first] = indent
    state.lineMax = span.end
    state.blkIndent = indent
    state.parentType = "question"
    state.md.block.tokenize(state, first, span.end)
    state.bMarks[first], state.tShift[first], state.sCount[first] = saved_first
    state.eMarks[last] = saved_last_end
    state.lineMax, state.blkIndent, state.parentType, state.line = saved_state


# --- Math ----------------------------------------------------------------------------


def _render_math_inline(self, tokens, idx, options, env) -> str:
    return f'<span class="math">{latex_to_mathml(tokens[idx].content.strip(), False)}</span>'


def _render_math_display(self, tokens, idx, options, env) -> str:
    return f'<div class="math display">{latex_to_mathml(tokens[idx].content.strip(), True)}</div>\n'


# --- Links ---------------------------------------------------------------------------


def _is_site_link(url: str) -> bool:
    """Links into the site: absolute paths and relative ones (not other sites, not #anchors)."""
    return not (":" in url.split("/", 1)[0] or url.startswith(("#", "//", "?")) or not url)


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    href = token.attrGet("href")
    if isinstance(href, str) and _is_site_link(href):
        token.attrSet("href", LINK_START + href + LINK_END)
        env["has_site_links"] = True
    return self.renderToken(tokens, idx, options, env)


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src")
    if isinstance(src, str) and _is_site_link(src):
        token.attrSet("src", LINK_START + src + LINK_END)
        env["has_site_links"] = True
    token.attrSet("loading", "lazy")
    return self.image(tokens, idx, options, env)


# --- Code ----------------------------------------------------------------------------


def highlight_code(code: str, language: str, attrs: str) -> str:
    return _highlight(_unescape_shortcode_comments(code), language.strip().lower())


@lru_cache(maxsize=2048)
def _highlight(code: str, language: str) -> str:
    # Cached: the same snippet recurs across a lesson's language versions.
    if not language:
        return f"<pre><code>{html.escape(code, quote=False)}</code></pre>"
    lexer = _lexer(language)
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
def _lexer(language: str):
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        return None


def _unescape_shortcode_comments(code: str) -> str:
    # Hugo prints {{</* name */>}} as {{< name >}} even inside code blocks.
    if "{{" not in code:
        return code
    return code.replace("{{</*", "{{<").replace("*/>}}", ">}}").replace("{{%/*", "{{%").replace("*/%}}", "%}}")

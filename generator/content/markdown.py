"""The Markdown parser: markdown-it (CommonMark + tables + strikethrough) with Hugo
shortcodes, ``$…$`` math rendered to MathML, Pygments highlighting, and the question
containers that follow a lesson's :class:`~generator.content.structure.Plan`.

On top of CommonMark, the syntax Hugo (goldmark) and GitHub users write (footnotes,
definition lists, task lists, alerts, bare URLs as links: :mod:`generator.content.syntax`),
and an ``id`` with a copy-link button on every heading.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

from generator.content.code import highlight_code, highlight_lines, highlight_options, unescape_shortcode_comments
from generator.content.mathml import latex_to_mathml
from generator.content.paths import slugify
from generator.content.shortcodes import is_tag_start, report_problem, scan_tag, shortcodes_plugin
from generator.content.syntax import use_hugo_and_github_syntax

LINK_START = "\x02"
LINK_END = "\x03"
"""Site links (``other.md``, ``/images/x.png``) are wrapped in these until the page's
place in the site is known; the renderer then makes them relative."""
REF_PREFIX = "ref:"
"""A marked site link starting with this is a ``ref``/``relref`` target, which the
renderer looks up as Hugo does (see :mod:`generator.content.refs`)."""


MAX_NESTING = 200
"""How deeply blocks may nest: 200 blockquotes, or 100 lists (a list and its item are a
level each). The parser recurses for each level, and about 500 levels would exhaust
Python's stack; beyond markdown-it's own limit it drops the rest of the document, so
deeper blocks are an error at their line, their text kept as a paragraph."""


def create_markdown(
    *, unsafe_html: bool = False, hard_wraps: bool = False, site_params: dict[str, Any] | None = None
) -> MarkdownIt:
    """The parser for lessons. *hard_wraps* is goldmark's ``renderer.hardWraps`` (a line
    break inside a paragraph is a ``<br>``); *site_params* are the config's ``[params]``,
    which the ``param`` shortcode falls back to (a lesson's front matter gives its page params)."""
    # markdown-it's own limit is set past ours (a list opens two levels at once), so that
    # nesting_limit_block, not markdown-it's silent skip, handles what is too deep.
    options = {"html": True, "highlight": highlight_code, "breaks": hard_wraps, "maxNesting": MAX_NESTING + 10}
    md = MarkdownIt("commonmark", options)
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(shortcodes_plugin)
    md.block.ruler.before("shortcode", "nesting_limit", nesting_limit_block)
    md.block.ruler.before(
        "table", "lesson_structure", structure_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    use_math_rules(md, _render_math_inline, _render_math_display)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    if not unsafe_html:
        # Hugo's default (markup.goldmark.renderer.unsafe = false): raw HTML is dropped.
        omit_raw_html(md, "<!-- raw HTML omitted -->\n", "<!-- raw HTML omitted -->")
    use_hugo_and_github_syntax(md)
    use_heading_anchors(md)
    use_hugo_shortcodes(md, site_params or {})
    use_hugo_refs(md)
    return md


def use_math_rules(md: MarkdownIt, inline, display) -> None:
    """Render $…$ with *inline*, and $$…$$ (in a paragraph or as a block) with *display*."""
    md.add_render_rule("math_inline", inline)
    for name in ("math_inline_double", "math_block", "math_block_label"):
        md.add_render_rule(name, display)


def omit_raw_html(md: MarkdownIt, block: str, inline: str) -> None:
    """Show raw HTML as *block* or *inline* instead."""
    md.add_render_rule("html_block", lambda *args: block)
    md.add_render_rule("html_inline", lambda *args: inline)


# --- Heading anchors ----------------------------------------------------------------


def use_heading_anchors(md: MarkdownIt) -> None:
    """An ``id`` on every heading, and beside it a link to it that site.js turns into a
    copy-link button. A lesson's section headings keep the anchors they always had (made
    from the heading as written); the others get theirs from mdit-py-plugins' anchors
    plugin, never taking a section's."""
    slugs = _Slugs()
    # The plugin numbers duplicates by trying -1, -2, … in turn (quadratic: 50,000 equal
    # headings took minutes); its slug function already answers with a free slug instead,
    # numbered as the plugin numbers (-1 first), while sections keep their -2 first.
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=lambda title: slugs.claim(slugify(title) or "section", 1))
    md.core.ruler.before("anchor", "section_anchors", lambda state: _section_anchors(state, slugs))
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)


class _Slugs:
    """The anchors taken in the document being parsed, and for each base the next number to
    try (so numbering resumes where it stopped: linear in the number of headings)."""

    def __init__(self):
        self.taken: set[str] = set()
        self.next_suffix: dict[tuple[str, int], int] = {}

    def claim(self, base: str, first_suffix: int) -> str:
        """*base*, else *base*-N for the first free N from *first_suffix* on."""
        suffix = self.next_suffix.get((base, first_suffix))
        if suffix is None:
            anchor, suffix = base, first_suffix
        else:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        while anchor in self.taken:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        self.taken.add(anchor)
        self.next_suffix[base, first_suffix] = suffix
        return anchor


def _section_anchors(state: StateCore, slugs: _Slugs) -> None:
    """Section headings first (their anchors do not depend on other headings); this also
    starts the document's set of taken anchors afresh."""
    slugs.__init__()
    plan = state.env.get("plan")
    if plan is None:
        return
    for token in state.tokens:
        if token.type == "heading_open" and token.tag == "h2" and token.level == 0 and token.map:
            section = plan.section_at.get(token.map[0])
            if section is not None:
                token.attrSet("id", slugs.claim(slugify(section.heading) or "section", 2))


HEADING_START = '<div class="heading">'


def heading_end(anchor: str) -> str:
    """After a heading: the link to it, outside the heading so that the heading's name
    stays its words, and the end of the wrapper :data:`HEADING_START` began."""
    return f'<a class="heading-link" href="#{html.escape(anchor)}" data-heading-link>#</a></div>'


def section_heading(inner_html: str, anchor: str) -> str:
    """A section's ``h2`` (its anchor is on the section element), as headings render here."""
    return f"{HEADING_START}<h2>{inner_html}</h2>{heading_end(anchor)}"


def _render_heading_open(self, tokens, idx, options, env) -> str:
    opening = self.renderToken(tokens, idx, options, env)
    return HEADING_START + opening if tokens[idx].attrGet("id") else opening


def _render_heading_close(self, tokens, idx, options, env) -> str:
    anchor = tokens[idx - 2].attrGet("id") if idx >= 2 and tokens[idx - 2].type == "heading_open" else None
    closing = self.renderToken(tokens, idx, options, env)
    return closing.rstrip("\n") + heading_end(str(anchor)) + "\n" if anchor else closing


# --- Hugo's built-in shortcodes ------------------------------------------------------


def use_hugo_shortcodes(md: MarkdownIt, site_params: dict[str, Any]) -> None:
    """``figure``, ``highlight`` and ``param`` as Hugo 0.111's embedded templates render them,
    with our page's conventions (site links resolved per page, our code highlighting).
    A problem (no ``src``, an unknown ``param``) is an error at the shortcode's line."""

    def render(self, tokens, idx, options, env) -> str:
        token = tokens[idx]
        meta = token.meta
        if meta["name"] == "figure":
            return _figure(md, meta, env) + ("\n" if token.block else "")
        if meta["name"] == "highlight":
            return _highlight_shortcode(meta, env) + ("\n" if token.block else "")
        if meta["name"] == "param":
            return html.escape(_param(meta, env, site_params))
        if meta["name"] in ("ref", "relref"):
            return _render_bare_ref(meta)
        raise AssertionError(f"no renderer for shortcode {meta['name']!r}")

    md.add_render_rule("hugo_shortcode", render)


def _figure(md: MarkdownIt, meta: dict, env: dict) -> str:
    """Hugo's figure.html: image (linked when ``link`` is set), then a caption of ``title``,
    ``caption`` and ``attr`` (Markdown). Other parameters are ignored, as Hugo ignores them."""
    params = meta["named"]
    if meta["positional"] or not params.get("src"):
        report_problem(env, meta["line"], 'figure needs a named src, like {{< figure src="/images/plot.png" alt="…" >}}')
        return ""
    caption = _markdownify(md, params.get("caption", ""), env, meta["line"])
    attr = _markdownify(md, params.get("attr", ""), env, meta["line"])
    alt = params.get("alt") or html.unescape(_TAG.sub("", caption))
    out = f'<figure class="{html.escape(params["class"])}">' if params.get("class") else "<figure>"
    out += _figure_image(params, alt, env)
    if params.get("title") or caption or attr:
        out += _figure_caption(params, caption, attr, env)
    return out + "</figure>"


def _figure_image(params: dict[str, str], alt: str, env: dict) -> str:
    """The figure's ``<img>``, inside a link when ``link`` is set."""
    image = f'<img src="{_attribute_url(params["src"], env)}"'
    image += f' alt="{html.escape(alt)}"' if alt else ""
    for size in ("width", "height"):
        if params.get(size):
            image += f' {size}="{html.escape(params[size])}"'
    image += ' loading="lazy">'
    if params.get("link"):
        extras = "".join(f' {key}="{html.escape(params[key])}"' for key in ("target", "rel") if params.get(key))
        image = f'<a href="{_attribute_url(params["link"], env)}"{extras}>{image}</a>'
    return image


def _figure_caption(params: dict[str, str], caption: str, attr: str, env: dict) -> str:
    """The ``title`` as a heading, then the rendered caption and attribution (linked to
    ``attrlink``) in one paragraph."""
    out = "<figcaption>"
    if params.get("title"):
        out += f"<h4>{html.escape(params['title'])}</h4>"
    if caption or attr:
        if params.get("attrlink") and attr:
            attr = f'<a href="{_attribute_url(params["attrlink"], env)}">{attr}</a>'
        out += "<p>" + " ".join(piece for piece in (caption, attr) if piece) + "</p>"
    return out + "</figcaption>"


_TAG = re.compile(r"<[^>]+>")


def _markdownify(md: MarkdownIt, text: str, env: dict, line: int) -> str:
    """Hugo's ``markdownify`` of a parameter. Parsed with its own env, since the page's
    would have the page's footnotes appended to it again; what it finds is passed on."""
    if not text:
        return ""
    own: dict = {}
    rendered = md.renderInline(text, own)
    if own.get("has_site_links"):
        env["has_site_links"] = True
    for _, target in own.get("refs", ()):
        _record_ref(env, line, target)
    for _, message in own.get("diagnostics", ()):
        report_problem(env, line, message)
    return rendered


def _attribute_url(url: str, env: dict) -> str:
    """A URL for an attribute; a link into the site is marked for the renderer to place."""
    if _is_site_link(url):
        env["has_site_links"] = True
        return LINK_START + html.escape(url) + LINK_END
    return html.escape(url)


def _highlight_shortcode(meta: dict, env: dict) -> str:
    """``{{< highlight LANG "OPTIONS" >}}code{{< /highlight >}}``: the code as a fenced block
    in LANG would show it. Of Hugo's options, ``hl_lines``, ``linenos`` and
    ``linenostart`` apply; the others (styles, table layout) are the site's CSS's concern."""
    positional = meta["positional"]
    if meta["named"] or not positional or len(positional) > 2:
        report_problem(env, meta["line"], 'highlight takes a language and options, like {{< highlight go "hl_lines=2" >}}')
        return ""
    code = (meta["inner"] or "").strip("\r\n") + "\n"
    options = highlight_options(positional[1] if len(positional) > 1 else "")
    if options is None:
        report_problem(env, meta["line"], f"highlight: cannot read the options {positional[1]!r}, like \"linenos=table,hl_lines=2 4-6\"")
        return ""
    lines, numbers, first = options
    if not lines and not numbers:
        return highlight_code(code, positional[0], "")
    return highlight_lines(unescape_shortcode_comments(code), positional[0].strip().lower(), lines, numbers, first)


def _param(meta: dict, env: dict, site_params: dict[str, Any]) -> str:
    """Hugo's ``.Page.Param``: the lesson's front matter, then the site's ``[params]``;
    keys ignore case and may name nested tables (``author.name``)."""
    key = meta["positional"][0] if meta["positional"] else ""
    if not key:
        report_problem(env, meta["line"], 'param needs a key, like {{< param "author" >}}')
        return ""
    for params in (env.get("page_params", {}), site_params):
        value = _lookup(params, key.lower().split("."))
        if value is not None:
            return _go_text(value)
    report_problem(env, meta["line"], f"param {key!r} is neither in the front matter nor in the site's [params]")
    return ""


def _lookup(table: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(table, dict):
            return None
        table = next((value for name, value in table.items() if str(name).lower() == part), None)
    return table


def _go_text(value: Any) -> str:
    """A value printed as Hugo's templates print it (``true``, ``[a b]``, ``1.5``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(_go_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{key}:{_go_text(item)}" for key, item in sorted(value.items())) + "]"
    return str(value)


# --- ref and relref -----------------------------------------------------------------

_REF_PLACEHOLDER = "studysite-ref:"


def use_hugo_refs(md: MarkdownIt) -> None:
    """``[text]({{< ref "other.md" >}})``, the way Hugo lessons link each other.

    In Hugo the shortcode is replaced before Markdown is read; here the link destination
    parser reads it (CommonMark would stop at its spaces), then every ``ref``/``relref``
    target is recorded in ``env["refs"]`` with its line, for the build to check against
    the site, and marked for the renderer to resolve. Both resolve to page-relative URLs,
    so that pages work from any base path and offline."""
    plain = md.helpers.parseLinkDestination

    def parse_destination(string: str, pos: int, maximum: int):
        if not is_tag_start(string, pos):
            return plain(string, pos, maximum)
        tag = scan_tag(string, pos)
        if tag.error or tag.closing or tag.name not in ("ref", "relref") or tag.end > maximum:
            return plain(string, pos, maximum)
        target = _ref_target(tag.positional, tag.named)
        if target is None:
            return plain(string, pos, maximum)
        result = plain(string, tag.end, maximum)  # what follows, such as "#part"
        if not result.ok or result.pos == tag.end:
            result.str, result.pos = "", tag.end
        line = string.count("\n", 0, pos)
        result.str = f"{_REF_PLACEHOLDER}{line}:{target}{result.str}"
        result.ok = True
        return result

    md.helpers = SimpleNamespace(
        parseLinkDestination=parse_destination,
        parseLinkLabel=md.helpers.parseLinkLabel,
        parseLinkTitle=md.helpers.parseLinkTitle,
    )
    md.core.ruler.after("inline", "hugo_refs", _collect_refs)


def _ref_target(positional: list[str], named: dict[str, str]) -> str | None:
    target = positional[0] if positional else named.get("path")
    return target or None


def _collect_refs(state: StateCore) -> None:
    env = state.env
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type in ("link_open", "image"):
                attribute = "href" if token.type == "link_open" else "src"
                value = token.attrGet(attribute)
                if isinstance(value, str) and value.startswith(_REF_PLACEHOLDER):
                    offset, _, target = value[len(_REF_PLACEHOLDER) :].partition(":")
                    target = unquote(target)
                    _record_ref(env, (block.map[0] if block.map else 0) + int(offset), target)
                    token.attrSet(attribute, LINK_START + REF_PREFIX + target + LINK_END)
            elif token.type == "hugo_shortcode" and token.meta["name"] in ("ref", "relref"):
                target = _ref_target(token.meta["positional"], token.meta["named"])
                if target is None:
                    report_problem(env, token.meta["line"], f'{token.meta["name"]} needs a path, like {{{{< ref "other.md" >}}}}')
                else:
                    _record_ref(env, token.meta["line"], target)


def _record_ref(env: dict, line: int, target: str) -> None:
    env.setdefault("refs", []).append((line, target))
    env["has_site_links"] = True


def _render_bare_ref(meta: dict) -> str:
    """A ref outside a link's parentheses: a link named by its target (Hugo would print
    the bare URL, which a reader cannot use offline anyway)."""
    target = _ref_target(meta["positional"], meta["named"])
    if target is None:
        return ""
    return f'<a href="{LINK_START}{REF_PREFIX}{html.escape(target)}{LINK_END}">{html.escape(target)}</a>'


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
    while state.line < span.end:
        # A line indented less than the first ends a Markdown container, not an answer:
        # "1. Q?\n   答案：A\n\nMore about A" goes on at the lesser indent.
        state.blkIndent = state.sCount[state.line]
        state.md.block.tokenize(state, state.line, span.end)
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


def _mark_site_link(token, attribute: str, env: dict) -> None:
    value = token.attrGet(attribute)
    if isinstance(value, str) and _is_site_link(value):
        token.attrSet(attribute, LINK_START + value + LINK_END)
        env["has_site_links"] = True


def _render_link_open(self, tokens, idx, options, env) -> str:
    _mark_site_link(tokens[idx], "href", env)
    return self.renderToken(tokens, idx, options, env)


def _render_image(self, tokens, idx, options, env) -> str:
    _mark_site_link(tokens[idx], "src", env)
    tokens[idx].attrSet("loading", "lazy")
    return self.image(tokens, idx, options, env)

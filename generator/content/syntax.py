"""The syntax Hugo (goldmark's default extensions) and GitHub users write on top of
CommonMark: footnotes, definition lists, task lists, alerts (``> [!NOTE]``) and bare URLs
as links, each rendered as goldmark or GitHub renders it."""

from __future__ import annotations

import unicodedata

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin


def use_hugo_and_github_syntax(md: MarkdownIt) -> None:
    """Footnotes and definition lists (mdit-py-plugins), task lists and alerts
    (markdown-it-py's own), bare URLs as links (linkify-it-py).

    Every piece renders through render rules, never as raw HTML tokens, so all of it works
    with raw HTML switched off. Footnotes render as goldmark renders them (``#fn:1``)."""
    md.use(footnote_plugin, inline=False)
    md.use(deflist_plugin)
    md.options["tasklists"] = True
    md.options["tasklists_editable"] = False
    md.options["alerts"] = True
    md.add_render_rule("alert_title_open", _render_alert_title_open)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("footnote_block_open", lambda *args: '<div class="footnotes" role="doc-endnotes">\n<hr>\n<ol>\n')
    md.add_render_rule("footnote_block_close", lambda *args: "</ol>\n</div>\n")
    md.add_render_rule("footnote_open", _render_footnote_open)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    md.linkify = _GitHubLinkify()
    md.options["linkify"] = True
    md.enable("linkify")


def _footnote_number(token) -> str:
    return str(token.meta["id"] + 1)


def _render_footnote_ref(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    number = _footnote_number(token)
    # A footnote cited twice: the second citation's own id, so both backlinks work.
    ref_id = number if token.meta.get("subId", 0) == 0 else f"{number}.{token.meta['subId']}"
    return f'<sup id="fnref:{ref_id}"><a href="#fn:{number}" class="footnote-ref" role="doc-noteref">{number}</a></sup>'


def _render_footnote_open(self, tokens, idx, options, env) -> str:
    return f'<li id="fn:{_footnote_number(tokens[idx])}">\n'


def _render_footnote_anchor(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    number = _footnote_number(token)
    ref_id = number if token.meta.get("subId", 0) == 0 else f"{number}.{token.meta['subId']}"
    return f'&#160;<a href="#fnref:{ref_id}" class="footnote-backref" role="doc-backlink">&#x21a9;&#xfe0e;</a>'


_ALERT_ICONS = {
    # 16×16 outlines, drawn with the text colour: circle-i, bulb, speech bubble, triangle, octagon.
    "NOTE": '<circle cx="8" cy="8" r="6.5"/><path d="M8 7v4.5M8 4.5v.5"/>',
    "TIP": '<path d="M5.5 11.5C4 10.3 3 8.8 3 7a5 5 0 0 1 10 0c0 1.8-1 3.3-2.5 4.5M6 14h4M6.2 11.5h3.6"/>',
    "IMPORTANT": '<path d="M2 2.5h12v9H7l-3 2.5v-2.5H2z"/><path d="M8 4.5v3.5M8 9.5v.5"/>',
    "WARNING": '<path d="M8 1.8 14.8 14H1.2z"/><path d="M8 6v4M8 11.8v.4"/>',
    "CAUTION": '<path d="M5.3 1.5h5.4l3.8 3.8v5.4l-3.8 3.8H5.3l-3.8-3.8V5.3z"/><path d="M8 4.5v4M8 10.8v.4"/>',
}


def _render_alert_title_open(self, tokens, idx, options, env) -> str:
    """GitHub's markup (``markdown-alert-note`` …), with an icon before the title. The
    title is GitHub's English word, as GitHub shows it on pages in any language."""
    kind = tokens[idx - 1].meta["kind"]
    tokens[idx].attrSet("lang", "en")
    icon = (
        '<svg class="markdown-alert-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">'
        f"{_ALERT_ICONS[kind]}</svg>"
    )
    return self.renderToken(tokens, idx, options, env) + icon


class _GitHubLinkify(LinkifyIt):
    """linkify-it-py as GitHub and goldmark link bare URLs: only with a scheme, ``www.`` or
    as an e-mail address (so ``train.py`` and ``README.md`` stay text), and ending before
    full-width punctuation (``見https://example.com/abc。下一句`` links only the URL)."""

    def pretest(self, text: str) -> bool:
        # Every link kept has a scheme's colon, an e-mail's @ or www.; linkify-it's own
        # pretest is one large regular expression run over every block of text, a tenth
        # of the time markdown-it takes to parse a lesson.
        if ":" not in text and "@" not in text and "www." not in text.lower():
            return False
        return super().pretest(text)

    def match(self, text: str):
        found = [_cut_at_full_width(self, m) for m in super().match(text) or () if _is_github_link(m)]
        return found or None

    def match_at_start(self, text: str):
        found = super().match_at_start(text)
        return _cut_at_full_width(self, found) if found is not None else None


def _is_github_link(match) -> bool:
    return bool(match.schema) or match.raw.lower().startswith("www.")


def _cut_at_full_width(linkify: LinkifyIt, match):
    for position, char in enumerate(match.raw):
        if unicodedata.east_asian_width(char) in "FW" and unicodedata.category(char)[0] in "PS":
            cut = type(match)(match.raw, match.schema, 0, position)
            cut.index, cut.last_index = match.index, match.index + position
            linkify.normalize(cut)
            return cut
    return match

"""Anki export: one note per test question, front the question, back its answer.

The file is Anki's text import format with header lines (tab-separated, HTML fields, a
deck, tags and a GUID column). Formulas are written as ``\\(…\\)`` and ``\\[…\\]`` for
Anki's MathJax; code blocks stay code. Each note's GUID is derived from the lesson's URL
and the question's number, so importing a later export updates notes instead of
duplicating them.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from generator.content.lesson import Lesson, Question
from generator.content.shortcodes import shortcodes_plugin
from generator.content.site import Site

GUID_LENGTH = 16


def create_card_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(shortcodes_plugin)
    inline = lambda self, tokens, idx, options, env: f"\\({html.escape(tokens[idx].content.strip())}\\)"  # noqa: E731
    display = lambda self, tokens, idx, options, env: f"\\[{html.escape(tokens[idx].content.strip())}\\]\n"  # noqa: E731
    md.add_render_rule("math_inline", inline)
    md.add_render_rule("math_inline_double", display)
    md.add_render_rule("math_block", display)
    md.add_render_rule("math_block_label", display)
    md.add_render_rule("html_block", lambda *args: "")
    md.add_render_rule("html_inline", lambda *args: "")
    return md


def note_guid(page_url: str, number: int) -> str:
    digest = hashlib.blake2b(f"{page_url}#{number}".encode("utf-8"), digest_size=12).hexdigest()
    return digest[:GUID_LENGTH]


def tag_for(path: str) -> str:
    """An Anki tag for a folder path: no spaces, levels joined with '::'."""
    return "::".join(segment.replace(" ", "_") for segment in path.strip("/").split("/") if segment)


def _card_html(md: MarkdownIt, source: str) -> str:
    rendered = md.render(source).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def export_anki(site: Site, lessons: dict[str, Lesson], deck: str) -> tuple[str, int]:
    """The import file's text and the number of notes in it."""
    md = create_card_markdown()
    out = io.StringIO()
    out.write("#separator:tab\n#html:true\n")
    out.write(f"#deck:{deck}\n")
    out.write("#notetype:Basic\n")
    out.write("#tags:studysite\n")
    out.write("#columns:GUID\tFront\tBack\tTags\n")
    out.write("#guid column:1\n#tags column:4\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    count = 0
    for page in site.pages:
        lesson = lessons[page.lesson.content_path]
        folder_tag = tag_for(page.folder.url) or "home"
        lesson_tag = tag_for(page.url)
        for question in lesson.questions("test"):
            if question.answer_source is None:
                continue
            writer.writerow(_row(md, page.url, question, f"{folder_tag} {lesson_tag}"))
            count += 1
    return out.getvalue(), count


def _row(md: MarkdownIt, url: str, question: Question, tags: str) -> list[str]:
    return [
        note_guid(url, question.number),
        _card_html(md, question.source),
        _card_html(md, question.answer_source or ""),
        tags,
    ]

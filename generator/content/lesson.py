"""The lesson model and the parser that reads one lesson file into it.

A lesson is its metadata plus a list of sections; a section is a heading, a kind, and
parts in source order — rendered HTML, prompt cards, question lists, plot shortcodes —
so that templates lay out the page without parsing anything themselves.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from generator.content.frontmatter import FrontMatterError, Meta, normalize_text, read_meta, split_front_matter
from generator.content.lint import LessonLint, lint_lesson
from generator.content.structure import Plan, Span, heading_language, plan_lesson
from generator.errors import Diagnostic

@dataclass
class Question:
    number: int
    line: int
    html: str
    source: str
    answer_html: str | None = None
    answer_source: str | None = None
    answer_line: int | None = None


@dataclass
class Part:
    """One piece of a section: ``html``, ``prompt``, ``questions``, ``shortcode``, or
    ``figure`` (a plot, put there by :mod:`generator.enrich`)."""

    type: str
    line: int = 0
    html: str = ""
    prompt: str = ""
    questions: list[Question] = field(default_factory=list)
    shortcode: str = ""
    params: dict[str, str] = field(default_factory=dict)
    figure: object | None = None


_MATH = re.compile(r'<math\b[^>]*?\balttext="([^"]*)"[^>]*>.*?</math>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    """The words of an HTML fragment; a formula reads as its LaTeX source."""
    if "<" in fragment:
        fragment = _TAGS.sub(" ", _MATH.sub(lambda m: f" {m.group(1)} ", fragment))
    return _SPACE.sub(" ", html.unescape(fragment)).strip()


@dataclass
class Section:
    kind: str
    heading: str
    heading_html: str
    anchor: str
    line: int
    parts: list[Part] = field(default_factory=list)
    plain: str | None = field(default=None, repr=False, compare=False)

    @property
    def prompt(self) -> str | None:
        return next((part.prompt for part in self.parts if part.type == "prompt"), None)

    @property
    def questions(self) -> list[Question]:
        return [q for part in self.parts if part.type == "questions" for q in part.questions]

    def text(self) -> str:
        """The section's words as plain text: prompts, prose, questions and answers.
        Kept once made: plot detection and the search index both read it."""
        if self.plain is None:
            self.plain = self._text()
        return self.plain

    def _text(self) -> str:
        pieces: list[str] = []
        for part in self.parts:
            if part.type == "prompt":
                pieces.append(part.prompt)
            elif part.type == "questions":
                for question in part.questions:
                    pieces.append(plain_text(question.html))
                    if question.answer_html:
                        pieces.append(plain_text(question.answer_html))
            elif part.type == "html":
                pieces.append(plain_text(part.html))
        return " ".join(pieces)


@dataclass(frozen=True)
class LessonSummary:
    """What other pages need to know of a lesson: enough to place, order and list it."""

    path: str
    content_path: str
    title: str
    weight: int
    date: datetime | None
    draft: bool
    slug: str | None
    slug_line: int
    title_line: int
    lang: str | None
    tests: int
    warmups: int
    has_title: bool
    figures: tuple = field(default=(), compare=False)
    """The plot images the lesson's page shows (enrichment's FigureSpecs): known to the
    build, which draws them, but no concern of other pages."""
    refs: tuple[tuple[int, str], ...] = field(default=(), compare=False)
    """(file line, target) of each ``ref``/``relref``, for the build to check against the site."""
    link_title: str | None = None
    """Front matter ``linkTitle``: the short label in navigation, as in Hugo."""
    translation_key: str | None = None
    """Front matter ``translationKey``: pages sharing one are translations (Hugo's rule)."""
    lint: LessonLint = field(default_factory=LessonLint, compare=False)
    """What ``check`` needs to know of the lesson, for the build to report its warnings."""


@dataclass
class Lesson:
    path: str
    """File path relative to the site folder (as shown in messages)."""
    content_path: str
    """File path relative to the content folder, with forward slashes."""
    meta: Meta
    title: str
    lang: str | None
    """Language from front matter or, failing that, from the section headings."""
    sections: list[Section]
    key_lines: dict[str, int] = field(default_factory=dict)
    """File line of each front matter key."""
    has_site_links: bool = False
    refs: tuple[tuple[int, str], ...] = ()
    """(file line, target) of each ``ref``/``relref`` shortcode."""
    lint: LessonLint = field(default_factory=LessonLint)

    @property
    def weight(self) -> int:
        return self.meta.weight

    @property
    def date(self) -> datetime | None:
        return self.meta.date

    @property
    def draft(self) -> bool:
        return self.meta.draft

    @property
    def params(self) -> dict[str, Any]:
        return self.meta.params

    def questions(self, kind: str) -> list[Question]:
        return [q for section in self.sections if section.kind == kind for q in section.questions]

    def summary(self) -> LessonSummary:
        return LessonSummary(
            self.path,
            self.content_path,
            self.title,
            self.meta.weight,
            self.meta.date,
            self.meta.draft,
            self.meta.slug,
            self.key_lines.get("slug", 1),
            self.key_lines.get("title", 1),
            self.lang,
            len(self.questions("test")),
            len(self.questions("preview")),
            self.meta.title is not None,
            tuple(
                spec
                for section in self.sections
                for part in section.parts
                if part.type == "figure"
                for spec in part.figure.specs
            ),
            self.refs,
            link_title=_optional_text(self.meta.params.get("linktitle")),
            translation_key=_optional_text(self.meta.params.get("translationkey")),
            lint=self.lint,
        )


def _optional_text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def decode(path: str, data: bytes) -> tuple[str | None, Diagnostic | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start : error.start + 1].hex()
        return None, Diagnostic(
            path, line, f"invalid UTF-8: byte 0x{byte} at column {column}; save the file as UTF-8", code="encoding", column=column
        )


def parse_lesson(
    path: str,
    content_path: str,
    data: bytes,
    md: MarkdownIt,
    heading_kinds: dict[str, str] | None = None,
) -> tuple[Lesson | None, list[Diagnostic]]:
    """Read one lesson file; return the lesson (None if unreadable) and its problems."""
    text, problem = decode(path, data)
    if problem is not None:
        return None, [problem]
    text = normalize_text(text)
    try:
        front_matter = split_front_matter(text)
    except FrontMatterError as error:
        return None, [Diagnostic(path, error.line, error.message, code="front-matter")]
    meta, problems = read_meta(front_matter)
    diagnostics = [Diagnostic(path, line, message, code="front-matter") for line, message in problems]
    body = front_matter.body
    offset = front_matter.body_offset
    lines = body.split("\n")
    plan = plan_lesson(lines, heading_kinds)
    env: dict[str, Any] = {"plan": plan, "page_params": front_matter.data}
    tokens = md.parse(body, env)
    builder = _SectionBuilder(md, env, plan, lines, offset)
    sections = builder.build(tokens)
    diagnostics.extend(
        Diagnostic(path, line + offset + 1, message, code="shortcode") for line, message in env.get("diagnostics", ())
    )
    stem = content_path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    title = meta.title if meta.title is not None and meta.title.strip() else stem
    lang = meta.lang or _language_from_headings(sections)
    lesson = Lesson(
        path,
        content_path,
        meta,
        title,
        lang,
        sections,
        front_matter.key_lines,
        bool(env.get("has_site_links")),
        tuple((line + offset + 1, target) for line, target in env.get("refs", ())),
    )
    lesson.lint = lint_lesson(lesson, body, offset + 1)
    return lesson, diagnostics


def _language_from_headings(sections: list[Section]) -> str | None:
    for section in sections:
        lang = heading_language(section.heading)
        if lang:
            return lang
    return None


class _SectionBuilder:
    """Cuts the token stream at the plan's headings and question containers."""

    def __init__(self, md: MarkdownIt, env: dict[str, Any], plan: Plan, lines: list[str], offset: int):
        self.md = md
        self.env = env
        self.plan = plan
        self.lines = lines
        self.offset = offset

    def build(self, tokens: list[Token]) -> list[Section]:
        first_plan = self.plan.sections[0] if self.plan.sections else None
        intro_kind = first_plan.kind if first_plan is not None and first_plan.line is None else "other"
        sections = [Section(intro_kind, "", "", "", 1)]
        pending: list[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "heading_open" and token.tag == "h2" and token.level == 0 and token.map:
                section_plan = self.plan.section_at.get(token.map[0])
                if section_plan is not None:
                    self._flush(sections[-1], pending)
                    inline = tokens[index + 1]
                    heading_html = self.md.renderer.renderInline(inline.children or [], self.md.options, self.env)
                    sections.append(
                        Section(
                            section_plan.kind,
                            section_plan.heading,
                            heading_html,
                            # Made by the parser (generator.content.markdown), which keeps
                            # every other heading's id clear of it.
                            str(token.attrGet("id")),
                            token.map[0] + self.offset + 1,
                        )
                    )
                    index += 3
                    continue
            if token.type == "shortcode" and token.level == 0:
                self._flush(sections[-1], pending)
                sections[-1].parts.append(self._shortcode_part(token))
                index += 1
                continue
            if token.type == "qa_open":
                self._flush(sections[-1], pending)
                closing = _matching_close(tokens, index)
                question = self._question(tokens[index : closing + 1])
                parts = sections[-1].parts
                if parts and parts[-1].type == "questions":
                    parts[-1].questions.append(question)
                else:
                    parts.append(Part("questions", line=question.line, questions=[question]))
                index = closing + 1
                continue
            pending.append(token)
            index += 1
        self._flush(sections[-1], pending)
        if not sections[0].parts:
            sections.pop(0)
        return sections

    def _flush(self, section: Section, pending: list[Token]) -> None:
        if pending:
            line = next((t.map[0] for t in pending if t.map), 0) + self.offset + 1
            section.parts.append(Part("html", line=line, html=self._render(pending)))
            pending.clear()

    def _render(self, tokens: list[Token]) -> str:
        return self.md.renderer.render(tokens, self.md.options, self.env)

    def _render_tight(self, tokens: list[Token]) -> str:
        """A lone paragraph renders as its inline content (a question is one sentence)."""
        if len(tokens) == 3 and tokens[0].type == "paragraph_open" and tokens[1].type == "inline":
            return self.md.renderer.renderInline(tokens[1].children or [], self.md.options, self.env)
        return self._render(tokens)

    def _shortcode_part(self, token: Token) -> Part:
        meta = token.meta
        line = token.map[0] + self.offset + 1 if token.map else 0
        if meta["name"] == "ask_chatgpt":
            return Part("prompt", line=line, prompt=(meta["inner"] or "").strip())
        params = dict(meta["named"])
        for position, value in enumerate(meta["positional"]):
            params[str(position)] = value
        return Part("shortcode", line=line, shortcode=meta["name"], params=params)

    def _question(self, tokens: list[Token]) -> Question:
        plan = self.plan.question_at[tokens[0].map[0]]
        inner = tokens[1:-1]
        question_end = _matching_close(inner, 0)
        question_html = self._render_tight(inner[1:question_end])
        question = Question(
            plan.number,
            plan.question.line + self.offset + 1,
            question_html,
            self._source(plan.question),
        )
        if plan.answer is not None:
            answer_tokens = inner[question_end + 2 : -1]
            question.answer_html = self._render(answer_tokens)
            question.answer_source = self._source(plan.answer)
            question.answer_line = plan.answer.line + self.offset + 1
        return question

    def _source(self, span: Span) -> str:
        chosen = self.lines[span.line : span.end]
        if not chosen:
            return ""
        chosen = list(chosen)
        if span.cut is not None:
            chosen[-1] = chosen[-1][: span.cut]
        chosen[0] = chosen[0][span.col :]
        return "\n".join(chosen).strip()


def _matching_close(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1

"""The lesson model and the parser that reads one lesson file into it.

A lesson is its metadata plus a list of sections; a section is a heading, a kind, and
parts in source order — rendered HTML, prompt cards, question lists, plot shortcodes —
so that templates lay out the page without parsing anything themselves.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, assert_never

from markdown_it import MarkdownIt
from markdown_it.token import Token

from generator.content.code import DIAGRAM_OPENING
from generator.content.frontmatter import FrontMatterError, Meta, normalize_text, read_meta, split_front_matter
from generator.content.lint import LessonLint, lint_lesson
from generator.content.markdown import MAX_NESTING
from generator.content.shortcodes import PLOT_SHORTCODES
from generator.content.structure import Plan, Span, heading_language, plan_lesson
from generator.errors import Diagnostic

@dataclass
class Question:
    number: int
    line: int
    html: str
    source: str
    answer: list[AnswerPart] | None = None
    """The answer in source order: its HTML, and the plots it shows; None for no answer."""
    answer_source: str | None = None
    answer_line: int | None = None


@dataclass
class HtmlPart:
    """Markdown rendered to HTML (its site links still marked for the renderer)."""

    kind: ClassVar[str] = "html"
    line: int
    html: str


@dataclass
class PromptPart:
    """The ``ask_chatgpt`` prompt that produced the section."""

    kind: ClassVar[str] = "prompt"
    line: int
    prompt: str


@dataclass
class QuestionsPart:
    """Consecutive numbered questions of a warm-up or test section."""

    kind: ClassVar[str] = "questions"
    line: int
    questions: list[Question]


@dataclass
class ShortcodePart:
    """A plot shortcode as written; :mod:`generator.enrich` replaces it by a :class:`FigurePart`."""

    kind: ClassVar[str] = "shortcode"
    line: int
    name: str
    params: dict[str, str]
    """Named parameters, and positional ones under their index ("0", "1", …)."""


@dataclass
class FigurePart:
    """A plot, put there by :mod:`generator.enrich`."""

    kind: ClassVar[str] = "figure"
    line: int
    figure: Any
    """A :class:`generator.enrich.Figure` (enrichment sits above this module, which cannot name it)."""


Part = HtmlPart | PromptPart | QuestionsPart | ShortcodePart | FigurePart
"""One piece of a section, in source order. Each kind has its own class, so that code
reading parts can ``match`` on them; its ``kind`` names it for templates."""

AnswerPart = HtmlPart | ShortcodePart | FigurePart
"""One piece of a test question's answer: a plot on a line of its own in an answer shows
inside the answer, where the reader finds it once the answer is open."""


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
        return next((part.prompt for part in self.parts if isinstance(part, PromptPart)), None)

    @property
    def questions(self) -> list[Question]:
        return [q for part in self.parts if isinstance(part, QuestionsPart) for q in part.questions]

    def figures(self) -> list[Any]:
        """The section's figures, those in its answers included, in reading order."""
        found = []
        for part in self.parts:
            if isinstance(part, FigurePart):
                found.append(part.figure)
            elif isinstance(part, QuestionsPart):
                found.extend(p.figure for q in part.questions for p in q.answer or () if isinstance(p, FigurePart))
        return found

    def text(self) -> str:
        """The section's words as plain text: prompts, prose, questions and answers.
        Kept once made: plot detection and the search index both read it."""
        if self.plain is None:
            self.plain = self._text()
        return self.plain

    def _text(self) -> str:
        pieces: list[str] = []
        for part in self.parts:
            match part:
                case PromptPart(prompt=prompt):
                    pieces.append(prompt)
                case QuestionsPart(questions=questions):
                    for question in questions:
                        pieces.append(plain_text(question.html))
                        answer = question.answer or ()
                        pieces.extend(plain_text(piece.html) for piece in answer if isinstance(piece, HtmlPart))
                case HtmlPart(html=fragment):
                    pieces.append(plain_text(fragment))
                case ShortcodePart() | FigurePart():
                    pass  # no words of the lesson's own
                case _:
                    assert_never(part)
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
    diagrams: bool = field(default=False, compare=False)
    """Whether the lesson's page shows a Mermaid diagram: the site then publishes Mermaid."""


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
    front_matter: dict[str, Any] = field(default_factory=dict)
    """The front matter as read: the page params that the ``param`` shortcode looks up."""
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

    def html_fragments(self) -> Iterator[str]:
        """Every piece of HTML the lesson's page shows (where its images and diagrams are)."""
        for section in self.sections:
            yield section.heading_html
            for part in section.parts:
                match part:
                    case HtmlPart(html=fragment):
                        yield fragment
                    case QuestionsPart(questions=questions):
                        for question in questions:
                            yield question.html
                            yield from (piece.html for piece in question.answer or () if isinstance(piece, HtmlPart))
                    case PromptPart() | ShortcodePart() | FigurePart():
                        pass  # escaped text, or a plot of our own
                    case _:
                        assert_never(part)

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
            tuple(spec for section in self.sections for figure in section.figures() for spec in figure.specs),
            self.refs,
            link_title=_optional_text(self.meta.params.get("linktitle")),
            translation_key=_optional_text(self.meta.params.get("translationkey")),
            lint=self.lint,
            diagrams=any(DIAGRAM_OPENING in fragment for fragment in self.html_fragments()),
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
    too_deep = f"blocks nested more than {MAX_NESTING} levels deep (a quote is one level, a list two): flatten them"
    diagnostics.extend(Diagnostic(path, line + offset + 1, too_deep, code="nesting") for line in env.get("too_deep", ()))
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
        front_matter.data,
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
                    self._flush(sections[-1].parts, pending)
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
                self._flush(sections[-1].parts, pending)
                sections[-1].parts.append(self._shortcode_part(token))
                index += 1
                continue
            if token.type == "qa_open":
                self._flush(sections[-1].parts, pending)
                closing = _matching_close(tokens, index)
                question = self._question(tokens[index : closing + 1])
                parts = sections[-1].parts
                if parts and isinstance(parts[-1], QuestionsPart):
                    parts[-1].questions.append(question)
                else:
                    parts.append(QuestionsPart(question.line, [question]))
                index = closing + 1
                continue
            pending.append(token)
            index += 1
        self._flush(sections[-1].parts, pending)
        if not sections[0].parts:
            sections.pop(0)
        return sections

    def _flush(self, parts: list, pending: list[Token]) -> None:
        if pending:
            line = next((t.map[0] for t in pending if t.map), 0) + self.offset + 1
            parts.append(HtmlPart(line, self._render(pending)))
            pending.clear()

    def _answer_parts(self, tokens: list[Token], level: int) -> list[AnswerPart]:
        """An answer's HTML, cut at the plot shortcodes that stand at its top *level*.
        Anywhere else the renderer reports a lesson shortcode as misplaced
        (:func:`generator.content.shortcodes.render_misplaced`)."""
        parts: list[AnswerPart] = []
        pending: list[Token] = []
        for token in tokens:
            if token.type == "shortcode" and token.level == level and token.meta["name"] in PLOT_SHORTCODES:
                self._flush(parts, pending)
                parts.append(ShortcodePart(self._line(token), token.meta["name"], shortcode_params(token.meta)))
            else:
                pending.append(token)
        self._flush(parts, pending)
        return parts

    def _line(self, token: Token) -> int:
        return token.map[0] + self.offset + 1 if token.map else 0

    def _render(self, tokens: list[Token]) -> str:
        return self.md.renderer.render(tokens, self.md.options, self.env)

    def _render_tight(self, tokens: list[Token]) -> str:
        """A lone paragraph renders as its inline content (a question is one sentence)."""
        if len(tokens) == 3 and tokens[0].type == "paragraph_open" and tokens[1].type == "inline":
            return self.md.renderer.renderInline(tokens[1].children or [], self.md.options, self.env)
        return self._render(tokens)

    def _shortcode_part(self, token: Token) -> PromptPart | ShortcodePart:
        meta = token.meta
        line = self._line(token)
        if meta["name"] == "ask_chatgpt":
            return PromptPart(line, (meta["inner"] or "").strip())
        return ShortcodePart(line, meta["name"], shortcode_params(meta))

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
            answer_open = inner[question_end + 1]
            question.answer = self._answer_parts(inner[question_end + 2 : -1], answer_open.level + 1)
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


def shortcode_params(meta: dict[str, Any]) -> dict[str, str]:
    """A shortcode token's parameters as :attr:`ShortcodePart.params` holds them."""
    params = dict(meta["named"])
    params.update((str(position), value) for position, value in enumerate(meta["positional"]))
    return params


def _matching_close(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1

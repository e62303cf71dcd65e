"""What ``studysite check`` needs to know of one lesson, found while the lesson is parsed.

The warnings that concern a lesson alone (a test question without an answer, an empty
prompt, a weight with a fraction), its links with their line and column, the anchors its
page has, and its section kinds travel with the parsed lesson and its summary, as its
``ref`` targets do. The build and the live server then report the site's warnings
without reading any lesson again; the checks that need the whole site (links, anchors,
sections the question list asks for) are :mod:`generator.check`'s.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, assert_never

from generator.content.structure import hidden_lines
from generator.errors import Diagnostic

if TYPE_CHECKING:
    from generator.content.lesson import Lesson

_CODE_SPAN = re.compile(r"`+[^`\n]*`+")
_LINK = re.compile(r"(!?)\[[^\]\n]*\]\(\s*(?:<([^<>\n]*)>|([^)\s]+))(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
# A link whose destination has a space, which CommonMark leaves as text.
_SPACED_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\(([^()<>\n]*\s[^()<>\n]*)\)")
_TITLED = re.compile(r"""\S+\s+(?:"[^"]*"|'[^']*')\s*""")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_ID = re.compile(r'\sid="([^"]*)"')


@dataclass(frozen=True)
class Link:
    """A link or image written in the lesson, where it stands in the file."""

    line: int
    column: int
    target: str
    image: bool = False
    text: str | None = None
    """For a link that Markdown leaves as text because its destination has a space: the
    link's text (to show the fixes); None for a link that is one."""


@dataclass(frozen=True)
class LessonLint:
    warnings: tuple[Diagnostic, ...] = ()
    """The lesson's own problems, which no other file can cause or fix."""
    kinds: frozenset[str] = frozenset()
    """Its sections' kinds, for the sections the question list asks for."""
    stated_lang: str | None = None
    """The ``lang`` of its front matter, which decides its question list."""
    links: tuple[Link, ...] = ()
    anchors: frozenset[str] = frozenset()
    """Every ``id`` its page has for a ``#fragment``: sections, headings, footnotes."""


def lint_lesson(lesson: Lesson, body: str, first_line: int) -> LessonLint:
    """*body* is the lesson's text after its front matter, which starts at file line
    *first_line*."""
    return LessonLint(
        tuple(_fractional_weight(lesson) + _section_warnings(lesson)),
        frozenset(section.kind for section in lesson.sections),
        lesson.meta.lang,
        _links(body, first_line),
        _anchors(lesson),
    )


def _warning(lesson: Lesson, line: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(lesson.path, line, message, severity="warning", code=code, column=1)


def _fractional_weight(lesson: Lesson) -> list[Diagnostic]:
    given = lesson.meta.fractional_weight
    if given is None:
        return []
    cut = f"{lesson.weight}" if lesson.weight else "0 (no weight: listed after the weighted pages)"
    message = f"weight {given!r} is not a whole number; Hugo cuts it to {cut}, and so does studysite"
    return [_warning(lesson, lesson.key_lines.get("weight", 1), "fractional-weight", message)]


def _section_warnings(lesson: Lesson) -> list[Diagnostic]:
    # Imported here: the lesson module imports this one to fill in its lint.
    from generator.content.lesson import FigurePart, HtmlPart, PromptPart, QuestionsPart, ShortcodePart

    found: list[Diagnostic] = []
    for section in lesson.sections:
        for part in section.parts:
            match part:
                case PromptPart(line=line, prompt=prompt) if not prompt.strip():
                    found.append(_warning(lesson, line, "empty-prompt", f"the prompt of section {section.heading!r} is empty"))
                case PromptPart() | HtmlPart() | QuestionsPart() | ShortcodePart() | FigurePart():
                    pass
                case _:
                    assert_never(part)
        if section.kind == "test":
            for question in section.questions:
                if question.answer is None:
                    found.append(_warning(lesson, question.line, "no-answer", f"test question {question.number} has no answer"))
        if section.heading and all(isinstance(part, PromptPart) for part in section.parts):
            found.append(
                _warning(lesson, section.line, "empty-section", f"section {section.heading!r} has no answer below its prompt yet")
            )
        elif section.kind in ("preview", "test") and not section.questions:
            found.append(_warning(lesson, section.line, "no-questions", f"section {section.heading!r} has no numbered questions"))
    return found


def _anchors(lesson: Lesson) -> frozenset[str]:
    from generator.content.lesson import HtmlPart

    anchors = set()
    for section in lesson.sections:
        if section.anchor:
            anchors.add(section.anchor)
        fragments = [part.html for part in section.parts if isinstance(part, HtmlPart)]
        for question in section.questions:
            fragments.append(question.html)
            fragments += [part.html for part in question.answer or () if isinstance(part, HtmlPart)]
        for fragment in fragments:
            if 'id="' in fragment:
                anchors.update(html.unescape(found) for found in _ID.findall(fragment))
    return frozenset(anchors)


def _links(body: str, first_line: int) -> tuple[Link, ...]:
    """The links and images of *body* outside code, and those its spaces leave as text."""
    if "](" not in body:
        return ()
    found: list[Link] = []
    lines = body.split("\n")
    # Where the parser sees no Markdown (code, prompts, highlight shortcodes), no link either.
    for number, line, hidden in zip(range(first_line, first_line + len(lines)), lines, hidden_lines(lines)):
        if hidden or "](" not in line:
            continue
        visible = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line) if "`" in line else line
        for match in _LINK.finditer(visible):
            target = match.group(2) if match.group(2) is not None else match.group(3)
            found.append(Link(number, match.start() + 1, target, match.group(1) == "!"))
        for match in _SPACED_LINK.finditer(visible):
            target = match.group(3).strip()
            if _TITLED.fullmatch(target) or _SCHEME.match(target):
                continue  # a destination followed by its title, or another site's address
            found.append(Link(number, match.start() + 1, target, match.group(1) == "!", match.group(2)))
    return tuple(found)

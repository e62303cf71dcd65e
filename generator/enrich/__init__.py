"""Enrichment, the pipeline stage between parsing and rendering: plots in lessons.

:func:`enrich` turns each plot shortcode of a parsed lesson (in a section's text or in
an answer) into a :class:`FigurePart`
(:mod:`.shortcodes`, whose docstring is the shortcodes' reference) and, when a lesson
names known losses in its text, adds figures of them to its explanation section
(:mod:`.detection`). It describes figures (:class:`generator.plots.spec.FigureSpec`);
drawing happens later, once per distinct figure, in :mod:`generator.plots.cache`.
Nothing here imports matplotlib or touches files.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_never

from generator.content.lesson import FigurePart, HtmlPart, Lesson, Part, PromptPart, QuestionsPart, Section, ShortcodePart
from generator.errors import Diagnostic

from .detection import automatic_specs, detect_losses, lesson_text
from .shortcodes import (
    LOSS_CURVE_PARAMETERS,
    TRAINING_CURVE_PARAMETERS,
    Figure,
    figure_from_shortcode,
    figure_language,
    slider_figure,
)


def automatic_figures(lesson: Lesson, language: str) -> list[Figure]:
    """The figures :func:`enrich` would add to ``lesson`` by detection alone."""
    return [slider_figure(spec, True) for spec in automatic_specs(detect_losses(lesson_text(lesson)), language)]


def _target_section(lesson: Lesson) -> Section | None:
    for section in lesson.sections:
        if section.kind == "explanation":
            return section
    for section in lesson.sections:
        if any(isinstance(part, HtmlPart) for part in section.parts):
            return section
    return None


def enrich(lesson: Lesson, language: str) -> list[Diagnostic]:
    """Replace plot shortcodes (in sections and in answers) by figure parts and add
    automatic figures; return the problems.

    The lesson is changed in place: the build caches the very object that was parsed, so
    a cached lesson is already enriched and is never enriched twice. A shortcode with
    errors becomes a diagnostic at its line and is dropped from the page.
    """
    language = figure_language(language)
    diagnostics: list[Diagnostic] = []
    explicit = False
    for section in lesson.sections:
        for parts in _part_lists(section):
            explicit |= _draw_shortcodes(parts, lesson.path, language, diagnostics)
    if explicit or lesson.meta.plots is False:
        return diagnostics
    section = _target_section(lesson)
    if section is None:
        return diagnostics
    figures = automatic_figures(lesson, language)
    line = max((part.line for part in section.parts), default=section.line)
    section.parts.extend(FigurePart(line, figure) for figure in figures)
    return diagnostics


def _part_lists(section: Section) -> Iterator[list]:
    """The section's parts, then each of its answers' parts."""
    yield section.parts
    for question in section.questions:
        if question.answer is not None:
            yield question.answer


def _draw_shortcodes(parts: list[Part], path: str, language: str, diagnostics: list[Diagnostic]) -> bool:
    """Replace *parts*' shortcodes by figures, in place; return whether there were any."""
    found = False
    kept: list[Part] = []
    for part in parts:
        match part:
            case ShortcodePart(line=line, name=name):
                found = True
                try:
                    kept.append(FigurePart(line, figure_from_shortcode(part, language)))
                except ValueError as error:
                    diagnostics.append(Diagnostic(path, line, f"{name}: {error}", code="plot"))
            case HtmlPart() | PromptPart() | QuestionsPart() | FigurePart():
                kept.append(part)
            case _:
                assert_never(part)
    parts[:] = kept
    return found


__all__ = [
    "Figure", "LOSS_CURVE_PARAMETERS", "TRAINING_CURVE_PARAMETERS", "automatic_figures",
    "automatic_specs", "detect_losses", "enrich", "figure_from_shortcode", "lesson_text",
]

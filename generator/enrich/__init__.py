"""Enrichment, the pipeline stage between parsing and rendering: plots in lessons.

:func:`enrich` turns each plot shortcode of a parsed lesson into a ``figure`` part
(:mod:`.shortcodes`, whose docstring is the shortcodes' reference) and, when a lesson
names known losses in its text, adds figures of them to its explanation section
(:mod:`.detection`). It describes figures (:class:`generator.plots.spec.FigureSpec`);
drawing happens later, once per distinct figure, in :mod:`generator.plots.cache`.
Nothing here imports matplotlib or touches files.
"""

from __future__ import annotations

from generator.content.lesson import Lesson, Part, Section
from generator.content.shortcodes import PLOT_SHORTCODES
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
        if any(part.type == "html" for part in section.parts):
            return section
    return None


def enrich(lesson: Lesson, language: str) -> list[Diagnostic]:
    """Replace plot shortcodes by figure parts and add automatic figures; return the problems.

    A shortcode with errors becomes a diagnostic at its line and is dropped from the page.
    """
    language = figure_language(language)
    diagnostics: list[Diagnostic] = []
    explicit = False
    for section in lesson.sections:
        parts = []
        for part in section.parts:
            if part.type != "shortcode" or part.shortcode not in PLOT_SHORTCODES:
                parts.append(part)
                continue
            explicit = True
            try:
                figure = figure_from_shortcode(part, language)
            except ValueError as error:
                diagnostics.append(Diagnostic(lesson.path, part.line, f"{part.shortcode}: {error}", code="plot"))
                continue
            parts.append(Part("figure", line=part.line, figure=figure))
        section.parts[:] = parts
    if explicit or lesson.meta.plots is False:
        return diagnostics
    section = _target_section(lesson)
    if section is None:
        return diagnostics
    figures = automatic_figures(lesson, language)
    line = max((part.line for part in section.parts), default=section.line)
    section.parts.extend(Part("figure", line=line, figure=figure) for figure in figures)
    return diagnostics


__all__ = [
    "Figure", "LOSS_CURVE_PARAMETERS", "TRAINING_CURVE_PARAMETERS", "automatic_figures",
    "automatic_specs", "detect_losses", "enrich", "figure_from_shortcode", "lesson_text",
]

"""Where a parsed lesson shows its plots: the one place the export reads the lesson's
parts (everything else it takes from the lesson's source file and the site tree)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.content.lesson import Lesson


@dataclass
class PlacedFigure:
    line: int
    """File line of its shortcode; for an automatic plot, of the heading of the section
    after the one it closes (0: the end of the file)."""
    figure: object
    """Enrichment's Figure: its default ``spec``, ``caption`` and ``alt``."""
    automatic: bool


def placed_figures(lesson: Lesson, shortcode_lines: set[int]) -> list[PlacedFigure]:
    """The figures of *lesson*, in page order; a figure not at a plot shortcode's file
    line (one of *shortcode_lines*) is an automatic one."""
    placed = []
    for index, section in enumerate(lesson.sections):
        following = lesson.sections[index + 1].line if index + 1 < len(lesson.sections) else 0
        for part in section.parts:
            # A figure part is the one that has a figure: whatever its class is called.
            figure = getattr(part, "figure", None)
            if figure is None:
                continue
            automatic = part.line not in shortcode_lines
            placed.append(PlacedFigure(following if automatic else part.line, figure, automatic))
    return placed

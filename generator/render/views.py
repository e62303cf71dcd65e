"""Views: what ``partials/lesson_body.html`` and ``partials/nav.html`` lay out.

A lesson's sections come split for the page: the blocks before the prompt card, the card,
and the blocks of the answer below it, each figure with its picture's address and its
slider (id, shown value, variants) worked out; the sidebar comes as entries whose words
and classes are final. The templates only place what they are given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal, assert_never
from urllib.parse import quote

from markupsafe import Markup

from generator.content.lesson import FigurePart, HtmlPart, Lesson, Part, PromptPart, QuestionsPart, Section, ShortcodePart
from generator.content.markdown import section_heading
from generator.content.site import Folder, Page
from generator.render.environment import plot_path
from generator.render.script_data import slider_variant

CHATGPT_URL = "https://chatgpt.com/?q="

NAV_WINDOW = 7
"""Sidebar entries shown on each side of the open one, per level. Larger folders are
summarised with a "N more" link, so a page's size does not grow with the site."""


@dataclass(frozen=True)
class Slider:
    """The control under a figure that switches between its precomputed curves."""

    id: str
    label: str
    """What the slider varies, as the page writes it (``δ``, or the parameter's name)."""
    value: str
    """The shown figure's value of it."""
    index: int
    last: int
    variants: str
    """The ``data-plot-variants`` JSON (fields: generator.render.script_data)."""


@dataclass(frozen=True)
class FigureView:
    src: str
    alt: str
    caption: str
    slider: Slider | None


@dataclass(frozen=True)
class HtmlBlock:
    kind: Literal["html"]
    html: Markup


@dataclass(frozen=True)
class PromptCard:
    kind: Literal["prompt"]
    prompt: str
    ask_href: str


@dataclass(frozen=True)
class FigureBlock:
    kind: Literal["figure"]
    figure: FigureView


@dataclass(frozen=True)
class WarmupQuestion:
    number: int
    html: Markup


@dataclass(frozen=True)
class WarmupBlock:
    """Warm-up questions the reader ticks off."""

    kind: Literal["warmup"]
    questions: list[WarmupQuestion]


@dataclass(frozen=True)
class TestQuestion:
    number: int
    html: Markup
    answer: list[HtmlBlock | FigureBlock] | None
    """The answer behind "show answer"; None where the lesson gives none."""


@dataclass(frozen=True)
class TestBlock:
    """Test questions the reader answers, opens and marks."""

    kind: Literal["test"]
    questions: list[TestQuestion]


Block = HtmlBlock | PromptCard | FigureBlock | WarmupBlock | TestBlock


@dataclass(frozen=True)
class SectionView:
    kind: str
    anchor: str
    heading: Markup
    """The heading with its link to itself; empty for the part above the first heading."""
    lead: list[Block]
    """What comes before the prompt card: the whole section where there is none."""
    prompt: PromptCard | None
    answer: list[Block]
    """What follows the prompt card: the answer, shown under its label."""


def section_views(lesson: Lesson, root: str) -> list[SectionView]:
    """The lesson's sections for the page at *root* (the relative path to the site root)."""
    return [_section_view(section, root) for section in lesson.sections]


def _section_view(section: Section, root: str) -> SectionView:
    blocks = [_block(section, index, part, root) for index, part in enumerate(section.parts, 1)]
    heading = Markup(section_heading(section.heading_html, section.anchor)) if section.heading_html else Markup()
    card = next((block for block in blocks if isinstance(block, PromptCard)), None)
    if card is None:
        return SectionView(section.kind, section.anchor, heading, blocks, None, [])
    at = blocks.index(card)
    return SectionView(section.kind, section.anchor, heading, blocks[:at], card, blocks[at + 1 :])


def _block(section: Section, index: int, part: Part, root: str) -> Block:
    """The *index*-th part of *section* (from 1: slider ids count parts as the page shows them)."""
    match part:
        case PromptPart(prompt=prompt):
            return PromptCard("prompt", prompt, CHATGPT_URL + quote(prompt, safe=""))
        case QuestionsPart(questions=questions) if section.kind == "preview":
            return WarmupBlock("warmup", [WarmupQuestion(q.number, Markup(q.html)) for q in questions])
        case QuestionsPart(questions=questions):
            return TestBlock("test", [
                TestQuestion(
                    q.number,
                    Markup(q.html),
                    None if q.answer is None else [
                        _content_block(piece, f"plot-{section.anchor}-{index}-answer-{number}-{at}", root)
                        for at, piece in enumerate(q.answer, 1)
                    ],
                )
                for number, q in enumerate(questions, 1)
            ])
        case HtmlPart() | FigurePart() | ShortcodePart():
            return _content_block(part, f"plot-{section.anchor}-{index}", root)
        case _:
            assert_never(part)


def _content_block(part: HtmlPart | FigurePart | ShortcodePart, slider_id: str, root: str) -> HtmlBlock | FigureBlock:
    """Prose or a figure, in a section or in an answer; a figure's slider gets *slider_id*."""
    match part:
        case HtmlPart(html=fragment):
            return HtmlBlock("html", Markup(fragment))
        case FigurePart(figure=figure):
            return FigureBlock("figure", figure_view(figure, slider_id, root))
        case ShortcodePart(name=name, line=line):
            raise ValueError(f"line {line}: the {name} shortcode reached the page without its figure (enrich makes it one)")
        case _:
            assert_never(part)


def figure_view(figure, slider_id: str, root: str) -> FigureView:
    """A figure (generator.enrich.shortcodes.Figure) as the page shows it: its picture, and
    its slider with the id *slider_id* where it has variants."""
    slider = None
    if figure.variants:
        slider = Slider(
            slider_id,
            figure.symbol or figure.parameter,
            f"{figure.variants[figure.default_index][0]:g}",
            figure.default_index,
            len(figure.variants) - 1,
            json.dumps([slider_variant(f"{value:g}", root + plot_path(spec)) for value, spec in figure.variants],
                       ensure_ascii=False),
        )
    return FigureView(root + plot_path(figure.spec), figure.alt, figure.caption, slider)


@dataclass
class NavItem:
    """One sidebar entry: a lesson, a folder (with its open children), or "N more"."""

    title: str
    """For a "N more" entry, the interface's words with the count in them."""
    href: str
    url: str
    classes: str
    """``nav-lesson`` or ``nav-folder``, and ``open`` on the way to the current page;
    empty for a "N more" entry."""
    is_folder: bool = False
    current: bool = False
    open: bool = False
    more: int = 0
    """For a "N more" entry: how many entries it stands for."""
    tests: int = 0
    """For a lesson: its test questions, what the reader's progress counts against."""
    children: list[NavItem] = field(default_factory=list)


def nav_items(folder: Folder, current: Page | None, root: str, more_words: str) -> list[NavItem]:
    """The sidebar of a page in *folder* (of the lesson page *current*, if it is one):
    every level down to it, each cut to a window around the open entry. *more_words* is
    the interface's "{count} more"."""
    path = folder.ancestors()
    focus_chain: list[Folder | Page] = path[1:] + ([current] if current else [])
    return _nav_level(path[0], focus_chain, 0, root, current, folder, more_words)


def _nav_level(folder, chain, depth, root, current, open_folder, more_words) -> list[NavItem]:
    focus = chain[depth] if depth < len(chain) else None
    children = folder.children
    centre = children.index(focus) if focus is not None and focus in children else 0
    start = max(0, min(centre - NAV_WINDOW, len(children) - 2 * NAV_WINDOW - 1))
    stop = min(len(children), start + 2 * NAV_WINDOW + 1)

    def more(count: int) -> NavItem:
        return NavItem(more_words.replace("{count}", str(count)), root + folder.url, folder.url, "", more=count)

    items: list[NavItem] = [more(start)] if start > 0 else []
    for child in children[start:stop]:
        is_folder = isinstance(child, Folder)
        item = NavItem(
            child.link_title,
            root + child.url,
            child.url,
            ("nav-folder" if is_folder else "nav-lesson") + (" open" if child is focus else ""),
            is_folder=is_folder,
            current=child is current or (current is None and child is open_folder),
            open=child is focus,
            tests=0 if is_folder else child.lesson.tests,
        )
        if is_folder and child is focus:
            item.children = _nav_level(child, chain, depth + 1, root, current, open_folder, more_words)
        items.append(item)
    if stop < len(children):
        items.append(more(len(children) - stop))
    return items

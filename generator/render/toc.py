"""A lesson page's table of contents: its sections and the headings inside them.

Read from the rendered lesson (each section's anchor and heading, the ``id`` Markdown gave
each sub-heading), so the contents link exactly the anchors the page has."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from generator.content.lesson import HtmlPart, Lesson, plain_text

_SUB_HEADING = re.compile(r'<h3 id="([^"]+)">(.*?)</h3>', re.S)


@dataclass
class TocEntry:
    title: str
    anchor: str
    """The target's ``id``."""
    children: list[TocEntry] = field(default_factory=list)


def table_of_contents(lesson: Lesson) -> list[TocEntry]:
    """One entry per titled section, each with its ``###`` headings; empty for a lesson
    with fewer than two entries in all (nothing to find one's way through)."""
    entries = []
    for section in lesson.sections:
        if not section.anchor:
            continue
        entry = TocEntry(section.heading, section.anchor)
        for part in section.parts:
            if isinstance(part, HtmlPart) and "<h3 " in part.html:
                entry.children.extend(
                    TocEntry(plain_text(inner), html.unescape(anchor)) for anchor, inner in _SUB_HEADING.findall(part.html)
                )
        entries.append(entry)
    total = len(entries) + sum(len(entry.children) for entry in entries)
    return entries if total >= 2 else []

"""The search index: each lesson section's rendered text, in small script files.

Search runs in the reader's browser as a case-insensitive substring scan over this text,
which needs no word segmentation for Chinese, works from ``file://`` and any static host,
and is written by each build worker for its own lessons (see BENCHMARKS.md for why not
Pagefind). The files are loaded only when the reader first uses the search box.

The text is what the page shows, not its source: a formula is its MathML's text
(``L=1/2(y−y^)2``), never its LaTeX. A test question's answer is kept apart from the question, so
that the browser can find a match in it and show the question alone, never the answer.

The files' schema (entries, questions, the fold table) is :mod:`generator.render.script_data`'s.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from functools import cache, lru_cache
from typing import Any, assert_never
from xml.etree import ElementTree

from generator.content.lesson import FigurePart, HtmlPart, Lesson, PromptPart, QuestionsPart, Section, ShortcodePart
from generator.render.script_data import search_entry, search_question

SHARD_BYTES = 256 * 1024

_TAGS = re.compile(r"<[^>]+>")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_MATHML = "{http://www.w3.org/1998/Math/MathML}"


def rendered_text(fragment: str) -> str:
    """The words an HTML fragment shows: tags dropped, formulas as their MathML's text."""
    pieces = []
    position = 0
    while (start := fragment.find("<math", position)) >= 0 and (end := fragment.find("</math>", start)) >= 0:
        end += len("</math>")
        pieces += [_markup_text(fragment[position:start]), _math_text(fragment[start:end])]
        position = end
    pieces.append(_markup_text(fragment[position:]))
    return " ".join(" ".join(pieces).split())


def _markup_text(markup: str) -> str:
    if "<" in markup:
        markup = _TAGS.sub(" ", markup)
    return html.unescape(markup) if "&" in markup else markup


@lru_cache(maxsize=4096)
def _math_text(markup: str) -> str:
    """The text content of a ``<math>`` element, with a slash between a fraction's parts and
    a root sign before a root, which the layout shows and the text content alone would lose."""
    try:
        element = ElementTree.fromstring(markup)
    except ElementTree.ParseError:  # not our serializer's output: fall back to its bare text
        return _TAGS.sub("", markup)
    pieces: list[str] = []
    _collect_math(element, pieces)
    return "".join(pieces)


def _collect_math(element: ElementTree.Element, pieces: list[str]) -> None:
    name = element.tag.removeprefix(_MATHML)
    if name in ("msqrt", "mroot"):
        pieces.append("√")
    pieces.append(element.text or "")
    children = list(element)
    if name == "mroot" and len(children) == 2:
        children = children[:1]  # the index would read as a factor
    for number, child in enumerate(children):
        if name == "mfrac" and number == 1:
            pieces.append("/")
        _collect_math(child, pieces)
        pieces.append(child.tail or "")


def section_entry(section: Section, url: str) -> dict[str, Any]:
    """A section's entry: its prose apart from its questions, and each answer apart from its question."""
    body: list[str] = []
    questions: list[dict[str, str]] = []
    for part in section.parts:
        match part:
            case PromptPart(prompt=prompt):
                body.append(prompt)
            case HtmlPart(html=fragment):
                body.append(rendered_text(fragment))
            case QuestionsPart(questions=asked):
                for question in asked:
                    answer = " ".join(rendered_text(p.html) for p in question.answer or () if isinstance(p, HtmlPart))
                    questions.append(search_question(rendered_text(question.html), answer))
            case ShortcodePart() | FigurePart():
                pass  # plots: their words are the captions' table's, not the lesson's
            case _:
                assert_never(part)
    return search_entry(url, section.anchor, rendered_text(section.heading_html), " ".join(filter(None, body)), questions)


def lesson_entries(lesson: Lesson, url: str) -> list[dict[str, Any]]:
    """One entry per section of *lesson*, whose page is at *url*."""
    return [section_entry(section, url) for section in lesson.sections]


def _entry_size(entry: dict[str, Any]) -> int:
    return len(entry["h"]) + len(entry["t"]) + sum(len(question["t"]) + len(question["s"]) for question in entry["q"])


@cache
def _converters() -> tuple[Any, Any]:
    import opencc  # only for text with Chinese characters

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


def fold_map(characters: set[str]) -> dict[str, str]:
    """How the browser should compare the Chinese ones of *characters* (the rest are left
    out), and the other script's forms of them: each to its Simplified form, where that
    differs. One character for one, so that an offset in folded text is the same offset in
    the text shown."""
    chinese = set(_HAN.findall(unicodedata.normalize("NFKC", "".join(c for c in characters if c >= "\u3400"))))
    return dict(sorted(fold for character in chinese for fold in _folds(character)))


@cache
def _folds(character: str) -> tuple[tuple[str, str], ...]:
    """*character* to its Simplified form, and its Traditional form to the same, where they differ."""
    to_simplified, to_traditional = _converters()
    simplified = to_simplified.convert(character)
    if len(simplified) != 1:
        simplified = character
    traditional = to_traditional.convert(simplified)
    folds = [(character, simplified)] if simplified != character else []
    if len(traditional) == 1 and traditional != character and to_simplified.convert(traditional) == simplified != traditional:
        folds.append((traditional, simplified))
    return tuple(folds)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class SearchShardWriter:
    """Collects entries and cuts them into script files of about SHARD_BYTES each."""

    def __init__(self, prefix: str, folder: str = ""):
        """Files named ``{folder}search/{prefix}-NNN.js``: *folder* is a language's."""
        self.prefix = prefix
        self.folder = folder
        self._pending: list[dict[str, Any]] = []
        self._size = 0
        self.files: dict[str, str] = {}

    def add(self, entries: list[dict[str, Any]]) -> None:
        self._pending.extend(entries)
        self._size += sum(map(_entry_size, entries))
        if self._size >= SHARD_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        name = f"{self.folder}search/{self.prefix}-{len(self.files):03}.js"
        entries = _json(self._pending)
        self.files[name] = f'studysiteSearch.add({{"entries":{entries},"fold":{_json(fold_map(set(entries)))}}});\n'
        self._pending = []
        self._size = 0


def index_script(shard_files: list[str], titles: dict[str, str]) -> str:
    """search/index.js: the shard list and every page's title, both by path below the
    language's own root (where the page's search box loads them from)."""
    fold = fold_map(set(_json(titles)))
    return f"studysiteSearch.init({_json({'shards': sorted(shard_files), 'titles': titles, 'fold': fold})});\n"

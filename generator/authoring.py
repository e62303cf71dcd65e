"""Writing new lessons: one from a title, or a whole tree from a catalogue outline; and
the catalogue reader that ``generate`` shares.

A new lesson is front matter (title and the next weight among its siblings) and one
section per entry of the question list, each opened by its prompt with the title as the
keyword; the answers are left for the author. A site's own ``archetypes/`` file, when
present, is used instead, as Hugo does. Nothing here ever overwrites a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import ContentError, Diagnostic

if TYPE_CHECKING:
    from generator.config import SiteConfig

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class AuthoringError(Exception):
    """Nothing was written: the message says why (exit code 1)."""


def file_name_for(title: str) -> str:
    """A file name that keeps the title readable and is valid on every common system."""
    name = _UNSAFE_NAME.sub("-", title).strip(" .")
    if not name:
        raise AuthoringError(f"the title {title!r} gives no usable file name")
    return name


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lesson_text(title: str, weight: int, config: SiteConfig, language: str) -> str:
    items = config.question_lists.get(language) or config.question_lists["zh-TW"]
    lines = ["+++", f"title = {toml_string(title)}", f"weight = {weight}"]
    if language != config.language:
        lines.append(f'lang = "{language}"')
    lines.append("+++")
    for item in items:
        lines += [f"## {item.heading}", "{{< ask_chatgpt >}}", item.prompt.replace("{keyword}", title), "{{< /ask_chatgpt >}}", ""]
    return "\n".join(lines)


def next_weight(folder: Path) -> int:
    """One more than the largest weight among the lessons and sub-folders in *folder*."""
    from generator.content.site import is_ignored_name  # here: the catalogue reader needs no lesson parser

    largest = 0
    if folder.is_dir():
        for entry in folder.iterdir():
            if is_ignored_name(entry.name):
                continue
            candidates = [entry] if entry.suffix == ".md" else [entry / "_index.md", entry / f"{entry.name}.md"]
            for candidate in candidates:
                if candidate.is_file():
                    largest = max(largest, _weight_of(candidate))
                    break
    return largest + 1


def _weight_of(path: Path) -> int:
    from generator.content.frontmatter import FrontMatterError, cast_weight, split_front_matter

    try:
        text = path.read_text(encoding="utf-8-sig")
        front_matter = split_front_matter(text.replace("\r\n", "\n"))
        return cast_weight(front_matter.data.get("weight", 0))
    except (OSError, UnicodeDecodeError, FrontMatterError, ValueError):
        return 0


def section_folder(config: SiteConfig, section: str | None) -> Path:
    """The folder below content/ that --section names, refusing anything outside it."""
    content = config.content_dir.resolve()
    if not section:
        return content
    folder = (content / section).resolve()
    if folder != content and content not in folder.parents:
        raise AuthoringError(f"--section {section!r} is outside the content folder")
    return folder


def _archetype(config: SiteConfig, folder: Path) -> Path | None:
    """Hugo's lookup: archetypes/<top-level section>.md, then archetypes/default.md."""
    archetypes = config.root / "archetypes"
    relative = folder.relative_to(config.content_dir.resolve()).parts
    names = ([f"{relative[0]}.md"] if relative else []) + ["default.md"]
    for name in names:
        if (archetypes / name).is_file():
            return archetypes / name
    return None


_ARCHETYPE_EXPRESSION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_SUPPORTED = (
    ".Title",
    ".Name",
    ".File.ContentBaseName",
    ".File.BaseFileName",
    ".Date",
    ".Section",
    ".Type",
    'replace .Name "-" " " | title',
    'replace .File.ContentBaseName "-" " " | title',
)


def render_archetype(path: Path, *, title: str, stem: str, section: str) -> str:
    """Hugo archetype templates, for the expressions archetypes commonly use."""
    values = {
        ".Title": title,
        ".Name": stem,
        ".File.ContentBaseName": stem,
        ".File.BaseFileName": stem,
        ".Date": datetime.now().astimezone().isoformat(timespec="seconds"),
        ".Section": section,
        ".Type": section,
    }
    text = path.read_text(encoding="utf-8")
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _ARCHETYPE_EXPRESSION.finditer(line):
            expression = match.group(1)
            if line[match.start() : match.start() + 3] in ("{{<", "{{%"):
                continue  # a shortcode in the body, copied as written
            if expression not in values and not _title_case_expression(expression):
                raise AuthoringError(
                    f"archetypes/{path.name}:{number}: error: unsupported template expression {{{{ {expression} }}}} "
                    f"(supported: {', '.join(_SUPPORTED)})"
                )

    def substitute(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression in values:
            return values[expression]
        name = _title_case_expression(expression)
        return values[name].replace("-", " ").title() if name else match.group(0)

    return "\n".join(
        line if line.lstrip().startswith(("{{<", "{{%")) else _ARCHETYPE_EXPRESSION.sub(substitute, line)
        for line in text.split("\n")
    )


def _title_case_expression(expression: str) -> str | None:
    match = re.fullmatch(r'replace (\.Name|\.File\.ContentBaseName) "-" " " \| title', expression)
    return match.group(1) if match else None


def new_lesson(
    config: SiteConfig, title: str, *, section: str | None = None, language: str | None = None, weight: int | None = None
) -> Path:
    """Write one new lesson and return its path; an existing file is an error."""
    folder = section_folder(config, section)
    path = folder / f"{file_name_for(title)}.md"
    if path.exists():
        raise AuthoringError(f"{shown_path(config, path)} already exists; nothing was written")
    language = language or config.language
    archetype = _archetype(config, folder)
    if archetype is not None:
        relative = folder.relative_to(config.content_dir.resolve()).parts
        text = render_archetype(archetype, title=title, stem=path.stem, section=relative[0] if relative else "")
    else:
        text = lesson_text(title, weight if weight is not None else next_weight(folder), config, language)
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:  # "x": never replace a file
        handle.write(text)
    return path


def shown_path(config: SiteConfig, path: Path) -> str:
    try:
        return str(path.relative_to(config.root.resolve()))
    except ValueError:
        return str(path)


# --- Catalogue outlines ----------------------------------------------------------------
# One reader for every catalogue: `new --outline` and `generate` (the aidocx workzone's
# input.md) both read a nested Markdown list with it.

_OUTLINE_ITEM = re.compile(r"^( *)([-*+]|\d+[.)])( +)(.*?)\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LAZY_DEPTH = 3
"""How much deeper than its parent's text a sub-topic may start: from 4 spaces on,
Markdown reads the line as more text of the parent (Hugo's and aidocx's reading)."""


@dataclass
class Topic:
    title: str
    line: int
    children: list[Topic]


@dataclass
class _OpenItem:
    indent: int
    text_column: int
    topic: Topic
    child_indent: int | None = None


def parse_outline(path: Path, shown: str, *, file_name: Callable[[str], str] = file_name_for) -> list[Topic]:
    """A nested Markdown list as a tree of topics.

    Indentation decides the nesting, as Markdown reads it: a sub-topic starts where its
    parent's text starts (two spaces under ``- ``, three under ``1. ``) or up to three
    spaces further, and every topic of one level is indented alike. *file_name* maps a
    topic to the name of its file (raising :class:`AuthoringError` for a topic that
    cannot be one); two topics that would share a file are an error. Every problem is
    reported, each at its line, in one :class:`ContentError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ContentError([Diagnostic(shown, 1, "invalid UTF-8; save the file as UTF-8")]) from None
    problems: list[Diagnostic] = []
    roots = _topic_tree(text, shown, problems)
    if not roots and not problems:
        problems.append(Diagnostic(shown, 1, "the outline has no list items"))
    _check_file_names(roots, None, shown, file_name, problems)
    if problems:
        raise ContentError(problems)
    return roots


def _topic_tree(text: str, shown: str, problems: list[Diagnostic]) -> list[Topic]:
    """The outline's top-level topics, their sub-topics below them; a line that is not a
    topic, or is indented unlike its level, goes to *problems* instead."""
    roots: list[Topic] = []
    root_indent: int | None = None
    open_items: list[_OpenItem] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\t", "    ").rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            indent, text_column, title = _outline_item(line)
        except ValueError as error:
            problems.append(Diagnostic(shown, number, str(error)))
            continue
        parent = _close_items_at(indent, open_items)
        problem = _indentation_problem(indent, parent, parent.child_indent if parent else root_indent)
        if problem:
            problems.append(Diagnostic(shown, number, problem))
            continue
        topic = Topic(title, number, [])
        if parent is None:
            root_indent = indent
            roots.append(topic)
        else:
            parent.child_indent = indent
            parent.topic.children.append(topic)
        open_items.append(_OpenItem(indent, text_column, topic))
    return roots


def _outline_item(line: str) -> tuple[int, int, str]:
    """A list item's indent, the column its text starts at, and its topic (the text
    without link or emphasis marks); ValueError for a line that is not a topic."""
    match = _OUTLINE_ITEM.match(line)
    if not match:
        raise ValueError(f"not a list item: {line.strip()!r}")
    indent = len(match.group(1))
    text_column = indent + len(match.group(2)) + len(match.group(3))
    title = _LINK.sub(r"\1", match.group(4)).strip().strip("*_`").strip()
    if not title:
        raise ValueError("empty topic")
    return indent, text_column, title


def _close_items_at(indent: int, open_items: list[_OpenItem]) -> _OpenItem | None:
    """Closes the items that an item at *indent* ends (its earlier siblings and their
    sub-items); the item left open, if any, is its parent."""
    while open_items and open_items[-1].indent > indent:
        open_items.pop()
    if open_items and open_items[-1].indent == indent:
        open_items.pop()
    return open_items[-1] if open_items else None


def _indentation_problem(indent: int, parent: _OpenItem | None, expected: int | None) -> str | None:
    """Why an item at *indent* cannot sit below *parent*: the first sub-topic must start
    at its parent's text, the others where the first did (*expected*)."""
    if expected is None and parent is not None and not (parent.text_column <= indent <= parent.text_column + _LAZY_DEPTH):
        return (
            f"inconsistent indentation: {_spaces(indent)}; a sub-topic of {parent.topic.title!r} "
            f"(line {parent.topic.line}) is indented {_spaces(parent.text_column)}"
        )
    if expected is not None and indent != expected:
        return f"inconsistent indentation: {_spaces(indent)}, but the topics before it at this level have {expected}"
    return None


def _spaces(count: int) -> str:
    return f"{count} space" if count == 1 else f"{count} spaces"


def _check_file_names(
    topics: list[Topic], parent: Topic | None, shown: str, file_name: Callable[[str], str], problems: list[Diagnostic]
) -> None:
    """Each topic must make a file name, and no two topics may make one file: siblings of
    one name, or a lesson named like its folder (``A/A.md`` is the folder's own page)."""
    seen: dict[str, Topic] = {}
    parent_name = None
    if parent is not None:
        try:
            parent_name = file_name(parent.title).casefold()
        except AuthoringError:
            pass
    for topic in topics:
        try:
            name = file_name(topic.title).casefold()
        except AuthoringError as error:
            problems.append(Diagnostic(shown, topic.line, str(error)))
            continue
        if name in seen:
            problems.append(
                Diagnostic(shown, topic.line, f"topic {topic.title!r} appears twice at this level (first on line {seen[name].line})")
            )
        elif not topic.children and name == parent_name:
            problems.append(
                Diagnostic(
                    shown,
                    topic.line,
                    f"topic {topic.title!r} would be the same file as the page of its folder {parent.title!r} "
                    f"(line {parent.line}); rename one of them",
                )
            )
        seen.setdefault(name, topic)
        _check_file_names(topic.children, topic, shown, file_name, problems)


@dataclass
class OutlineResult:
    created: list[Path]
    kept: list[Path]


def new_from_outline(
    config: SiteConfig, outline: Path, *, section: str | None = None, language: str | None = None
) -> OutlineResult:
    """Write the tree: a folder whose index is a lesson (``Topic/Topic.md``) for every
    topic with children, a lesson file for every other topic; weights in outline order.
    Files that exist are kept as they are; if the tree cannot be written as a whole
    (a topic that gained sub-topics still has its single lesson file), nothing is."""
    topics = parse_outline(outline, str(outline))
    base = section_folder(config, section)
    language = language or config.language
    planned: list[tuple[Path, Topic, int]] = []
    conflicts: list[str] = []
    _plan_topics(config, topics, base, planned, conflicts, str(outline))
    if conflicts:
        raise AuthoringError("\n".join(conflicts))
    result = OutlineResult([], [])
    for path, topic, weight in planned:
        if path.exists():
            result.kept.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(lesson_text(topic.title, weight, config, language))
        result.created.append(path)
    return result


def _plan_topics(
    config: SiteConfig,
    topics: list[Topic],
    folder: Path,
    planned: list[tuple[Path, Topic, int]],
    conflicts: list[str],
    outline: str,
) -> None:
    for weight, topic in enumerate(topics, start=1):
        name = file_name_for(topic.title)
        as_folder = folder / name
        existing_index = next(
            (p for p in (as_folder / "_index.md", as_folder / f"{name}.md") if p.is_file()), None
        )
        if topic.children:
            if (folder / f"{name}.md").is_file():
                conflicts.append(
                    f"{outline}:{topic.line}: error: {topic.title!r} now has sub-topics, but "
                    f"{shown_path(config, folder / f'{name}.md')} is a single lesson; move it to "
                    f"{shown_path(config, as_folder / f'{name}.md')} first"
                )
                continue
            planned.append((existing_index or as_folder / f"{name}.md", topic, weight))
            _plan_topics(config, topic.children, as_folder, planned, conflicts, outline)
        else:
            planned.append((existing_index or folder / f"{name}.md", topic, weight))

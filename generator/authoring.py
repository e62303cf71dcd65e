"""Writing new lessons: one from a title, or a whole tree from a catalogue outline.

A new lesson is front matter (title and the next weight among its siblings) and one
section per entry of the question list, each opened by its prompt with the title as the
keyword; the answers are left for the author. A site's own ``archetypes/`` file, when
present, is used instead, as Hugo does. Nothing here ever overwrites a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from generator.config import SiteConfig
from generator.content.frontmatter import FrontMatterError, cast_weight, split_front_matter
from generator.content.site import is_ignored_name

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

_OUTLINE_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*?)\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


@dataclass
class Topic:
    title: str
    line: int
    children: list[Topic]


def parse_outline(path: Path, shown: str) -> list[Topic]:
    """A nested Markdown list as a tree of topics; indentation decides the nesting."""
    roots: list[Topic] = []
    stack: list[tuple[int, Topic]] = []
    problems: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), start=1):
        line = raw.replace("\t", "    ").rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _OUTLINE_ITEM.match(line)
        if not match:
            problems.append(f"{shown}:{number}: error: not a list item: {line.strip()!r}")
            continue
        indent = len(match.group(1))
        title = _LINK.sub(r"\1", match.group(2)).strip().strip("*_`").strip()
        if not title:
            problems.append(f"{shown}:{number}: error: empty topic")
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        topic = Topic(title, number, [])
        siblings = stack[-1][1].children if stack else roots
        if any(file_name_for(s.title).casefold() == file_name_for(title).casefold() for s in siblings):
            problems.append(f"{shown}:{number}: error: topic {title!r} appears twice at this level")
            continue
        siblings.append(topic)
        stack.append((indent, topic))
    if problems:
        raise AuthoringError("\n".join(problems))
    if not roots:
        raise AuthoringError(f"{shown}: error: the outline has no list items")
    return roots


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

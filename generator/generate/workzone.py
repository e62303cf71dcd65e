"""A workzone, read and checked whole before anything is asked or written.

The aidocx layout, which existing users have by the thousand:

``config.yaml``
    ``apiProvider``, ``apiModal`` (the model), ``initRole`` (the system message) and
    ``questions``: each with ``key`` (its cache name), ``desc`` (the section heading),
    ``template`` (a Go template, ``{{ .keyword }}`` standing for the topic) and optional
    ``include``/``exclude`` globs on the lesson's folder within OUT.
``input.md``
    The catalogue: a nested Markdown list, read by :func:`generator.authoring.parse_outline`.
``translation.json``
    Optional page titles per topic; the prompts keep the topic as written.
``cache/``
    One answer per file, mirroring the output: the lesson ``OUT/<dir>/<topic>.md`` takes
    its answers from ``cache/<dir>/<topic>_<key>.md``.

A studysite site can be a workzone too: with ``--outline FILE`` and no ``config.yaml``,
the question list is the site's own (``[[questions.<lang>]]`` in ``studysite.toml``, or
the house list), each entry's kind its cache key, and the lessons go to ``content/``.
Either way ``[assistant]`` in ``studysite.toml`` may name the endpoint and model.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.authoring import AuthoringError, Topic, parse_outline
from generator.config import SiteConfig, load_config
from generator.errors import ContentError, Diagnostic, UsageError
from generator.generate.gotemplate import Template, TemplateError, parse

CONFIG = "config.yaml"
CATALOGUE = "input.md"
TRANSLATION = "translation.json"
CACHE = "cache"
OUTPUT = "output"
ASSISTANT_SETTINGS = ("base_url", "api_key", "model", "role", "timeout")
_NULL_TAG = "tag:yaml.org,2002:null"
_UNFIT_IN_NAME = re.compile(r"[/\\:\x00-\x1f\x7f]")
_NAME_LIMIT = 255
"""Bytes in one file name on every common file system."""


@dataclass(frozen=True)
class Question:
    key: str
    heading: str
    template: Template
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()

    def applies_to(self, folder: str) -> bool:
        if self.include and not any(pattern.fullmatch(folder) for pattern in self.include):
            return False
        return not any(pattern.fullmatch(folder) for pattern in self.exclude)


@dataclass(slots=True)
class Section:
    question: Question
    prompt: str
    cache: str
    """Where the answer lives within the cache folder, ``/``-separated."""


@dataclass(slots=True)
class LessonPlan:
    path: str
    """The lesson's file within OUT, ``/``-separated."""
    topic_path: str
    """What ``--only`` matches: the folder of a topic with sub-topics, else the folder
    and the topic (the lesson's path without ``.md``)."""
    title: str
    weight: int
    sections: tuple[Section, ...]


@dataclass
class Workzone:
    root: Path
    out_dir: Path
    cache_dir: Path
    questions: tuple[Question, ...]
    lessons: list[LessonPlan]
    """Every lesson of the catalogue, in catalogue order."""
    selected: list[LessonPlan]
    """The lessons ``--only`` selects (all of them without it)."""
    role: str | None = None
    model: str | None = None
    assistant: dict[str, str | float] = field(default_factory=dict)

    def shown_cache(self, relative: str) -> str:
        return str(self.cache_dir / relative)

    def shown_lesson(self, relative: str) -> str:
        return str(self.out_dir / relative)


def compile_glob(pattern: str) -> re.Pattern[str]:
    """``*`` matches within one folder, ``**`` any number of folders, none included:
    ``A/**`` matches ``A`` and everything below it, ``**/B*`` a folder named ``B…`` at
    any depth. Everything else matches itself."""
    segments = pattern.strip("/").split("/")
    regex = ""
    needs_slash = False
    for index, segment in enumerate(segments):
        if segment == "**":
            last = index == len(segments) - 1
            regex += ("(?:/.*)?" if last else "/(?:.*/)?") if needs_slash else (".*" if last else "(?:.*/)?")
            needs_slash = False
            continue
        pieces = re.split(r"(\*+)", segment)
        regex += ("/" if needs_slash else "") + "".join(
            (".*" if len(piece) > 1 else "[^/]*") if piece.startswith("*") else re.escape(piece) for piece in pieces
        )
        needs_slash = True
    return re.compile(regex)


def topic_file_name(title: str) -> str:
    """The topic itself is the file name, as aidocx wrote it; a topic that cannot be one
    on every common system is an error, not a renamed file."""
    unfit = _UNFIT_IN_NAME.search(title)
    if unfit:
        raise AuthoringError(f"topic {title!r} cannot be a file name: it contains {unfit[0]!r}")
    if title in (".", ".."):
        raise AuthoringError(f"topic {title!r} cannot be a file name")
    return title


def load_workzone(
    root: Path,
    *,
    outline: Path | None = None,
    out: Path | None = None,
    language: str | None = None,
    only: tuple[str, ...] = (),
) -> Workzone:
    """Read and check everything; :class:`ContentError` lists every mistake found."""
    if not root.is_dir():
        raise UsageError(f"workzone {root} is not a folder")
    config_path = root / CONFIG
    site, site_problems = load_config(root, hugo_files=not config_path.is_file())
    problems = list(site_problems)
    questions, role, model = _question_list(root, site, outline, language, problems)
    catalogue = outline if outline is not None else root / CATALOGUE
    if not catalogue.is_file():
        raise UsageError(f"the catalogue {catalogue} does not exist")
    assistant = _read_assistant_settings(site.path, problems) if site.path else {}
    translations = _read_translations(root / TRANSLATION, problems) if (root / TRANSLATION).is_file() else {}
    try:
        topics = parse_outline(catalogue, str(catalogue), file_name=topic_file_name)
    except ContentError as error:
        problems.extend(error.diagnostics)
        topics = []
    lessons: list[LessonPlan] = []
    _plan(topics, [], translations, questions, lessons, {}, str(catalogue), problems)
    if problems:
        raise ContentError(problems)
    if out is None:
        out = root / OUTPUT if config_path.is_file() else site.content_dir
    return Workzone(
        root=root,
        out_dir=out,
        cache_dir=root / CACHE,
        questions=questions,
        lessons=lessons,
        selected=_select(lessons, only, catalogue),
        role=role if role is not None else assistant.get("role"),
        model=model if model is not None else assistant.get("model"),
        assistant=assistant,
    )


def _question_list(
    root: Path, site: SiteConfig, outline: Path | None, language: str | None, problems: list[Diagnostic]
) -> tuple[tuple[Question, ...], str | None, str | None]:
    """The questions, system message and model: from ``config.yaml``, else (for a site
    with ``--outline``) the site's question list in *language*."""
    config_path = root / CONFIG
    if config_path.is_file():
        if language is not None:
            raise UsageError(f"--lang chooses a site's question list, but {config_path} has its own")
        return _read_config(config_path, problems)
    if outline is not None:
        language = language or site.language
        return _site_questions(site.question_lists.get(language) or site.question_lists["zh-TW"]), None, None
    raise UsageError(
        f"{root} has no {CONFIG}: a workzone needs {CONFIG} and {CATALOGUE}; "
        "for a site's own question list, give the catalogue with --outline FILE"
    )


def _select(lessons: list[LessonPlan], only: tuple[str, ...], catalogue: Path) -> list[LessonPlan]:
    """The lessons whose topic path matches one of the ``--only`` patterns (all without
    any); a pattern that matches nothing is a usage error."""
    patterns = {pattern: compile_glob(pattern) for pattern in only}
    unmatched = [p for p, regex in patterns.items() if not any(regex.fullmatch(lesson.topic_path) for lesson in lessons)]
    if unmatched:
        raise UsageError(f"--only {unmatched[0]!r} matches no topic of {catalogue} (topics are matched by their path, e.g. 'AI/Machine Learning/**')")
    return [lesson for lesson in lessons if not patterns or any(r.fullmatch(lesson.topic_path) for r in patterns.values())]


def _plan(
    topics: list[Topic],
    folder: list[str],
    translations: dict[str, str],
    questions: tuple[Question, ...],
    lessons: list[LessonPlan],
    cache_owners: dict[str, Topic],
    catalogue: str,
    problems: list[Diagnostic],
) -> None:
    """aidocx's walk: a topic with sub-topics is a folder holding its own page, a topic
    without is a page in its parent's folder; weights count siblings from 1."""
    longest_key = max((len(q.key.encode("utf-8")) for q in questions), default=0)
    for weight, topic in enumerate(topics, start=1):
        name = topic.title
        if len(name.encode("utf-8")) + longest_key + len("_.md") > _NAME_LIMIT:
            problems.append(Diagnostic(catalogue, topic.line, f"topic {name!r} is too long for a file name"))
            continue
        own_folder = [*folder, name] if topic.children else folder
        folder_text = "/".join(own_folder)
        sections = []
        for question in questions:
            if not question.applies_to(folder_text):
                continue
            cache = "/".join([*own_folder, f"{name}_{question.key}.md"])
            owner = cache_owners.setdefault(cache.casefold(), topic)
            if owner is not topic:
                problems.append(
                    Diagnostic(
                        catalogue,
                        topic.line,
                        f"topic {name!r} and topic {owner.title!r} (line {owner.line}) would share the answer file {CACHE}/{cache}",
                    )
                )
            sections.append(Section(question, question.template.fill(name), cache))
        lessons.append(
            LessonPlan(
                path="/".join([*own_folder, f"{name}.md"]),
                topic_path="/".join(own_folder if topic.children else [*folder, name]),
                title=translations.get(name, name),
                weight=weight,
                sections=tuple(sections),
            )
        )
        if topic.children:
            _plan(topic.children, own_folder, translations, questions, lessons, cache_owners, catalogue, problems)


# --- config.yaml ---------------------------------------------------------------------


def _read_config(path: Path, problems: list[Diagnostic]) -> tuple[tuple[Question, ...], str | None, str | None]:
    shown = str(path)
    document = _config_document(path, problems)
    if document is None:
        return (), None, None
    top = _mapping(document, shown, problems)
    model = _string(top.get("apiModal"), "apiModal", shown, problems)
    role = _string(top.get("initRole"), "initRole", shown, problems)
    entry = top.get("questions")
    if entry is None or not isinstance(entry[1], yaml.SequenceNode) or not entry[1].value:
        line = entry[0].start_mark.line + 1 if entry else 1
        problems.append(Diagnostic(shown, line, "questions: expected a list of questions, each with key, desc and template"))
        return (), role, model
    questions: list[Question] = []
    keys: dict[str, int] = {}
    for number, node in enumerate(entry[1].value, start=1):
        question = _read_question(number, node, keys, shown, problems)
        if question is not None:
            questions.append(question)
    return tuple(questions), role, model


def _config_document(path: Path, problems: list[Diagnostic]) -> yaml.MappingNode | None:
    """``config.yaml`` as a YAML node tree (which keeps every line), or None when it
    cannot be read or is not a mapping."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Diagnostic(shown, 1, "invalid UTF-8; save the file as UTF-8"))
        return None
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        problems.append(Diagnostic(shown, mark.line + 1 if mark else 1, f"invalid YAML: {reason}"))
        return None
    if not isinstance(document, yaml.MappingNode):
        line = document.start_mark.line + 1 if document is not None else 1
        problems.append(Diagnostic(shown, line, "expected apiModal, initRole and questions"))
        return None
    return document


def _read_question(number: int, node: yaml.Node, keys: dict[str, int], shown: str, problems: list[Diagnostic]) -> Question | None:
    """Entry *number* of ``questions``; *keys* holds the line of each key read so far
    (a key names cache files, so it must be unique and fit in a file name)."""
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        problems.append(Diagnostic(shown, line, f"question {number}: expected key, desc and template"))
        return None
    fields = _mapping(node, shown, problems)
    missing = [name for name in ("key", "desc", "template") if _scalar(fields.get(name)) is None]
    if missing:
        problems.append(Diagnostic(shown, line, f"question {number}: needs {', '.join(missing)}"))
        return None
    key = _scalar(fields["key"])
    key_line = fields["key"][1].start_mark.line + 1
    if not key or _UNFIT_IN_NAME.search(key):
        problems.append(Diagnostic(shown, key_line, f"question key {key!r} cannot be part of a file name"))
        return None
    if key in keys:
        problems.append(Diagnostic(shown, key_line, f"question key {key!r} is used twice (first on line {keys[key]})"))
        return None
    keys[key] = key_line
    template_node = fields["template"][1]
    try:
        template = parse(_scalar(fields["template"]))
    except TemplateError as error:
        problems.append(Diagnostic(shown, template_node.start_mark.line + 1, f"template of {key!r}: {error} (column {error.column})"))
        return None
    return Question(
        key=key,
        heading=_scalar(fields["desc"]),
        template=template,
        include=_globs(fields.get("include"), "include", shown, problems),
        exclude=_globs(fields.get("exclude"), "exclude", shown, problems),
    )


Entry = tuple[yaml.Node, yaml.Node]


def _mapping(node: yaml.MappingNode, shown: str, problems: list[Diagnostic]) -> dict[str, Entry]:
    """Key → (key node, value node); a key given twice is an error, as in Go's YAML."""
    entries: dict[str, Entry] = {}
    for key_node, value_node in node.value:
        name = str(key_node.value)
        if name in entries:
            problems.append(
                Diagnostic(shown, key_node.start_mark.line + 1, f"{name!r} is given twice (first on line {entries[name][0].start_mark.line + 1})")
            )
            continue
        entries[name] = (key_node, value_node)
    return entries


def _scalar(entry: Entry | None) -> str | None:
    """The text of a scalar as written (``1`` and ``yes`` stay text, as Go reads them
    into a string field); None for a missing value, a null or a non-scalar."""
    if entry is None or not isinstance(entry[1], yaml.ScalarNode) or entry[1].tag == _NULL_TAG:
        return None
    return entry[1].value


def _string(entry: Entry | None, name: str, shown: str, problems: list[Diagnostic]) -> str | None:
    if entry is not None and not isinstance(entry[1], yaml.ScalarNode):
        problems.append(Diagnostic(shown, entry[1].start_mark.line + 1, f"{name}: expected text"))
    return _scalar(entry)


def _globs(entry: Entry | None, name: str, shown: str, problems: list[Diagnostic]) -> tuple[re.Pattern[str], ...]:
    if entry is None or (isinstance(entry[1], yaml.ScalarNode) and entry[1].tag == _NULL_TAG):
        return ()
    node = entry[1]
    if not isinstance(node, yaml.SequenceNode) or not all(isinstance(item, yaml.ScalarNode) for item in node.value):
        problems.append(Diagnostic(shown, node.start_mark.line + 1, f'{name}: expected a list of folder patterns, e.g. ["Machine Learning/**"]'))
        return ()
    return tuple(compile_glob(item.value) for item in node.value)


def _site_questions(items) -> tuple[Question, ...]:
    """A site's question list: ``{keyword}`` placeholders, the kind as the cache key
    (``test``, then ``test-2`` for a second test section)."""
    questions = []
    seen: dict[str, int] = {}
    for item in items:
        seen[item.kind] = seen.get(item.kind, 0) + 1
        key = item.kind if seen[item.kind] == 1 else f"{item.kind}-{seen[item.kind]}"
        pieces: list[str | None] = []
        for index, text in enumerate(item.prompt.split("{keyword}")):
            if index:
                pieces.append(None)
            if text:
                pieces.append(text)
        questions.append(Question(key=key, heading=item.heading, template=Template(tuple(pieces))))
    return tuple(questions)


# --- translation.json and [assistant] ---------------------------------------------------


def _read_translations(path: Path, problems: list[Diagnostic]) -> dict[str, str]:
    """Topic → page title. A topic given twice takes its last title, as aidocx (Go's
    JSON) read it."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError:
        problems.append(Diagnostic(shown, 1, "invalid UTF-8; save the file as UTF-8"))
        return {}
    except json.JSONDecodeError as error:
        problems.append(Diagnostic(shown, error.lineno, f"invalid JSON: {error.msg}"))
        return {}
    if not isinstance(data, dict):
        problems.append(Diagnostic(shown, 1, 'expected an object of topics and titles, e.g. {"Machine Learning": "機器學習"}'))
        return {}
    for topic, title in data.items():
        if not isinstance(title, str):
            problems.append(Diagnostic(shown, _line_of(text, json.dumps(topic, ensure_ascii=False)), f"the title of {topic!r} must be text"))
    return {topic: title for topic, title in data.items() if isinstance(title, str)}


def _read_assistant_settings(path: Path, problems: list[Diagnostic]) -> dict[str, str | float]:
    """``[assistant]`` of the site config: base_url, api_key, model, role, timeout."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        table = tomllib.loads(text).get("assistant", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # load_config has reported it
    line = _line_of(text, "[assistant]")
    if not isinstance(table, dict):
        problems.append(Diagnostic(shown, line, "[assistant] must be a table"))
        return {}
    settings: dict[str, str | float] = {}
    for name, value in table.items():
        if name not in ASSISTANT_SETTINGS:
            problems.append(Diagnostic(shown, line, f"assistant.{name} is not a setting (settings: {', '.join(ASSISTANT_SETTINGS)})"))
        elif name == "timeout":
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                problems.append(Diagnostic(shown, line, "assistant.timeout: expected a number of seconds"))
            else:
                settings[name] = float(value)
        elif not isinstance(value, str):
            problems.append(Diagnostic(shown, line, f"assistant.{name}: expected text"))
        else:
            settings[name] = value
    return settings


def _line_of(text: str, needle: str) -> int:
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


"""Site configuration: a Hugo config file read as Hugo reads it, and ``studysite.toml``
on top of it.

Hugo's file is the first of :data:`HUGO_CONFIG_NAMES` found (TOML, YAML or JSON). Keys
are case-insensitive, as in Hugo (``[Languages]`` is ``[languages]``), and a key belongs
to the table it sits in, exactly as the file format says: ``defaultContentLanguage``
written under ``[outputs]`` is not the site's default language, and ``check`` says so.
Unknown keys are ignored. Every setting has a default, so a folder holding only
``content/`` is a site.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.content.frontmatter import cast_bool, cast_weight
from generator.content.structure import DEFAULT_HEADING_KINDS, KINDS, normalize_heading
from generator.errors import Diagnostic
from generator.languages import LANGUAGES, normalize_language

HUGO_CONFIG_NAMES = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml", "config.json")
"""Hugo's own config files, in the order Hugo looks for them; it reads the first found."""
STUDYSITE_CONFIG = "studysite.toml"
CONFIG_NAMES = (STUDYSITE_CONFIG, *HUGO_CONFIG_NAMES)
HUGO_DEFAULT_LANGUAGE = "en"
"""Hugo's ``defaultContentLanguage`` when the config does not set it."""

_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_TOML_DOTTED = re.compile(rf"\s*({_TOML_KEY}(?:\s*\.\s*{_TOML_KEY})*)\s*")
_TOML_PART = re.compile(_TOML_KEY)

_ROOT_ONLY_KEYS = frozenset({
    "baseurl", "languagecode", "defaultcontentlanguage", "defaultcontentlanguageinsubdir",
    "disablepathtolower", "languages", "disablelanguages", "theme",
})  # fmt: skip
"""Hugo settings that count only at the top of the file (or, for some, in a language's
table), and mean nothing anywhere else (``title`` does: in a menu entry)."""
_LANGUAGE_KEYS = frozenset({
    "title", "languagecode", "baseurl", "params", "contentdir", "weight", "languagename", "disabled",
    "languagedirection", "menus", "timezone",
})  # fmt: skip
"""Settings a ``[languages.<key>]`` table may hold."""


@dataclass(frozen=True)
class QuestionItem:
    """One entry of the question list: a section kind, its heading, and the prompt that
    produces it, with ``{keyword}`` standing for the lesson's topic."""

    kind: str
    heading: str
    prompt: str


DEFAULT_QUESTION_LISTS: dict[str, tuple[QuestionItem, ...]] = {
    "zh-TW": (
        QuestionItem("preview", "習題預習", "給我5題{keyword}的中文問題"),
        QuestionItem("explanation", "說明知識", "以中文說明{keyword}並舉例"),
        QuestionItem("keypoints", "條列重點", "以中文條列{keyword}的重點"),
        QuestionItem("test", "知識測驗", "以中文給我5題{keyword}的中等難度問題，並在後面列出答案"),
    ),
    "zh-CN": (
        QuestionItem("preview", "习题预习", "给我5题{keyword}的中文问题"),
        QuestionItem("explanation", "说明知识", "以中文说明{keyword}并举例"),
        QuestionItem("keypoints", "条列重点", "以中文条列{keyword}的重点"),
        QuestionItem("test", "知识测验", "以中文给我5题{keyword}的中等难度问题，并在后面列出答案"),
    ),
    "en": (
        QuestionItem("preview", "Preview", "give me five question about {keyword}"),
        QuestionItem("explanation", "Explain", "Explain {keyword} and give an example"),
        QuestionItem("keypoints", "Keypoint", "List the key points of {keyword}"),
        QuestionItem("test", "Review", "Give me 5 medium-difficulty questions with answers about {keyword}"),
    ),
}
"""The house question list, as the real lessons use it."""


@dataclass(frozen=True)
class Language:
    """One language of a site, as Hugo's ``[languages.<key>]`` table gives it."""

    key: str
    """The table's key, lower-cased as Hugo does (``zh-cn``): the URL prefix, ``hreflang``
    and Hugo's ``.Lang``; '' for a site without languages."""
    content_root: str = "content"
    """Its content folder, relative to the site folder."""
    prefix: str = ""
    """Where its pages go below the site root: '' or ``zh-cn/``."""
    interface: str = "zh-TW"
    """Its interface words: one of LANGUAGES."""
    name: str = ""
    """``languageName``, shown in the language menu."""
    title: str = ""
    """The site's title in this language."""
    weight: int = 0
    place: tuple[str, int] = ("", 1)
    """The config file and line of its table, for messages."""
    description: str = ""
    """``params.description``, its own (``[languages.<key>.params]``) or else the site's:
    the home page opens with it."""


@dataclass
class SiteConfig:
    root: Path
    path: Path | None = None
    title: str = "studysite"
    base_url: str = "/"
    language: str = "zh-TW"
    unsafe_html: bool = False
    hard_wraps: bool = False
    """goldmark's ``hardWraps``: a line break inside a paragraph is a ``<br>``."""
    lower_case_paths: bool = True
    """False with Hugo's ``disablePathToLower``."""
    heading_kinds: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HEADING_KINDS))
    params: dict[str, Any] = field(default_factory=dict)
    question_lists: dict[str, tuple[QuestionItem, ...]] = field(default_factory=lambda: dict(DEFAULT_QUESTION_LISTS))
    configured_languages: tuple[Language, ...] = ()
    default_language: str = ""
    """``defaultContentLanguage`` (a key of ``configured_languages``)."""
    warnings: list[Diagnostic] = field(default_factory=list)
    """Settings Hugo would ignore where they are, for ``check``."""
    outputs: dict[str, tuple[tuple[str, ...], tuple[str, int]]] = field(default_factory=dict)
    """Hugo's ``[outputs]``: each page kind's output formats, and where the config lists
    them. studysite builds HTML only; ``export-hugo`` carries them over."""
    check_ignore: tuple[str, ...] = ()
    """``[check] ignore``: the codes of the warnings nobody wants to see."""
    check_ignore_place: tuple[str, int] = ("", 1)
    """The config file and line of that list, for messages about it."""

    @property
    def languages(self) -> tuple[Language, ...]:
        """The site's languages, ordered by weight; one, without a key, for a site without
        ``[languages]``."""
        if self.configured_languages:
            return self.configured_languages
        return (Language("", interface=self.language, title=self.title, description=_description(self.params)),)

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1

    @property
    def default(self) -> Language:
        return next((language for language in self.languages if language.key == self.default_language), self.languages[0])

    @property
    def content_dir(self) -> Path:
        """The default language's content folder (where ``new`` writes)."""
        return self.root / self.default.content_root

    def interface_language(self, language: Language, stated: str | None, detected: str | None) -> str:
        """The interface words of a lesson's page: the ``lang`` its front matter states;
        on a site without languages, the language of its headings next; else its
        language's."""
        lesson_lang = stated if self.multilingual else detected
        return normalize_language(lesson_lang) or language.interface


@dataclass
class _Source:
    """The config as read: lower-cased keys, and where each key was written."""

    data: dict[str, Any] = field(default_factory=dict)
    places: dict[tuple[str, ...], tuple[str, int, str]] = field(default_factory=dict)
    """Lower-cased key path → (file, line, the key as written)."""
    files: list[str] = field(default_factory=list)

    def where(self, *path: str) -> tuple[str, int]:
        """File and line of *path*, or of its nearest written parent."""
        for end in range(len(path), 0, -1):
            place = self.places.get(path[:end])
            if place is not None:
                return place[0], place[1]
        return (self.files[0] if self.files else ""), 1

    def diagnostic(self, path: tuple[str, ...], message: str, severity: str = "error", code: str = "config") -> Diagnostic:
        file, line = self.where(*path)
        return Diagnostic(file, line, message, severity=severity, code=code)


def load_config(root: Path, *, hugo_files: bool = True) -> tuple[SiteConfig, list[Diagnostic]]:
    """The site's config and the errors in it (the warnings are in ``config.warnings``).
    Without *hugo_files* only ``studysite.toml`` is read: a generate workzone's
    ``config.yaml`` is its question list, not a Hugo config."""
    config = SiteConfig(root)
    source = _Source()
    names = [name for name in HUGO_CONFIG_NAMES if (root / name).is_file()][:1] if hugo_files else []
    if (root / STUDYSITE_CONFIG).is_file():
        names.append(STUDYSITE_CONFIG)
    for name in names:
        try:
            data, places = _read_file(root / name)
        except _ConfigFileError as error:
            return config, [Diagnostic(name, error.line, error.message, code="config")]
        _merge(source.data, data)
        source.places.update(places)
        source.files.append(name)
    if names:
        config.path = root / names[-1]
    problems = _apply(config, source)
    config.warnings.extend(_misplaced_keys(source))
    return config, problems


class _ConfigFileError(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def _read_file(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], tuple[str, int, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _ConfigFileError(1, "invalid UTF-8; save the file as UTF-8") from None
    except OSError as error:
        raise _ConfigFileError(1, f"cannot read the file: {error.strerror}") from None
    if path.suffix == ".toml":
        data, lines = _parse_toml(text)
    elif path.suffix == ".json":
        data, lines = _parse_json(text)
    else:
        data, lines = _parse_yaml(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _ConfigFileError(1, "the config must be a table of settings")
    name = path.name
    places = {tuple(k.lower() for k in key): (name, line, key[-1]) for key, line in lines.items()}
    return _lower_keys(data), places


def _parse_toml(text: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """The settings of a TOML file and the line of each key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_LINE.search(str(error))
        reason = _TOML_LINE.sub("", str(error)).strip()
        raise _ConfigFileError(int(match.group(1)) if match else 1, f"invalid TOML: {reason}") from None
    return data, _toml_key_lines(text)


def _parse_json(text: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """The settings of a JSON file and the line of each key."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _ConfigFileError(error.lineno, f"invalid JSON: {error.msg}") from None
    return data, _yaml_key_lines(text)  # JSON is YAML, as far as finding keys goes


def _parse_yaml(text: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """The settings of a YAML file and the line of each key."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise _ConfigFileError(mark.line + 1 if mark is not None else 1, f"invalid YAML: {reason}") from None
    return data, _yaml_key_lines(text)


def _lower_keys(data: Any, parent: str = "") -> Any:
    # Hugo's keys are case-insensitive; the headings table's keys are headings, not keys.
    if not isinstance(data, dict) or parent == "headings":
        return data
    return {str(key).lower(): _lower_keys(value, str(key).lower()) for key, value in data.items()}


def _merge(base: dict[str, Any], top: dict[str, Any]) -> None:
    """studysite.toml on top of Hugo's file: tables merge, other values replace."""
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _toml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each key of a TOML file (that parsed), by its full path."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string = None
    for number, line in enumerate(text.split("\n"), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        stripped = line.strip()
        if stripped.startswith("["):
            header = _TOML_DOTTED.match(stripped.strip("[]").strip())
            if header:
                table = _toml_parts(header.group(1))
                found.setdefault(table, number)
            continue
        if "=" not in stripped:
            continue
        key = _TOML_DOTTED.match(line)
        if key and line[key.end() : key.end() + 1] == "=":
            found.setdefault(table + _toml_parts(key.group(1)), number)
            for quotes in ('"""', "'''"):
                if line[key.end() :].count(quotes) % 2 == 1:
                    in_string = quotes
    return found


def _toml_parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _TOML_PART.findall(dotted))


def _yaml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    import yaml

    found: dict[tuple[str, ...], int] = {}

    def walk(node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    found.setdefault(path + (key.value,), key.start_mark.line + 1)
                    walk(value, path + (key.value,))

    try:
        walk(yaml.compose(text), ())
    except yaml.YAMLError:
        pass  # the values were read; only the line numbers are missing
    return found


def _apply(config: SiteConfig, source: _Source) -> list[Diagnostic]:
    data = source.data
    problems: list[Diagnostic] = []
    if "title" in data:
        config.title = str(data["title"])
    base_url = data.get("baseurl", data.get("base_url"))
    if base_url is not None:
        config.base_url = str(base_url)
    language_key = "languagecode" if "languagecode" in data else "language"
    language = data.get(language_key)
    if language is not None:
        normalized = normalize_language(str(language))
        if normalized is None:
            problems.append(source.diagnostic((language_key,), f"language {language!r} is not one of {', '.join(LANGUAGES)}"))
        else:
            config.language = normalized
    renderer = _table(_table(_table(data, "markup"), "goldmark"), "renderer")
    unsafe = data.get("unsafe", renderer.get("unsafe"))
    if unsafe is not None:
        config.unsafe_html = bool(unsafe)
    if renderer.get("hardwraps") is not None:
        config.hard_wraps = bool(renderer["hardwraps"])
    if data.get("disablepathtolower") is not None:
        config.lower_case_paths = not bool(data["disablepathtolower"])
    headings = data.get("headings", {})
    if isinstance(headings, dict):
        for heading, kind in headings.items():
            if kind not in KINDS:
                problems.append(source.diagnostic(("headings", heading), f"heading {heading!r}: kind {kind!r} is not one of {', '.join(KINDS)}"))
                continue
            config.heading_kinds[normalize_heading(str(heading))] = kind
    params = data.get("params", {})
    if isinstance(params, dict):
        config.params = params
    for kind, formats in _table(data, "outputs").items():
        if isinstance(formats, list):
            config.outputs[kind] = (tuple(str(name) for name in formats), source.where("outputs", kind))
    problems.extend(_read_question_lists(config, source))
    problems.extend(_read_languages(config, source))
    problems.extend(_read_check(config, source))
    return problems


def _read_check(config: SiteConfig, source: _Source) -> list[Diagnostic]:
    """``[check] ignore = ["missing-section"]``: warnings the site does not want."""
    ignore = _table(source.data, "check").get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(code, str) for code in ignore):
        return [source.diagnostic(("check", "ignore"), 'check.ignore must be a list of warning codes, such as ["missing-section"]')]
    config.check_ignore = tuple(ignore)
    config.check_ignore_place = source.where("check", "ignore")
    return []


def _description(params: dict[str, Any]) -> str:
    value = params.get("description")
    return str(value).strip() if value is not None else ""


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _read_languages(config: SiteConfig, source: _Source) -> list[Diagnostic]:
    """Hugo's ``[languages]``: each language's content folder, URL prefix and names."""
    data = source.data
    tables = _table(data, "languages")
    if not tables:
        return []
    problems: list[Diagnostic] = []
    default = str(data.get("defaultcontentlanguage", HUGO_DEFAULT_LANGUAGE)).lower()
    in_subdir = _default_language_in_subdir(source, problems)
    disabled_keys = {str(key).lower() for key in data.get("disablelanguages", []) or []}
    found: list[Language] = []
    for key, table in tables.items():
        language = _read_language(config, source, key, table, default=default, in_subdir=in_subdir, disabled_keys=disabled_keys, problems=problems)
        if language is not None:
            found.append(language)
    if problems:
        return problems
    if default not in {language.key for language in found}:
        where = ("defaultcontentlanguage",) if "defaultcontentlanguage" in data else ("languages",)
        return [source.diagnostic(where, f"defaultContentLanguage {default!r} is not one of the languages ({', '.join(sorted(tables))})")]
    problems = _shared_content_folders(found, source)
    config.configured_languages = tuple(sorted(found, key=lambda language: (language.weight, language.key)))
    config.default_language = default
    config.language = next(language.interface for language in found if language.key == default)
    return problems


def _default_language_in_subdir(source: _Source, problems: list[Diagnostic]) -> bool:
    """Hugo's ``defaultContentLanguageInSubdir``; a value that is not a boolean is a problem."""
    try:
        return cast_bool(source.data.get("defaultcontentlanguageinsubdir", False))
    except ValueError as error:
        problems.append(source.diagnostic(("defaultcontentlanguageinsubdir",), f"defaultContentLanguageInSubdir {error}"))
        return False


def _read_language(
    config: SiteConfig, source: _Source, key: str, table: Any, *, default: str, in_subdir: bool, disabled_keys: set[str], problems: list[Diagnostic]
) -> Language | None:
    """One ``[languages.<key>]`` table, or None when it is disabled or wrong (and then
    ``problems`` says why)."""
    where = ("languages", key)
    if not isinstance(table, dict):
        problems.append(source.diagnostic(where, f"languages.{key} must be a table such as [languages.{key}]"))
        return None
    try:
        disabled = cast_bool(table.get("disabled", False))
        weight = cast_weight(table.get("weight", 0))
    except ValueError as error:
        problems.append(source.diagnostic(where, f"languages.{key}: {error}"))
        return None
    if disabled or key in disabled_keys:
        if key == default:
            problems.append(source.diagnostic(where, f"languages.{key} is the default language (defaultContentLanguage) and cannot be disabled"))
        return None
    content_root = _content_root(table.get("contentdir"))
    if content_root is None:
        problems.append(source.diagnostic(where + ("contentdir",), f"languages.{key}.contentDir must be a folder inside the site, such as \"content/{key}\""))
        return None
    if not (config.root / content_root).is_dir():
        problems.append(source.diagnostic(where + ("contentdir",), f"languages.{key}: content folder {content_root}/ does not exist"))
        return None
    interface = _interface_language(config, source, key, table)
    prefix = "" if key == default and not in_subdir else f"{key}/"
    title = str(table.get("title", config.title))
    name = str(table.get("languagename") or key)
    description = _description(_table(table, "params")) or _description(config.params)
    return Language(key, content_root, prefix, interface, name, title, weight, source.where(*where), description)


def _interface_language(config: SiteConfig, source: _Source, key: str, table: dict[str, Any]) -> str:
    """The language of a Hugo language's interface words: its ``languageCode``, else its
    key, else English with a warning."""
    code = table.get("languagecode")
    interface = normalize_language(str(code)) if code else None
    interface = interface or normalize_language(key)
    if interface is None:
        config.warnings.append(
            source.diagnostic(("languages", key), f"languages.{key}: studysite has no interface words for {key!r}; its pages use English ones", "warning", "config-language")
        )
        interface = "en"
    return interface


def _shared_content_folders(found: list[Language], source: _Source) -> list[Diagnostic]:
    """Two languages reading one content folder, or one inside another's, would each
    publish the other's lessons."""
    problems = []
    roots: dict[str, str] = {}
    for language in found:
        where = ("languages", language.key, "contentdir")
        other = roots.setdefault(language.content_root, language.key)
        if other != language.key:
            problems.append(
                source.diagnostic(where, f"languages.{language.key} and languages.{other} share the content folder {language.content_root}/; give each language its own contentDir")
            )
        for outer in found:
            if language.content_root.startswith(outer.content_root + "/"):
                problems.append(
                    source.diagnostic(where, f"languages.{language.key}: its content folder {language.content_root}/ is inside languages.{outer.key}'s {outer.content_root}/; give each language a folder of its own")
                )
    return problems


def _content_root(value: Any) -> str | None:
    """A language's content folder relative to the site (Hugo's default: ``content``)."""
    if value is None:
        return "content"
    parts = [part for part in str(value).replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or ".." in parts or str(value).startswith("/"):
        return None
    return "/".join(parts)


def _misplaced_keys(source: _Source) -> list[Diagnostic]:
    """Settings that Hugo ignores because of the table they were written in."""
    warnings = []
    for path, (file, line, written) in sorted(source.places.items(), key=lambda item: item[1][:2]):
        if len(path) < 2 or path[-1] not in _ROOT_ONLY_KEYS or "params" in path[:-1]:
            continue
        if len(path) == 3 and path[0] == "languages" and path[-1] in _LANGUAGE_KEYS:
            continue
        table = ".".join(path[:-1])
        warnings.append(
            Diagnostic(
                file, line,
                f"{written} sits in the [{table}] table, where Hugo ignores it; move it above the first table to set it for the site",
                severity="warning", code="config-ignored",
            )
        )
    return warnings


def _read_question_lists(config: SiteConfig, source: _Source) -> list[Diagnostic]:
    """``[[questions.zh-TW]]`` tables with kind, heading and prompt replace a language's list."""
    tables = source.data.get("questions", {})
    if not isinstance(tables, dict):
        return [source.diagnostic(("questions",), "questions must be a table of languages, e.g. [[questions.zh-TW]]")]
    problems = []
    for language, items in tables.items():
        where = ("questions", language)
        normalized = normalize_language(language)
        if normalized is None:
            problems.append(source.diagnostic(where, f"questions.{language}: language is not one of {', '.join(LANGUAGES)}"))
            continue
        entries = []
        for position, item in enumerate(items if isinstance(items, list) else [], start=1):
            missing = [key for key in ("kind", "heading", "prompt") if not isinstance(item.get(key), str)]
            if missing:
                problems.append(source.diagnostic(where, f"questions.{language} entry {position}: needs {', '.join(missing)}"))
            elif item["kind"] not in KINDS:
                problems.append(
                    source.diagnostic(where, f"questions.{language} entry {position}: kind {item['kind']!r} is not one of {', '.join(KINDS)}")
                )
            else:
                entries.append(QuestionItem(item["kind"], item["heading"], item["prompt"]))
        if entries:
            config.question_lists[normalized] = tuple(entries)
            for entry in entries:
                config.heading_kinds.setdefault(normalize_heading(entry.heading), entry.kind)
    return problems

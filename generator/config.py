"""Site configuration: ``studysite.toml``, or a Hugo ``hugo.toml``/``config.toml``.

Every setting has a default, so a folder holding only ``content/`` is a site.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.content.structure import DEFAULT_HEADING_KINDS, KINDS, normalize_heading
from generator.errors import Diagnostic
from generator.languages import LANGUAGES, normalize_language

CONFIG_NAMES = ("studysite.toml", "hugo.toml", "config.toml")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


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
    line: int = 1
    """The config line of its table, for messages."""


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

    @property
    def languages(self) -> tuple[Language, ...]:
        """The site's languages, ordered by weight; one, without a key, for a site without
        ``[languages]``."""
        if self.configured_languages:
            return self.configured_languages
        return (Language("", interface=self.language, title=self.title),)

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

    @property
    def display_path(self) -> str:
        return self.path.name if self.path else ""


def load_config(root: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    config = SiteConfig(root)
    for name in CONFIG_NAMES:
        candidate = root / name
        if candidate.is_file():
            config.path = candidate
            break
    else:
        return config, []
    try:
        data = tomllib.loads(config.path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        return config, [Diagnostic(config.display_path, 1, "invalid UTF-8; save the file as UTF-8", code="config")]
    except tomllib.TOMLDecodeError as error:
        match = _TOML_LINE.search(str(error))
        reason = _TOML_LINE.sub("", str(error)).strip()
        line = int(match.group(1)) if match else 1
        return config, [Diagnostic(config.display_path, line, f"invalid TOML: {reason}", code="config")]
    return config, _apply(config, {str(k).lower(): v for k, v in data.items()})


def _apply(config: SiteConfig, data: dict[str, Any]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    where = config.display_path
    if "title" in data:
        config.title = str(data["title"])
    base_url = data.get("baseurl", data.get("base_url"))
    if base_url is not None:
        config.base_url = str(base_url)
    language = data.get("languagecode", data.get("language"))
    if language is not None:
        normalized = normalize_language(str(language))
        if normalized is None:
            problems.append(Diagnostic(where, 1, f"language {language!r} is not one of {', '.join(LANGUAGES)}", code="config"))
        else:
            config.language = normalized
    markup = data.get("markup", {})
    goldmark_unsafe = markup.get("goldmark", {}).get("renderer", {}).get("unsafe") if isinstance(markup, dict) else None
    unsafe = data.get("unsafe", goldmark_unsafe)
    if unsafe is not None:
        config.unsafe_html = bool(unsafe)
    headings = data.get("headings", {})
    if isinstance(headings, dict):
        for heading, kind in headings.items():
            if kind not in KINDS:
                problems.append(Diagnostic(where, 1, f"heading {heading!r}: kind {kind!r} is not one of {', '.join(KINDS)}", code="config"))
                continue
            config.heading_kinds[normalize_heading(str(heading))] = kind
    params = data.get("params", {})
    if isinstance(params, dict):
        config.params = params
    problems.extend(_read_question_lists(config, data.get("questions", {})))
    return problems


def _read_question_lists(config: SiteConfig, tables: Any) -> list[Diagnostic]:
    """``[[questions.zh-TW]]`` tables with kind, heading and prompt replace a language's list."""
    where = config.display_path
    if not isinstance(tables, dict):
        return [Diagnostic(where, 1, "questions must be a table of languages, e.g. [[questions.zh-TW]]", code="config")]
    problems = []
    for language, items in tables.items():
        normalized = normalize_language(language)
        if normalized is None:
            problems.append(Diagnostic(where, 1, f"questions.{language}: language is not one of {', '.join(LANGUAGES)}", code="config"))
            continue
        entries = []
        for position, item in enumerate(items if isinstance(items, list) else [], start=1):
            missing = [key for key in ("kind", "heading", "prompt") if not isinstance(item.get(key), str)]
            if missing:
                problems.append(Diagnostic(where, 1, f"questions.{language} entry {position}: needs {', '.join(missing)}", code="config"))
            elif item["kind"] not in KINDS:
                problems.append(
                    Diagnostic(where, 1, f"questions.{language} entry {position}: kind {item['kind']!r} is not one of {', '.join(KINDS)}", code="config")
                )
            else:
                entries.append(QuestionItem(item["kind"], item["heading"], item["prompt"]))
        if entries:
            config.question_lists[normalized] = tuple(entries)
            for entry in entries:
                config.heading_kinds.setdefault(normalize_heading(entry.heading), entry.kind)
    return problems

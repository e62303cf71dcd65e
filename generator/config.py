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


@dataclass
class SiteConfig:
    root: Path
    path: Path | None = None
    title: str = "studysite"
    base_url: str = "/"
    language: str = "zh-TW"
    unsafe_html: bool = False
    heading_kinds: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HEADING_KINDS))
    params: dict[str, Any] = field(default_factory=dict)
    question_lists: dict[str, tuple[QuestionItem, ...]] = field(default_factory=lambda: dict(DEFAULT_QUESTION_LISTS))

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

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

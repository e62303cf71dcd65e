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

CONFIG_NAMES = ("studysite.toml", "hugo.toml", "config.toml")
LANGUAGES = ("zh-TW", "zh-CN", "en")

_LANGUAGE_ALIASES = {
    "zh-tw": "zh-TW", "zh-hant": "zh-TW", "zh-hk": "zh-TW", "zh-hant-tw": "zh-TW",
    "zh-cn": "zh-CN", "zh-hans": "zh-CN", "zh-sg": "zh-CN", "zh": "zh-CN", "zh-hans-cn": "zh-CN",
}  # fmt: skip
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def normalize_language(code: str | None) -> str | None:
    """One of :data:`LANGUAGES` for a language code such as ``zh-tw`` or ``en-US``."""
    if not code:
        return None
    lowered = code.strip().lower().replace("_", "-")
    if lowered in _LANGUAGE_ALIASES:
        return _LANGUAGE_ALIASES[lowered]
    if lowered.startswith("en"):
        return "en"
    return None


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
        return config, [Diagnostic(config.display_path, 1, "invalid UTF-8; save the file as UTF-8")]
    except tomllib.TOMLDecodeError as error:
        match = _TOML_LINE.search(str(error))
        reason = _TOML_LINE.sub("", str(error)).strip()
        line = int(match.group(1)) if match else 1
        return config, [Diagnostic(config.display_path, line, f"invalid TOML: {reason}")]
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
            problems.append(Diagnostic(where, 1, f"language {language!r} is not one of {', '.join(LANGUAGES)}"))
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
                problems.append(Diagnostic(where, 1, f"heading {heading!r}: kind {kind!r} is not one of {', '.join(KINDS)}"))
                continue
            config.heading_kinds[normalize_heading(str(heading))] = kind
    params = data.get("params", {})
    if isinstance(params, dict):
        config.params = params
    return problems

"""The interface languages studysite speaks, and how language codes map onto them.

The one table of languages: configuration, lessons, interface words, plot captions and the
command line all read it. Any code a Hugo site or a lesson may give (``zh-tw``,
``zh-Hant``, ``en-US``, ``zh_CN``) maps to one of :data:`LANGUAGES`.
"""

from __future__ import annotations

LANGUAGES = ("zh-TW", "zh-CN", "en")
"""Traditional Chinese, Simplified Chinese, English: the languages of the real lessons."""

_ALIASES = {
    "zh-tw": "zh-TW", "zh-hant": "zh-TW", "zh-hk": "zh-TW", "zh-hant-tw": "zh-TW",
    "zh-cn": "zh-CN", "zh-hans": "zh-CN", "zh-sg": "zh-CN", "zh": "zh-CN", "zh-hans-cn": "zh-CN",
}  # fmt: skip


def normalize_language(code: str | None) -> str | None:
    """One of :data:`LANGUAGES` for a language code such as ``zh-tw`` or ``en-US``."""
    if not code:
        return None
    lowered = code.strip().lower().replace("_", "-")
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    if lowered.startswith("en"):
        return "en"
    return None

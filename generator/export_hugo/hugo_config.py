"""The exported site's ``hugo.toml`` and ``i18n/`` files, made from the site's config.

What studysite reads from a config is written back for Hugo (title, baseURL, languages
with their content folders, params, goldmark's hardWraps and unsafe,
disablePathToLower), plus the settings that make Hugo publish what studysite publishes:
lessons whatever their dates, no tag pages, no typographer turning ``--`` into a dash.
"""

from __future__ import annotations

from generator.config import SiteConfig
from generator.errors import Diagnostic
from generator.i18n import strings_for

from . import toml

OUTPUT_FORMATS = ("html", "rss", "json")
"""Output formats the export has layouts for: ours for HTML and JSON, Hugo's own for RSS."""
PAGE_KINDS = ("home", "section", "page")
"""Hugo's page kinds the export publishes (tags and other taxonomies make no pages in
studysite, so their kinds are disabled)."""

INTERFACE_WORDS = (
    "home", "user_ask", "chatgpt_answer", "ask_chatgpt", "show_answer", "previous", "next", "lessons",
    "languages", "not_found_title", "not_found_text", "back_home", "contents",
)  # fmt: skip
"""The entries of :mod:`generator.i18n` the exported layouts show."""


def language_keys(config: SiteConfig) -> list[str]:
    """Hugo's key of each language: the config's own, or for a site without languages
    one made from its ``languageCode``, so that the layouts find their words."""
    if config.configured_languages:
        return [language.key for language in config.languages]
    return [config.language.lower()]


def hugo_config(config: SiteConfig) -> tuple[str, list[Diagnostic]]:
    """The text of ``hugo.toml``, and a note for each output format left out."""
    keys = language_keys(config)
    root: dict = {
        "baseURL": config.base_url,
        "title": config.title,
        "languageCode": config.language,
        "defaultContentLanguage": config.default_language or keys[0],
        "defaultContentLanguageInSubdir": bool(config.default.prefix),
    }
    if not config.lower_case_paths:
        root["disablePathToLower"] = True
    root.update(
        buildFuture=True,
        buildExpired=True,
        disableKinds=["taxonomy", "term"],
    )
    lines = [
        "# Written by studysite export-hugo from the site's config; build with `hugo`.",
        *toml.assignments(root),
    ]
    outputs, notes = _outputs(config)
    if outputs:
        lines += ["", "[outputs]", *toml.assignments(outputs)]
    if config.configured_languages:
        for language in config.languages:
            table = {
                "contentDir": language.content_root,
                "weight": language.weight,
                "languageName": language.name,
                "title": language.title,
                "languageCode": language.interface,
            }
            lines += ["", f"[languages.{toml.key(language.key)}]", *toml.assignments(table)]
    if config.params:
        lines += ["", "[params]", *toml.assignments(config.params)]
    lines += [
        "",
        "[markup.goldmark.renderer]",
        *toml.assignments({"hardWraps": config.hard_wraps, "unsafe": config.unsafe_html}),
        "",
        "[markup.goldmark.extensions]",
        "typographer = false",
    ]
    return "\n".join(lines) + "\n", notes


def _outputs(config: SiteConfig) -> tuple[dict[str, list[str]], list[Diagnostic]]:
    kept: dict[str, list[str]] = {}
    notes = []
    for kind, (formats, (file, line)) in config.outputs.items():
        if kind not in PAGE_KINDS:
            continue
        dropped = [name for name in formats if name.lower() not in OUTPUT_FORMATS]
        kept[kind] = [name for name in formats if name.lower() in OUTPUT_FORMATS]
        if dropped:
            notes.append(
                Diagnostic(
                    file, line,
                    f"outputs.{kind}: {', '.join(dropped)} left out of the Hugo site, which has layouts for "
                    f"{', '.join(name.upper() for name in OUTPUT_FORMATS)} only",
                    severity="note", code="export-hugo",
                )
            )
    return kept, notes


def i18n_files(config: SiteConfig) -> dict[str, str]:
    """``i18n/<language>.toml`` for each language: the interface words of its pages."""
    interfaces = [language.interface for language in config.languages] if config.configured_languages else [config.language]
    files = {}
    for key, interface in zip(language_keys(config), interfaces):
        words = strings_for(interface)
        files[f"i18n/{key}.toml"] = "\n".join(toml.assignments({name: words[name] for name in INTERFACE_WORDS})) + "\n"
    return files

"""The Jinja2 environment: the site's own templates first, then the bundled ones."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from generator.resources import bundled_dir

CHATGPT_URL = "https://chatgpt.com/?q="


def template_dirs(site_root: Path) -> list[Path]:
    dirs = []
    own = site_root / "templates"
    bundled = bundled_dir("templates")
    if own.is_dir() and own.resolve() != bundled.resolve():
        dirs.append(own)
    dirs.append(bundled)
    return dirs


def create_environment(site_root: Path) -> Environment:
    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(path)) for path in template_dirs(site_root)]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters["chatgpt_url"] = lambda prompt: CHATGPT_URL + quote(prompt, safe="")
    return environment

"""The Jinja2 environment: the site's own templates first, then the bundled ones."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from generator.content.markdown import section_heading
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
    environment.filters["plot_path"] = plot_path
    environment.filters["section_heading"] = lambda inner_html, anchor: Markup(section_heading(inner_html, anchor))
    environment.filters["plot_number"] = lambda value: f"{value:g}"
    environment.filters["plot_variants"] = lambda variants, root: json.dumps(
        [[f"{value:g}", root + plot_path(spec)] for value, spec in variants], ensure_ascii=False
    )
    return environment


@lru_cache(maxsize=4096)
def plot_path(spec) -> str:
    """Where a figure's SVG is published, relative to the site root."""
    from generator.plots.spec import figure_id  # light: matplotlib is only imported to draw

    return f"assets/plots/{figure_id(spec)}.svg"

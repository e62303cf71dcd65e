"""The Jinja2 environment: the site's own templates first, then the bundled ones.

A site's templates may come from anyone's repository, so they run in Jinja2's sandbox:
a template can lay out the data it is given, not reach Python internals through it
(``{{ page.__class__.__mro__ }}`` and the like fail the build with a template error).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from generator.content.markdown import section_heading
from generator.errors import ContentError, Diagnostic
from generator.render.script_data import slider_variant
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


class SiteEnvironment(SandboxedEnvironment):
    """The sandbox, and any failure of a template reported as a content error at the
    template's line.

    The sandbox checks every attribute a template reads; the check depends only on the
    object's type and the attribute's name, so its answer is remembered per pair (checking
    anew doubled the time pages take to render). ``str.format`` is never remembered: the
    sandbox wraps it on every access."""

    def __init__(self, site_root: Path, **options):
        super().__init__(**options)
        self.site_root = site_root
        self._known_safe: dict[tuple[type, str], bool] = {}

    def getattr(self, obj, attribute: str):
        if self._known_safe.get((type(obj), attribute)):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass  # the sandbox then looks for an item of that name
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        safe = super().is_safe_attribute(obj, attr, value)
        if attr not in ("format", "format_map"):
            self._known_safe[type(obj), attr] = safe
        return safe

    def handle_exception(self, source: str | None = None):
        try:
            super().handle_exception(source)  # raises the error, its traceback in template lines
        except ContentError:
            raise  # from a template this one includes or extends, already located
        except Exception as error:
            raise ContentError([self._diagnostic(error)]) from None

    def _diagnostic(self, error: Exception) -> Diagnostic:
        where, line = None, 0
        if isinstance(error, TemplateSyntaxError):
            where, line = error.filename, error.lineno or 0
        else:
            folders = [str(folder) + os.sep for folder in template_dirs(self.site_root)]
            frame = error.__traceback__
            while frame is not None:
                name = frame.tb_frame.f_code.co_filename
                if name.startswith(tuple(folders)):
                    where, line = name, frame.tb_lineno
                frame = frame.tb_next
        shown = where or "templates"
        if where is not None and where.startswith(str(self.site_root / "templates") + os.sep):
            shown = "templates/" + os.path.relpath(where, self.site_root / "templates").replace(os.sep, "/")
        message = str(error) if isinstance(error, TemplateError) else f"{type(error).__name__}: {error}"
        return Diagnostic(shown, line, f"template: {message}", code="template")


def create_environment(site_root: Path) -> SiteEnvironment:
    environment = SiteEnvironment(
        site_root,
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
        [slider_variant(f"{value:g}", root + plot_path(spec)) for value, spec in variants], ensure_ascii=False
    )
    return environment


@lru_cache(maxsize=4096)
def plot_path(spec) -> str:
    """Where a figure's SVG is published, relative to the site root."""
    from generator.plots.spec import figure_id  # light: matplotlib is only imported to draw

    return f"assets/plots/{figure_id(spec)}.svg"

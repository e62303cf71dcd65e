"""The Jinja2 environment: the site's own templates first, then the bundled ones.

A site's templates may come from anyone's repository, so they run in Jinja2's sandbox:
a template can lay out the data it is given, not reach Python internals through it
(``{{ page.__class__.__mro__ }}`` and the like fail the build with a template error).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from generator.errors import ContentError, Diagnostic
from generator.resources import bundled_dir


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
    return SiteEnvironment(
        site_root,
        loader=ChoiceLoader([FileSystemLoader(str(path)) for path in template_dirs(site_root)]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@lru_cache(maxsize=4096)
def plot_path(spec) -> str:
    """Where a figure's SVG is published, relative to the site root."""
    from generator.plots.spec import figure_id  # light: matplotlib is only imported to draw

    return f"assets/plots/{figure_id(spec)}.svg"


def template_files(environment: SiteEnvironment, name: str) -> list[str] | None:
    """The files of template *name* and of every template it extends, includes or
    imports, in the order found; None if one of them names another by an expression
    (which could be any template)."""
    from jinja2 import meta

    found: dict[str, str] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        source, filename, _ = environment.loader.get_source(environment, current)
        found[current] = filename
        for referenced in meta.find_referenced_templates(environment.parse(source, current, filename)):
            if referenced is None:
                return None
            pending.append(referenced)
    return list(found.values())

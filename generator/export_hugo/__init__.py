"""``studysite export-hugo``: the site as a Hugo site that Hugo 0.111 builds with the
same page URLs, titles and folder order as ``studysite build``.

The export reads and checks the whole site with the build's own stages (a content error
stops it before anything is written), then writes into DIR, atomically:

- ``content/`` (each language's content folder): every lesson from its source file, its
  front matter rewritten as TOML with the values studysite gives it (title, weight,
  slug, date, draft) and its body as :mod:`.body` describes. A folder's own page
  (``Folder/Folder.md``) becomes ``Folder/_index.md``, so that Hugo gives it the
  folder's URL; a folder without one gets an ``_index.md`` with its title, since Hugo
  makes no page for such a folder below the top level. A lesson named ``index.md`` or
  with a dot in its name (``x.en.md``) is renamed, with a slug that keeps its URL:
  Hugo would make the first a page bundle and read the second as a language.
- weights: Hugo breaks ties between equal weights by ``linkTitle``, by its own collation
  and by the newest lesson of a folder, where studysite uses the title; so where a
  folder's weights do not settle its order on their own, its pages and sub-folders get
  the weights 1, 2, 3… in studysite's order.
- ``hugo.toml`` and ``i18n/`` (:mod:`.hugo_config`), our small layouts
  (``generator/export_hugo/layouts``), ``data/studysite/`` (the formulas' MathML, the
  plots' files and captions), ``static/`` (the site's static files, the resources beside
  its lessons at their published paths, and the plots, drawn by studysite's core).
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from generator import __version__
from generator.build import BuildOptions, LoadedSite, draw_plots, load_site
from generator.content.frontmatter import normalize_text, read_meta, split_front_matter
from generator.content.lesson import Lesson
from generator.content.markdown import create_markdown
from generator.content.paths import slugify
from generator.content.refs import find_ref
from generator.content.site import Folder, Page, Site
from generator.errors import ContentError, Diagnostic, UsageError
from generator.output import MARKER, StagedOutput, check_output_dir, remove_leftovers, static_files
from generator.render.environment import plot_path

from . import toml
from .body import BodyRewriter, Formulas, figure_key
from .hugo_config import hugo_config, i18n_files, language_keys
from .lesson_figures import PlacedFigure, placed_figures

LAYOUTS = Path(__file__).resolve().parent / "layouts"
MARKER_TEXT = f"studysite export-hugo {__version__}"

HUGO_ONLY_KEYS = ("url", "aliases", "outputs", "build", "_build", "headless", "cascade", "markup")
"""Front matter that studysite ignores and that in Hugo moves a page, adds pages, or keeps
it from being published."""


@dataclass
class ExportResult:
    files: int = 0
    pages: int = 0
    formulas: int = 0
    plots: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)


def check_export_dir(site_root: Path, out_dir: Path) -> None:
    """Refuse a DIR that holds anything but an earlier export (and what ``build``
    refuses: the site itself, its content, templates or static folder)."""
    marker = out_dir / MARKER
    if out_dir.is_dir() and any(out_dir.iterdir()):
        try:
            written_by_us = marker.is_file() and marker.read_text(encoding="utf-8").startswith("studysite export-hugo")
        except (OSError, UnicodeDecodeError):
            written_by_us = False
        if not written_by_us:
            raise UsageError(
                f"output folder {out_dir} is not empty and was not written by studysite export-hugo; "
                "remove it or choose another folder"
            )
    check_output_dir(site_root, out_dir)


def export_hugo(site_root: Path, out_dir: Path) -> ExportResult:
    check_export_dir(site_root, out_dir)
    loaded = load_site(BuildOptions(site_root=site_root))
    errors = [problem for problem in loaded.problems if problem.severity == "error"]
    if errors:
        raise ContentError(errors)
    exporter = _Exporter(loaded)
    files = exporter.files()
    remove_leftovers(out_dir)
    output = StagedOutput(out_dir)
    try:
        for relative, data in files.items():
            if isinstance(data, Path):
                output.copy(relative, data)
            else:
                output.write(relative, data)
        output.commit(MARKER_TEXT)
    except BaseException:
        output.abort()
        raise
    result = exporter.result
    result.files = output.count
    return result


class _Exporter:
    def __init__(self, loaded: LoadedSite):
        self.loaded = loaded
        self.config = loaded.config
        self.result = ExportResult(warnings=[p for p in loaded.problems if p.severity != "error"])
        self.formulas = Formulas()
        md = create_markdown(
            unsafe_html=self.config.unsafe_html, hard_wraps=self.config.hard_wraps, site_params=self.config.params
        )
        self.rewriter = BodyRewriter(md, self.config.heading_kinds, self.formulas)
        self.figures: dict[str, dict[str, str]] = {}
        self.specs: list = []
        self.links: dict[str, dict[str, str]] = {}
        """Each language's pages and files by path below its content folder, as links in
        its lessons name them → their URL below the site root (for the link layouts)."""
        self._renamed: dict[tuple[str, str], str] = {}
        """(language, URL) of each page whose file the export renamed → its new path."""
        self._language_keys = dict(zip([language.key for language in self.config.languages], language_keys(self.config)))

    def files(self) -> dict[str, str | bytes | Path]:
        config = self.config
        files: dict[str, str | bytes | Path] = {}
        text, notes = hugo_config(config)
        files["hugo.toml"] = text
        self.result.warnings += notes
        files.update(i18n_files(config))
        for layout in sorted(LAYOUTS.rglob("*")):
            if layout.is_file():
                files["layouts/" + layout.relative_to(LAYOUTS).as_posix()] = layout
        for relative, source in static_files([config.root / "static"]).items():
            files["static/" + relative] = source
        for language, site in zip(config.languages, self.loaded.sites.editions):
            for relative, published in site.resources.items():
                files["static/" + published] = config.root / language.content_root / relative
            files.update(self._content(site))
        drawn, _ = draw_plots(self.specs, config.root, 1)
        for spec, svg in drawn.items():
            files["static/" + plot_path(spec)] = svg
        self.result.plots = len(drawn)
        self.result.formulas = len(self.formulas.mathml)
        files["data/studysite/math.json"] = _json(self.formulas.mathml)
        files["data/studysite/figures.json"] = _json(self.figures)
        files["data/studysite/links.json"] = _json(self.links)
        return files

    # --- one language's content ---------------------------------------------------------

    def _language_key(self, site: Site) -> str:
        """The language's key in the exported config (Hugo's ``.Lang``)."""
        return self._language_keys[site.language]

    def _content(self, site: Site) -> dict[str, str]:
        root = site.content_root
        lessons = self.loaded.lessons_of(site)
        weights = _weights(site)
        names = _exported_names(site, lessons)
        for content_path, exported in names.items():
            node = site.by_content_path.get(content_path)
            if node is not None and exported != content_path:
                self._renamed[(site.language, node.url)] = exported
            if node is not None:
                self.links.setdefault(self._language_key(site), {})[content_path] = node.url
        for relative, published in site.resources.items():
            self.links.setdefault(self._language_key(site), {})[relative] = published
        files: dict[str, str] = {}
        for folder in site.folders[1:]:
            if folder.index is None:
                front = {"title": folder.title}
                if id(folder) in weights:
                    front["weight"] = weights[id(folder)]
                files[f"{root}/{folder.path}/_index.md"] = _front_matter(front)
        for content_path, lesson in sorted(lessons.items()):
            node = site.by_content_path.get(content_path)
            exported = names.get(content_path)
            if exported is None:
                self._warn(lesson.path, 1, "a draft folder page is left out of the export: in Hugo it would hide the whole folder, drafts or not")
                continue
            files[f"{root}/{exported}"] = self._lesson(site, lesson, node, exported, weights)
            if node is not None:
                self.result.pages += 1
        return files

    def _lesson(self, site: Site, lesson: Lesson, node: Page | Folder | None, exported: str, weights: dict[int, int]) -> str:
        """The exported text of *lesson* (its page or folder in *site* is *node*, None
        for a draft), written to *exported* below its content folder."""
        try:
            text = normalize_text((self.config.root / lesson.path).read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError):  # changed since it was read a moment ago
            raise ContentError([Diagnostic(lesson.path, 1, "the file changed while it was exported; export again")]) from None
        front_matter = split_front_matter(text)
        data = self._front_matter(lesson, node, exported, weights, front_matter)
        offset = front_matter.body_offset
        placed: list[PlacedFigure] = []

        def automatic_plots(plot_lines: set[int]):
            placed.extend(placed_figures(lesson, {line + offset + 1 for line in plot_lines}))
            automatic = [figure for figure in placed if figure.automatic]
            if not automatic:
                return None
            line = automatic[0].line - offset - 1 if automatic[0].line else len(front_matter.body.split("\n"))
            return line, [_automatic_params(figure.figure) for figure in automatic]

        def ref_target(target: str) -> str | None:
            url, _ = find_ref(site, lesson.content_path, target)
            if url is None:
                return None
            path, hash_mark, fragment = url.partition("#")
            renamed = self._renamed.get((site.language, path))
            return "/" + renamed + hash_mark + fragment if renamed is not None else None

        rewritten = self.rewriter.rewrite(front_matter.body, front_matter.data, automatic_plots, ref_target)
        explicit = {figure.line: figure for figure in placed if not figure.automatic}
        shown = [(explicit.get(line + offset + 1), params) for line, params in rewritten.plots]
        shown += zip([figure for figure in placed if figure.automatic], rewritten.automatic)
        for figure, params in shown:
            if figure is None:
                continue  # a plot shortcode where studysite shows no plot
            spec = figure.figure.spec
            self.specs.append(spec)
            self.figures[figure_key(exported, params)] = {
                "src": plot_path(spec), "caption": figure.figure.caption, "alt": figure.figure.alt,
            }
        for line in rewritten.formulas_as_written:
            self._warn(
                lesson.path, line + offset + 1,
                "a formula is left as $…$ in the export (studysite could not place it in the text): "
                "Hugo's Markdown may read parts of it as emphasis",
            )
        return _front_matter(data) + rewritten.text

    def _front_matter(self, lesson: Lesson, node, exported: str, weights: dict[int, int], front_matter) -> dict:
        """The lesson's front matter with the values studysite gives it."""
        meta, _ = read_meta(front_matter)
        data = dict(front_matter.data)
        for key in HUGO_ONLY_KEYS:
            if key in data:
                del data[key]
                self._warn(
                    lesson.path, front_matter.key_lines.get(key, 1),
                    f"front matter {key!r} is left out of the export: studysite ignores it, and in Hugo it "
                    "changes where or whether the page is published",
                )
        is_home = isinstance(node, Folder) and node.parent is None
        if not is_home and not str(data.get("title") or "").strip():
            data = {"title": lesson.title, **{key: value for key, value in data.items() if key != "title"}}
        if "weight" in data or (node is not None and id(node) in weights):
            data["weight"] = weights.get(id(node), meta.weight)
        for key, cast in (("draft", meta.draft), ("date", meta.date)):
            if key in data and cast is not None:
                data[key] = cast
        if isinstance(node, Page):
            segment = node.url.rstrip("/").rpartition("/")[2]
            renamed = posixpath.basename(exported).rpartition(".")[0] != posixpath.basename(lesson.content_path).rpartition(".")[0]
            if segment.casefold() == "index":
                # Hugo makes no page of a path ending in "index", slug or not: only url gives it one.
                data.pop("slug", None)
                data["url"] = "/" + node.url
            elif "slug" in data or renamed:
                data["slug"] = segment
        return data

    def _warn(self, path: str, line: int, message: str) -> None:
        self.result.warnings.append(Diagnostic(path, line, message, severity="warning", code="export-hugo"))


def _automatic_params(figure) -> dict[str, str]:
    spec = figure.spec
    return {"losses": ", ".join(name for name, _ in spec.losses), "x": spec.axis}


def _front_matter(data: dict) -> str:
    return "+++\n" + "\n".join(toml.assignments(data)) + "\n+++\n"


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _weights(site: Site) -> dict[int, int]:
    """The weight to write for each page and folder (by id) whose folder's own weights do
    not settle its order: its place in studysite's order, from 1."""
    weights: dict[int, int] = {}
    for folder in site.folders:
        own = [_weight(child) for child in folder.children]
        if len(own) < 2 or (all(own) and len(set(own)) == len(own)):
            continue
        weights.update((id(child), place) for place, child in enumerate(folder.children, start=1))
    return weights


def _weight(node: Page | Folder) -> int:
    if isinstance(node, Page):
        return node.lesson.weight
    return node.index.weight if node.index is not None else 0


def _exported_names(site: Site, lessons: dict[str, Lesson]) -> dict[str, str]:
    """Each lesson's file in the export, below its content folder (none for a draft
    folder page, which Hugo would take as a draft folder)."""
    names: dict[str, str] = {}
    taken = {path.casefold() for path in lessons}
    for content_path in sorted(lessons):
        node = site.by_content_path.get(content_path)
        folder_path, _, file_name = content_path.rpartition("/")
        stem, _, extension = file_name.rpartition(".")
        prefix = folder_path + "/" if folder_path else ""
        if isinstance(node, Folder):
            names[content_path] = prefix + "_index.md"
            continue
        if stem == "_index":
            continue  # a draft: Hugo would hide the folder and everything in it
        if "." in stem or stem.casefold() == "index":
            base = slugify(stem, lower=False).replace(".", "-") or "page"
            if base.casefold() == "index":
                base = "index-page"
            candidate, number = base, 1
            while f"{prefix}{candidate}.{extension}".casefold() in taken:
                number += 1
                candidate = f"{base}-{number}"
            taken.add(f"{prefix}{candidate}.{extension}".casefold())
            names[content_path] = f"{prefix}{candidate}.{extension}"
        else:
            names[content_path] = content_path
    return names

"""The notes of an Anki export: which questions, their GUIDs, decks and tags, and their
text as card HTML (Anki's MathJax delimiters, media file names, absolute links)."""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from generator.build import LoadedSite
from generator.render.environment import plot_path
from generator.content.lesson import Lesson, ShortcodePart, shortcode_params
from generator.content.markdown import LINK_END, LINK_START, REF_PREFIX, create_markdown, omit_raw_html, use_math_rules
from generator.content.refs import find_ref
from generator.content.site import Folder, Page
from generator.content.shortcodes import PLOT_SHORTCODES
from generator.enrich import figure_from_shortcode
from generator.errors import Diagnostic
from generator.languages import normalize_language
from generator.output import static_files
from generator.resources import bundled_dir

_SPACE = re.compile(r"\s+")
_MARKED_LINK = re.compile(f' (src|href)="{LINK_START}([^"{LINK_END}]*){LINK_END}"')


# --- Identity -------------------------------------------------------------------------


def lesson_identity(lesson: Lesson) -> str:
    """What names a lesson across renames: front matter ``id``, else ``translationKey``,
    else the title."""
    for key in ("id", "translationkey"):
        value = lesson.params.get(key)
        if value is not None and str(value).strip():
            return f"{key}:{str(value).strip()}"
    return f"title:{lesson.title.strip()}"


def normalise_question(text: str) -> str:
    """The question as identity sees it: compatibility forms folded (full-width letters,
    digits and punctuation become ASCII), case folded, runs of spaces made one."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def note_guid(identity: str, question: str, occurrence: int = 1) -> str:
    """The GUID of the *occurrence*-th question with this normalised text in lessons of this
    identity (a second identical question must not overwrite the first)."""
    key = f"studysite\0{identity}\0{normalise_question(question)}"
    if occurrence > 1:
        key += f"\0{occurrence}"
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def tag_for(path: str) -> str:
    """An Anki tag for a URL path: no spaces, levels joined with '::'."""
    return "::".join(segment.replace(" ", "_") for segment in path.strip("/").split("/") if segment)


# --- Cards ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AnkiNote:
    guid: str
    fields: tuple[str, str, str, str]
    """Question, Answer, Lesson and Source, as HTML."""
    deck: str
    tags: tuple[str, ...]


@dataclass
class AnkiExport:
    notes: list[AnkiNote] = field(default_factory=list)
    media: dict[str, bytes | object] = field(default_factory=dict)
    """Media file name → its bytes, or the FigureSpec of the plot to draw for it."""
    warnings: list[Diagnostic] = field(default_factory=list)
    """Questions left out for having no answer, images that could not be found."""
    left_out_media: int = 0
    """Images and plots shown as text because the format carries no media."""

    @property
    def decks(self) -> list[str]:
        return sorted({note.deck for note in self.notes})


def collect_notes(loaded: LoadedSite, parent_deck: str, *, with_media: bool) -> AnkiExport:
    """A note for every answered test question of the published lessons, in reading order.

    *loaded* must be free of errors: loading the site has checked every shortcode.
    """
    export = AnkiExport()
    cards = _CardRenderer(loaded, export, with_media)
    occurrences: dict[tuple[str, str], int] = {}
    for summary, folder, url in _reading_order(loaded.site.root):
        lesson = loaded.lessons[summary.content_path]
        card = _Card(lesson, url, normalize_language(lesson.lang) or loaded.config.language)
        identity = lesson_identity(lesson)
        deck = _deck_name(parent_deck, folder)
        tags = _tags(lesson, folder, url)
        for section in lesson.sections:
            if section.kind != "test":
                continue
            source = _source_field(loaded, lesson, url, section.anchor)
            for question in section.questions:
                number = question.number
                if question.answer_source is None:
                    message = f"test question {number} has no answer, so it is not in the deck"
                    export.warnings.append(Diagnostic(lesson.path, question.line, message, severity="warning", code="no-answer"))
                    continue
                key = (identity, normalise_question(question.source))
                occurrences[key] = occurrences.get(key, 0) + 1
                fields = (
                    cards.render(question.source, card, question.line, f"test question {number}", tight=True),
                    cards.render(question.answer_source, card, question.answer_line, f"the answer to test question {number}"),
                    html.escape(lesson.title),
                    source,
                )
                export.notes.append(AnkiNote(note_guid(identity, question.source, occurrences[key]), fields, deck, tags))
    return export


@dataclass
class _Card:
    """What rendering a card's text needs to know about where it comes from."""

    lesson: Lesson
    url: str
    language: str


def _reading_order(root: Folder):
    """(lesson, its folder, its URL) for each folder index and page, as the site lists them."""
    if root.index is not None:
        yield root.index, root, root.url
    for child in root.children:
        if isinstance(child, Folder):
            yield from _reading_order(child)
        elif isinstance(child, Page):
            yield child.lesson, child.folder, child.url


def _deck_component(name: str) -> str:
    # '::' separates deck levels in Anki: a title containing it must not make a level.
    return name.replace("::", ":").strip() or "_"


def _deck_name(parent: str, folder: Folder) -> str:
    return "::".join([_deck_component(parent)] + [_deck_component(f.title) for f in folder.ancestors()[1:]])


def _tags(lesson: Lesson, folder: Folder, url: str) -> tuple[str, ...]:
    tags = [_SPACE.sub("_", tag.strip()) for tag in lesson.meta.tags if tag.strip()]
    tags += [tag for tag in (tag_for(folder.url), tag_for(url)) if tag]
    return tuple(dict.fromkeys(tags))


def _absolute_base(loaded: LoadedSite) -> str | None:
    base = loaded.config.base_url
    return base if urlsplit(base).scheme else None


def _source_field(loaded: LoadedSite, lesson: Lesson, url: str, anchor: str) -> str:
    """A link to the lesson's test on the published site, else the lesson's file."""
    base = _absolute_base(loaded)
    if base is None:
        return html.escape(lesson.path)
    address = base.rstrip("/") + "/" + quote(url) + (f"#{quote(anchor)}" if anchor else "")
    return f'<a href="{html.escape(address)}">{html.escape(unquote(address))}</a>'


class _CardRenderer:
    """The site's Markdown parser with Anki's output: MathJax delimiters, media file names
    for images and plots, links made absolute (or dropped, where the site has no address)."""

    def __init__(self, loaded: LoadedSite, export: AnkiExport, with_media: bool):
        self.loaded = loaded
        self.export = export
        self.with_media = with_media
        self.md = create_markdown(unsafe_html=loaded.config.unsafe_html, site_params=loaded.config.params)
        use_math_rules(self.md, _render_math_inline, _render_math_display)
        for name in ("shortcode", "shortcode_inline"):
            self.md.add_render_rule(name, _render_shortcode)
        self.md.add_render_rule("image", _render_image)
        self.md.add_render_rule("link_open", _render_link_open)
        self.md.add_render_rule("link_close", _render_link_close)
        if not loaded.config.unsafe_html:
            omit_raw_html(self.md, "", "")
        self._statics: dict[str, Path] | None = None
        self._file_names: dict[Path, str | None] = {}
        """Each image file read so far → its media name (None: unreadable)."""

    def render(self, source: str, card: _Card, line: int, what: str, *, tight: bool = False) -> str:
        """*source* as card HTML; *line* and *what* say where it is, for messages."""
        env = {"renderer": self, "card": card, "place": (line, what), "links": [], "page_params": card.lesson.front_matter}
        rendered = _MARKED_LINK.sub(lambda match: self._marked_link(match, env), self.md.render(source, env)).strip()
        if tight and rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        return rendered

    def _marked_link(self, match: re.Match[str], env: dict) -> str:
        """A site link that one of Hugo's shortcodes (figure, ref) wrote into the HTML."""
        attribute, target = match.group(1), html.unescape(match.group(2))
        if attribute == "src":
            name = self.image(target, env["card"], env["place"])
            return f' src="{html.escape(name or target)}"'
        address = self.link(target, env["card"])
        return f' href="{html.escape(address)}"' if address is not None else ""

    # -- media

    def plot(self, spec) -> str | None:
        """The media name of a plot, or None when the format carries no media."""
        if not self.with_media:
            self.export.left_out_media += 1
            return None
        name = "studysite-" + posixpath.basename(plot_path(spec))
        self.export.media[name] = spec
        return name

    def image(self, target: str, card: _Card, place: tuple[int, str]) -> str | None:
        """The media name of a local image, or None when it cannot be carried."""
        lesson = card.lesson
        line, what = place
        if not self.with_media:
            self.export.left_out_media += 1
            return None
        path = self._local_file(target, lesson)
        if path is None:
            message = f"image {target!r} in {what} is not a file of the site, so the card shows its description"
            self.export.warnings.append(Diagnostic(lesson.path, line, message, severity="warning", code="broken-link"))
            return None
        if path not in self._file_names:
            try:
                data = path.read_bytes()
            except OSError as error:
                message = f"cannot read image {target!r} in {what}: {error.strerror}"
                self.export.warnings.append(Diagnostic(lesson.path, line, message, severity="warning", code="broken-link"))
                self._file_names[path] = None
                return None
            name = f"studysite-{hashlib.sha256(data).hexdigest()[:16]}{path.suffix.lower()}"
            self.export.media[name] = data
            self._file_names[path] = name
        return self._file_names[path]

    def _local_file(self, target: str, lesson: Lesson) -> Path | None:
        """The published file a site-relative target names: a file beside the lessons, or
        under static/ for a path starting with '/'. Nothing else is ever read."""
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if path.startswith("/"):
            if self._statics is None:
                self._statics = static_files([bundled_dir("static"), self.loaded.config.root / "static"])
            return self._statics.get(path.lstrip("/"))
        resolved = posixpath.normpath(posixpath.join(lesson.content_path.rpartition("/")[0], path))
        if resolved in self.loaded.site.resources:
            return self.loaded.config.content_dir / resolved
        return None

    # -- links

    def link(self, href: str, card: _Card) -> str | None:
        """Where a link in a card goes: other sites as written, the site's own pages on the
        published site, or nowhere (None) when the site's address is not known."""
        href = href.removeprefix(LINK_START).removesuffix(LINK_END)
        is_ref = href.startswith(REF_PREFIX)
        if _is_external(href) and not is_ref:
            return href
        base = _absolute_base(self.loaded)
        if base is None:
            return None
        base = base.rstrip("/") + "/"
        if is_ref:
            url, _ = find_ref(self.loaded.site, card.lesson.content_path, href[len(REF_PREFIX) :])
            return None if url is None else base + quote(url, safe="/#")
        path, hash_mark, fragment = href.partition("#")
        if not path:
            return base + quote(card.url) + hash_mark + fragment
        if path.startswith("/"):
            return base + path.lstrip("/") + hash_mark + fragment
        resolved = posixpath.normpath(posixpath.join(card.lesson.content_path.rpartition("/")[0], unquote(path)))
        destination = self.loaded.site.by_content_path.get(resolved)
        if destination is not None:
            return base + quote(destination.url) + hash_mark + fragment
        resource = self.loaded.site.resources.get(resolved)
        if resource is not None:
            return base + quote(resource) + hash_mark + fragment
        return None


def _is_external(href: str) -> bool:
    return href.startswith("//") or bool(urlsplit(href).scheme)


def _render_math_inline(self, tokens, idx, options, env) -> str:
    return f"\\({html.escape(tokens[idx].content.strip())}\\)"


def _render_math_display(self, tokens, idx, options, env) -> str:
    return f"\\[{html.escape(tokens[idx].content.strip())}\\]\n"


def _render_shortcode(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    if meta["name"] not in PLOT_SHORTCODES:
        return ""
    card: _Card = env["card"]
    figure = figure_from_shortcode(ShortcodePart(0, meta["name"], shortcode_params(meta)), card.language)
    name = env["renderer"].plot(figure.spec)
    caption = html.escape(figure.caption)
    if name is None:
        return f"<p>[{caption}]</p>\n"
    return (
        f'<figure class="plot"><img src="{html.escape(name)}" alt="{html.escape(figure.alt)}">'
        f"<figcaption>{caption}</figcaption></figure>\n"
    )


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src")
    if isinstance(src, str) and not _is_external(src):
        name = env["renderer"].image(src, env["card"], env["place"])
        if name is None:
            return f"[{html.escape(self.renderInlineAsText(token.children or [], options, env))}]"
        token.attrSet("src", name)
    return self.image(tokens, idx, options, env)


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    href = token.attrGet("href")
    target = env["renderer"].link(href, env["card"]) if isinstance(href, str) else None
    env["links"].append(target is not None)
    if target is None:
        return ""
    token.attrSet("href", target)
    return self.renderToken(tokens, idx, options, env)


def _render_link_close(self, tokens, idx, options, env) -> str:
    return self.renderToken(tokens, idx, options, env) if env["links"].pop() else ""

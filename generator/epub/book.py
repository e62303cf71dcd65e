"""One EPUB 3 book from one language's site.

The book follows the site's tree: each folder is a chapter (a sub-folder a sub-chapter),
opened by a page with the folder's own lesson and its contents, followed by its lessons
in the site's order, and closed by the answers of its lessons' tests. Each lesson keeps
its sections in order, the prompt labelled "User ask:" and what follows "ChatGPT answer:"
in the book's language, as on the site. Each test question links to its answer at the end
of its chapter, and each answer links back.

Formulas stay MathML and plots are inline SVG (the documents holding them declare the
``mathml`` and ``svg`` properties); lesson images are files of the book. There is no
script in the book: every fragment of lesson HTML passes the allow-list of
:mod:`generator.epub.xhtml`. ebooklib writes the container, package document,
navigation document and NCX.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any, assert_never
from urllib.parse import unquote, urlsplit

from ebooklib import epub
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from generator.content.lesson import FigurePart, HtmlPart, Lesson, PromptPart, Question, QuestionsPart, Section, ShortcodePart
from generator.content.site import Folder, Page, Site, inside
from generator.errors import UsageError
from generator.epub.xhtml import Image, SvgError, clean_svg, inline_svg, svg_document, xhtml_fragment
from generator.i18n import strings_for
from generator.resources import bundled_dir

TEMPLATES = Path(__file__).resolve().parent / "templates"

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml"}
"""The image formats every EPUB reader must show (EPUB's core media types); a lesson image
of another format is shown as its alt text."""

_EXTERNAL_SCHEMES = ("http", "https", "mailto")
_WIDE = ("W", "F")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        keep_trailing_newline=True,
    )


def book_identifier(title: str, base_url: str, language: str) -> str:
    """The book's identifier: the same site and language give the same identifier, so a
    reading app takes a new export for a new edition of the book it has."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"studysite:{base_url}|{title}|{language}"))


def authors(params: Mapping[str, Any]) -> list[str]:
    """The author names in a config's ``params.author``: a name, a table with ``name`` (as
    Hugo's themes write it), or a list of either."""
    value = params.get("author")
    listed = value if isinstance(value, list) else [value]
    names = []
    for entry in listed:
        name = entry.get("name") if isinstance(entry, Mapping) else entry
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def make_book(loaded, site: Site, figures: Mapping[Any, bytes]) -> bytes:
    """The EPUB file of one language's site.

    *loaded* is the whole site as :func:`generator.build.load_site` reads it (without
    errors); *site* the tree of the book's language, one of ``loaded.sites.editions``,
    whose config entry gives the book's title, language and interface words; *figures*
    the SVG of every plot of *site*, as :func:`generator.build.draw_figures` draws them."""
    return _Book(loaded, site, figures).render()


def editions(loaded) -> dict[str, Site]:
    """Each book's name and its language's tree: the language's key in ``[languages]``
    (``zh-tw``, as in its URLs), or on a site without languages its language code."""
    languages = {language.key: language for language in loaded.config.languages}
    return {site.language or languages[site.language].interface: site for site in loaded.sites.editions}


def book_paths(languages: Sequence[str], out: Path, chosen: str | None = None) -> dict[str, Path]:
    """Where each book is written: on a site in one language OUT is the book; on a
    multilingual site OUT is a folder with a book per language (or for the language
    *chosen*, named in any case), each named after its language."""
    if chosen is not None:
        picked = [language for language in languages if language.lower() == chosen.lower()]
        if not picked:
            raise UsageError(f"--lang {chosen}: the site's languages are {', '.join(languages)}")
        chosen = picked[0]
    if len(languages) == 1:
        if out.is_dir():
            raise UsageError(f"{out} is a folder: give the book's file name, e.g. {out / 'book.epub'}")
        return {languages[0]: out}
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file: the site has {len(languages)} languages, give a folder for their books")
    return {language: out / f"{language}.epub" for language in ([chosen] if chosen else languages)}


# --- The plan: every document of the book, in reading order ---------------------------


@dataclass
class _Doc:
    uid: str
    file: str
    """Path inside the book's folder, e.g. ``text/l0003.xhtml``."""
    title: str


@dataclass
class _LessonDoc(_Doc):
    lesson: Lesson
    folder: Folder
    """The chapter the lesson belongs to (where its answers go)."""
    number: int
    """The lesson's place in the book, for answer ids."""
    section_ids: dict[str, str] = field(default_factory=dict)
    """Each section's anchor on the site → its id in the book."""


@dataclass
class _FolderDoc(_Doc):
    folder: Folder
    index: _LessonDoc | None = None
    children: list[_Doc] = field(default_factory=list)


@dataclass
class _AnswersDoc(_Doc):
    folder: Folder
    entries: list[dict] = field(default_factory=list)


@dataclass
class _Entry:
    """One line of the table of contents, with the lines below it."""

    doc: _Doc
    children: list[_Entry] = field(default_factory=list)


class _Book:
    def __init__(self, loaded, site: Site, figures: Mapping[Any, bytes]):
        self.config = loaded.config
        self.site = site
        self.lessons: dict[str, Lesson] = loaded.lessons_of(site)
        self.edition = next(language for language in self.config.languages if language.key == site.language)
        self.language = self.edition.interface
        """The book's ``dc:language`` and its documents' ``lang``, as its pages say on the site."""
        self.title = self.edition.title or self.config.title
        self.ui = strings_for(self.language)
        self.figures = figures
        self.docs: list[_Doc] = []
        self.by_content_path: dict[str, _LessonDoc] = {}
        self.answers_of: dict[int, _AnswersDoc] = {}
        self.images: dict[str, tuple[str, bytes]] = {}
        """Source of each image → its file in the book and its bytes."""
        self.figure_count = 0
        self.toc = self._plan_root()

    # The plan ---------------------------------------------------------------------------

    def _add(self, doc: _Doc) -> _Doc:
        self.docs.append(doc)
        return doc

    def _lesson_doc(self, content_path: str, folder: Folder, title: str, file: str | None = None) -> _LessonDoc:
        """A lesson of the book: a document of its own, or part of *file* (a folder's page)."""
        number = len(self.by_content_path) + 1
        lesson = self.lessons[content_path]
        uid = f"l{number:04}"
        doc = _LessonDoc(uid, file or f"text/{uid}.xhtml", title, lesson, folder, number)
        doc.section_ids = {section.anchor: f"s{index}" for index, section in enumerate(lesson.sections, 1) if section.anchor}
        self.by_content_path[content_path] = doc
        return doc

    def _plan_root(self) -> list[_Entry]:
        root = self.site.root
        entries: list[_Entry] = []
        if root.index is not None:
            title = root.index.title if root.index.has_title else self.title
            entries.append(_Entry(self._add(self._lesson_doc(root.index.content_path, root, title))))
        entries.extend(self._plan_children(root))
        answers = self._plan_answers(root)
        if answers is not None:
            entries.append(_Entry(answers))
        return entries

    def _plan_folder(self, folder: Folder) -> _Entry:
        number = len([d for d in self.docs if isinstance(d, _FolderDoc)]) + 1
        doc = _FolderDoc(f"c{number:04}", f"text/c{number:04}.xhtml", folder.title, folder)
        self._add(doc)
        if folder.index is not None:
            doc.index = self._lesson_doc(folder.index.content_path, folder, folder.title, doc.file)
        entry = _Entry(doc, self._plan_children(folder))
        doc.children = [child.doc for child in entry.children]
        answers = self._plan_answers(folder)
        if answers is not None:
            entry.children.append(_Entry(answers))
        return entry

    def _plan_children(self, folder: Folder) -> list[_Entry]:
        entries = []
        for child in folder.children:
            if isinstance(child, Folder):
                entries.append(self._plan_folder(child))
            elif isinstance(child, Page):
                entries.append(_Entry(self._add(self._lesson_doc(child.lesson.content_path, folder, child.title))))
        return entries

    def _plan_answers(self, folder: Folder) -> _AnswersDoc | None:
        """The folder's answers page, if any lesson of its own has a test answer."""
        own = [doc for doc in self.by_content_path.values() if doc.folder is folder]
        if not any(q.answer is not None for doc in own for q in doc.lesson.questions("test")):
            return None
        number = len(self.answers_of) + 1
        title = self.ui["answers"] if folder.parent is None else f"{self.ui['answers']} · {folder.title}"
        doc = _AnswersDoc(f"a{number:04}", f"text/a{number:04}.xhtml", title, folder)
        self.answers_of[id(folder)] = doc
        self._add(doc)
        return doc

    # Rendering --------------------------------------------------------------------------

    def render(self) -> bytes:
        book = epub.EpubBook()
        book.set_identifier(book_identifier(self.title, self.config.base_url, self.edition.key or self.language))
        book.set_title(self.title)
        book.set_language(self.language)
        for index, name in enumerate(authors(self.config.params)):
            book.add_author(name, uid=f"creator{index}")
        style = epub.EpubItem(uid="style", file_name="style/book.css", media_type="text/css", content=self._css())
        book.add_item(style)

        # Lessons first, in reading order: rendering them fills in the answers pages.
        lesson_pages = {doc.uid: self._lesson_page(doc) for doc in self.by_content_path.values()}
        cover = self._cover(book)
        spine: list[Any] = [cover, "nav"]
        for doc in self.docs:
            if isinstance(doc, _LessonDoc):
                content = self._document(doc, "lesson.xhtml", body=lesson_pages[doc.uid])
            elif isinstance(doc, _FolderDoc):
                index_body = lesson_pages[doc.index.uid] if doc.index else None
                content = self._document(doc, "folder.xhtml", index=index_body, children=self._links(doc, doc.children))
            else:
                content = self._document(doc, "answers.xhtml", entries=doc.entries)
            spine.append(book.add_item(_Document(doc.uid, doc.file, doc.title, content)))
        for number, (name, data) in enumerate(self.images.values(), 1):
            book.add_item(epub.EpubItem(uid=f"img{number:03}", file_name=name, media_type=IMAGE_TYPES[Path(name).suffix], content=data))

        nav = epub.EpubNav(title=self.ui["menu"])
        nav.add_link(href="style/book.css", rel="stylesheet", type="text/css")
        book.add_item(nav)
        book.add_item(epub.EpubNcx())
        book.toc = [self._toc_item(entry) for entry in self.toc]
        book.spine = spine
        buffer = io.BytesIO()
        epub.write_epub(buffer, book, {
            "mtime": datetime.now(timezone.utc),
            "epub2_guide": False,
            "epub3_landmark": False,
            "epub3_pages": False,  # ebooklib would list every element with an id as a page
        })
        return buffer.getvalue()

    def _toc_item(self, entry: _Entry):
        link = epub.Link(entry.doc.file, entry.doc.title, entry.doc.uid)
        return (link, [self._toc_item(child) for child in entry.children]) if entry.children else link

    def _links(self, doc: _Doc, targets: list[_Doc]) -> list[dict]:
        return [{"title": target.title, "href": _relative(doc.file, target.file)} for target in targets]

    def _document(self, doc: _Doc, template: str, **context) -> bytes:
        text = _environment().get_template(template).render(
            lang=self.language, title=doc.title, css=_relative(doc.file, "style/book.css"), ui=self.ui, **context
        )
        return text.encode("utf-8")

    def _css(self) -> bytes:
        from pygments.formatters.html import HtmlFormatter

        # The site's light code colours (Pygments' "vs"), for readers without a dark theme of their own.
        code = HtmlFormatter(style="vs").get_style_defs(".highlight")
        return ((TEMPLATES / "book.css").read_text(encoding="utf-8") + "\n" + code + "\n").encode("utf-8")

    def _cover(self, book: epub.EpubBook) -> _Document:
        lessons = len(self.site.pages)
        image = _environment().get_template("cover.svg").render(
            title=self.title, heading=_cover_heading(self.title), authors=authors(self.config.params),
            lang=self.language, count=f"{lessons} {self.ui['lessons']}",
        )
        cover_image = epub.EpubCover(file_name="cover.svg")
        cover_image.content = image.encode("utf-8")
        book.add_item(cover_image)
        book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-img"})
        doc = _Doc("cover", "cover.xhtml", self.title)
        content = self._document(doc, "cover.xhtml", image="cover.svg")
        return book.add_item(_Document(doc.uid, doc.file, doc.title, content))

    # One lesson ---------------------------------------------------------------------------

    def _lesson_page(self, doc: _LessonDoc) -> str:
        lesson = doc.lesson
        answers = self.answers_of.get(id(doc.folder))
        question_count = 0
        sections = []
        for index, section in enumerate(lesson.sections, 1):
            parts = []
            for part in _parts(section):
                if part["type"] == "html":
                    part["html"] = self._fragment(doc, part["html"])
                elif part["type"] in ("warmup", "test"):
                    for question in part["questions"]:
                        question["html"] = self._fragment(doc, question["html"])
                        if part["type"] == "test":
                            question_count += 1
                            question["id"] = f"q{question_count}"
                            question["answer_href"] = None
                            if question["answer"] is not None and answers is not None:
                                answer_id = f"a{doc.number}-{question_count}"
                                question["answer_href"] = f"{_relative(doc.file, answers.file)}#{answer_id}"
                                self._add_answer(answers, doc, section, question, answer_id)
                elif part["type"] == "figure":
                    part["svg"] = self._figure(part.pop("spec"), part["alt"])
                parts.append(part)
            sections.append(_section_view(section, f"s{index}", self._fragment(doc, section.heading_html), parts))
        # A lesson whose page the site shows in another language than the book says so.
        own_language = self.config.interface_language(self.edition, lesson.meta.lang, lesson.lang)
        own_language = own_language if own_language != self.language else None
        return _environment().get_template("lesson_body.xhtml").render(
            sections=sections, ui=self.ui, lesson_lang=own_language
        )

    def _add_answer(self, answers: _AnswersDoc, doc: _LessonDoc, section: Section, question: dict, answer_id: str) -> None:
        if not answers.entries or answers.entries[-1]["doc"] is not doc:
            answers.entries.append({"doc": doc, "title": doc.title, "href": _relative(answers.file, doc.file), "groups": []})
        groups = answers.entries[-1]["groups"]
        if not groups or groups[-1]["section"] is not section:
            groups.append({"section": section, "heading": self._fragment(doc, section.heading_html), "answers": []})
        groups[-1]["answers"].append(
            {
                "id": answer_id,
                "number": question["number"],
                "parts": [self._answer_part(doc, part) for part in question["answer"]],
                "back": f"{_relative(answers.file, doc.file)}#{question['id']}",
            }
        )

    def _answer_part(self, doc: _LessonDoc, part: dict) -> dict:
        if part["type"] == "figure":
            return {"type": "figure", "svg": self._figure(part["spec"], part["alt"]), "caption": part["caption"]}
        return {"type": "html", "html": self._fragment(doc, part["html"])}

    def _figure(self, spec: Any, alt: str) -> str:
        self.figure_count += 1
        return inline_svg(clean_svg(self.figures[spec], id_prefix=f"f{self.figure_count}-", title=alt))

    def _fragment(self, doc: _LessonDoc, fragment: str) -> str:
        return xhtml_fragment(fragment, lambda href: self._link(doc, href), lambda src: self._image(doc, src))

    # Links and images -------------------------------------------------------------------

    def _link(self, doc: _LessonDoc, href: str) -> str | None:
        parts = urlsplit(href)
        if parts.scheme.lower() in _EXTERNAL_SCHEMES:
            return href
        if parts.scheme or parts.netloc or href.startswith("//"):
            return None  # javascript:, data: and the like, and addresses without a scheme
        if not parts.path:
            section = doc.section_ids.get(unquote(parts.fragment))
            return f"#{section}" if section else None
        if parts.path.startswith("/"):
            return None  # a file of static/: not a page of the book
        lesson_dir = doc.lesson.content_path.rpartition("/")[0]
        target = self.by_content_path.get(posixpath.normpath(posixpath.join(lesson_dir, unquote(parts.path))))
        if target is None:
            return None
        href = _relative(doc.file, target.file)
        section = target.section_ids.get(unquote(parts.fragment)) if parts.fragment else None
        return f"{href}#{section}" if section else href

    def _image(self, doc: _LessonDoc, src: str) -> Image | None:
        parts = urlsplit(src)
        if parts.scheme.lower() in ("http", "https"):
            return Image(link=src)  # a book may not load images from the network
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = unquote(parts.path)
        if path.startswith("/"):
            source = _static_file(self.config.root, path.lstrip("/"))
        else:
            relative = posixpath.normpath(posixpath.join(doc.lesson.content_path.rpartition("/")[0], path))
            source = self.config.root / self.site.content_root / relative if relative in self.site.resources else None
        if source is None:
            return None
        name = self._book_image(source)
        return Image(src=_relative(doc.file, name)) if name else None

    def _book_image(self, source: Path) -> str | None:
        key = str(source)
        if key not in self.images:
            suffix = source.suffix.lower()
            suffix = ".jpg" if suffix == ".jpeg" else suffix
            if suffix not in IMAGE_TYPES:
                return None
            try:
                data = source.read_bytes()
                if suffix == ".svg":
                    data = svg_document(clean_svg(data))
            except (OSError, SvgError):
                return None
            self.images[key] = (f"images/img{len(self.images) + 1:03}{suffix}", data)
        return self.images[key][0]


class _Document(epub.EpubHtml):
    """An XHTML document written here in full. ebooklib's own documents are read back with
    an HTML parser, which would nest what follows an empty MathML or SVG element inside it."""

    def __init__(self, uid: str, file_name: str, title: str, content: bytes):
        super().__init__(uid=uid, file_name=file_name, title=title, media_type="application/xhtml+xml")
        self.content = content
        # Reading systems render a document's MathML or inline SVG only when told to.
        self.properties = [name for name, tag in (("mathml", b"<math "), ("svg", b"<svg ")) if tag in content]

    def get_content(self, default=None) -> bytes:
        return self.content


# --- The one place that reads the lesson model's parts ---------------------------------


def _parts(section: Section) -> list[dict]:
    """A section's parts as plain data for the book's templates."""
    views = []
    for part in section.parts:
        match part:
            case PromptPart(prompt=prompt):
                views.append({"type": "prompt", "prompt": prompt})
            case QuestionsPart(questions=questions):
                # Only warm-up and test sections hold questions.
                views.append(
                    {
                        "type": "warmup" if section.kind == "preview" else "test",
                        "questions": [{"number": q.number, "html": q.html, "answer": _answer(q)} for q in questions],
                    }
                )
            case FigurePart(figure=figure):
                views.append(_figure_view(figure))
            case HtmlPart(html=fragment):
                if fragment:
                    views.append({"type": "html", "html": fragment})
            case ShortcodePart():
                pass  # enrichment has made every plot shortcode a figure or an error
            case _:
                assert_never(part)
    return views


def _answer(question: Question) -> list[dict] | None:
    if question.answer is None:
        return None
    views = []
    for part in question.answer:
        match part:
            case HtmlPart(html=fragment):
                views.append({"type": "html", "html": fragment})
            case FigurePart(figure=figure):
                views.append(_figure_view(figure))
            case ShortcodePart():
                pass  # enrichment has made every plot shortcode a figure or an error
            case _:
                assert_never(part)
    return views


def _figure_view(figure: Any) -> dict:
    return {"type": "figure", "spec": figure.spec, "caption": figure.caption, "alt": figure.alt}


def _section_view(section: Section, section_id: str, heading: str, parts: list[dict]) -> dict:
    """Parts before the section's first prompt, the prompt, and the answer after it."""
    first = next((i for i, part in enumerate(parts) if part["type"] == "prompt"), None)
    return {
        "id": section_id,
        "kind": section.kind,
        "heading": heading,
        "lead": parts if first is None else parts[:first],
        "prompt": None if first is None else parts[first]["prompt"],
        "answer": [] if first is None else parts[first + 1 :],
    }


# --- Helpers ------------------------------------------------------------------------------


def _relative(from_file: str, to_file: str) -> str:
    return posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")


def _static_file(site_root: Path, relative: str) -> Path | None:
    """A file of the site's static/ folder, or of the bundled one, never outside them."""
    clean = posixpath.normpath(relative)
    if clean.startswith("..") or clean == ".":
        return None
    for folder in (site_root / "static", bundled_dir("static")):
        candidate = folder / clean
        if candidate.is_file() and inside(os.path.realpath(candidate), os.path.realpath(folder)):
            return candidate
    return None


_TOKENS = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]|[^\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+\s*|\s+")


def _width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in _WIDE else 0.55 for c in text.rstrip())


def _cover_heading(title: str, per_line: float = 10.0, most: int = 5) -> dict:
    """The title set for the cover: broken into lines (words kept whole, CJK broken
    anywhere), the type made smaller until it fits, the lines centred on the page."""
    size = 48.0
    while True:
        budget = per_line * 48.0 / size
        lines: list[str] = []
        for token in _TOKENS.findall(title.strip()):
            if lines and _width(lines[-1] + token) <= budget:
                lines[-1] += token
            elif token.strip():
                lines.append(token)
        if (len(lines) <= most and all(_width(line) <= budget for line in lines)) or size <= 20:
            break
        size *= 0.85
    leading = size * 1.25
    first = 330 - (len(lines) - 1) * leading / 2
    placed = [{"y": round(first + index * leading, 1), "text": line.strip()} for index, line in enumerate(lines)]
    return {"size": round(size, 1), "lines": placed, "below": round(first + (len(lines) - 1) * leading + size * 0.5, 1)}

"""export-epub: the book's metadata, chapters, lessons, answers, formulas, plots, images and
safety, read back from the EPUB file the command writes."""

from __future__ import annotations

import os
import posixpath
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from epub_fixture import FIXTURE_SITE, png
from helpers import REPO, run_cli, write_site

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "m": "http://www.w3.org/1998/Math/MathML",
    "svg": "http://www.w3.org/2000/svg",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@dataclass
class Book:
    path: Path
    files: dict[str, bytes]

    @property
    def opf(self):
        return etree.fromstring(self.files["EPUB/content.opf"])

    def xml(self, href: str):
        """A file of the book, parsed as XML (which fails on anything not well-formed)."""
        return etree.fromstring(self.files["EPUB/" + href])

    @property
    def manifest(self) -> dict[str, dict[str, str]]:
        return {item.get("href"): dict(item.attrib) for item in self.opf.iterfind("opf:manifest/opf:item", NS)}

    @property
    def spine(self) -> list[str]:
        by_id = {item["id"]: href for href, item in self.manifest.items()}
        return [by_id[ref.get("idref")] for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def title(self, href: str) -> str:
        return self.xml(href).findtext("x:head/x:title", namespaces=NS)

    def doc_titled(self, title: str) -> str:
        return next(href for href in self.spine if self.title(href) == title)

    def properties(self, href: str) -> set[str]:
        return set(self.manifest[href].get("properties", "").split())


def read_book(path: Path) -> Book:
    with zipfile.ZipFile(path) as archive:
        return Book(path, {name: archive.read(name) for name in archive.namelist()})


def export(site: Path, out: Path, *extra: str) -> tuple[Book, str]:
    result = run_cli("export-epub", site, "-o", out, *extra)
    assert result.code == 0, result.err
    return read_book(out), result.out


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def resolve(from_href: str, link: str) -> tuple[str, str]:
    """A link in the document *from_href*: the file it points to and the fragment."""
    path, _, fragment = link.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(from_href), path)) if path else from_href
    return target, fragment


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    return write_site(tmp_path_factory.mktemp("epub") / "site", FIXTURE_SITE)


@pytest.fixture(scope="module")
def book(fixture_site) -> Book:
    return export(fixture_site, fixture_site.parent / "book.epub")[0]


# --- Metadata, cover and the order of the book ---------------------------------------


def test_title_language_and_author_come_from_the_config(fixture_site, tmp_path):
    book, printed = export(fixture_site, tmp_path / "Losses.epub")
    metadata = book.opf.find("opf:metadata", NS)
    assert metadata.findtext("dc:title", namespaces=NS) == "Losses & <Friends>"
    assert metadata.findtext("dc:language", namespaces=NS) == "en"
    assert [c.text for c in metadata.findall("dc:creator", NS)] == ["Ada Lovelace"]
    assert printed == f"studysite: wrote {tmp_path / 'Losses.epub'} (en, 5 lessons)\n"
    identifier = metadata.findtext("dc:identifier", namespaces=NS)
    assert identifier.startswith("urn:uuid:")
    again, _ = export(fixture_site, tmp_path / "again.epub")
    assert again.opf.find("opf:metadata", NS).findtext("dc:identifier", namespaces=NS) == identifier


def test_a_generated_cover_page_comes_first(book):
    cover_image = next(href for href, item in book.manifest.items() if item.get("properties") == "cover-image")
    assert book.manifest[cover_image]["media-type"] == "image/svg+xml"
    image = book.xml(cover_image)
    assert image.findtext("svg:title", namespaces=NS) == "Losses & <Friends>"
    words = [text(t) for t in image.iterfind(".//svg:text", NS)]
    assert words == ["Losses & <Friends>", "Ada Lovelace", "5 lessons"]
    first = book.spine[0]
    img = book.xml(first).find(".//x:img", NS)
    assert resolve(first, img.get("src"))[0] == cover_image
    assert img.get("alt") == "Losses & <Friends>"


def test_chapters_follow_the_folders_and_weights(book):
    assert [book.title(href) for href in book.spine] == [
        "Losses & <Friends>",  # the cover
        "Contents",
        "Welcome",
        "Regression",
        "Loss functions",
        "Gradient descent",
        "Advanced",
        "Huber loss",
        "Answers · Advanced",
        "Answers · Regression",
        "Notes",
        "Classification",
        "Hinge loss",
        "Answers · Classification",
        "Answers",
    ]
    assert "Draft" not in str(book.files.keys())


def _nav_tree(ol) -> list:
    tree = []
    for li in ol.iterfind("x:li", NS):
        label = text(li.find("x:a", NS))
        sub = li.find("x:ol", NS)
        tree.append((label, _nav_tree(sub)) if sub is not None else label)
    return tree


def _ncx_tree(parent) -> list:
    tree = []
    for point in parent.iterfind("ncx:navPoint", NS):
        label = point.findtext("ncx:navLabel/ncx:text", namespaces=NS)
        children = _ncx_tree(point)
        tree.append((label, children) if children else label)
    return tree


TOC = [
    "Welcome",
    ("Regression", ["Loss functions", "Gradient descent", ("Advanced", ["Huber loss", "Answers · Advanced"]), "Answers · Regression"]),
    "Notes",
    ("Classification", ["Hinge loss", "Answers · Classification"]),
    "Answers",
]


def test_navigation_document_and_ncx_hold_the_tree(book):
    nav_href = next(href for href, item in book.manifest.items() if item.get("properties") == "nav")
    nav = book.xml(nav_href).find(".//x:nav", NS)
    assert nav.get(EPUB_TYPE) == "toc"
    assert _nav_tree(nav.find("x:ol", NS)) == TOC
    for link in nav.iterfind(".//x:a", NS):
        assert resolve(nav_href, link.get("href"))[0] in book.spine
    ncx_href = next(href for href, item in book.manifest.items() if item["media-type"] == "application/x-dtbncx+xml")
    assert _ncx_tree(book.xml(ncx_href).find("ncx:navMap", NS)) == TOC


# --- Lessons -------------------------------------------------------------------------------


def test_each_lesson_keeps_its_sections_with_labelled_prompts(book):
    body = book.xml(book.doc_titled("Loss functions")).find("x:body", NS)
    sections = body.findall(".//x:section", NS)
    assert [(s.get("data-kind"), text(s.find("x:h2", NS))) for s in sections] == [
        ("preview", "Preview"),
        ("explanation", "Explain"),
        ("test", "Review"),
    ]
    explain = sections[1]
    card, answer = explain.find("x:div[@class='ask-chatgpt']", NS), explain.find("x:div[@class='chatgpt-answer']", NS)
    assert text(card.find("x:p", NS)) == "User ask:"
    assert text(card.find("x:blockquote", NS)) == "Explain loss functions and give an example"
    assert text(answer.find("x:p", NS)) == "ChatGPT answer:"
    assert "The mean squared error is" in text(answer)
    warmup = sections[0].find(".//x:ol[@class='warmup']", NS)
    assert [text(li) for li in warmup] == ["What does a loss function measure?", "Why square the errors?"]
    assert {s.get("lang") for s in sections} == {None}


def test_a_lesson_in_another_language_says_so(book):
    sections = book.xml(book.doc_titled("Huber loss")).findall(".//x:section", NS)
    assert {(s.get("lang"), s.get("{http://www.w3.org/XML/1998/namespace}lang")) for s in sections} == {("zh-TW", "zh-TW")}


def test_the_bundled_book_labels_prompts_in_its_language(tmp_path):
    bundled, _ = export(REPO, tmp_path / "bundled.epub")
    assert bundled.opf.find("opf:metadata", NS).findtext("dc:language", namespaces=NS) == "zh-TW"
    lesson = bundled.xml(bundled.doc_titled("損失函數 (Loss Function)"))
    assert {text(p) for p in lesson.iterfind(".//x:p[@class='ask-label']", NS)} == {"使用者提問："}
    assert {text(p) for p in lesson.iterfind(".//x:p[@class='answer-label']", NS)} == {"ChatGPT 回答："}
    assert text(lesson.find(".//x:li[@class='qa']//x:a", NS)) == "答案"


def _questions(book: Book, title: str) -> tuple[str, list]:
    href = book.doc_titled(title)
    return href, book.xml(href).findall(".//x:li[@class='qa']", NS)


def test_test_answers_close_the_chapter_linked_from_their_questions_and_back(book):
    href, questions = _questions(book, "Loss functions")
    assert [q.get("value") for q in questions] == ["1", "2", "3"]
    first = questions[0]
    link = first.find(".//x:a", NS)
    assert text(link) == "Answer" and link.get(EPUB_TYPE) == "noteref"
    answers_href, answer_id = resolve(href, link.get("href"))
    assert book.title(answers_href) == "Answers · Regression"
    answer = book.xml(answers_href).find(f".//x:li[@id='{answer_id}']", NS)
    assert answer.find(".//m:math", NS).get("alttext") == "(1 + 9) / 2 = 5"
    back = answer.find("x:p[@class='back']/x:a", NS)
    assert text(back) == "Back to the question" and back.get(EPUB_TYPE) == "backlink"
    assert resolve(answers_href, back.get("href")) == (href, first.get("id"))
    assert text(questions[2]) == "A question nobody answered? This question has no answer."
    assert questions[2].find(".//x:a", NS) is None


def test_a_plot_in_an_answer_shows_in_the_answer(book):
    href, questions = _questions(book, "Loss functions")
    answers_href, answer_id = resolve(href, questions[1].find(".//x:a", NS).get("href"))
    answer = book.xml(answers_href).find(f".//x:li[@id='{answer_id}']/x:div[@class='answer-text']", NS)
    assert [child.tag.split("}")[1] for child in answer] == ["p", "figure"]
    figure = answer.find("x:figure[@class='loss-plot']", NS)
    assert figure.find("svg:svg/svg:title", NS).text.startswith("Line chart of mean absolute error and Huber loss (δ = 1)")
    assert text(figure.find("x:figcaption", NS)).startswith("Figure: mean absolute error and Huber loss")
    assert "svg" in book.properties(answers_href)


def test_every_answer_link_has_its_way_back(book):
    links = 0
    for href in book.spine:
        document = book.xml(href)
        for link in document.iterfind(".//x:a", NS):
            if link.get(EPUB_TYPE) != "noteref":
                continue
            links += 1
            question = next(a for a in link.iterancestors(f"{{{NS['x']}}}li"))
            target, fragment = resolve(href, link.get("href"))
            answer = book.xml(target).find(f".//x:li[@id='{fragment}']", NS)
            back = answer.find("x:p[@class='back']/x:a", NS)
            assert resolve(target, back.get("href")) == (href, question.get("id"))
    # Loss (2 answered), gradient descent, Huber, hinge (two tests), notes.
    assert links == 7


def test_answers_of_a_lesson_with_two_tests_are_grouped_by_test(book):
    answers = book.xml(book.doc_titled("Answers · Classification"))
    lesson = answers.find(".//x:section[@class='answers-of-lesson']", NS)
    assert text(lesson.find("x:h2", NS)) == "Hinge loss"
    assert [text(h) for h in lesson.findall("x:h3", NS)] == ["Review", "Review"]
    assert [text(li.find("x:div", NS)) for li in lesson.iterfind(".//x:li", NS)] == ["zero.", "one."]
    root_answers = book.xml(book.doc_titled("Answers"))
    assert text(root_answers.find(".//x:h2", NS)) == "Notes"


def test_links_between_lessons_lead_to_the_chapters_of_the_book(book):
    href = book.doc_titled("Loss functions")
    links = {text(a): a.get("href") for a in book.xml(href).iterfind(".//x:a", NS)}
    target, fragment = resolve(href, links["gradient descent"])
    assert book.title(target) == "Gradient descent"
    section = book.xml(target).find(f".//x:section[@id='{fragment}']", NS)
    assert text(section.find("x:h2", NS)) == "Review"
    assert links["the preview"] == "#s1"
    assert book.title(resolve(href, links["the welcome"])[0]) == "Welcome"
    assert links["a site"] == "https://example.org/a?b=1&c=2"
    assert links["mail"] == "mailto:a@example.org"
    assert "a file" not in links  # a PDF is no page of the book: its text stays, unlinked
    gradient = book.doc_titled("Gradient descent")
    chapter = book.xml(gradient).find(".//x:a", NS)
    assert text(chapter) == "the chapter" and book.title(resolve(gradient, chapter.get("href"))[0]) == "Regression"
    welcome = book.doc_titled("Welcome")
    start = book.xml(welcome).find(".//x:a", NS)
    target, fragment = resolve(welcome, start.get("href"))
    assert book.title(target) == "Loss functions" and fragment == "s2"


# --- Formulas, plots and images --------------------------------------------------------------


def test_formulas_are_mathml_and_their_documents_say_so(book):
    href = book.doc_titled("Loss functions")
    formulas = book.xml(href).findall(".//m:math", NS)
    assert formulas[0].get("alttext") == "\\mathrm{MSE} = \\frac{1}{n}\\sum_{i=1}^{n}(y_i - \\hat{y}_i)^2"
    assert formulas[0].find(".//m:mfrac", NS) is not None
    display = book.xml(href).find(".//x:span[@class='math display']/m:math", NS)
    assert display.get("display") == "block"  # $$…$$ inside a paragraph: a span, as a paragraph allows
    for document in book.spine:
        has_math = book.xml(document).find(".//m:math", NS) is not None
        assert ("mathml" in book.properties(document)) == has_math, document
    assert "mathml" not in book.properties(book.doc_titled("Huber loss"))


def test_plots_are_inline_svg_and_their_documents_say_so(book):
    href = book.doc_titled("Loss functions")
    figure = book.xml(href).find(".//x:figure[@class='loss-plot']", NS)
    svg = figure.find("svg:svg", NS)
    assert svg.findtext("svg:title", namespaces=NS).startswith("Line chart of mean squared error, mean absolute error and Huber loss")
    assert text(figure.find("x:figcaption", NS)).startswith("Figure: mean squared error")
    assert len(svg.findall(".//svg:path", NS)) > 10
    ids = [element.get("id") for element in book.xml(href).iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    for document in book.spine:
        has_svg = book.xml(document).find(".//svg:svg", NS) is not None
        assert ("svg" in book.properties(document)) == has_svg, document
    # Huber loss names a loss in its explanation, so it gets its plot without a shortcode.
    assert "svg" in book.properties(book.doc_titled("Huber loss"))


def test_lesson_images_are_files_of_the_book(book):
    href = book.doc_titled("Loss functions")
    document = book.xml(href)
    images = {img.get("alt"): resolve(href, img.get("src"))[0] for img in document.iterfind(".//x:img", NS)}
    assert sorted(images) == ["a diagram of the residuals", "the logo"]
    assert book.files["EPUB/" + images["a diagram of the residuals"]] == png()
    assert book.manifest[images["a diagram of the residuals"]]["media-type"] == "image/png"
    assert book.manifest[images["the logo"]]["media-type"] == "image/svg+xml"
    remote = document.find(".//x:a[@href='https://example.org/chart.png']", NS)
    assert text(remote) == "a remote chart"  # a book may not load from the network: a link instead
    paragraph = text(remote.getparent())
    assert "a photo" in paragraph and "missing" in paragraph  # no WebP in EPUB 3.2, no file: the alt text
    assert not [name for name in book.files if name.endswith((".webp", ".pdf"))]


def test_no_script_reaches_the_book(book):
    assert not any("scripted" in item.get("properties", "") for item in book.manifest.values())
    checked = 0
    for name, data in book.files.items():
        if not name.endswith((".xhtml", ".svg")):
            continue
        checked += 1
        for element in etree.fromstring(data).iter():
            if not isinstance(element.tag, str):
                continue
            assert etree.QName(element).localname.lower() not in ("script", "iframe", "foreignobject", "video"), name
            for attribute, value in element.attrib.items():
                assert not etree.QName(attribute).localname.lower().startswith("on"), (name, attribute)
                assert not value.strip().lower().startswith("javascript:"), (name, attribute, value)
    assert checked == len(book.spine) + 2  # the documents, the cover image and the logo
    loss = book.xml(book.doc_titled("Loss functions"))
    raw = next(p for p in loss.iterfind(".//x:p", NS) if text(p).startswith("Raw"))
    assert text(raw) == "Raw bold & kept" and raw.attrib == {}


# --- Errors and the file written ---------------------------------------------------------------


def test_a_lesson_with_an_error_is_reported_and_nothing_is_written(make_site):
    site = make_site(
        {
            "content/ok.md": "+++\ntitle = 'ok'\n+++\n## Review\n1. q?\nAnswer: a.\n",
            "content/bad.md": "+++\ntitle = 'bad'\n+++\n\ntext\n\n{{< ask_chatgpt >}}\nprompt\n",
        }
    )
    out = site / "book.epub"
    out.write_bytes(b"the previous book")
    result = run_cli("export-epub", site, "-o", out)
    assert result.code == 1
    assert result.err.splitlines() == [
        "content/bad.md:7: error: unclosed shortcode {{< ask_chatgpt >}}: no {{< /ask_chatgpt >}} follows",
        "studysite: 1 error; nothing was written",
    ]
    assert out.read_bytes() == b"the previous book"
    assert sorted(p.name for p in site.iterdir()) == [".studysite", "book.epub", "content"]  # .studysite: the caches


def test_the_book_replaces_the_previous_one_whole(make_site):
    site = make_site({"content/ok.md": "+++\ntitle = 'ok'\n+++\nHello.\n"})
    out = site / "books" / "book.epub"
    out.parent.mkdir()
    out.write_bytes(b"the previous book")
    book, _ = export(site, out)
    assert book.title(book.doc_titled("ok")) == "ok"
    assert sorted(p.name for p in out.parent.iterdir()) == ["book.epub"]  # no temporary file left
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask  # readable as any file the user makes


def test_output_path_and_language_mistakes_are_usage_errors(make_site):
    site = make_site({"content/ok.md": "+++\ntitle = 'ok'\n+++\nHello.\n", "studysite.toml": 'languageCode = "en"\n'})
    folder = run_cli("export-epub", site, "-o", site / "content")
    assert folder.code == 2
    assert folder.err == f"studysite: error: {site / 'content'} is a folder: give the book's file name, e.g. {site / 'content' / 'book.epub'}\n"
    language = run_cli("export-epub", site, "-o", site / "book.epub", "--lang", "zh-TW")
    assert (language.code, language.err) == (2, "studysite: error: --lang zh-TW: the site's languages are en\n")
    assert not (site / "book.epub").exists()
    chosen, _ = export(site, site / "book.epub", "--lang", "en")
    assert chosen.opf.find("opf:metadata", NS).findtext("dc:language", namespaces=NS) == "en"


def test_a_multilingual_site_gets_a_folder_of_books_named_after_their_languages(tmp_path):
    from generator.epub import book_paths
    from generator.errors import UsageError

    out = tmp_path / "books"
    assert book_paths(["zh-TW"], tmp_path / "book.epub") == {"zh-TW": tmp_path / "book.epub"}
    assert book_paths(["zh-tw", "en"], out) == {"zh-tw": out / "zh-tw.epub", "en": out / "en.epub"}
    assert book_paths(["zh-tw", "en"], out, "EN") == {"en": out / "en.epub"}
    with pytest.raises(UsageError, match="--lang zh-cn: the site's languages are zh-tw, en"):
        book_paths(["zh-tw", "en"], out, "zh-cn")

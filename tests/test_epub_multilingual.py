"""export-epub on a multilingual Hugo repo (the fixture of test_multilingual.py, with a
title of its own for zh-tw and a zh-tw lesson with a formula, a plot and an image): one
book per language, named after its key, each with that language's title, language,
interface words and lessons only. epubcheck runs on these books in test_epubcheck.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from epub_fixture import png
from helpers import run_cli, write_site
from multilingual_site import CONFIG, FILES
from test_epub import NS, Book, _nav_tree, read_book, resolve, text

ZH_TW_TITLE = "用 AI 學習"
CHART = """+++
title = "圖表"
weight = 1
+++
## 說明知識
{{< ask_chatgpt >}}
圖表?
{{< /ask_chatgpt >}}

均方誤差 $\\frac{1}{n}\\sum_i e_i^2$。

{{< loss_curve losses="mse, mae" >}}

![殘差圖](chart.png)

## 知識測驗
1. 哪個損失對離群值穩健?
答案： MAE。
"""

MULTILINGUAL_SITE: dict[str, str | bytes] = {
    **FILES,
    "config.toml": CONFIG.replace('contentDir = "content/zh-tw"', f'contentDir = "content/zh-tw"\n    title = "{ZH_TW_TITLE}"'),
    "content/zh-tw/台灣 Only/圖表.md": CHART,
    "content/zh-tw/台灣 Only/chart.png": png(3, 3),
}

BOOKS = {
    "en": {
        "language": "en",
        "title": "Learn with AI",
        "contents": "Contents",
        "labels": ("User ask:", "ChatGPT answer:"),
        "toc": [
            (
                "AI Knowledge Hub",
                [
                    ("Information Technology", ["Loss Function", "Gradient Descent (GD)", "Only in English", "Answers · Information Technology"]),
                    "Answers · AI Knowledge Hub",
                ],
            ),
            ("Math Basics", ["Linear Algebra", "Answers · Math Basics"]),
        ],
    },
    "zh-cn": {
        "language": "zh-CN",
        "title": "Learn with AI",  # no title in its [languages] table: the site's
        "contents": "目录",
        "labels": ("用户提问：", "ChatGPT 回答："),
        "toc": [
            ("AI 知识库", [("信息技术", ["梯度下降 (GD)", "损失函数", "答案 · 信息技术"]), "答案 · AI 知识库"]),
            ("数学", ["线性代数", "答案 · 数学"]),
        ],
    },
    "zh-tw": {
        "language": "zh-TW",
        "title": ZH_TW_TITLE,
        "contents": "目錄",
        "labels": ("使用者提問：", "ChatGPT 回答："),
        "toc": [
            ("AI 知識庫", [("資訊科技", ["損失函數", "答案 · 資訊科技"]), "答案 · AI 知識庫"]),
            ("台灣專區", ["圖表", "課程 (一)", "答案 · 台灣專區"]),
        ],
    },
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, str]:
    site = write_site(tmp_path_factory.mktemp("epub-multilingual") / "site", MULTILINGUAL_SITE)
    result = run_cli("export-epub", site, "-o", site.parent / "books")
    assert result.code == 0, result.err
    return site.parent / "books", result.out


@pytest.fixture(scope="module")
def books(exported) -> dict[str, Book]:
    folder, _ = exported
    return {path.stem: read_book(path) for path in sorted(folder.iterdir())}


def _nav(book: Book):
    href = next(href for href, item in book.manifest.items() if item.get("properties") == "nav")
    return href, book.xml(href)


def test_one_book_per_language_named_after_its_key(exported, books):
    folder, printed = exported
    assert sorted(books) == ["en", "zh-cn", "zh-tw"]
    assert printed.splitlines() == [
        f"studysite: wrote {folder / 'en.epub'} (en, 4 lessons)",
        f"studysite: wrote {folder / 'zh-cn.epub'} (zh-cn, 3 lessons)",
        f"studysite: wrote {folder / 'zh-tw.epub'} (zh-tw, 3 lessons)",
    ]
    identifiers = {book.opf.find("opf:metadata", NS).findtext("dc:identifier", namespaces=NS) for book in books.values()}
    assert len(identifiers) == 3  # a reading app keeps the three books apart


@pytest.mark.parametrize("key", BOOKS)
def test_each_book_has_its_languages_title_language_and_words(books, key):
    book, expected = books[key], BOOKS[key]
    metadata = book.opf.find("opf:metadata", NS)
    assert metadata.findtext("dc:language", namespaces=NS) == expected["language"]
    assert metadata.findtext("dc:title", namespaces=NS) == expected["title"]
    for href in book.spine:
        assert book.xml(href).get("lang") == expected["language"], href
    cover = book.xml(next(href for href, item in book.manifest.items() if item.get("properties") == "cover-image"))
    assert cover.findtext("svg:title", namespaces=NS) == expected["title"]
    _, nav = _nav(book)
    assert nav.findtext("x:head/x:title", namespaces=NS) == expected["contents"]
    labels = {
        (text(ask), text(answer))
        for href in book.spine
        for ask, answer in zip(book.xml(href).iterfind(".//x:p[@class='ask-label']", NS), book.xml(href).iterfind(".//x:p[@class='answer-label']", NS))
    }
    assert labels == {expected["labels"]}


@pytest.mark.parametrize("key", BOOKS)
def test_each_book_holds_its_languages_lessons_only_in_the_sites_order(books, key):
    _, nav = _nav(books[key])
    assert _nav_tree(nav.find(".//x:nav/x:ol", NS)) == BOOKS[key]["toc"]


def test_a_lesson_outside_the_default_language_keeps_its_formula_plot_and_image(books):
    book = books["zh-tw"]
    href = book.doc_titled("圖表")
    document = book.xml(href)
    assert document.find(".//m:math", NS).get("alttext") == "\\frac{1}{n}\\sum_i e_i^2"
    figure = document.find(".//x:figure[@class='loss-plot']", NS)
    assert figure.find("svg:svg", NS) is not None
    assert {"mathml", "svg"} <= book.properties(href)
    image = document.find(".//x:img", NS)
    assert image.get("alt") == "殘差圖"
    assert book.files["EPUB/" + resolve(href, image.get("src"))[0]] == png(3, 3)
    question = document.find(".//x:li[@class='qa']", NS)
    link = question.find(".//x:a", NS)
    assert text(link) == "答案"
    answers, answer_id = resolve(href, link.get("href"))
    assert book.title(answers) == "答案 · 台灣專區"
    back = book.xml(answers).find(f".//x:li[@id='{answer_id}']/x:p[@class='back']/x:a", NS)
    assert resolve(answers, back.get("href")) == (href, question.get("id"))


def test_lang_picks_one_book_in_any_case(tmp_path):
    site = write_site(tmp_path / "site", MULTILINGUAL_SITE)
    result = run_cli("export-epub", site, "-o", tmp_path / "books", "--lang", "zh-TW")
    assert result.code == 0, result.err
    assert result.out == f"studysite: wrote {tmp_path / 'books' / 'zh-tw.epub'} (zh-tw, 3 lessons)\n"
    assert [path.name for path in (tmp_path / "books").iterdir()] == ["zh-tw.epub"]
    unknown = run_cli("export-epub", site, "-o", tmp_path / "books", "--lang", "fr")
    assert (unknown.code, unknown.err) == (2, "studysite: error: --lang fr: the site's languages are en, zh-cn, zh-tw\n")


def test_a_file_where_the_books_folder_should_be_is_a_usage_error(tmp_path):
    site = write_site(tmp_path / "site", MULTILINGUAL_SITE)
    out = tmp_path / "book.epub"
    out.write_bytes(b"the previous book")
    result = run_cli("export-epub", site, "-o", out)
    assert (result.code, result.err) == (2, f"studysite: error: {out} is a file: the site has 3 languages, give a folder for their books\n")
    assert out.read_bytes() == b"the previous book"


def test_an_error_in_one_language_writes_no_book_at_all(tmp_path):
    site = write_site(tmp_path / "site", MULTILINGUAL_SITE)
    (site / "content/zh-cn/数学/坏.md").write_text("+++\ntitle = '坏'\n+++\n{{< ask_chatgpt >}}\n提示\n", encoding="utf-8")
    result = run_cli("export-epub", site, "-o", tmp_path / "books")
    assert result.code == 1
    assert result.err.splitlines() == [
        "content/zh-cn/数学/坏.md:4: error: unclosed shortcode {{< ask_chatgpt >}}: no {{< /ask_chatgpt >}} follows",
        "studysite: 1 error; nothing was written",
    ]
    assert not (tmp_path / "books").exists()

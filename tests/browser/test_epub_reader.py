"""The bundled site's book, read as a reading system would: its XHTML opened in Chromium
from the unpacked book. A formula is laid out as MathML, a plot drawn as SVG, and a test
question leads to its answer at the end of the chapter and back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers import REPO, run_cli

pytestmark = pytest.mark.browser

LESSON_TITLE = "損失函數 (Loss Function)"


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("epub-reader")
    result = run_cli("export-epub", REPO, "-o", folder / "book.epub")
    assert result.code == 0, result.err
    with zipfile.ZipFile(folder / "book.epub") as archive:
        archive.extractall(folder / "book")
    return folder / "book" / "EPUB"


@pytest.fixture
def reader(browser):
    context = browser.new_context(viewport={"width": 800, "height": 900})
    context.set_default_timeout(10_000)
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(str(error))))
    page = context.new_page()
    yield page
    context.close()
    assert all(url.startswith("file://") for url in requests), f"the book reached out: {requests}"
    assert not errors, errors


def _lesson(unpacked: Path) -> Path:
    for path in sorted((unpacked / "text").glob("*.xhtml")):
        if f"<title>{LESSON_TITLE}</title>" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no document titled {LESSON_TITLE}")


def test_a_formula_is_laid_out_as_mathml(reader, unpacked):
    reader.goto(_lesson(unpacked).as_uri())
    fraction = reader.locator("div.math.display math mfrac").first
    fraction.scroll_into_view_if_needed()
    layout = fraction.evaluate(
        """f => {
            const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
            return {namespace: f.namespaceURI, display: getComputedStyle(f.closest('math')).display,
                    stacked: top.bottom <= bottom.top + 1, width: f.getBoundingClientRect().width};
        }"""
    )
    # A browser that did not read MathML would put numerator and denominator side by side.
    assert layout["namespace"] == "http://www.w3.org/1998/Math/MathML"
    assert layout["display"] == "block math"
    assert layout["stacked"] and layout["width"] > 0


def test_a_plot_is_drawn_as_svg(reader, unpacked):
    reader.goto(_lesson(unpacked).as_uri())
    plot = reader.locator("figure.loss-plot svg").first
    plot.scroll_into_view_if_needed()
    expect(plot).to_be_visible()
    drawn = plot.evaluate(
        """svg => ({namespace: svg.namespaceURI, width: svg.getBoundingClientRect().width,
                   curves: svg.querySelectorAll('path').length,
                   labels: [...svg.querySelectorAll('text')].filter(t => t.getBBox().width > 0).length})"""
    )
    assert drawn["namespace"] == "http://www.w3.org/2000/svg"
    assert drawn["width"] > 300 and drawn["curves"] > 10 and drawn["labels"] > 5
    expect(reader.locator("figure.loss-plot figcaption").first).to_contain_text("圖")


def test_a_question_links_to_its_answer_and_back(reader, unpacked):
    lesson = _lesson(unpacked)
    reader.goto(lesson.as_uri())
    question = reader.locator("li.qa").first
    question_text = question.locator(".question").inner_text()
    question.locator(".to-answer a").click()

    reader.wait_for_url("**/a*.xhtml#a*")
    answer = reader.locator(":target")
    expect(answer).to_have_count(1)
    expect(answer).to_be_in_viewport()
    expect(answer.locator(".answer-text")).to_contain_text("MSE")
    expect(reader.locator("h1")).to_have_text("答案 · 機器學習 (Machine Learning)")

    answer.locator(".back a").click()
    reader.wait_for_url(f"**/{lesson.name}#q1")
    target = reader.locator(":target")
    expect(target).to_be_in_viewport()
    expect(target.locator(".question")).to_have_text(question_text)

"""Search over every lesson, Chinese included: the header box and the full search page."""

import re
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect

from helpers import run_cli, write_site

pytestmark = pytest.mark.browser

LESSON_TITLE = "損失函數 (Loss Function)"
LESSON_HEADINGS = ("習題預習", "說明知識", "條列重點", "知識測驗")


def search(page, query: str):
    box = page.locator("header input[type=search]")
    box.fill(query)
    results = page.locator("header .search-results")
    expect(results).to_be_visible()
    return results


def lesson_hits(results):
    return results.locator("a").filter(has_text=LESSON_TITLE)


@pytest.mark.parametrize("query", ["交叉熵", "cross entropy", "Cross-Entropy"])
def test_search_box_finds_the_lesson_section(page, site, query):
    page.goto(site.url(site.home))
    results = search(page, query)
    hits = lesson_hits(results)
    expect(hits.first).to_be_visible()
    for n in range(hits.count()):
        hit = hits.nth(n)
        section = hit.locator(".search-section").inner_text().lstrip("› ").strip()
        assert section in LESSON_HEADINGS, section
        href = unquote(hit.get_attribute("href"))
        assert href.endswith(f"機器學習-machine-learning/loss-function/#{section}"), href
    # The match is shown in the snippet.
    expect(hits.first.locator(".search-snippet mark")).to_have_count(1)


def test_search_box_says_when_nothing_matches(page, site):
    page.goto(site.url(site.lesson))
    results = search(page, "zqxjv 不存在的詞")
    expect(results.locator("a")).to_have_count(0)
    expect(results).to_contain_text("找不到符合的課程")
    # Clearing the box hides the results.
    page.locator("header input[type=search]").fill("")
    expect(results).to_be_hidden()


def test_clicking_a_result_goes_to_the_lesson_section(page, site):
    page.goto(site.url(site.section))
    results = search(page, "交叉熵")
    hit = lesson_hits(results).first
    section = hit.locator(".search-section").inner_text().lstrip("› ").strip()
    hit.click()
    page.wait_for_url(lambda url: unquote(url).endswith(f"{site.lesson}#{section}"))
    expect(page.locator("h1")).to_have_text(LESSON_TITLE)
    target = page.locator(f'section[id="{section}"]')
    expect(target.locator("h2")).to_have_text(section)
    expect(target.locator("h2")).to_be_in_viewport()
    expect(target).to_contain_text("交叉熵")  # the section the result named holds the match


def test_search_page_lists_results(page, site):
    page.goto(site.url("/search/?q=梯度"))
    expect(page.locator("header input[type=search]")).to_have_value("梯度")
    links = page.locator("[data-search-page].search-results a")
    expect(links.first).to_be_visible()
    assert links.count() >= 2
    titles = links.locator(".search-title").all_inner_texts()
    assert "梯度下降 (Gradient Descent)" in titles
    # Every result leads to a page of the site.
    for href in links.evaluate_all("links => links.map(a => a.href)"):
        path = unquote(urlsplit(href).path).strip("/")
        assert (site.public / path / "index.html").is_file(), href


def test_a_simplified_query_finds_the_traditional_lesson_and_marks_its_words(page, site):
    page.goto(site.url(site.home))
    results = search(page, "损失函数")
    hit = lesson_hits(results).first
    expect(hit).to_be_visible()
    # The reader's own script is what the lesson shows, and that is what is marked.
    expect(hit.locator(".search-title mark")).to_have_text("損失函數")
    expect(results.locator(".search-snippet mark").first).to_have_text(re.compile("^(損失函數|损失函数)$"))


@pytest.mark.parametrize("query", ["Huber", "MSE", "Dice", "交叉熵"])
def test_snippets_show_formulas_as_rendered_text_and_never_an_answer(page, site, query):
    page.goto(site.url(site.lesson))
    answers = [" ".join(text.split()) for text in page.locator(".qa .answer-text").all_text_contents()]
    assert len(answers) == 5
    results = search(page, query)
    expect(results.locator("a").first).to_be_visible()
    for snippet in results.locator(".search-snippet").all_inner_texts():
        assert not re.search(r"\\[A-Za-z]+", snippet), snippet
        # Any twelve characters running on from an answer would give it away.
        for answer in answers:
            assert not any(answer[i : i + 12] in snippet for i in range(0, max(1, len(answer) - 11))), (snippet, answer)


def test_results_are_ranked_title_first(page, site):
    page.goto(site.url(site.home))
    results = search(page, "梯度下降")
    expect(results.locator("a").first).to_be_visible()
    expect(results.locator("a").first.locator(".search-title")).to_have_text("梯度下降 (Gradient Descent)")


def test_the_result_panel_fits_a_390px_phone(new_context, site):
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.goto(site.url(site.lesson))
    results = search(page, "損失")
    expect(results.locator("a").first).to_be_visible()
    box = results.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["y"] + box["height"] <= 844, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_slash_focuses_the_search_box_but_not_while_typing(page, site):
    page.goto(site.url(site.lesson))
    box = page.locator("header input[type=search]")
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    # In the box itself "/" is a character like any other.
    page.keyboard.type("a/b")
    expect(box).to_have_value("a/b")


def test_a_result_opened_from_disk_shows_the_lesson(browser, site):
    errors: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((site.public / "index.html").as_uri())
        results = search(page, "交叉熵")
        hit = lesson_hits(results).first
        assert unquote(hit.get_attribute("href")).split("#")[0].endswith("/loss-function/index.html")
        hit.click()
        expect(page.locator("h1")).to_have_text(LESSON_TITLE)
        assert page.url.startswith("file://")
    finally:
        context.close()
    assert errors == []


ANSWER_SITE = {
    "studysite.toml": 'title = "Zebra site"\nlanguageCode = "en"\n',
    "content/zebra.md": """+++
title = "Zebra loss"
+++
## Explain
Stripes ½ and ﬁne print before the word Quagga-Stripe, which is marked exactly.

## Review
1. Which animal has stripes?
Answer: the okapi-secret is never shown before the answer is opened.
""",
    "content/other.md": """+++
title = "Other"
+++
## Explain
A zebra, a zebra, a zebra and a zebra.
""",
}


@pytest.fixture(scope="module")
def answer_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("answer-site")
    assert run_cli("build", write_site(root / "site", ANSWER_SITE), "-o", root / "public", "--jobs", "1").code == 0
    return root / "public"


def test_a_match_in_an_answer_shows_the_question_labelled(browser, answer_site):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((answer_site / "index.html").as_uri())
        results = search(page, "okapi")
        hit = results.locator("a")
        expect(hit).to_have_count(1)
        expect(hit.locator(".search-label")).to_have_text("match in answer")
        expect(hit.locator(".search-snippet")).to_have_text("Which animal has stripes?")
        expect(results).not_to_contain_text("secret")
    finally:
        context.close()


def test_the_mark_is_the_matched_text_after_characters_that_normalise_longer(browser, answer_site):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((answer_site / "index.html").as_uri())
        # "½" compares as three characters and "ﬁ" as two: the mark must not shift.
        results = search(page, "quagga stripe")
        expect(results.locator(".search-snippet mark")).to_have_text("Quagga-Stripe")
        # The title outranks four matches in another lesson's prose.
        results = search(page, "zebra")
        expect(results.locator(".search-title").first).to_have_text("Zebra loss")
        expect(results.locator(".search-title").nth(1)).to_have_text("Other")
    finally:
        context.close()

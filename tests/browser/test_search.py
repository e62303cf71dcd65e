"""Search over every lesson, Chinese included: the header box and the full search page."""

from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect

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
    expect(hits.first.locator("mark")).to_have_count(1)


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

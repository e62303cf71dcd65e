"""The lesson's table of contents: beside the lesson and sticky on wide screens, folded
above it on phones, with the section being read marked while the reader scrolls."""

import pytest
from playwright.sync_api import expect

from reader_site import CODE_PAGE, THIRD_PAGE, disk_page, served_reader_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_reader_site(tmp_path_factory.mktemp("contents")) as served:
        yield served


def check_highlight_follows_scrolling(page) -> None:
    toc = page.locator(".toc")
    current = toc.locator("a[aria-current]")
    expect(toc.locator("a")).to_have_text(["說明知識", "程式碼", "小結", "知識測驗"])
    expect(current).to_have_text("說明知識")
    page.locator("h3#小結").evaluate("heading => heading.scrollIntoView()")
    expect(current).to_have_text("小結")
    expect(toc).to_be_in_viewport()  # sticky
    page.locator("h3#程式碼").evaluate("heading => heading.scrollIntoView()")
    expect(current).to_have_text("程式碼")
    page.evaluate("window.scrollTo(0, 0)")
    expect(current).to_have_text("說明知識")
    expect(current).to_have_count(1)


def test_wide_screens_show_the_contents_beside_the_lesson_and_mark_the_current_section(page, site):
    page.goto(site.url(CODE_PAGE))
    toc = page.locator(".toc")
    expect(toc).to_have_attribute("open", "")
    expect(toc).to_have_css("position", "sticky")
    toc_box, text_box = toc.bounding_box(), page.locator(".lesson-text").bounding_box()
    assert toc_box["x"] >= text_box["x"] + text_box["width"]  # to its right
    check_highlight_follows_scrolling(page)
    toc.locator("a", has_text="小結").click()
    expect(page.locator("h3#小結")).to_be_in_viewport()


def test_phones_show_the_contents_folded_above_the_lesson(new_context, site):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(site.url(CODE_PAGE))
    toc = page.locator(".toc")
    expect(toc).not_to_have_attribute("open", "")
    expect(toc.locator("a").first).to_be_hidden()
    assert toc.bounding_box()["y"] < page.locator("section#說明知識").bounding_box()["y"]
    toc.locator("summary").click()
    expect(toc.locator("a", has_text="知識測驗")).to_be_visible()
    toc.locator("a", has_text="知識測驗").click()
    expect(page.locator("section#知識測驗 h2")).to_be_in_viewport()


def test_a_lesson_with_one_section_has_no_contents(page, site):
    page.goto(site.url(THIRD_PAGE))
    expect(page.locator("h1")).to_have_text("第三課")
    expect(page.locator(".toc")).to_have_count(0)


def test_the_highlight_follows_scrolling_from_disk(browser, site):
    with disk_page(browser, site.file_url(CODE_PAGE)) as page:
        check_highlight_follows_scrolling(page)

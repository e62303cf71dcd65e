"""← and → go to the previous and next lesson, except while the reader types, moves a
slider or holds a modifier key (the tree's own arrows are tested with the tree)."""

import pytest
from playwright.sync_api import expect

from reader_site import disk_page

pytestmark = pytest.mark.browser


def arrived(page, url: str) -> None:
    """Wait until the page at *url* has run its deferred site.js (which happens before
    DOMContentLoaded): a key pressed earlier reaches a page without its key handler."""
    expect(page).to_have_url(url)
    page.wait_for_load_state("domcontentloaded")


def next_lesson(page) -> str:
    """The address the page's "next lesson" link leads to (the bundled lesson is the first)."""
    return page.locator(".pager a[rel=next]").evaluate("a => a.href")


def test_arrow_keys_move_to_the_next_and_previous_lesson(page, site):
    page.goto(site.url(site.lesson))
    following = next_lesson(page)
    page.keyboard.press("ArrowRight")
    arrived(page, following)
    expect(page.locator(".pager a[rel=prev]")).to_have_count(1)
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(site.url(site.lesson))


def test_arrow_keys_stay_on_the_page_while_typing_on_a_slider_or_with_a_modifier(page, site):
    page.goto(site.url(site.lesson))
    following = next_lesson(page)
    search = page.locator("header input[type=search]")
    search.fill("損失")
    page.keyboard.press("ArrowLeft")
    assert search.evaluate("input => [input.value, input.selectionStart]") == ["損失", 1]  # the caret moved
    search.fill("")

    slider = page.locator("input[type=range][data-plot-variants]").first
    before = slider.input_value()
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(slider).not_to_have_value(before)

    page.locator("h1").click()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Control+ArrowRight")
    # Then a plain key, which moves one lesson on: had any key above moved, it would land further.
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(following)


def test_arrow_keys_move_between_lessons_from_disk(browser, site):
    start = (site.public / site.lesson.strip("/") / "index.html").as_uri()
    with disk_page(browser, start) as page:
        following = next_lesson(page)
        assert following.startswith("file://") and following.endswith("/index.html")
        page.keyboard.press("ArrowRight")
        arrived(page, following)
        expect(page.locator("h1")).to_be_visible()
        page.keyboard.press("ArrowLeft")
        expect(page).to_have_url(start)

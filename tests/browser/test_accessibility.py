"""axe-core finds no serious or critical accessibility problem on the study pages, in both
themes and in the states a student puts them in (answers open, marks pressed, ticks)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_lesson_page(new_context, site, assert_accessible, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(site.url(site.lesson))
    expect(page.locator("html")).to_have_attribute("data-theme", scheme)
    assert_accessible(page, f"the lesson page ({scheme})")

    # As studied: every answer open, marks of both kinds pressed, a warm-up ticked.
    page.locator("[data-show-all]").click()
    page.locator('.qa [data-mark="right"]').nth(0).click()
    page.locator('.qa [data-mark="wrong"]').nth(1).click()
    page.locator(".warmup input[type=checkbox]").first.check()
    expect(page.locator(".qa details[open]")).to_have_count(5)
    assert_accessible(page, f"the lesson page being studied ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("where", ["home", "section"])
def test_index_pages(new_context, site, assert_accessible, where, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(site.url(site.lesson))
    page.locator('.qa [data-mark="right"]').first.click()  # so the listings show progress
    page.goto(site.url(getattr(site, where)))
    expect(page.locator("[data-progress]").first).not_to_be_empty()
    assert_accessible(page, f"the {where} page ({scheme})")


def test_search_results_and_phone_menu(new_context, site, assert_accessible):
    page = new_context(viewport={"width": 375, "height": 812}).new_page()
    page.goto(site.url(site.lesson))
    page.locator("header input[type=search]").fill("交叉熵")
    expect(page.locator("header .search-results a").first).to_be_visible()
    assert_accessible(page, "the lesson page with search results, phone width")
    page.locator("header input[type=search]").fill("")
    page.locator("[data-show-all]").click()  # answers with code blocks, at phone width
    expect(page.locator(".qa details[open]")).to_have_count(5)
    assert_accessible(page, "the lesson page with every answer open, phone width")
    page.locator("[data-menu-toggle]").click()
    expect(page.locator("#sidebar")).to_be_visible()
    assert_accessible(page, "the lesson page with the menu open, phone width")

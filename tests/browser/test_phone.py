"""Phone width (375 px): nothing scrolls sideways, and the sidebar is a drawer."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def context_options():
    return PHONE


def overflow(page) -> dict:
    """The page's width against the screen's, and the elements sticking out on the right."""
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            wide: [...document.querySelectorAll("body *")]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && e.checkVisibility())
                .slice(0, 5).map(e => e.tagName.toLowerCase() + "." + e.className),
        })"""
    )


@pytest.mark.parametrize("where", ["lesson", "home", "section"])
def test_no_horizontal_scroll_at_phone_width(page, site, where):
    page.goto(site.url(getattr(site, where)))
    if where == "lesson":
        # Open every answer too: code and formulas must scroll inside their own boxes.
        page.locator("[data-show-all]").click()
        expect(page.locator(".qa details[open]")).to_have_count(5)
    found = overflow(page)
    assert found["innerWidth"] == 375
    assert found["scrollWidth"] <= found["innerWidth"], found


def test_sidebar_is_a_drawer_opened_by_the_menu_button_and_closed_by_escape(page, site):
    page.goto(site.url(site.lesson))
    sidebar = page.locator("#sidebar")
    menu = page.locator("[data-menu-toggle]")
    expect(sidebar).to_be_hidden()
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")

    menu.click()
    expect(sidebar).to_be_visible()
    expect(sidebar).to_be_in_viewport(ratio=0.99)
    expect(menu).to_have_attribute("aria-expanded", "true")
    # The lesson's entry: a link, then a tree item once the whole tree has loaded.
    expect(sidebar.locator("a", has_text="損失函數 (Loss Function)")).to_be_visible()
    # Focus moves into the drawer so a keyboard user can go on from there.
    expect(sidebar.locator("a").first).to_be_focused()
    assert overflow(page)["scrollWidth"] <= 375

    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    # The button closes it too.
    menu.click()
    expect(sidebar).to_be_visible()
    menu.click()
    expect(sidebar).to_be_hidden()

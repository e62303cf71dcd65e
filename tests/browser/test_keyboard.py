"""Keyboard use: Tab reaches every study control, in a sensible order, each with a visible
focus ring; Enter and Space work on answers and marks."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# What has keyboard focus, and whether a sighted keyboard user can see where it is.
FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    return {
        tag: e.tagName.toLowerCase(),
        type: e.getAttribute("type"),
        mark: e.getAttribute("data-mark"),
        copy: e.hasAttribute("data-copy"),
        theme: e.hasAttribute("data-theme-toggle"),
        summary: e.tagName === "SUMMARY",
        focusVisible: e.matches(":focus-visible"),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
        outlineColor: style.outlineColor,
        text: (e.textContent || "").trim().slice(0, 30),
    };
}"""

TARGETS = {
    "search box": lambda f: f["tag"] == "input" and f["type"] == "search",
    "theme toggle": lambda f: f["theme"],
    "copy button": lambda f: f["copy"],
    "answer summary": lambda f: f["summary"],
    "got-it button": lambda f: f["mark"] == "right",
    "missed-it button": lambda f: f["mark"] == "wrong",
}


def test_tab_reaches_the_study_controls_with_a_visible_focus_ring(page, site):
    page.goto(site.url(site.lesson))
    reached: dict[str, int] = {}
    order = []
    for step in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        order.append(focused["text"] or focused["tag"])
        for name, matches in TARGETS.items():
            if name not in reached and matches(focused):
                reached[name] = step
                assert focused["focusVisible"], f"{name} is focused but not :focus-visible"
                assert focused["outlineStyle"] != "none" and focused["outlineWidth"] > 0, (name, focused)
        if len(reached) == len(TARGETS):
            break
    assert set(reached) == set(TARGETS), f"Tab never reached {set(TARGETS) - set(reached)}; order: {order}"
    # Header controls come before the lesson; an answer comes before its marks.
    assert reached["search box"] < reached["theme toggle"] < reached["copy button"]
    assert reached["answer summary"] < reached["got-it button"] < reached["missed-it button"]


def test_enter_and_space_open_answers_and_mark_them(page, site):
    page.goto(site.url(site.lesson))
    questions = page.locator(".qa")
    first, second = questions.nth(0), questions.nth(1)

    first.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(first.locator("details")).to_have_attribute("open", "")
    expect(first.locator(".answer-text")).to_be_visible()

    page.keyboard.press("Tab")
    expect(first.locator('[data-mark="right"]')).to_be_focused()
    page.keyboard.press("Space")
    expect(first.locator('[data-mark="right"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-score-value]")).to_have_text("1")

    second.locator("summary").focus()
    page.keyboard.press("Space")
    expect(second.locator("details")).to_have_attribute("open", "")
    expect(second.locator(".answer-text")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(second.locator('[data-mark="wrong"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(second.locator('[data-mark="wrong"]')).to_have_attribute("aria-pressed", "true")


def test_skip_link_is_first_and_jumps_to_the_content(page, site):
    page.goto(site.url(site.lesson))
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is inside the content, not back in the header or the sidebar.
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_formulas_and_code_too_wide_for_a_phone_scroll_from_the_keyboard(new_context, site):
    page = new_context(viewport={"width": 375, "height": 812}).new_page()
    page.goto(site.url(site.lesson))
    page.locator("[data-show-all]").click()  # answers hold code blocks
    expect(page.locator(".qa details[open]")).to_have_count(5)
    overflowing = """() => [...document.querySelectorAll(".math.display, pre")]
        .filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => ({tag: e.tagName, tabindex: e.getAttribute("tabindex")}))"""
    wide = page.evaluate(overflowing)
    assert wide, "expected at least one formula or code block wider than a phone"
    assert all(box["tabindex"] == "0" for box in wide), wide

    box = page.locator("[data-scroll-focus]").first
    box.focus()
    expect(box).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())

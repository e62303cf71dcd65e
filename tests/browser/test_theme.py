"""Dark mode: the toggle, what it really changes on screen, and the choice that lasts."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def background(page) -> tuple[int, ...]:
    color = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return tuple(int(part) for part in re.findall(r"\d+", color)[:3])


def is_dark(rgb: tuple[int, ...]) -> bool:
    return sum(rgb) / 3 < 80


def is_light(rgb: tuple[int, ...]) -> bool:
    return sum(rgb) / 3 > 200


def test_toggle_flips_the_theme_and_the_choice_lasts(new_context, site):
    page = new_context(color_scheme="light").new_page()
    page.goto(site.url(site.lesson))
    html = page.locator("html")
    toggle = page.locator("button[data-theme-toggle]")
    expect(html).to_have_attribute("data-theme", "light")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    light = background(page)
    assert is_light(light), light

    toggle.click()
    expect(html).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    dark = background(page)
    assert is_dark(dark), dark
    text = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert is_light(tuple(int(x) for x in re.findall(r"\d+", text)[:3])), text

    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    assert background(page) == dark

    page.goto(site.url(site.home))
    expect(html).to_have_attribute("data-theme", "dark")
    assert background(page) == dark
    page.locator("button[data-theme-toggle]").click()
    expect(html).to_have_attribute("data-theme", "light")
    assert background(page) == light

    page.goto(site.url(site.section))
    expect(html).to_have_attribute("data-theme", "light")
    assert background(page) == light


def test_system_dark_preference_is_followed_until_the_reader_chooses(new_context, site):
    page = new_context(color_scheme="dark").new_page()
    page.goto(site.url(site.lesson))
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "dark")
    assert is_dark(background(page))
    page.locator("button[data-theme-toggle]").click()
    expect(html).to_have_attribute("data-theme", "light")
    page.reload()
    expect(html).to_have_attribute("data-theme", "light")
    assert is_light(background(page))


def test_the_theme_is_set_before_the_body_exists(new_context, site):
    """No flash of the wrong theme: the stored choice is on <html> before anything paints."""
    context = new_context(color_scheme="dark")
    context.add_init_script(
        """new MutationObserver(function (records, observer) {
             if (!document.body) return;
             window.themeAtBody = document.documentElement.dataset.theme;
             observer.disconnect();
           }).observe(document, {childList: true, subtree: true});"""
    )
    page = context.new_page()
    page.goto(site.url(site.lesson))
    assert page.evaluate("window.themeAtBody") == "dark"
    page.evaluate("localStorage.setItem('studysite:theme', 'light')")
    page.reload()
    assert page.evaluate("window.themeAtBody") == "light"

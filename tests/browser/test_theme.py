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


PALETTE = [
    "--bg", "--bg-soft", "--bg-code", "--text", "--text-soft", "--border", "--accent", "--accent-text", "--accent-soft",
    "--ask-bg", "--ask-border", "--ask-label", "--right", "--right-soft", "--wrong", "--wrong-soft", "--mark", "--focus",
]

RESOLVED = """(names) => names.map((name) => {
  const probe = document.createElement("span");
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return [name, color];
})"""

CODE_COLOURS = """() => [...document.querySelectorAll("pre")].flatMap((pre) => {
  const background = getComputedStyle(pre).backgroundColor;
  return [pre, ...pre.querySelectorAll("*")]
    .filter((node) => [...node.childNodes].some((child) => child.nodeType === 3 && child.textContent.trim()))
    .map((node) => ({ text: node.textContent.slice(0, 30), color: getComputedStyle(node).color, background }));
})"""


def rgb(css: str) -> tuple[float, ...]:
    """An opaque colour as the browser computes it, "rgb(r, g, b)"."""
    assert css.startswith("rgb("), css  # not rgba(): a see-through colour has no contrast of its own
    return tuple(float(part) for part in re.findall(r"[\d.]+", css))


def contrast(foreground: str, background: str) -> float:
    """WCAG 2's contrast ratio of two opaque colours."""
    def luminance(colour: str) -> float:
        linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb(colour)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_without_javascript_a_dark_system_gets_the_whole_dark_palette_and_readable_code(new_context, site):
    chosen = new_context(color_scheme="light").new_page()
    chosen.goto(site.url(site.lesson))
    chosen.locator("button[data-theme-toggle]").click()
    expect(chosen.locator("html")).to_have_attribute("data-theme", "dark")

    page = new_context(color_scheme="dark", java_script_enabled=False).new_page()
    page.goto(site.url(site.lesson))
    expect(page.locator("html")).to_have_attribute("data-theme", "auto")  # as sent: no script ran
    # One palette: the system's dark is the dark the reader can pick, every colour of it.
    assert dict(page.evaluate(RESOLVED, PALETTE)) == dict(chosen.evaluate(RESOLVED, PALETTE))
    assert is_dark(background(page))

    for opened in (page, chosen):
        for details in opened.locator(".qa details").all():
            details.locator("summary").click()
    code = page.evaluate(CODE_COLOURS)
    assert len(code) > 20, code  # the lesson's code blocks, token by token
    assert code == chosen.evaluate(CODE_COLOURS)
    assert all(is_dark(rgb(token["background"])) for token in code), code
    worst = min(code, key=lambda token: contrast(token["color"], token["background"]))
    assert contrast(worst["color"], worst["background"]) >= 4.5, worst


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_is_readable_in_either_theme_chosen_with_javascript(new_context, site, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(site.url(site.lesson))
    expect(page.locator("html")).to_have_attribute("data-theme", scheme)
    for details in page.locator(".qa details").all():
        details.locator("summary").click()
    code = page.evaluate(CODE_COLOURS)
    assert len(code) > 20, code
    worst = min(code, key=lambda token: contrast(token["color"], token["background"]))
    assert contrast(worst["color"], worst["background"]) >= 4.5, worst


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

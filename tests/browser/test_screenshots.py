"""Screenshots for people to look at (tests/artifacts/, gitignored): the lesson page on a
desktop and a phone, light and dark, full page, and the home page. The lesson is shown as a
student leaves it mid-study: a warm-up ticked, one answer marked right, one marked wrong."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def study_a_little(page) -> None:
    page.locator(".warmup input[type=checkbox]").first.check()
    questions = page.locator(".qa")
    questions.nth(0).locator('[data-mark="right"]').click()
    questions.nth(1).locator('[data-mark="wrong"]').click()
    expect(page.locator("[data-score-value]")).to_have_text("1")


def settle(page) -> None:
    """Wait for fonts and images (lazy ones included) so the picture is complete."""
    page.evaluate("document.fonts.ready")
    # A full-page picture shows images no scroll position ever brought near the viewport.
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    page.evaluate("window.scrollTo(0, 0)")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_lesson_screenshot(new_context, site, artifacts, device, scheme):
    viewport = DESKTOP if device == "desktop" else PHONE
    page = new_context(viewport=viewport, color_scheme=scheme, device_scale_factor=1).new_page()
    page.goto(site.url(site.lesson))
    expect(page.locator("html")).to_have_attribute("data-theme", scheme)
    study_a_little(page)
    settle(page)
    path = artifacts / f"lesson-{device}-{scheme}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    assert path.stat().st_size > 20_000
    # The CJK text is drawn with a real CJK font (a missing font shows boxes or falls back).
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK TC\"', '損失函數')")


def test_home_screenshot(new_context, site, artifacts):
    page = new_context(viewport=DESKTOP, color_scheme="light", device_scale_factor=1).new_page()
    page.goto(site.url(site.lesson))
    study_a_little(page)
    page.goto(site.url(site.home))
    expect(page.locator("[data-progress]").first).to_have_text("1/5 答對")
    settle(page)
    path = artifacts / "home-desktop-light.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    assert path.stat().st_size > 10_000

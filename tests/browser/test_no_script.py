"""Without JavaScript the lesson is still a study page: questions, answers behind a
click (plain <details>), and the warm-up checklist."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def context_options():
    return {"java_script_enabled": False}


def test_questions_and_answers_are_readable_without_javascript(page, site):
    page.goto(site.url(site.lesson))
    assert page.evaluate("1 + 1") == 2  # Playwright's own evaluation still works
    expect(page.locator("html")).not_to_have_class("js")  # the page's script did not run

    expect(page.locator("h1")).to_have_text("損失函數 (Loss Function)")
    questions = page.locator(".qa")
    expect(questions).to_have_count(5)
    for n in range(5):
        expect(questions.nth(n).locator(".question")).to_be_visible()
        expect(questions.nth(n).locator(".answer-text")).to_be_hidden()
    expect(questions.first.locator(".question")).to_contain_text("MSE 與 MAE 各是多少")

    # <details> opens by itself, no script needed.
    questions.nth(0).locator("summary").click()
    expect(questions.nth(0).locator(".answer-text")).to_be_visible()
    expect(questions.nth(0).locator(".answer-text")).to_contain_text("MSE 為")
    questions.nth(4).locator("summary").click()
    expect(questions.nth(4).locator("pre code")).to_contain_text("def dice_loss")

    boxes = page.locator(".warmup input[type=checkbox]")
    expect(boxes).to_have_count(5)
    expect(page.locator(".warmup .question").first).to_be_visible()
    boxes.first.check()
    expect(boxes.first).to_be_checked()

    # The prompts are there to read and the ask link works as a plain link.
    expect(page.locator(".ask-chatgpt .prompt").first).to_have_text("給我5題損失函數的中文問題")
    expect(page.locator("a[data-ask]").first).to_be_visible()


def test_controls_that_need_a_script_are_not_shown_without_it(page, site):
    """Buttons that would do nothing without JavaScript are left out rather than shown dead."""
    page.goto(site.url(site.lesson))
    expect(page.locator(".qa .question").first).to_be_visible()
    for selector in ("button[data-copy]", ".qa-mark button", "[data-show-all]", "[data-reset-lesson]",
                     "[data-theme-toggle]"):
        expect(page.locator(selector)).not_to_have_count(0)
        for n in range(page.locator(selector).count()):
            expect(page.locator(selector).nth(n)).to_be_hidden()
    page.goto(site.url(site.home))
    expect(page.locator("[data-reset-all]")).to_be_hidden()
    expect(page.locator(".lesson-list a").first).to_be_visible()

"""Printing a lesson: the controls are left out and every answer is printed.

Two ways make answers print, and both are checked, each on its own:
- CSS: under print media, ``details::details-content`` is made visible, so the answers of
  closed ``<details>`` are laid out on paper even if no script runs. Checked with
  ``emulate_media(media="print")`` while every ``details`` stays closed: each ``.answer-text``
  must pass ``checkVisibility()`` and have a height.
- Script: site.js opens every ``details`` on ``beforeprint`` (for browsers without
  ``::details-content``) and closes them again on ``afterprint``. Chromium fires both events
  around ``page.pdf()``, so the test prints a real PDF and records, from a listener added after
  site.js's, how many answers were open at that moment.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CONTROLS = [".qa-mark", ".study-bar", ".prompt-actions", ".site-header", ".sidebar", "button[data-copy]", "a[data-ask]"]


def test_print_leaves_out_the_controls_and_shows_closed_answers(page, site):
    page.goto(site.url(site.lesson))
    expect(page.locator(".qa details[open]")).to_have_count(0)
    page.emulate_media(media="print")
    for selector in CONTROLS:
        shown = page.locator(selector).evaluate_all("els => els.filter(e => e.checkVisibility()).length")
        assert shown == 0, f"{selector} is printed"
    answers = page.locator(".qa .answer-text")
    expect(answers).to_have_count(5)
    state = answers.evaluate_all(
        "els => els.map(e => ({visible: e.checkVisibility(), height: e.getBoundingClientRect().height,"
        " open: e.closest('details').open}))"
    )
    assert all(not s["open"] for s in state), "the answers should still be closed for this check"
    assert all(s["visible"] and s["height"] > 10 for s in state), state
    # The questions, prompts and content are printed.
    for selector in (".qa .question", ".ask-chatgpt .prompt", ".warmup .question", "h1", "h2"):
        assert page.locator(selector).first.evaluate("e => e.checkVisibility()"), selector

    page.emulate_media(media="screen")
    expect(answers.first).to_be_hidden()
    expect(page.locator(".qa-mark").first).to_be_visible()


def test_printing_opens_every_answer_and_closes_them_afterwards(page, site):
    page.goto(site.url(site.lesson))
    page.locator(".qa").nth(2).locator("summary").click()  # one answer the reader opened
    page.evaluate(
        """() => {
            window.printLog = [];
            addEventListener("beforeprint", () => printLog.push(
                ["before", document.querySelectorAll(".qa details[open]").length]));
            addEventListener("afterprint", () => printLog.push(
                ["after", document.querySelectorAll(".qa details[open]").length]));
        }"""
    )
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert page.evaluate("printLog") == [["before", 5], ["after", 1]]
    # The reader's own open answer stays open after printing.
    expect(page.locator(".qa").nth(2).locator("details")).to_have_attribute("open", "")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 2, pages


def test_print_in_dark_mode_is_dark_ink_on_white_paper(new_context, site):
    page = new_context(color_scheme="dark").new_page()
    page.goto(site.url(site.lesson))
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.emulate_media(media="print")
    colours = page.evaluate(
        """() => [".qa .question", ".ask-chatgpt .prompt", ".answer-text", "h1", "h2", ".warmup .question",
                  "p"].map(s => {
            const e = document.querySelector(s);
            return [s, getComputedStyle(e).color];
        })"""
    )
    for selector, colour in colours:
        r, g, b = (int(x) for x in re.findall(r"\d+", colour)[:3])
        assert (r + g + b) / 3 < 110, f"{selector} prints in {colour}: too light for paper"

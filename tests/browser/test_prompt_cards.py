"""Prompt cards ("使用者提問"): the copy button and the link that asks ChatGPT again."""

import re
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PROMPTS = [
    "給我5題損失函數的中文問題",
    "以中文說明損失函數並舉例",
    "以中文條列損失函數的重點",
    "以中文給我5題損失函數的中等難度問題，並在後面列出答案",
]


@pytest.fixture
def context_options():
    return {"permissions": ["clipboard-read", "clipboard-write"]}


def test_copy_button_puts_the_exact_prompt_on_the_clipboard(page, site):
    page.clock.install()  # the "copied" label times out; let the test move the clock
    page.goto(site.url(site.lesson))
    cards = page.locator(".ask-chatgpt")
    expect(cards).to_have_count(len(PROMPTS))
    # Each card is labelled as the question put to the assistant, followed by its answer.
    expect(cards.first.locator(".ask-label")).to_have_text("使用者提問：")
    expect(page.locator(".chatgpt-answer .answer-label").first).to_have_text("ChatGPT 回答：")

    for n, prompt in enumerate(PROMPTS):
        card = cards.nth(n)
        expect(card.locator(".prompt")).to_have_text(prompt)
        button = card.locator("button[data-copy]")
        expect(button).to_have_text("複製提問")
        button.click()
        expect(button).to_have_text("已複製")
        assert page.evaluate("navigator.clipboard.readText()") == prompt
        page.clock.run_for(2500)
        expect(button).to_have_text("複製提問")


def test_ask_link_opens_chatgpt_with_the_prompt_in_a_new_tab(page, site):
    page.goto(site.url(site.lesson))
    cards = page.locator(".ask-chatgpt")
    expect(cards).to_have_count(len(PROMPTS))
    prefix = "https://chatgpt.com/?q="
    for n, prompt in enumerate(PROMPTS):
        link = cards.nth(n).locator("a[data-ask]")
        expect(link).to_have_text(re.compile("ChatGPT"))
        href = link.get_attribute("href")
        assert href.startswith(prefix), href
        encoded = href[len(prefix):]
        # Fully percent-encoded: nothing that would end or split the query parameter.
        assert re.fullmatch(r"[A-Za-z0-9\-_.~!'()*%]+", encoded), href
        assert unquote(encoded) == prompt
        expect(link).to_have_attribute("target", "_blank")
        assert "noopener" in link.get_attribute("rel").split()
    # The link is never followed here (no network); the context's request log is checked
    # to have stayed on the test server.

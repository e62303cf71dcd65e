"""A plot in a test answer, in a real browser: hidden with the answer, shown and loaded
when the reader opens it, and its slider switches the curve."""

import pytest
from playwright.sync_api import expect

from helpers import ServeProcess, write_site
from test_plot_pages import ANSWER_PLOT

pytestmark = pytest.mark.browser


def test_a_plot_in_an_answer_shows_when_the_answer_opens(browser, tmp_path):
    server = ServeProcess(write_site(tmp_path / "site", {"content/huber.md": ANSWER_PLOT}))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.url + "/huber/")
        question = page.locator(".qa").first
        figure = question.locator(".answer-text figure.loss-plot")
        expect(figure).to_be_hidden()
        question.locator("summary").click()
        expect(figure).to_be_visible()
        expect(figure.locator("figcaption")).to_have_text(
            "Figure: Huber loss (δ = 1) and mean absolute error against the residual r = ŷ − y."
        )
        image = figure.locator("img")
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        before = image.get_attribute("src")
        figure.locator("input[type=range]").focus()
        page.keyboard.press("ArrowRight")
        expect(image).not_to_have_attribute("src", before)
        expect(figure.locator("[data-plot-value]")).to_have_text("2")
    finally:
        context.close()
        server.stop()

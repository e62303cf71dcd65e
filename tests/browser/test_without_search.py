"""A page without the search box still gets every other study tool: site.js runs each
feature's own init, so the search one finding no form cannot skip the features after it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEARCH_FORM = re.compile(r'<form class="search"[^>]*data-search>.*?</form>', re.DOTALL)


def test_features_after_search_initialise_on_a_page_without_search(page, site):
    def without_search_form(route):
        response = route.fetch()
        html, count = SEARCH_FORM.subn("", response.text())
        assert count == 1, "the lesson page no longer has the search form this test removes"
        route.fulfill(response=response, body=html)

    page.route(site.url(site.lesson), without_search_form)
    page.goto(site.url(site.lesson))
    expect(page.locator("form[data-search]")).to_have_count(0)

    # Slider (initPlotSliders): moving it switches the curve and the shown value.
    figure = page.locator("figure.loss-plot:has(input[data-plot-variants])").first
    slider = figure.locator("input[type=range][data-plot-variants]")
    image, value = figure.locator("img"), figure.locator("[data-plot-value]")
    before_src, before_value = image.get_attribute("src"), value.inner_text()
    at_max = slider.evaluate("e => Number(e.value) >= Number(e.max)")
    slider.focus()
    page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
    expect(image).not_to_have_attribute("src", before_src)
    expect(value).not_to_have_text(before_value)

    # Heading links (initHeadingLinks, the last feature on a page served over HTTP).
    link = page.locator("a[data-heading-link]").first
    expect(link).to_have_attribute("aria-label", re.compile(r".+: \S"))

    # Test marks (initLesson): "got it" presses the button and opens the answer.
    question = page.locator(".qa", has=page.locator("details")).first
    question.locator("button[data-mark=right]").click()
    expect(question).to_have_class(re.compile(r"\bmarked-right\b"))
    expect(question.locator("details")).to_have_attribute("open", "")

"""Loss-function plots on the lesson page: the picture loads, has a caption, and a slider
(where there is one) switches between the precomputed curves."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LOADED = "img => img.complete && img.naturalWidth > 0"
NON_EMPTY = re.compile(r"\S")


def test_plots_load_and_sliders_switch_the_curve(page, site):
    page.goto(site.url(site.lesson))
    figures = page.locator("figure.loss-plot")
    assert figures.count() == 3, "the Loss Function lesson names losses, so it has automatic plots"

    for n in range(figures.count()):
        figure = figures.nth(n)
        figure.scroll_into_view_if_needed()  # images are lazy-loaded
        image = figure.locator("img")
        expect(image).to_be_visible()
        page.wait_for_function(LOADED, arg=image.element_handle())
        expect(image).to_have_attribute("alt", NON_EMPTY)
        caption = figure.locator("figcaption")
        expect(caption).to_be_visible()
        expect(caption).to_have_text(NON_EMPTY)

        sliders = figure.locator("input[type=range][data-plot-variants]")
        for s in range(sliders.count()):
            slider = sliders.nth(s)
            value = figure.locator("[data-plot-value]")
            before_src, before_value = image.get_attribute("src"), value.inner_text()
            at_max = slider.evaluate("e => Number(e.value) >= Number(e.max)")
            slider.focus()
            page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            expect(image).not_to_have_attribute("src", before_src)
            expect(value).not_to_have_text(before_value)
            page.wait_for_function(LOADED, arg=image.element_handle())

"""Mermaid diagrams: a ```mermaid fence is drawn as SVG in the page's theme, drawn again
when the reader switches the theme, and from disk too; only its page loads Mermaid and
allows inline styles."""

import pytest
from playwright.sync_api import expect

from reader_site import DIAGRAM_PAGE, THIRD_PAGE, disk_page, served_reader_site

pytestmark = pytest.mark.browser

NODE_FILL = "pre.mermaid svg .node rect"
LIGHT_FILL = "rgb(236, 236, 255)"  # Mermaid's default theme
DRAWN = 30_000
"""Milliseconds to wait for a diagram (the pages are opened without waiting for their
"load"): Mermaid is 5 MB of script to parse, which takes a while on a busy machine."""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_reader_site(tmp_path_factory.mktemp("diagrams")) as served:
        yield served


def node_fill(page) -> str:
    return page.locator(NODE_FILL).first.evaluate("rect => getComputedStyle(rect).fill")


def test_a_diagram_is_drawn_in_the_light_theme_and_again_in_the_dark(page, site):
    page.goto(site.url(DIAGRAM_PAGE), wait_until="domcontentloaded")
    diagram = page.locator("pre.mermaid svg")
    expect(diagram).to_be_visible(timeout=DRAWN)
    expect(diagram.locator(".nodeLabel", has_text="更新參數")).to_be_visible()
    expect(page.locator("pre.mermaid")).to_have_attribute("data-diagram-theme", "default")
    assert node_fill(page) == LIGHT_FILL

    page.locator("[data-theme-toggle]").click()
    expect(page.locator("pre.mermaid")).to_have_attribute("data-diagram-theme", "dark", timeout=DRAWN)
    expect(page.locator("pre.mermaid svg")).to_have_count(1)
    dark = node_fill(page)
    assert dark != LIGHT_FILL
    red, green, blue = (int(c) for c in dark[4:-1].split(","))
    assert max(red, green, blue) < 100, dark  # a dark box behind light text


def test_a_page_opened_in_dark_mode_draws_its_diagram_dark(new_context, site):
    page = new_context(color_scheme="dark").new_page()
    page.goto(site.url(DIAGRAM_PAGE), wait_until="domcontentloaded")
    expect(page.locator("pre.mermaid svg")).to_be_visible(timeout=DRAWN)
    expect(page.locator("pre.mermaid")).to_have_attribute("data-diagram-theme", "dark")
    assert node_fill(page) != LIGHT_FILL


def test_only_a_page_with_a_diagram_loads_mermaid_and_allows_inline_styles(page, site, recorder):
    page.goto(site.url(DIAGRAM_PAGE), wait_until="domcontentloaded")
    policy = page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy
    expect(page.locator("pre.mermaid svg")).to_be_visible(timeout=DRAWN)

    recorder.requests.clear()
    page.goto(site.url(THIRD_PAGE))
    policy = page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content")
    assert "unsafe-inline" not in policy
    expect(page.locator("h1")).to_have_text("第三課")
    assert not [url for url in recorder.requests if "mermaid" in url]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_diagram_is_drawn_from_disk(browser, site, scheme):
    with disk_page(browser, site.file_url(DIAGRAM_PAGE), "domcontentloaded", color_scheme=scheme) as page:
        expect(page.locator("pre.mermaid svg")).to_be_visible(timeout=DRAWN)
        expect(page.locator("pre.mermaid svg .nodeLabel", has_text="資料")).to_be_visible()
        theme = "dark" if scheme == "dark" else "default"
        expect(page.locator("pre.mermaid")).to_have_attribute("data-diagram-theme", theme)

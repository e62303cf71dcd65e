"""Hugo's and GitHub's Markdown in a real browser: footnotes, task lists, alerts and the
figure shortcode render; every heading's copy-link link copies its address, from the
keyboard too, and falls back to a selected field where there is no Clipboard API."""

import functools
import http.server
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from helpers import run_cli, write_site

pytestmark = pytest.mark.browser

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5d6b2cc0000000049454e44ae426082"
)

LESSON = """+++
title = "語法"
+++
## 說明知識
梯度下降[^1]沿著梯度的反方向走。

[^1]: 每一步是 $\\theta \\leftarrow \\theta - \\eta \\nabla L$。

- [ ] 讀完這一課
- [x] 跑過範例

> [!TIP]
> 學習率先從小的試。

> [!WARNING]
> 學習率太大會發散。

{{< figure src="curve.png" alt="損失曲線" caption="損失隨步數*下降*" >}}

### 學習率

文字。
"""


@dataclass
class SyntaxSite:
    """What conftest's fixtures ask of a site: where it is, and where it is served."""

    public: Path
    base: str
    lesson: str = "/syntax/"

    def url(self, path: str) -> str:
        return self.base + quote(path, safe="/?=&#%")

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """This module's own site (it overrides conftest's bundled one), served on 127.0.0.1."""
    root = write_site(
        tmp_path_factory.mktemp("syntax"),
        {"studysite.toml": 'languageCode = "zh-TW"\n', "content/syntax.md": LESSON, "content/curve.png": PNG_1X1},
    )
    result = run_cli("build", root)
    assert result.code == 0, result.err
    public = root / "public"
    handler = functools.partial(_Quiet, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="syntax-test-server", daemon=True)
    thread.start()
    try:
        yield SyntaxSite(public, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def context_options():
    return {"permissions": ["clipboard-read", "clipboard-write"]}


def test_footnotes_task_lists_alerts_and_figures_render(page, site):
    page.goto(site.url(site.lesson))
    reference = page.locator("sup a.footnote-ref")
    expect(reference).to_have_text("1")
    reference.click()
    note = page.locator("li#fn\\:1")
    expect(note).to_be_in_viewport()
    expect(note.locator("math")).to_be_visible()
    expect(note).to_have_css("background-color", "rgb(255, 242, 168)")  # :target, --mark
    note.locator("a.footnote-backref").click()
    expect(page.locator("sup#fnref\\:1")).to_be_in_viewport()

    boxes = page.locator("li.task-list-item input[type=checkbox]")
    expect(boxes).to_have_count(2)
    expect(boxes.nth(0)).not_to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    expect(boxes.nth(0)).to_be_disabled()

    tip, warning = page.locator(".markdown-alert-tip"), page.locator(".markdown-alert-warning")
    expect(tip.locator(".markdown-alert-title")).to_have_text("Tip")
    expect(warning.locator(".markdown-alert-title")).to_have_text("Warning")
    expect(tip.locator(".markdown-alert-icon")).to_be_visible()
    tip_colour = tip.evaluate("e => getComputedStyle(e).borderLeftColor")
    warning_colour = warning.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert tip_colour != warning_colour
    assert tip.evaluate("e => getComputedStyle(e).borderLeftWidth") == "4px"

    figure = page.locator("figure:has(figcaption)")
    image = figure.locator("img")
    expect(image).to_have_attribute("alt", "損失曲線")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 1", arg=image.element_handle())
    expect(figure.locator("figcaption em")).to_have_text("下降")


def test_alerts_change_colour_in_dark_mode(new_context, site):
    colours = {}
    for scheme in ("light", "dark"):
        page = new_context(color_scheme=scheme).new_page()
        page.goto(site.url(site.lesson))
        title = page.locator(".markdown-alert-tip .markdown-alert-title")
        colours[scheme] = title.evaluate("e => getComputedStyle(e).color")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        colours[scheme + " page"] = background
    assert colours["light"] != colours["dark"]
    assert colours["light page"] != colours["dark page"]


def test_heading_link_copies_the_address_from_the_keyboard(page, site):
    page.goto(site.url(site.lesson))
    link = page.locator(".heading:has(> h3) a.heading-link")
    expect(link).to_have_attribute("aria-label", "複製本節連結: 學習率")
    expect(page.get_by_role("heading", name="學習率", exact=True)).to_be_visible()
    expect(link).to_have_css("opacity", "0")
    link.focus()
    expect(link).to_be_focused()
    expect(link).to_have_css("opacity", "1")
    page.keyboard.press("Enter")
    status = page.locator(".heading:has(> h3) .heading-link-status")
    expect(status).to_have_text("已複製連結")
    expect(status).to_be_visible()
    address = site.url(site.lesson) + "#%E5%AD%B8%E7%BF%92%E7%8E%87"  # #學習率
    assert page.evaluate("navigator.clipboard.readText()") == address
    assert page.url == address
    # The section heading has one too.
    section_link = page.locator("section#說明知識 .heading:has(> h2) a.heading-link")
    section_link.click()
    expect(page.locator(".heading:has(> h2) .heading-link-status")).to_have_text("已複製連結")
    assert page.evaluate("navigator.clipboard.readText()") == site.url(site.lesson) + "#%E8%AA%AA%E6%98%8E%E7%9F%A5%E8%AD%98"


def test_without_a_clipboard_api_the_address_is_shown_selected(new_context, site):
    context = new_context()
    context.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });")
    page = context.new_page()
    page.goto(site.url(site.lesson))
    page.locator(".heading:has(> h3) a.heading-link").click()
    field = page.locator(".heading:has(> h3) .heading-link-status input")
    expect(field).to_be_visible()
    expect(field).to_be_focused()
    expect(page.locator(".heading:has(> h3) .heading-link-status")).to_contain_text("按 Ctrl+C")
    value = field.input_value()
    assert value == page.evaluate("location.href")
    assert value.endswith("#%E5%AD%B8%E7%BF%92%E7%8E%87")
    assert field.evaluate("f => [f.selectionStart, f.selectionEnd]") == [0, len(value)]
    page.keyboard.press("Escape")
    expect(field).to_have_count(0)
    expect(page.locator(".heading:has(> h3) a.heading-link")).to_be_focused()


def test_opened_from_disk_the_link_is_copied_or_shown_selected(browser, site):
    """file:// pages: Chromium may give no clipboard there; either way the reader gets it."""
    errors = []
    context = browser.new_context()
    context.on("weberror", lambda error: errors.append(str(error.error)))
    try:
        page = context.new_page()
        page.goto((site.public / "syntax" / "index.html").as_uri())
        page.locator(".heading:has(> h3) a.heading-link").click()
        status = page.locator(".heading:has(> h3) .heading-link-status")
        expect(status).to_be_visible()
        field = status.locator("input")
        if field.count():
            expect(field).to_be_focused()
            assert field.evaluate("f => f.value.slice(f.selectionStart, f.selectionEnd)") == page.evaluate("location.href")
        else:
            expect(status).to_have_text("已複製連結")
        assert page.evaluate("location.href").startswith("file://")
    finally:
        context.close()
    assert errors == []

"""The language menu of a multilingual site, in Chromium: to the counterpart lesson and
back, on a desktop and on a phone."""

import functools
import http.server
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from helpers import write_site
from multilingual_site import FILES, LESSON

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@dataclass
class Site:
    public: Path
    base: str

    def url(self, path: str) -> str:
        return self.base + quote(path, safe="/?=&#%")

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The multilingual fixture, built by the command line and served over HTTP."""
    root = write_site(tmp_path_factory.mktemp("multilingual-browser"), FILES)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", str(root)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    handler = functools.partial(_QuietHandler, directory=str(root / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Site(root / "public", f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


def path_of(page) -> str:
    return unquote(urlsplit(page.url).path)


def switch_language(page, name: str) -> None:
    menu = page.locator("details.language-menu")
    menu.locator("summary").click()
    link = menu.get_by_role("link", name=name)
    expect(link).to_be_visible()
    expect(link).to_be_in_viewport()
    link.click()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_language_menu_goes_to_the_counterpart_lesson_and_back(new_context, site, device):
    page = new_context(**(PHONE if device == "phone" else {})).new_page()
    page.goto(site.url("/zh-cn/" + LESSON))
    expect(page.locator("h1")).to_have_text("损失函数")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    switch_language(page, "English")
    assert path_of(page) == "/" + LESSON
    expect(page.locator("h1")).to_have_text("Loss Function")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("details.language-menu summary")).to_contain_text("English")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("innerWidth")

    switch_language(page, "繁體中文")
    assert path_of(page) == "/zh-tw/" + LESSON
    expect(page.locator("h1")).to_have_text("損失函數")
    expect(page.get_by_role("button", name="顯示全部答案")).to_be_visible()

    switch_language(page, "簡體中文")
    assert path_of(page) == "/zh-cn/" + LESSON
    expect(page.locator("h1")).to_have_text("损失函数")


def test_without_a_counterpart_the_menu_leads_to_that_languages_home(new_context, site):
    page = new_context().new_page()
    page.goto(site.url("/ai-knowledge-hub/it/only-in-english/"))
    switch_language(page, "簡體中文")
    assert path_of(page) == "/zh-cn/"
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main")).to_contain_text("AI 知识库")


def test_the_menu_works_from_the_keyboard(new_context, site):
    page = new_context().new_page()
    page.goto(site.url("/" + LESSON))
    summary = page.locator("details.language-menu summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.language-menu")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.locator("details.language-menu a").first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/zh-cn/**")
    assert path_of(page) == "/zh-cn/" + LESSON


def test_a_page_with_the_menu_open_passes_axe(new_context, site, assert_accessible):
    page = new_context().new_page()
    page.goto(site.url("/zh-tw/" + LESSON))
    page.locator("details.language-menu summary").click()
    assert_accessible(page, "a zh-TW lesson with its language menu open")

"""Code blocks have a copy button: reached with Tab, it puts the code on the clipboard and
says so; the copied code is left selected, so that from disk, where the clipboard may
refuse, Ctrl+C copies it."""

import re

import pytest
from playwright.sync_api import expect

from reader_site import CODE_PAGE, THIRD_PAGE, disk_page, served_reader_site

pytestmark = pytest.mark.browser

CODE = "def loss(y, p):\n    return (y - p) ** 2\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_reader_site(tmp_path_factory.mktemp("code-copy")) as served:
        yield served


@pytest.fixture
def context_options():
    return {"permissions": ["clipboard-read", "clipboard-write"]}


def test_the_keyboard_copies_a_code_block_to_the_clipboard(page, site):
    page.goto(site.url(CODE_PAGE))
    button = page.locator(".code-copy")
    expect(button).to_have_count(1)
    expect(button).to_have_text("複製程式碼")
    page.locator(".heading:has(> h3#程式碼) a.heading-link").focus()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".code-copy-note")).to_have_text("已複製")
    expect(page.locator(".code-copy-note")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == CODE
    assert page.evaluate("getSelection().toString()").rstrip("\n") == CODE.rstrip("\n")


def test_a_click_copies_and_the_confirmation_goes_away(page, site):
    page.goto(site.url(CODE_PAGE))
    page.evaluate("navigator.clipboard.writeText('something else')")
    page.locator(".code-copy").click()
    expect(page.locator(".code-copy-note")).to_have_text("已複製")
    assert page.evaluate("navigator.clipboard.readText()") == CODE
    expect(page.locator(".code-copy-note")).to_be_empty()  # after a moment


def test_inline_code_gets_no_button(page, site):
    page.goto(site.url(THIRD_PAGE))
    expect(page.locator("main code")).to_have_text("行內程式碼")
    expect(page.locator(".code-copy")).to_have_count(0)


def test_from_disk_the_code_is_selected(browser, site):
    with disk_page(browser, site.file_url(CODE_PAGE)) as page:
        page.locator(".code-copy").click()
        # Copied where Chromium lets a page from disk write the clipboard; selected either way.
        expect(page.locator(".code-copy-note")).to_have_text(re.compile(r"^(已複製|已選取程式碼，按 Ctrl\+C（Mac 按 ⌘C）複製)$"))
        assert page.evaluate("getSelection().toString()").rstrip("\n") == CODE.rstrip("\n")


def test_where_the_clipboard_refuses_the_code_is_selected_with_a_hint(browser, site):
    """No Clipboard API and a refused copy command, as in old browsers and some file:// pages."""
    with disk_page(browser, site.file_url(CODE_PAGE)) as page:
        page.evaluate("""() => {
            Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });
            document.execCommand = () => false;
        }""")
        page.locator(".code-copy").click()
        expect(page.locator(".code-copy-note")).to_have_text("已選取程式碼，按 Ctrl+C（Mac 按 ⌘C）複製")
        assert page.evaluate("getSelection().toString()").rstrip("\n") == CODE.rstrip("\n")

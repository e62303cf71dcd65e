"""No request leaves the site and no page logs an error.

Every test's context is watched by conftest.py (requests and console/page errors are
checked when the test ends); this test walks the whole site and uses every feature, and
asserts the same thing explicitly, so a failure points at the page and the request."""

from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def site_pages(site) -> list[str]:
    pages = []
    for index in sorted(site.public.rglob("index.html")):
        relative = index.parent.relative_to(site.public).as_posix()
        pages.append("/" if relative == "." else f"/{relative}/")
    return pages


@pytest.fixture
def context_options():
    return {"permissions": ["clipboard-read", "clipboard-write"]}


def test_every_page_stays_on_the_site_without_errors(page, site, recorder):
    pages = site_pages(site)
    assert site.lesson in pages and site.home in pages and "/search/" in pages
    for path in pages:
        response = page.goto(site.url(path))
        assert response.ok, path
        expect(page.locator("h1").first).to_be_visible()

    # Use what each page offers: marks, copy, theme, search, the search page, the menu.
    page.goto(site.url(site.lesson))
    page.locator(".qa summary").first.click()
    page.locator('.qa [data-mark="right"]').first.click()
    page.locator("button[data-copy]").first.click()
    expect(page.locator("button[data-copy]").first).to_have_text("已複製")
    page.locator("[data-theme-toggle]").click()
    page.locator("header input[type=search]").fill("交叉熵")
    expect(page.locator("header .search-results a").first).to_be_visible()
    page.goto(site.url("/search/?q=損失"))
    expect(page.locator("[data-search-page] a").first).to_be_visible()
    page.goto(site.url("/404.html"))
    expect(page.locator("h1")).to_be_visible()

    assert recorder.requests, "no request was recorded"
    foreign = [url for url in recorder.requests if urlsplit(url).netloc != site.host]
    assert foreign == [], f"requests left the site: {foreign}"
    assert not any("chatgpt.com" in url for url in recorder.requests)
    assert recorder.errors == []
    # Everything a page asked for was served: no broken asset links.
    requested = {unquote(urlsplit(url).path) for url in recorder.requests}
    for path in requested:
        if not path.endswith("/"):
            assert (site.public / path.lstrip("/")).is_file(), f"missing: {path}"


def test_the_recorder_sees_errors_and_foreign_requests(page, site, recorder):
    """The watch itself works: a page error, a request the page's Content-Security-Policy
    refuses and a request that leaves the site are caught."""
    page.goto(site.url(site.home))
    page.context.route("http://example.invalid/**", lambda route: route.fulfill(status=200, body=""))
    page.evaluate("setTimeout(() => { throw new Error('planted'); })")
    page.wait_for_event("pageerror")
    assert any("planted" in error for error in recorder.errors)
    for attempt, directive in (("fetch('http://example.invalid/x').catch(() => {})", "connect-src"),
                               ("new Image().src = 'http://example.invalid/x'", "img-src")):
        with page.expect_console_message(lambda message: "CSP violation" in message.text):
            page.evaluate(attempt)
        assert f"CSP violation: {directive} blocked http://example.invalid/x" in recorder.errors[-1]
    outside = page.context.new_page()  # no policy there: the request leaves
    outside.goto("http://example.invalid/y")
    assert "http://example.invalid/y" in recorder.requests
    outside.close()
    recorder.errors.clear()
    recorder.requests[:] = [url for url in recorder.requests if "example.invalid" not in url]

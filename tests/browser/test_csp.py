"""Every page type works under its Content-Security-Policy — home, section, a lesson with
plots and formulas, the search page, the 404 page — served over HTTP, from file:// and by
the dev server (which also sends the policy as a header): no violation is reported, and
what the policy is for holds: an inline script or handler in a lesson does not run."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from helpers import REPO, REPORT_CSP_VIOLATIONS, run_cli, write_site

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "section": "/機器學習-machine-learning/",
    "lesson": "/機器學習-machine-learning/loss-function/",
    "search": "/search/?q=損失",
    "404": "/404.html",
}


class Watched:
    """A browser context whose console errors (CSP violations among them) are recorded."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.context.add_init_script(REPORT_CSP_VIOLATIONS)
        self.errors: list[str] = []
        self.context.on("page", self._watch)
        self.page = self.context.new_page()

    def _watch(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"{msg.text} ({page.url})"))
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error} ({page.url})"))

    def close(self) -> None:
        self.context.close()


def use_page(page, kind: str) -> None:
    """What each page type must still do under its policy."""
    expect(page.locator("h1").first).to_be_visible()
    assert page.evaluate("document.documentElement.dataset.theme") in ("light", "dark")
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]')
    expect(csp).to_have_count(1)
    assert "script-src 'self'" in csp.get_attribute("content")
    if kind == "lesson":
        expect(page.locator("section[data-kind=explanation] math").first).to_be_attached()
        plots = page.locator("figure.loss-plot img")
        assert plots.count() > 0
        for index in range(plots.count()):
            plots.nth(index).scroll_into_view_if_needed()
            expect(plots.nth(index)).to_have_js_property("complete", True)
            assert plots.nth(index).evaluate("img => img.naturalWidth") > 0
        page.locator("figure.loss-plot input[type=range]").first.fill("0")
        page.locator(".qa summary").first.click()
        page.locator('.qa [data-mark="right"]').first.click()
        page.locator("header input[type=search]").fill("交叉熵")
        expect(page.locator("header .search-results a").first).to_be_visible()
    if kind == "search":
        expect(page.locator("[data-search-page] a").first).to_be_visible()


def test_every_page_type_served_has_no_violation(browser, site):
    watched = Watched(browser)
    for kind, path in PAGES.items():
        watched.page.goto(site.url(path))
        use_page(watched.page, kind)
    watched.close()
    assert watched.errors == []


def test_every_page_type_from_disk_has_no_violation(browser, site):
    watched = Watched(browser)
    for kind, path in PAGES.items():
        if kind == "404":
            continue  # it links the site's root by absolute path, for a server to answer
        address, _, query = path.partition("?")
        watched.page.goto((site.public / address.strip("/") / "index.html").as_uri() + ("?" + query if query else ""))
        use_page(watched.page, kind)
    watched.close()
    assert watched.errors == []


@pytest.fixture
def dev_server(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", str(site), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        assert process.poll() is None, "studysite serve exited"
        try:
            urllib.request.urlopen(url + "/", timeout=5)
            break
        except OSError:
            time.sleep(0.05)
    yield site, url
    process.terminate()
    process.wait(timeout=15)


def test_every_page_type_from_the_dev_server_has_no_violation(browser, dev_server):
    site, url = dev_server
    watched = Watched(browser)
    for kind, path in PAGES.items():
        response = watched.page.goto(url + path)
        header = response.header_value("content-security-policy")
        assert header == watched.page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert response.header_value("x-content-type-options") == "nosniff"
        use_page(watched.page, kind)

    # The live-reload script polls the server and shows errors over the page.
    lesson = site / "content/機器學習 Machine Learning/Loss Function.md"
    original = lesson.read_text(encoding="utf-8")
    watched.page.goto(url + PAGES["lesson"])
    lesson.write_text(original.replace("## 條列重點\n", "## 條列重點\n{{< youtube abc >}}\n"), encoding="utf-8")
    expect(watched.page.locator("#studysite-errors")).to_be_visible(timeout=10_000)
    lesson.write_text(original, encoding="utf-8")
    expect(watched.page.locator("#studysite-errors")).to_have_count(0, timeout=10_000)
    watched.close()
    assert watched.errors == []


def test_inline_script_in_a_lesson_does_not_run_and_is_reported(browser, tmp_path):
    site = write_site(
        tmp_path / "site",
        {
            "studysite.toml": "unsafe = true\n",
            "content/raw.md": '+++\ntitle = "Raw"\n+++\n## Explain\n<script>document.title = "ran"</script>\n\n'
            '<img src="/nowhere.png" onerror="document.title = \'ran\'"> <b style="color: red">bold</b>\n',
        },
    )
    assert run_cli("build", site, "-o", tmp_path / "public").code == 0
    watched = Watched(browser)
    watched.page.goto((tmp_path / "public" / "raw" / "index.html").as_uri())
    expect(watched.page.locator("section[data-kind=explanation] b")).to_have_text("bold")
    assert watched.page.title() != "ran"
    watched.close()
    refused = " ".join(watched.errors)
    assert "CSP violation: script-src-elem blocked inline" in refused
    assert "CSP violation: script-src-attr blocked inline" in refused
    assert "CSP violation: style-src-attr blocked inline" in refused

"""Real-browser fixtures: the bundled site built once, served over HTTP on 127.0.0.1, and
Debian's Chromium driven by Playwright.

Every test gets a fresh browser context (so localStorage starts empty); ``new_context`` opens
more (other viewport, colour scheme, JavaScript off). Each context records every request it
makes and every console error, uncaught page error or Content-Security-Policy violation;
when the test ends, ``new_context`` fails it (an error in teardown) if any request left the
test server or any error was logged, so "no request leaves the site, no errors, nothing the
page's policy refuses" is checked on every page every test visits.

Run: ``python -m pytest -q tests/browser -p no:cacheprovider``. Needs Debian's chromium and
fonts-noto-cjk (tests/system-deps.sh) and axe-core (``npm ci --prefix tests/browser``)."""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from helpers import REPORT_CSP_VIOLATIONS

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

LESSON = "/機器學習-machine-learning/loss-function/"
SECTION = "/機器學習-machine-learning/"
HOME = "/"


@dataclass
class Site:
    """The built site on disk and the address it is served at."""

    public: Path
    base: str  # http://127.0.0.1:PORT

    lesson: str = LESSON
    section: str = SECTION
    home: str = HOME

    def url(self, path: str) -> str:
        """The address of PATH (CJK kept readable in the test, percent-encoded on the wire)."""
        return self.base + quote(path, safe="/?=&#%")

    @property
    def host(self) -> str:
        return urlsplit(self.base).netloc


@dataclass
class Recorder:
    """What a browser context did: every request URL, every console error and page error."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch_page(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text} ({page.url})"))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc} ({page.url})"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def _build(out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", str(REPO), "-o", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"studysite build failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    public = tmp_path_factory.mktemp("browser-site") / "public"
    _build(public)
    handler = functools.partial(_QuietHandler, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield Site(public=public, base=f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (tests/system-deps.sh does)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context_options() -> dict:
    """Options for the test's browser context; a test overrides this fixture to change them."""
    return {}


def open_context(browser, site: Site, recorder: Recorder, **options):
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("request", lambda request: recorder.requests.append(request.url))
    context.on("page", recorder.watch_page)
    return context


def assert_stayed_on_site(recorder: Recorder, site: Site) -> None:
    foreign = [url for url in recorder.requests if urlsplit(url).netloc != site.host and not url.startswith("data:")]
    assert not foreign, f"requests left the site: {foreign}"
    assert not recorder.errors, "errors on the page:\n" + "\n".join(recorder.errors)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def new_context(browser, site, recorder):
    """Open another fresh browser context (own localStorage), with Playwright's context options.
    Every context a test opens is watched the same way and closed at the end of the test."""
    contexts = []

    def make(**options):
        context = open_context(browser, site, recorder, **options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert_stayed_on_site(recorder, site)


@pytest.fixture
def browser_context(new_context, context_options):
    return new_context(**context_options)


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture
def assert_accessible():
    """Run axe-core on a page and fail on any violation of impact "serious" or "critical"."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE} is missing): run `npm ci --prefix tests/browser`",
            pytrace=False,
        )

    def check(page, label: str) -> None:
        # Evaluated by the test driver, not added as a <script>: the page's policy refuses inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        violations = page.evaluate(
            """async () => {
                const result = await axe.run(document, {resultTypes: ["violations"]});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
                }));
            }"""
        )
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        lines = []
        for violation in serious:
            lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                summary = " ".join(node["summary"].split())
                lines.append(f"    {node['target']}: {summary}")
        assert not serious, f"axe-core on {label}:\n" + "\n".join(lines)

    return check


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/artifacts/ (gitignored): screenshots and measurements for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


PAGE_WEIGHT = pytest.StashKey[str]()


@pytest.fixture
def report_line(request):
    """Show a measured figure in the terminal summary, even under -q without -s."""

    def report(line: str) -> None:
        request.config.stash[PAGE_WEIGHT] = line

    return report


def pytest_terminal_summary(terminalreporter, config):
    line = config.stash.get(PAGE_WEIGHT, None)
    if line:
        terminalreporter.write_line(line)

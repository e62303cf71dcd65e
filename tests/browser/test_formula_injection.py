"""Hostile formulas in Chromium: no script runs and no MathML element carries a link or an
event handler — tested on the formulas' markup alone (no Content-Security-Policy to hide
a failure) and on a built lesson page."""

import pytest

from formula_vectors import REPORTED, commands, nested, with_payload
from generator.content.mathml import latex_to_mathml
from helpers import run_cli, write_site

pytestmark = pytest.mark.browser

# Every element in or under a <math>, that is not MathML or carries a link or a handler.
OFFENDERS = """() => [...document.querySelectorAll("math, math *")]
    .filter(e => e.namespaceURI !== "http://www.w3.org/1998/Math/MathML"
        || [...e.attributes].some(a => a.name === "href" || a.name.startsWith("on") || a.name === "style"))
    .map(e => e.outerHTML.slice(0, 200))"""


def watch(page) -> list[str]:
    """Whatever a payload could make the page do, recorded."""
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: ran.append(f"pageerror: {error}"))
    return ran


def test_formula_markup_alone_runs_nothing(browser):
    # Every command with a tag in each argument, and the text commands nested everywhere
    # with a tag that would run (all payloads are checked without a browser in test_formulas.py).
    tag = "<img/src/onerror=alert(1)>"
    formulas = [*REPORTED, *(formula for command in commands() for formula in with_payload(command, tag)), *nested((tag,))]
    markup = "".join(f'<p><span class="math">{latex_to_mathml(latex, False)}</span></p>' for latex in formulas)
    context = browser.new_context()
    page = context.new_page()
    ran = watch(page)
    page.set_content(f"<!doctype html><html><body>{markup}</body></html>")
    page.wait_for_load_state("load")
    # Each formula is one element in its own span: none broke out of it.
    assert page.locator("p > span.math:only-child > :is(math, code.math-error):only-child").count() == len(formulas)
    assert page.evaluate(OFFENDERS) == []
    assert page.locator("body img, body script, body svg").count() == 0
    assert ran == []
    # The author's text is shown as written.
    assert tag in page.evaluate("document.body.textContent")
    context.close()


def test_a_lesson_with_the_reported_formulas_is_safe(browser, tmp_path):
    inline = " ".join(f"${latex}$" for latex in REPORTED)
    display = "\n\n".join(f"$$\n{latex}\n$$" for latex in REPORTED)
    site = write_site(
        tmp_path / "site",
        {"content/attack.md": f'+++\ntitle = "Formulas"\n+++\n## Explain\n{inline}\n\n{display}\n'},
    )
    assert run_cli("build", site, "-o", tmp_path / "public").code == 0
    context = browser.new_context()
    page = context.new_page()
    ran = watch(page)
    page.goto((tmp_path / "public" / "attack" / "index.html").as_uri())
    assert page.locator("section[data-kind=explanation] math").count() == 2 * len(REPORTED)
    assert page.evaluate(OFFENDERS) == []
    assert ran == []
    text = page.locator("section[data-kind=explanation]").inner_text()
    assert "<img/src/onerror=alert(1)>" in text and "<script>alert(1)</script>" in text
    context.close()

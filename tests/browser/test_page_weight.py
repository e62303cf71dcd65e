"""Page weight: the Loss Function lesson with everything it loads on page load (HTML, CSS,
JS, images, fonts; not the search index, which loads on first use) is at most 150 KB.

The figure is the sum of the response bodies of the requests made while the page loads
(the test server sends no compression, so that is what travels). It is printed and written
to tests/artifacts/page-weight.json for BENCHMARKS.md."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BUDGET = 150 * 1024


def test_lesson_page_weighs_at_most_150_kb(page, site, artifacts, report_line):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(site.url(site.lesson), wait_until="load")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_be_visible()
    on_load = [(r.url, len(r.body())) for r in responses if r.status != 304]
    assert not any("/search/" in url for url, _ in on_load), "the search index loaded before it was used"
    total = sum(size for _, size in on_load)

    # For the record: what the rest of the page adds once the reader scrolls to the end
    # (lazy images), and the search index on first use.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    scrolled = [(r.url, len(r.body())) for r in responses if r.status != 304]
    page.locator("header input[type=search]").focus()
    expect(page.locator("header input[type=search]")).to_be_focused()
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.includes('/search/text-'))")
    page.wait_for_load_state("networkidle")
    with_search = [(r.url, len(r.body())) for r in responses if r.status != 304]

    report = {
        "page": site.lesson,
        "on_load_bytes": total,
        "on_load_kb": round(total / 1024, 1),
        "after_scrolling_to_the_end_bytes": sum(size for _, size in scrolled),
        "with_search_index_bytes": sum(size for _, size in with_search),
        "requests_on_load": [{"url": url.replace(site.base, ""), "bytes": size} for url, size in on_load],
    }
    (artifacts / "page-weight.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    report_line(
        f"page weight: the Loss Function lesson loads {total} bytes ({total / 1024:.1f} KB, budget 150 KB) "
        f"in {len(on_load)} requests; {report['after_scrolling_to_the_end_bytes'] / 1024:.1f} KB after scrolling "
        f"to the end; {report['with_search_index_bytes'] / 1024:.1f} KB once search is used"
    )
    assert total <= BUDGET, f"{total / 1024:.1f} KB on load, over the 150 KB budget: {on_load}"

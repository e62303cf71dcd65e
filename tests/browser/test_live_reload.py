"""The live server in a real browser: an open page follows the lesson file as it is saved,
shows `path:line: message` over itself while the file is broken, and recovers."""

import shutil

import pytest
from playwright.sync_api import expect

from helpers import REPO, ServeProcess

pytestmark = pytest.mark.browser

LESSON = "content/機器學習 Machine Learning/Loss Function.md"


@pytest.fixture
def served(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    server = ServeProcess(site)
    yield site, server.url
    server.stop()


def test_page_follows_edits_and_shows_errors_until_fixed(browser, served):
    site, url = served
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + "/機器學習-machine-learning/loss-function/")
    expect(page.locator("h1")).to_have_text("損失函數 (Loss Function)")
    lesson = site / LESSON
    original = lesson.read_text(encoding="utf-8")

    lesson.write_text(original.replace("把模型預測與真實答案的差距", "把剛剛改過的預測差距"), encoding="utf-8")
    expect(page.locator("section[data-kind=explanation]")).to_contain_text("把剛剛改過的預測差距", timeout=10_000)

    broken = original.replace("## 條列重點\n", "## 條列重點\n{{< youtube abc >}}\n")
    lesson.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("{{< youtube abc >}}") + 1
    overlay = page.locator("#studysite-errors")
    expect(overlay).to_be_visible(timeout=10_000)
    expect(overlay).to_contain_text(f"{LESSON}:{line}: error: unknown shortcode 'youtube'")
    expect(page.locator("h1")).to_have_text("損失函數 (Loss Function)")  # the last good page stays

    lesson.write_text(original, encoding="utf-8")
    expect(overlay).to_have_count(0, timeout=10_000)
    expect(page.locator("section[data-kind=explanation]")).not_to_contain_text("把剛剛改過的預測差距")
    context.close()

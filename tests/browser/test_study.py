"""Studying a lesson: revealing and marking answers, the score, warm-up ticks, and the
progress that lasts (localStorage) and shows on the home and section pages."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LESSON_KEY = "機器學習-machine-learning/loss-function/"
DONE = re.compile(r"(^|\s)done(\s|$)")


def mark(qa, which: str) -> None:
    qa.locator(f'button[data-mark="{which}"]').click()


def test_reveal_mark_score_reload_show_all_and_reset(page, site):
    page.goto(site.url(site.lesson))
    score = page.locator("[data-score-value]")
    questions = page.locator(".qa")
    expect(questions).to_have_count(5)
    expect(score).to_have_text("0")
    expect(page.locator("[data-score]")).to_contain_text("0 / 5")

    first, second = questions.nth(0), questions.nth(1)
    expect(first.locator(".answer-text")).to_be_hidden()
    first.locator("details > summary").click()
    expect(first.locator("details")).to_have_attribute("open", "")
    expect(first.locator(".answer-text")).to_be_visible()
    expect(first.locator(".answer-text")).to_contain_text("MSE 中單一大誤差")

    mark(first, "right")
    expect(first.locator('[data-mark="right"]')).to_have_attribute("aria-pressed", "true")
    expect(first.locator('[data-mark="wrong"]')).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("1")

    second.locator("summary").click()
    mark(second, "wrong")
    expect(second.locator('[data-mark="wrong"]')).to_have_attribute("aria-pressed", "true")
    expect(score).to_have_text("1")  # a miss does not count

    # Changing one's mind: wrong -> right on the same question moves the score.
    mark(second, "right")
    expect(second.locator('[data-mark="wrong"]')).to_have_attribute("aria-pressed", "false")
    expect(score).to_have_text("2")
    mark(second, "wrong")
    expect(score).to_have_text("1")

    page.locator(".warmup input[type=checkbox]").first.check()

    page.reload()
    expect(score).to_have_text("1")
    expect(first.locator('[data-mark="right"]')).to_have_attribute("aria-pressed", "true")
    expect(second.locator('[data-mark="wrong"]')).to_have_attribute("aria-pressed", "true")
    expect(second.locator('[data-mark="right"]')).to_have_attribute("aria-pressed", "false")
    expect(page.locator('[data-mark][aria-pressed="true"]')).to_have_count(2)

    show_all = page.locator("[data-show-all]")
    show_all.click()
    for n in range(5):
        expect(questions.nth(n).locator("details")).to_have_attribute("open", "")
        expect(questions.nth(n).locator(".answer-text")).to_be_visible()
    expect(show_all).to_have_text("收起全部答案")
    show_all.click()
    for n in range(5):
        expect(questions.nth(n).locator(".answer-text")).to_be_hidden()
    expect(show_all).to_have_text("顯示全部答案")

    # "Reset this lesson" asks first too: cancelling keeps the marks.
    reset = page.locator("[data-reset-lesson]")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    reset.click()
    assert messages == ["確定要清除本課的作答紀錄嗎？"]
    expect(score).to_have_text("1")
    expect(page.locator('[data-mark][aria-pressed="true"]')).to_have_count(2)
    expect(page.locator(".warmup input:checked")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    reset.click()
    expect(score).to_have_text("0")
    expect(page.locator('[data-mark][aria-pressed="true"]')).to_have_count(0)
    expect(page.locator(".warmup input:checked")).to_have_count(0)
    page.reload()
    expect(score).to_have_text("0")
    expect(page.locator('[data-mark][aria-pressed="true"]')).to_have_count(0)
    expect(page.locator(".warmup input:checked")).to_have_count(0)


def test_warmup_ticks_survive_a_reload(page, site):
    page.goto(site.url(site.lesson))
    boxes = page.locator(".warmup input[type=checkbox]")
    expect(boxes).to_have_count(5)
    # The whole question is the label: clicking its text ticks the box.
    page.locator(".warmup li").nth(0).get_by_text("損失函數在模型訓練中扮演什麼角色").click()
    boxes.nth(3).check()
    boxes.nth(4).check()
    boxes.nth(4).uncheck()
    page.reload()
    states = [boxes.nth(n).is_checked() for n in range(5)]
    assert states == [True, False, False, True, False]


def test_progress_shows_on_home_and_section_pages_and_reset_all_clears_it(page, site):
    page.goto(site.url(site.lesson))
    questions = page.locator(".qa")
    mark(questions.nth(0), "right")
    mark(questions.nth(1), "wrong")
    expect(page.locator("[data-score-value]")).to_have_text("1")

    for where in (site.home, site.section):
        page.goto(site.url(where))
        item = page.locator(f'.lesson-list li[data-lesson="{LESSON_KEY}"]')
        expect(item.locator("[data-progress]")).to_have_text("1/5 答對")
        expect(item).not_to_have_class(DONE)
        # Lessons not studied show nothing.
        other = page.locator('.lesson-list li[data-lesson="機器學習-machine-learning/gradient-descent/"]')
        expect(other.locator("[data-progress]")).to_have_text("")

    # Marking every test question finishes the lesson: its sidebar entry gets a tick at once.
    page.goto(site.url(site.lesson))
    nav_item = page.locator(f'#sidebar li.nav-lesson[data-lesson="{LESSON_KEY}"]')
    expect(nav_item).not_to_have_class(DONE)
    for n in (2, 3, 4):
        mark(questions.nth(n), "right")
    expect(page.locator("[data-score-value]")).to_have_text("4")
    expect(nav_item).to_have_class(DONE)

    page.goto(site.url(site.section))
    expect(page.locator(f'#sidebar li.nav-lesson[data-lesson="{LESSON_KEY}"]')).to_have_class(DONE)
    expect(page.locator("#sidebar li.done")).to_have_count(1)

    page.goto(site.url(site.home))
    item = page.locator(f'.lesson-list li[data-lesson="{LESSON_KEY}"]')
    expect(item.locator("[data-progress]")).to_have_text("4/5 答對")
    expect(item).to_have_class(DONE)

    # "Reset all" asks first: cancelling keeps everything.
    reset_all = page.locator("[data-reset-all]")
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    reset_all.click()
    expect(item.locator("[data-progress]")).to_have_text("4/5 答對")
    assert messages == ["確定要清除全部學習進度嗎？"]

    page.once("dialog", lambda dialog: dialog.accept())
    reset_all.click()
    expect(item.locator("[data-progress]")).to_have_text("")
    expect(item).not_to_have_class(DONE)
    expect(page.locator("#sidebar li.done")).to_have_count(0)

    page.goto(site.url(site.lesson))
    expect(page.locator("[data-score-value]")).to_have_text("0")
    expect(page.locator('[data-mark][aria-pressed="true"]')).to_have_count(0)
    expect(page.locator("#sidebar li.done")).to_have_count(0)

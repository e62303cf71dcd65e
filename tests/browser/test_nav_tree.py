"""The sidebar's navigation tree: every folder and lesson of the language, loaded on the
sidebar's first use (the pointer or the focus entering it, the menu opening on phones) and
at once on the later pages of a reader who has used it, opened at the current lesson, labelled with ``linkTitle``, with the reader's progress per
lesson; expanded and collapsed by mouse and keyboard (ARIA tree)."""

import re

import pytest
from playwright.sync_api import expect

from reader_site import CODE_PAGE, DEEP_PAGE, SECOND_PAGE, disk_page, served_reader_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_reader_site(tmp_path_factory.mktemp("tree")) as served:
        yield served


def open_tree(page, use=lambda sidebar: sidebar.hover()):
    """Use the sidebar (by default: the pointer enters it), which loads the whole tree; fails
    at once if the tree's file does not load."""
    with page.expect_request(lambda request: re.search(r"/assets/tree\.js\?v=[0-9a-f]{10}$", request.url)) as requested:
        use(page.locator("#sidebar"))
    response = requested.value.response()  # None if the request failed
    assert response is not None and response.status < 400, f"{requested.value.url}: {requested.value.failure or response.status}"
    expect(page.locator("[role=tree]")).to_have_count(1)


def item(page, label: str):
    return page.locator("[role=tree] [role=treeitem]", has=page.locator(f"span:text-is('{label}')"))


def visible_labels(page) -> list[str]:
    return page.locator("[role=tree] [role=treeitem]:visible > span:not(.tree-toggle):not(.lesson-progress)").all_text_contents()


def test_the_tree_opens_at_the_current_lesson_with_link_titles(page, site):
    page.goto(site.url(SECOND_PAGE))
    open_tree(page)
    expect(page.locator("[role=tree]")).to_have_attribute("aria-label", "目錄")
    assert visible_labels(page) == ["基礎", "程式", "課二", "第三課", "訓練流程", "進階"]
    expect(item(page, "基礎")).to_have_attribute("aria-expanded", "true")
    expect(item(page, "進階")).to_have_attribute("aria-expanded", "false")
    current = item(page, "課二")
    expect(current).to_have_attribute("aria-current", "page")
    expect(current).to_have_attribute("tabindex", "0")
    expect(current).to_have_attribute("aria-level", "2")


def test_a_deep_lesson_opens_every_folder_above_it(page, site):
    page.goto(site.url(DEEP_PAGE))
    open_tree(page)
    expect(item(page, "課五")).to_have_attribute("aria-current", "page")
    assert visible_labels(page) == ["基礎", "進階", "課四", "深入", "課五"]
    expect(item(page, "課五")).to_have_attribute("aria-level", "3")


def test_the_mouse_opens_and_closes_a_folder_and_follows_a_link(page, site):
    page.goto(site.url(SECOND_PAGE))
    open_tree(page)
    item(page, "進階").locator(".tree-toggle").click()
    expect(item(page, "進階")).to_have_attribute("aria-expanded", "true")
    expect(item(page, "課四")).to_be_visible()
    expect(page).to_have_url(site.url(SECOND_PAGE))  # the arrow opens; it does not go anywhere
    item(page, "基礎").locator(".tree-toggle").click()
    expect(item(page, "課二")).to_be_hidden()
    item(page, "課四").click()
    expect(page).to_have_url(site.url("/進階/課四/"))
    expect(page.locator("h1")).to_have_text("課四")


def test_the_keyboard_moves_opens_closes_and_follows(page, site):
    page.goto(site.url(SECOND_PAGE))
    open_tree(page, lambda sidebar: sidebar.locator("a[aria-current=page]").focus())
    expect(item(page, "課二")).to_be_focused()  # the branch's link had the focus; its tree item has it now
    keys = page.keyboard
    keys.press("ArrowDown")
    expect(item(page, "第三課")).to_be_focused()
    keys.press("ArrowUp")
    expect(item(page, "課二")).to_be_focused()
    keys.press("ArrowLeft")  # to the folder
    expect(item(page, "基礎")).to_be_focused()
    keys.press("ArrowLeft")  # closes it
    expect(item(page, "基礎")).to_have_attribute("aria-expanded", "false")
    assert visible_labels(page) == ["基礎", "進階"]
    keys.press("ArrowRight")  # opens it
    expect(item(page, "基礎")).to_have_attribute("aria-expanded", "true")
    keys.press("ArrowRight")  # to its first child
    expect(item(page, "程式")).to_be_focused()
    keys.press("End")
    expect(item(page, "進階")).to_be_focused()
    keys.press("ArrowRight")
    keys.press("ArrowRight")
    expect(item(page, "課四")).to_be_focused()
    keys.press("ArrowDown")
    keys.press("ArrowRight")
    keys.press("ArrowDown")
    expect(item(page, "課五")).to_be_focused()
    keys.press("Home")
    expect(item(page, "基礎")).to_be_focused()
    assert page.locator("[role=tree] [tabindex='0']").count() == 1  # one tab stop
    expect(page).to_have_url(site.url(SECOND_PAGE))  # arrows in the tree never change the lesson
    item(page, "課二").focus()
    keys.press("End")
    keys.press("Enter")
    expect(page).to_have_url(site.url("/進階/深入/課五/"))


def test_each_lesson_shows_the_readers_progress(page, site):
    page.goto(site.url(SECOND_PAGE))
    page.locator('.qa [data-mark="right"]').nth(0).click()
    page.locator('.qa [data-mark="right"]').nth(1).click()
    page.locator('.qa [data-mark="wrong"]').nth(2).click()
    page.goto(site.url(CODE_PAGE))
    open_tree(page)
    expect(item(page, "課二").locator("[data-progress]")).to_have_text("2/5 答對")
    expect(item(page, "程式").locator("[data-progress]")).to_have_text("0/2 答對")  # being read
    expect(item(page, "第三課").locator("[data-progress]")).to_have_text("")  # not opened yet
    page.locator('.qa [data-mark="right"]').nth(0).click()
    page.locator('.qa [data-mark="right"]').nth(1).click()
    page.goto(site.url(SECOND_PAGE))  # the reader has used the tree: it loads with the page
    expect(item(page, "程式").locator("[data-progress]")).to_have_text("2/2 答對")
    expect(page.locator(".nav-tree .nav-lesson.done")).to_have_count(1)


def test_the_page_loads_without_the_tree_and_its_own_branch_works(page, site, recorder):
    page.goto(site.url(SECOND_PAGE))
    page.wait_for_load_state("networkidle")
    assert not [url for url in recorder.requests if "assets/tree" in url]
    branch = page.locator("#sidebar > ul:not([role=tree])")
    expect(branch.locator("a[aria-current=page]")).to_have_text(re.compile("^課二"))
    expect(page.locator("[role=tree]")).to_have_count(0)
    open_tree(page)
    expect(branch).to_have_count(0)  # replaced by the whole tree
    expect(item(page, "課二")).to_have_attribute("aria-current", "page")


def test_tabbing_into_the_sidebar_loads_the_tree_and_the_next_tab_reaches_the_lesson(page, site):
    page.goto(site.url(SECOND_PAGE))
    open_tree(page, lambda sidebar: sidebar.locator(".nav-home").focus())
    expect(page.locator(".nav-home")).to_be_focused()
    page.keyboard.press("Tab")  # the tree's one tab stop: the lesson being read
    expect(item(page, "課二")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(item(page, "第三課")).to_be_focused()


def test_phones_load_the_tree_when_the_menu_opens(new_context, site, recorder):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(site.url(SECOND_PAGE))
    expect(page.locator("#sidebar > ul a[aria-current=page]")).to_have_count(1)  # the page's own branch
    expect(page.locator("[role=tree]")).to_have_count(0)
    assert not [url for url in recorder.requests if "assets/tree.js" in url]
    open_tree(page, lambda sidebar: page.locator("[data-menu-toggle]").click())
    expect(item(page, "課二")).to_be_visible()


def test_from_disk_the_tree_loads_and_its_links_open_pages(browser, site):
    with disk_page(browser, site.file_url(SECOND_PAGE)) as page:
        open_tree(page)
        expect(item(page, "課二")).to_have_attribute("aria-current", "page")
        item(page, "進階").locator(".tree-toggle").click()
        link = item(page, "課四")
        assert link.get_attribute("href").endswith("/index.html")
        link.click()  # the next page loads the tree at once, the reader having used it
        expect(page.locator("h1")).to_have_text("課四")
        expect(item(page, "課四")).to_have_attribute("aria-current", "page")

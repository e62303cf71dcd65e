"""axe-core finds no serious or critical problem in the reader's tools on every page kind:
the tree (folders open and closed), the contents, the copy buttons and a drawn diagram, in
both themes and at phone width."""

import pytest
from playwright.sync_api import expect

from reader_site import CODE_PAGE, DIAGRAM_PAGE, served_reader_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_reader_site(tmp_path_factory.mktemp("reader-axe")) as served:
        yield served


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("where", ["/", "/基礎/", "/search/", CODE_PAGE, DIAGRAM_PAGE])
def test_every_page_kind_with_the_tree(new_context, site, assert_accessible, where, scheme):
    page = new_context(color_scheme=scheme).new_page()
    page.goto(site.url(where), wait_until="domcontentloaded")
    page.locator("#sidebar").hover()  # the sidebar's first use loads the whole tree
    expect(page.locator("[role=tree] [role=treeitem]").first).to_be_visible(timeout=30_000)
    page.locator("[role=tree] [aria-expanded=false] .tree-toggle").first.click()  # a folder opened by the reader
    if where == CODE_PAGE:
        page.locator(".code-copy").click()
        expect(page.locator(".code-copy-note")).not_to_be_empty()
        expect(page.locator(".toc a[aria-current]")).to_have_count(1)
    if where == DIAGRAM_PAGE:
        expect(page.locator("pre.mermaid svg")).to_be_visible(timeout=30_000)
    assert_accessible(page, f"{where} ({scheme})")


def test_phone_with_the_contents_and_the_menu_open(new_context, site, assert_accessible):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(site.url(CODE_PAGE))
    page.locator(".toc summary").click()
    page.locator("[data-menu-toggle]").click()
    expect(page.locator("[role=tree] [aria-current=page]")).to_be_visible()
    assert_accessible(page, "the lesson at phone width, contents and menu open")

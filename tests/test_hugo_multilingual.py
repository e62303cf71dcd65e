"""The multilingual fixture built by the real `hugo` (with layouts of this test's own
that print each page's title, translations and children) and by studysite: the same page
URLs per language, the same titles, the same order in every folder, the same
translation links."""

import html
import posixpath
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from helpers import corpus_files, parse_html, run_cli, write_site
from multilingual_site import CONFIG, FILES, hugo_files

pytestmark = pytest.mark.hugo

HUGO = shutil.which("hugo")
BASE_PATH = "/learn-with-ai/"

LAYOUT = (
    "title {{ .Title }}\n"
    "{{ range .Translations }}translation {{ .Lang }} {{ .RelPermalink }}\n{{ end }}"
)
LAYOUTS = {
    "layouts/shortcodes/ask_chatgpt.html": "{{ .Inner }}",
    "layouts/_default/single.html": LAYOUT,
    "layouts/_default/list.html": LAYOUT + "{{ range .Pages }}child {{ .RelPermalink }}\n{{ end }}",
    "layouts/index.html": LAYOUT + "{{ range .Pages }}child {{ .RelPermalink }}\n{{ end }}",
}


def hugo_pages(out: Path) -> dict[str, dict]:
    """Each page Hugo wrote (by URL below the base path): title, translations, children."""
    pages = {}
    for path in out.rglob("index.html"):
        url = str(path.parent.relative_to(out)) + "/" if path.parent != out else ""
        lines = path.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].startswith("title "):
            pages[url] = None  # Hugo's redirect from /en/ to /
            continue
        pages[url] = {
            "title": html.unescape(lines[0][len("title ") :]),
            "translations": {tuple(line.split()[1:]) for line in lines if line.startswith("translation ")},
            "children": [line.split()[1] for line in lines if line.startswith("child ")],
        }
    for page in pages.values():
        if page is not None:
            page["translations"] = {(lang, unquote(url).removeprefix(BASE_PATH)) for lang, url in page["translations"]}
            page["children"] = [unquote(url).removeprefix(BASE_PATH) for url in page["children"]]
    return pages


def our_pages(out: Path) -> dict[str, dict]:
    pages = {}
    for path in out.rglob("index.html"):
        url = str(path.parent.relative_to(out)) + "/" if path.parent != out else ""
        if url == "search/" or (url.count("/") == 2 and url.endswith("/search/")):
            continue  # each language's search page, which Hugo does not make
        document = parse_html(path.read_bytes())
        heading = document.find("h1")
        if heading is None:
            pages[url] = None  # the redirect from /en/ to /
            continue

        def absolute(href: str) -> str:
            return posixpath.normpath(posixpath.join("/" + url, unquote(urlsplit(href).path))).lstrip("/") + "/"

        menu = document.find("details", cls="language-menu")
        translations = {
            (a.attrs["hreflang"], absolute(a.attrs["href"]).lstrip("/").removeprefix("/"))
            for a in menu.find_all("a", hreflang=True)
            if "language-home" not in a.classes
        }
        pages[url] = {
            "title": heading.text().strip(),
            "translations": {(lang, "" if target == "./" else target) for lang, target in translations},
            "children": our_children(document, url),
            "alternates": {(link.attrs["hreflang"], link.attrs["href"]) for link in document.find_all("link", rel="alternate")},
        }
    return pages


def our_children(document, url: str) -> list[str]:
    """The open folder's pages and sub-folders in the sidebar, in reading order."""
    sidebar = document.find("nav", cls="sidebar")
    current = sidebar.find("a", aria_current="page")
    items = current.parent.find("ul") if current is not None else sidebar.find("ul")
    if items is None:
        return []
    entries = [li for li in items.children if not isinstance(li, str) and li.tag == "li"]
    return [
        posixpath.normpath(posixpath.join("/" + url, unquote(li.find("a").attrs["href"]))).lstrip("/") + "/"
        for li in entries
    ]


def build_both(tmp_path_factory, files: dict[str, str], hugo_view: dict[str, str]) -> tuple[dict, dict]:
    """Hugo's pages and ours for one repo (*hugo_view* is it after the folder-page rename)."""
    if HUGO is None:
        pytest.skip("hugo is not installed (make test installs Debian's hugo)")
    hugo_site = tmp_path_factory.mktemp("hugo-multilingual")
    hugo_view = dict(hugo_view)
    hugo_view["config.toml"] = 'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n' + hugo_view["config.toml"]
    write_site(hugo_site, {**hugo_view, **LAYOUTS})
    subprocess.run([HUGO, "--quiet", "-s", str(hugo_site), "-d", str(hugo_site / "out")], check=True, capture_output=True)
    site = write_site(tmp_path_factory.mktemp("studysite-multilingual"), files)
    result = run_cli("build", site, "-o", site / "out", "--jobs", "1")
    assert result.code == 0, result.err
    return hugo_pages(hugo_site / "out"), our_pages(site / "out")


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    return build_both(tmp_path_factory, FILES, hugo_files())


def test_the_same_page_urls_in_every_language(both):
    hugo, ours = both
    assert len(hugo) == 22
    assert sorted(ours) == sorted(hugo)


def test_the_same_titles(both):
    hugo, ours = both
    assert {url: page["title"] for url, page in ours.items() if page} == {
        url: page["title"] for url, page in hugo.items() if page
    }


def test_the_same_translation_links(both):
    hugo, ours = both
    linked = {url: page["translations"] for url, page in hugo.items() if page}
    assert sum(1 for found in linked.values() if found) >= 12
    assert {url: page["translations"] for url, page in ours.items() if page} == linked


def test_the_alternate_links_in_the_head_are_the_translations_and_the_page(both):
    hugo, ours = both
    for url, page in ours.items():
        if not page:
            continue
        expected = {(lang, f"https://example.github.io{BASE_PATH}{target}") for lang, target in hugo[url]["translations"]}
        if expected:
            language = url.split("/", 1)[0] if url.startswith(("zh-cn/", "zh-tw/")) else "en"
            expected.add((language, f"https://example.github.io{BASE_PATH}{url}"))
        assert {(lang, unquote(href)) for lang, href in page["alternates"]} == expected, url


def test_the_same_order_in_every_folder(both):
    hugo, ours = both
    folders = {url: page["children"] for url, page in hugo.items() if page and page["children"]}
    assert len(folders) >= 8
    assert {url: ours[url]["children"] for url in folders} == folders


def corpus_repo() -> tuple[dict[str, str], dict[str, str]]:
    """The corpus lessons (real text) spread over the fixture's three languages the way
    real repos are: nested folders with folder-named pages, each lesson in all three
    languages, in two, or in one. Returns the repo and Hugo's view of it."""
    files, hugo = {"config.toml": CONFIG}, {"config.toml": CONFIG}
    languages = ("english", "zh-cn", "zh-tw")
    for number, path in enumerate(corpus_files()):
        part = f"Part {number % 3} (第{number % 3}部)"
        folder = f"{part}/Chapter {number % 2}"
        present = languages if number % 3 == 0 else languages[: 3 - number % 3]
        for language in present:
            lesson = f"content/{language}/{folder}/{path.stem}.md"
            files[lesson] = hugo[lesson] = path.read_text(encoding="utf-8")
            for index_folder in (part, folder):
                name = index_folder.rpartition("/")[2]
                page = f'+++\ntitle = "{language} {name}"\nweight = {number % 5}\n+++\n'
                files.setdefault(f"content/{language}/{index_folder}/{name}.md", page)
                hugo.setdefault(f"content/{language}/{index_folder}/_index.md", page)
    return files, hugo


def test_the_corpus_as_a_three_language_repo_builds_like_hugo(tmp_path_factory):
    if not corpus_files():
        pytest.skip("the lesson corpus is not beside the project")
    hugo, ours = build_both(tmp_path_factory, *corpus_repo())
    assert len(hugo) > 120
    assert sorted(ours) == sorted(hugo)
    shown = {url: page for url, page in ours.items() if page}
    # A lesson without a title: Hugo's is empty, ours is the file name (DESIGN §2).
    titled = {url: page["title"] for url, page in hugo.items() if page and page["title"]}
    assert len(titled) > 100
    assert {url: shown[url]["title"] for url in titled} == titled
    assert {url: page["translations"] for url, page in shown.items()} == {
        url: page["translations"] for url, page in hugo.items() if page
    }
    folders = {url: page["children"] for url, page in hugo.items() if page and page["children"]}
    assert {url: shown[url]["children"][: len(children)] for url, children in folders.items()} == folders

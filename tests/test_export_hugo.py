"""`studysite export-hugo`: the exported site built by the real `hugo` — exit 0, not one
WARN or ERROR line, and the same page URLs, titles and folder order as `studysite build`
(read from what each one wrote), for the bundled site, the multilingual fixture and the
corpus."""

from __future__ import annotations

import json
import posixpath
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from helpers import REPO, corpus_files, parse_html, run_cli, write_site
from multilingual_site import FILES as MULTILINGUAL_FILES
from test_hugo_compat import CONTENT as COMPAT_CONTENT
from test_hugo_shortcodes import CONFIG as SHORTCODES_CONFIG, LESSONS as SHORTCODES_LESSONS
from test_hugo_multilingual import corpus_repo, our_children

HUGO = shutil.which("hugo")
needs_hugo = pytest.mark.skipif(HUGO is None, reason="hugo is not installed (make test installs Debian's hugo)")


def hugo(site: Path, out: Path) -> str:
    """Build *site* with the real hugo; return what it printed, having checked that it
    exited 0 without a warning or an error."""
    run = subprocess.run([HUGO, "-s", str(site), "-d", str(out)], capture_output=True, text=True, timeout=300)
    printed = run.stdout + run.stderr
    assert run.returncode == 0, printed
    assert not [line for line in printed.splitlines() if "WARN" in line or "ERROR" in line], printed
    return printed


def base_path(export: Path) -> str:
    """The path of the exported hugo.toml's baseURL ('/learn-with-ai/')."""
    import tomllib

    return urlsplit(tomllib.loads((export / "hugo.toml").read_text(encoding="utf-8"))["baseURL"]).path or "/"


def hugo_pages(out: Path, base: str) -> dict[str, dict]:
    """What the exported layouts show on each page Hugo wrote, by URL below the base
    path: the title (h1), and for a folder its pages and sub-folders in order."""
    pages = {}
    for path in out.rglob("index.html"):
        url = str(path.parent.relative_to(out)) + "/" if path.parent != out else ""
        document = parse_html(path.read_bytes())
        heading = document.find("h1")
        if heading is None:
            pages[url] = None  # Hugo's redirect from /en/ to /
            continue
        contents = document.find("nav", cls="contents")
        links = contents.find_all("a") if contents is not None else []
        pages[url] = {
            "title": heading.text().strip(),
            "children": [unquote(a.attrs["href"]).removeprefix(base) for a in links],
            "document": document,
        }
    return pages


def studysite_pages(out: Path) -> dict[str, dict]:
    """The same, from the pages `studysite build` wrote (search pages left out: Hugo
    makes none); a folder's pages and sub-folders are those its sidebar shows."""
    pages = {}
    for path in out.rglob("index.html"):
        url = str(path.parent.relative_to(out)) + "/" if path.parent != out else ""
        if url == "search/" or (url.count("/") == 2 and url.endswith("/search/")):
            continue
        document = parse_html(path.read_bytes())
        heading = document.find("h1")
        if heading is None:
            pages[url] = None  # the redirect from /en/ to /
            continue
        entries = [child for child in our_children(document, url) if child != url]  # not "N more"
        pages[url] = {"title": heading.text().strip(), "children": entries, "document": document}
    return pages


def assert_same_site(theirs: dict, ours: dict) -> None:
    assert sorted(theirs) == sorted(ours)
    for url, page in ours.items():
        if page is None:
            assert theirs[url] is None, url
            continue
        assert theirs[url]["title"] == page["title"], url
        shown = page["children"]
        # studysite's sidebar shows a window of a long folder: compare that window.
        listed = theirs[url]["children"]
        start = listed.index(shown[0]) if shown and shown[0] in listed else 0
        assert shown == listed[start : start + len(shown)], url


def export_and_build(tmp_path: Path, site: Path) -> tuple[Path, str]:
    result = run_cli("export-hugo", site, "-o", tmp_path / "export")
    assert result.code == 0, result.err
    printed = hugo(tmp_path / "export", tmp_path / "hugo-out")
    return tmp_path / "hugo-out", printed


def studysite_build(site: Path, out: Path) -> Path:
    result = run_cli("build", site, "-o", out, "--jobs", "1")
    assert result.code == 0, result.err
    return out


def bundled_site(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "studysite.toml", root / "studysite.toml")
    return root


# --- The bundled site -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    if HUGO is None:
        pytest.skip("hugo is not installed (make test installs Debian's hugo)")
    root = tmp_path_factory.mktemp("bundled")
    site = bundled_site(root / "site")
    hugo_out, _ = export_and_build(root, site)
    return root / "export", hugo_pages(hugo_out, "/"), studysite_pages(studysite_build(site, root / "ours"))


@pytest.mark.hugo
def test_the_bundled_site_has_the_same_pages_titles_and_order_in_hugo(bundled):
    _, theirs, ours = bundled
    assert len(ours) == 9
    assert_same_site(theirs, ours)


@pytest.mark.hugo
def test_a_folder_page_named_like_its_folder_becomes_its_index(bundled):
    export, theirs, _ = bundled
    folder = export / "content" / "機器學習 Machine Learning" / "深度學習 (Deep Learning)"
    assert sorted(p.name for p in folder.iterdir()) == ["Backpropagation.md", "_index.md"]
    assert theirs["機器學習-machine-learning/深度學習-deep-learning/"]["title"] == "深度學習 (Deep Learning)"


@pytest.mark.hugo
def test_formulas_show_as_the_mathml_studysite_makes(bundled):
    export, theirs, ours = bundled
    url = "機器學習-machine-learning/loss-function/"
    source = (export / "content" / "機器學習 Machine Learning" / "Loss Function.md").read_text(encoding="utf-8")
    assert "$" not in source
    assert "{{< math >}}|y_i - \\hat{y}_i|{{< /math >}}" in source

    def formulas(document) -> list[str]:
        return [node.attrs["alttext"] for node in document.find_all("math")]

    assert len(formulas(theirs[url]["document"])) > 20
    assert formulas(theirs[url]["document"]) == formulas(ours[url]["document"])
    assert not theirs[url]["document"].find_all("code", cls="math")


@pytest.mark.hugo
def test_each_answer_is_hidden_in_a_details_and_each_prompt_is_labelled(bundled):
    _, theirs, ours = bundled
    for url, page in ours.items():
        if page is None:
            continue
        answers = [qa.find("details", cls="answer") for qa in page["document"].find_all(cls="qa")]
        theirs_answers = theirs[url]["document"].find_all("details", cls="answer")
        assert len(theirs_answers) == len([a for a in answers if a is not None]), url
        prompts = theirs[url]["document"].find_all(cls="ask-chatgpt")
        assert len(prompts) == len(page["document"].find_all(cls="ask-chatgpt")), url
    loss = theirs["機器學習-machine-learning/loss-function/"]["document"]
    first = loss.find("details", cls="answer")
    assert first.find("summary").text() == "顯示答案"
    assert "答案：MSE 為" in first.text()
    card = loss.find(cls="ask-chatgpt")
    assert [p.text() for p in card.find_all("p", cls="label")] == ["使用者提問："]
    assert card.find("pre").text() == "給我5題損失函數的中文問題"
    assert card.find("a").attrs["href"].startswith("https://chatgpt.com/?q=%E7%B5%A6")


@pytest.mark.hugo
def test_plots_are_drawn_into_static_and_shown_at_any_base_url(bundled, tmp_path):
    export, theirs, ours = bundled
    url = "機器學習-machine-learning/loss-function/"
    figures = theirs[url]["document"].find_all("figure", cls="loss-plot")
    assert len(figures) == 3
    ours_figures = ours[url]["document"].find_all("figure", cls="loss-plot")
    assert [f.find("figcaption").text().strip() for f in figures] == [
        f.find("figcaption").text().strip() for f in ours_figures
    ]
    for figure in figures:
        source = figure.find("img").attrs["src"]
        assert source.startswith("/assets/plots/") and source.endswith(".svg")
        assert (export / "static" / source.lstrip("/")).read_bytes().startswith(b"<?xml")
    # Published below a path, the same site links its plots below that path.
    moved = tmp_path / "moved"
    shutil.copytree(export, moved)
    config = moved / "hugo.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('baseURL = "/"', 'baseURL = "https://example.org/notes/"'), encoding="utf-8")
    hugo(moved, tmp_path / "out")
    page = parse_html((tmp_path / "out" / url / "index.html").read_bytes())
    sources = [img.attrs["src"] for img in page.find_all("img")]
    assert sources and all(src.startswith("/notes/assets/plots/") for src in sources)
    assert all((tmp_path / "out" / src.removeprefix("/notes/")).is_file() for src in sources)


# --- The multilingual fixture ---------------------------------------------------------


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory):
    if HUGO is None:
        pytest.skip("hugo is not installed (make test installs Debian's hugo)")
    root = tmp_path_factory.mktemp("multilingual")
    site = write_site(root / "site", MULTILINGUAL_FILES)
    hugo_out, _ = export_and_build(root, site)
    theirs = hugo_pages(hugo_out, base_path(root / "export"))
    return root / "export", hugo_out, theirs, studysite_pages(studysite_build(site, root / "ours"))


@pytest.mark.hugo
def test_the_multilingual_fixture_has_the_same_pages_titles_and_order_in_hugo(multilingual):
    _, _, theirs, ours = multilingual
    assert len(ours) == 22
    assert_same_site(theirs, ours)


@pytest.mark.hugo
def test_every_language_menu_leads_to_the_same_translations(multilingual):
    _, _, theirs, ours = multilingual

    def translations(document, url: str, menu: str, cls: str) -> set[tuple[str, str]]:
        found = document.find(menu, cls=cls)
        pairs = set()
        for a in found.find_all("a", hreflang=True):
            if "language-home" in a.classes or a.attrs.get("aria-current"):
                continue
            href = unquote(urlsplit(a.attrs["href"]).path)
            target = posixpath.normpath(posixpath.join("/" + url, href)) if not href.startswith("/") else href
            pairs.add((a.attrs["hreflang"], target.removeprefix("/learn-with-ai").strip("/")))
        return pairs

    linked = 0
    for url, page in ours.items():
        if page is None:
            continue
        mine = translations(page["document"], url, "details", "language-menu")
        mine = {(lang, target) for lang, target in mine if target != url.strip("/")}
        assert translations(theirs[url]["document"], url, "nav", "languages") == mine, url
        linked += bool(mine)
    assert linked >= 12


@pytest.mark.hugo
def test_the_config_becomes_hugo_toml_and_a_json_home_page_has_a_layout(multilingual):
    export, hugo_out, _, _ = multilingual
    import tomllib

    config = tomllib.loads((export / "hugo.toml").read_text(encoding="utf-8"))
    assert config["baseURL"] == "https://example.github.io/learn-with-ai/"
    assert config["defaultContentLanguage"] == "en" and config["defaultContentLanguageInSubdir"] is False
    assert {key: table["contentDir"] for key, table in config["languages"].items()} == {
        "en": "content/english", "zh-cn": "content/zh-cn", "zh-tw": "content/zh-tw",
    }
    assert config["markup"]["goldmark"]["renderer"] == {"hardWraps": True, "unsafe": False}
    assert config["params"] == {"ordersectionsby": "weight"}
    assert config["outputs"] == {"home": ["HTML", "RSS", "JSON"]}
    listed = json.loads((hugo_out / "zh-cn" / "index.json").read_text(encoding="utf-8"))
    assert sorted(entry["title"] for entry in listed) == sorted(["梯度下降 (GD)", "损失函数", "线性代数"])


# --- The corpus -------------------------------------------------------------------------


@pytest.mark.hugo
@pytest.mark.skipif(not corpus_files(), reason="the lesson corpus is not beside the project")
@needs_hugo
def test_the_corpus_in_three_languages_has_the_same_pages_titles_and_order_in_hugo(tmp_path):
    files, _ = corpus_repo()
    site = write_site(tmp_path / "site", files)
    hugo_out, _ = export_and_build(tmp_path, site)
    theirs = hugo_pages(hugo_out, base_path(tmp_path / "export"))
    ours = studysite_pages(studysite_build(site, tmp_path / "ours"))
    assert len(ours) > 120
    assert_same_site(theirs, ours)
    # Every answer studysite hides, Hugo hides too; no formula is left for goldmark.
    for url, page in ours.items():
        if page is not None:
            hidden = len(page["document"].find_all("details", cls="answer"))
            assert len(theirs[url]["document"].find_all("details", cls="answer")) == hidden, url
    assert not [url for url, page in theirs.items() if page and page["document"].find_all("code", cls="math")]


@pytest.mark.hugo
@pytest.mark.skipif(not corpus_files(), reason="the lesson corpus is not beside the project")
@needs_hugo
def test_weights_slugs_dates_and_odd_file_names_give_the_same_urls_and_order(tmp_path):
    files = dict(COMPAT_CONTENT)
    files.update({
        "content/s/index.md": '+++\ntitle = "Index"\nweight = 3\n+++\nx\n',
        "content/s/notes.en.md": '+++\ntitle = "Notes"\n+++\nx\n',
        "content/s/linked.md": '+++\ntitle = "Zulu"\nlinkTitle = "Aardvark"\n+++\nx\n',
        "content/s/future.md": '+++\ntitle = "Future"\ndate = 2999-01-01\n+++\nx\n',
        "content/s/draft.md": '+++\ntitle = "Draft"\ndraft = true\n+++\nx\n',
        "content/nested/deeper/lesson.md": '---\ntitle: Deep\nweight: "2"\n---\nx\n',
        "content/nested/deeper/other.md": "{\n\"title\": \"Other\", \"weight\": 5\n}\nx\n",
        "content/nested/untitled.md": "no front matter\n",
        "content/nested/blank.md": '+++\ntitle = ""\nweight = 4\n+++\nx\n',
    })
    for path in corpus_files():
        files[f"content/corpus/{path.name}"] = path.read_text(encoding="utf-8")
    site = write_site(tmp_path / "site", files)
    hugo_out, _ = export_and_build(tmp_path, site)
    theirs = hugo_pages(hugo_out, "/")
    ours = studysite_pages(studysite_build(site, tmp_path / "ours"))
    assert {"s/index/", "s/notes.en/", "s/my-slug/", "s/future/", "nested/", "nested/deeper/", "nested/untitled/"} <= set(ours)
    assert "s/draft/" not in ours
    assert_same_site(theirs, ours)
    exported = tmp_path / "export" / "content"
    assert "draft = true" in (exported / "s" / "draft.md").read_text(encoding="utf-8")
    assert 'weight = 2\n' in (exported / "nested" / "deeper" / "lesson.md").read_text(encoding="utf-8")
    assert (exported / "nested" / "untitled.md").read_text(encoding="utf-8").startswith('+++\ntitle = "untitled"\n')
    assert (exported / "nested" / "blank.md").read_text(encoding="utf-8").startswith('+++\ntitle = "blank"\n')


@pytest.mark.hugo
@needs_hugo
def test_links_images_figures_and_refs_lead_where_studysite_leads_them(tmp_path):
    files = {"studysite.toml": SHORTCODES_CONFIG, **SHORTCODES_LESSONS}
    del files["content/ml/_index.md"]
    files["content/ml/ml.md"] = '+++\ntitle = "ML page"\n+++\nThe section.\n'
    files["content/ml/index.md"] = '+++\ntitle = "A lesson named index"\n+++\nx\n'
    files["content/ml/links.md"] = (
        '+++\ntitle = "Links"\n+++\n[intro](intro.md#part) [folder page](ml.md) ![plot](plot.png) [static](/big.png)\n'
        '[ref]({{< ref "ml.md" >}}) [relref]({{% relref "index.md" %}}) [elsewhere](https://example.org/a.md) [left](nope.md)\n'
    )
    site = write_site(tmp_path / "site", files)
    hugo_out, _ = export_and_build(tmp_path, site)
    ours = studysite_build(site, tmp_path / "ours")

    def targets(root: Path, url: str) -> list[str]:
        article = parse_html((root / url / "index.html").read_bytes()).find("article")
        found = []
        # The lesson's own text: its paragraphs and figures (not the page's navigation).
        for node in [node for block in article.find_all() if block.tag in ("p", "figure") for node in block.find_all()]:
            address = node.attrs.get("href") if node.tag == "a" else node.attrs.get("src") if node.tag == "img" else None
            if address is None or address.startswith("#") or "heading-link" in node.classes:
                continue
            if "://" not in address and not address.startswith("/"):
                address = posixpath.normpath(posixpath.join("/" + url, address)) + ("/" if address.endswith("/") else "")
            found.append(unquote(address))
        return found

    assert targets(hugo_out, "ml/links/") == targets(ours, "ml/links/") == [
        "/ml/intro/#part", "/ml/", "/ml/plot.png", "/big.png", "/ml/", "/ml/index/", "https://example.org/a.md",
        "/ml/links/nope.md",
    ]
    intro_figures = [t for t in targets(ours, "ml/intro/") if t.endswith(".png")]
    assert intro_figures == ["/big.png", "/ml/plot.png", "/images/logo.png"]
    assert [t for t in targets(hugo_out, "ml/intro/") if t.endswith(".png")] == intro_figures
    exported = (tmp_path / "export" / "content" / "ml" / "links.md").read_text(encoding="utf-8")
    assert '[ref]({{< ref "/ml/_index.md" >}}) [relref]({{< relref "/ml/index-page.md" >}})' in exported


@pytest.mark.hugo
@needs_hugo
def test_output_formats_get_layouts_or_are_left_out_with_a_note(tmp_path):
    config = 'title = "Formats"\n[outputs]\nhome = ["HTML", "JSON", "AMP"]\nsection = ["HTML", "JSON"]\npage = ["HTML", "JSON", "Calendar"]\n'
    site = write_site(tmp_path / "site", {
        "config.toml": config,
        "content/ml/_index.md": '+++\ntitle = "ML"\n+++\n',
        "content/ml/loss.md": '+++\ntitle = "Loss"\n+++\nx\n',
    })
    result = run_cli("export-hugo", site, "-o", tmp_path / "export")
    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "config.toml:3: note: outputs.home: AMP left out of the Hugo site, which has layouts for HTML, RSS, JSON only",
        "config.toml:5: note: outputs.page: Calendar left out of the Hugo site, which has layouts for HTML, RSS, JSON only",
    ]
    hugo(tmp_path / "export", tmp_path / "out")
    assert [entry["title"] for entry in json.loads((tmp_path / "out" / "index.json").read_text(encoding="utf-8"))] == ["Loss"]
    section = json.loads((tmp_path / "out" / "ml" / "index.json").read_text(encoding="utf-8"))
    assert section["title"] == "ML" and [page["title"] for page in section["pages"]] == ["Loss"]
    assert json.loads((tmp_path / "out" / "ml" / "loss" / "index.json").read_text(encoding="utf-8"))["title"] == "Loss"


@pytest.mark.hugo
@needs_hugo
def test_drafts_stay_drafts_and_a_draft_folder_page_does_not_hide_its_folder(tmp_path):
    site = write_site(tmp_path / "site", {
        "content/ml/_index.md": '+++\ntitle = "ML draft"\ndraft = true\n+++\n',
        "content/ml/loss.md": '+++\ntitle = "Loss"\n+++\nx\n',
        "content/ml/later.md": '+++\ntitle = "Later"\ndraft = "true"\n+++\nx\n',
        "content/dl/dl.md": '+++\ntitle = "DL draft"\ndraft = true\n+++\n',
        "content/dl/backprop.md": '+++\ntitle = "Backprop"\n+++\nx\n',
    })
    result = run_cli("export-hugo", site, "-o", tmp_path / "export")
    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "content/ml/_index.md:1: warning: a draft folder page is left out of the export: in Hugo it would hide the whole folder, drafts or not"
    ]
    exported = tmp_path / "export" / "content"
    assert (exported / "ml" / "later.md").read_text(encoding="utf-8") == '+++\ntitle = "Later"\ndraft = true\n+++\nx\n'
    assert (exported / "dl" / "dl.md").read_text(encoding="utf-8").startswith('+++\ntitle = "DL draft"\ndraft = true\n')
    hugo_out = tmp_path / "out"
    hugo(tmp_path / "export", hugo_out)
    ours = studysite_pages(studysite_build(site, tmp_path / "ours"))
    assert sorted(ours) == ["", "dl/", "dl/backprop/", "ml/", "ml/loss/"]
    assert_same_site(hugo_pages(hugo_out, "/"), ours)


@pytest.mark.hugo
@needs_hugo
def test_shortcodes_in_code_stay_text_and_the_percent_form_keeps_its_html(tmp_path):
    site = write_site(tmp_path / "site", {
        "content/hugo.md": (
            '+++\ntitle = "Shortcodes"\n+++\n## Explain\n{{% ask_chatgpt %}}\nHow are shortcodes written?\n{{% /ask_chatgpt %}}\n\n'
            "```markdown\n{{< ask_chatgpt >}}\nA prompt\n{{< /ask_chatgpt >}}\n```\n"
        ),
    })
    hugo_out, _ = export_and_build(tmp_path, site)
    page = parse_html((hugo_out / "hugo" / "index.html").read_bytes())
    assert page.find(cls="ask-chatgpt").find("pre").text() == "How are shortcodes written?"
    assert page.find("code").text() == "{{< ask_chatgpt >}}\nA prompt\n{{< /ask_chatgpt >}}\n"
    ours = parse_html((studysite_build(site, tmp_path / "ours") / "hugo" / "index.html").read_bytes())
    assert ours.find("code").text() == page.find("code").text()


@pytest.mark.hugo
@needs_hugo
def test_urls_keep_their_case_with_disable_path_to_lower(tmp_path):
    site = write_site(tmp_path / "site", {
        "config.toml": 'title = "Case"\ndisablePathToLower = true\n',
        "content/Machine Learning/Loss Function.md": '+++\ntitle = "Loss"\n+++\nx\n',
        "content/Machine Learning/Other.md": '+++\ntitle = "Other"\nslug = "My Slug"\n+++\nx\n',
    })
    hugo_out, _ = export_and_build(tmp_path, site)
    ours = studysite_pages(studysite_build(site, tmp_path / "ours"))
    assert sorted(ours) == ["", "Machine-Learning/", "Machine-Learning/Loss-Function/", "Machine-Learning/My-Slug/"]
    assert_same_site(hugo_pages(hugo_out, "/"), ours)


# --- Errors, and what is never written ----------------------------------------------


def test_a_content_error_is_reported_and_nothing_is_written(make_site, tmp_path):
    site = make_site({"content/a.md": "+++\ntitle = 'A'\n+++\n{{< nope >}}\n"})
    out = tmp_path / "export"
    result = run_cli("export-hugo", site, "-o", out)
    assert result.code == 1
    assert result.error_lines[0].startswith("content/a.md:4: error: unknown shortcode 'nope'")
    assert not out.exists()


def test_a_folder_that_is_not_an_export_is_refused(make_site, tmp_path):
    site = make_site({"content/a.md": "+++\ntitle = 'A'\n+++\nx\n"})
    out = tmp_path / "mine"
    write_site(out, {"notes.txt": "keep me"})
    result = run_cli("export-hugo", site, "-o", out)
    assert result.code == 2
    assert "is not empty and was not written by studysite export-hugo" in result.err
    assert (out / "notes.txt").read_text() == "keep me"
    built = tmp_path / "built"
    assert run_cli("build", site, "-o", built).code == 0
    assert run_cli("export-hugo", site, "-o", built).code == 2  # a built site is not an export either


def test_an_earlier_export_is_replaced_whole(make_site, tmp_path):
    site = make_site({"content/a.md": "+++\ntitle = 'A'\n+++\nx\n", "content/b.md": "+++\ntitle = 'B'\n+++\nx\n"})
    out = tmp_path / "export"
    assert run_cli("export-hugo", site, "-o", out).code == 0
    (site / "content" / "b.md").unlink()
    (out / "public").mkdir()  # what `hugo` leaves there
    assert run_cli("export-hugo", site, "-o", out).code == 0
    assert sorted(p.name for p in (out / "content").iterdir()) == ["a.md"]
    assert not (out / "public").exists()


def test_nothing_is_written_outside_the_folder_whatever_the_names_say(make_site, tmp_path):
    site = make_site({
        "content/a.md": "+++\ntitle = 'A'\nslug = '..'\n+++\nx\n",
    })
    result = run_cli("export-hugo", site, "-o", tmp_path / "export")
    assert result.code == 1 and "slug '..' must be one URL segment" in result.err
    site = make_site({"content/x/a.md": "+++\ntitle = 'A'\nslug = 'fine'\n+++\nx\n"}, name="site2")
    assert run_cli("export-hugo", site, "-o", tmp_path / "export").code == 0
    written = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    assert all(p.parts[0] in ("export", "site", "site2") for p in written)


def test_the_output_inside_the_site_content_is_refused(make_site):
    site = make_site({"content/a.md": "+++\ntitle = 'A'\n+++\nx\n"})
    result = run_cli("export-hugo", site, "-o", site / "content" / "hugo")
    assert result.code == 2 and "inside the site's content/ folder" in result.err


def test_hugo_only_front_matter_is_left_out_with_a_warning(make_site, tmp_path):
    site = make_site({"content/a.md": "+++\ntitle = 'A'\nurl = '/elsewhere/'\naliases = ['/old/']\n+++\nx\n"})
    result = run_cli("export-hugo", site, "-o", tmp_path / "export")
    assert result.code == 0
    assert "content/a.md:3: warning: front matter 'url' is left out of the export" in result.err
    assert "content/a.md:4: warning: front matter 'aliases' is left out of the export" in result.err
    assert (tmp_path / "export" / "content" / "a.md").read_text(encoding="utf-8") == '+++\ntitle = "A"\n+++\nx\n'


def test_a_formula_that_cannot_be_placed_is_left_as_written_with_a_warning(make_site, tmp_path):
    site = make_site({"content/t.md": '+++\ntitle = "T"\n+++\n| a | b |\n|---|---|\n| $a \\| b$ | $c_i$ |\n'})
    result = run_cli("export-hugo", site, "-o", tmp_path / "export")
    assert result.code == 0
    assert result.err.splitlines() == [
        "content/t.md:6: warning: a formula is left as $…$ in the export (studysite could not place it in the text): "
        "Hugo's Markdown may read parts of it as emphasis"
    ]
    assert (tmp_path / "export" / "content" / "t.md").read_text(encoding="utf-8").endswith(
        "| $a \\| b$ | {{< math >}}c_i{{< /math >}} |\n"
    )


def test_export_hugo_is_in_the_help():
    result = run_cli("export-hugo", "--help")
    assert "same page URLs" in " ".join(result.out.split())

"""Building whole sites: URLs, order, indexes, drafts, navigation, output files."""

import re
import time
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

import pytest

from helpers import parse_html, run_cli, tree_snapshot


def lesson(title: str, weight: int | str | None = None, body: str = "", **fields) -> str:
    lines = ["+++", f'title = "{title}"']
    if weight is not None:
        lines.append(f"weight = {weight!r}" if isinstance(weight, str) else f"weight = {weight}")
    lines += [f"{key} = {value}" for key, value in fields.items()]
    lines.append("+++")
    return "\n".join(lines) + "\n" + (body or f"## 說明知識\n{title} 的內容。\n")


def build(site: Path, *args) -> Path:
    result = run_cli("build", site, *args)
    assert result.code == 0, result.err
    return site / "public"


def page(public: Path, url: str):
    return parse_html((public / unquote(url.strip("/")) / "index.html").read_bytes())


def test_urls_are_readable_for_spaces_parentheses_and_cjk(make_site):
    site = make_site(
        {
            "content/機器學習 Machine Learning/_index.md": lesson("機器學習"),
            "content/機器學習 Machine Learning/Loss Function.md": lesson("損失函數"),
            "content/機器學習 Machine Learning/Recurrent Neural Networks (RNNs).md": lesson("RNN"),
        }
    )
    public = build(site, "--base-url", "https://example.org/")
    assert (public / "機器學習-machine-learning/loss-function/index.html").is_file()
    assert (public / "機器學習-machine-learning/recurrent-neural-networks-rnns/index.html").is_file()
    sitemap = (public / "sitemap.xml").read_text()
    assert "/%E6%A9%9F%E5%99%A8%E5%AD%B8%E7%BF%92-machine-learning/loss-function/</loc>" in sitemap


def test_folder_index_is_underscore_index_or_named_like_the_folder(make_site):
    site = make_site(
        {
            "content/Deep Learning/Deep Learning.md": lesson("深度學習總覽", body="深度學習簡介。\n"),
            "content/Deep Learning/CNN.md": lesson("CNN"),
            "content/Plain Folder/a.md": lesson("A"),
        }
    )
    public = build(site)
    deep = page(public, "deep-learning/")
    assert deep.find("h1").text() == "深度學習總覽"
    assert "深度學習簡介" in deep.find("main").text()
    assert not (public / "deep-learning/deep-learning").exists()
    plain = page(public, "plain-folder/")
    assert plain.find("h1").text() == "Plain Folder"
    assert [a.text() for a in plain.find("main").find_all("a") if a.attrs.get("href", "").endswith("a/")] == ["A"]


def test_order_is_weight_then_title_with_unweighted_last(make_site):
    site = make_site(
        {
            "content/s/c.md": lesson("Charlie", 2),
            "content/s/a.md": lesson("alpha"),
            "content/s/b.md": lesson("Bravo", "1"),
            "content/s/d.md": lesson("Delta", 2),
            "content/s/e.md": lesson("Echo", -1),
            "content/s/f.md": lesson("beta"),
        }
    )
    public = build(site)
    listing = page(public, "s/").find("ul", cls="lesson-list")
    assert [a.text() for a in listing.find_all("a")] == ["Echo", "Bravo", "Charlie", "Delta", "alpha", "beta"]
    # Previous/next follow the same order.
    bravo = page(public, "s/b/")
    assert bravo.find("a", cls="pager-previous").text().endswith("Echo")
    assert bravo.find("a", cls="pager-next").text().endswith("Charlie")


def test_drafts_are_left_out_unless_asked_for(make_site):
    site = make_site({"content/a.md": lesson("A"), "content/b.md": lesson("B", draft="true")})
    public = build(site)
    assert not (public / "b").exists()
    public = build(site, "--drafts")
    assert (public / "b/index.html").is_file()


def test_lesson_page_structure_and_hooks(make_site):
    body = (
        "## 習題預習\n{{< ask_chatgpt >}}\n給我5題X的中文問題\n{{< /ask_chatgpt >}}\n\n1. 甲？\n2. 乙？\n\n"
        "## 說明知識\n{{< ask_chatgpt >}}\n以中文說明X並舉例\n{{< /ask_chatgpt >}}\n\n說明 $a^2$。\n\n"
        "## 條列重點\n{{< ask_chatgpt >}}\n以中文條列X的重點\n{{< /ask_chatgpt >}}\n\n1. 重點\n\n"
        "## 知識測驗\n{{< ask_chatgpt >}}\n以中文給我5題X的中等難度問題，並在後面列出答案\n{{< /ask_chatgpt >}}\n\n"
        "1. 問一？\n答案：答一\n\n2. 問二？\n答案：答二\n"
    )
    public = build(make_site({"content/x.md": lesson("X", body=body)}))
    document = page(public, "x/")
    sections = document.find_all("section", cls="lesson-section")
    assert [s.attrs["data-kind"] for s in sections] == ["preview", "explanation", "keypoints", "test"]
    for section in sections:
        card = section.find(cls="ask-chatgpt")
        assert card.find("button", data_copy=True) is not None
        assert card.find("a", data_ask=True).attrs["href"].startswith("https://chatgpt.com/?q=")
        # The heading, then the prompt, then the answer.
        order = [n for n in section.children if not isinstance(n, str)]
        assert "heading" in order[0].classes and order[0].children[0].tag == "h2" and "ask-chatgpt" in order[1].classes
    assert len(document.find(cls="warmup").find_all("input", type="checkbox")) == 2
    qas = document.find_all(cls="qa")
    assert [q.find(cls="question").text() for q in qas] == ["問一？", "問二？"]
    assert [q.find("details").find(cls="answer-text").text() for q in qas] == ["答一\n", "答二\n"]
    assert [q.find("summary").text() for q in qas] == ["顯示答案收起答案"] * 2
    assert all(q.find("button", data_mark="right") and q.find("button", data_mark="wrong") for q in qas)
    assert document.find("math") is not None
    prompt = sections[3].find(cls="ask-chatgpt").find("a", data_ask=True).attrs["href"]
    assert unquote(prompt.split("q=", 1)[1]) == "以中文給我5題X的中等難度問題，並在後面列出答案"


def test_breadcrumbs_sidebar_and_relative_links(make_site):
    site = make_site(
        {
            "content/a/_index.md": lesson("Folder A", 1),
            "content/a/b/_index.md": lesson("Folder B", 1),
            "content/a/b/deep.md": lesson("Deep", 1),
            "content/top.md": lesson("Top", 2),
        }
    )
    public = build(site)
    document = page(public, "a/b/deep/")
    crumbs = [a.text() for a in document.find("nav", cls="breadcrumbs").find_all("a")]
    assert crumbs == ["首頁", "Folder A", "Folder B"]
    current = document.find("nav", cls="sidebar").find("a", aria_current="page")
    assert current.text() == "Deep" and current.attrs["href"] == "../../../a/b/deep/"
    stylesheet = document.find("link", rel="stylesheet").attrs["href"]
    assert stylesheet.startswith("../../../assets/site.css")
    assert (public / "a/b/deep" / stylesheet.split("?")[0]).resolve() == (public / "assets/site.css").resolve()


def test_sidebar_stays_small_in_a_large_folder(make_site):
    files = {f"content/big/l{n:03}.md": lesson(f"Lesson {n:03}", n + 1) for n in range(200)}
    public = build(make_site(files))
    document = page(public, "big/l100/")
    sidebar = document.find("nav", cls="sidebar")
    lessons = sidebar.find_all("li", cls="nav-lesson")
    assert 10 <= len(lessons) <= 15
    assert "Lesson 100" in [li.find("a").text() for li in lessons]
    more = [li.find("a").text() for li in sidebar.find_all("li", cls="nav-more")]
    assert more == ["還有 93 項", "還有 92 項"]


REALISTIC_BODY = (
    "## 說明知識\n{{< ask_chatgpt >}}\n以中文說明X並舉例\n{{< /ask_chatgpt >}}\n\n"
    + "這是一段說明文字，介紹概念並舉出例子。" * 60
    + "\n\n## 知識測驗\n"
    + "".join(f"{n}. 第{n}題的問題是什麼？\n答案：第{n}題的答案。\n\n" for n in range(1, 6))
)


def test_page_size_does_not_grow_with_the_site(make_site):
    def size_at(count: int, name: str) -> int:
        files = {
            f"content/part{n % 5}/chapter{n % 40}/lesson{n}.md": lesson(f"Lesson {n}", n + 1, REALISTIC_BODY)
            for n in range(count)
        }
        files["content/part0/chapter0/target.md"] = lesson("Target", 1, REALISTIC_BODY)
        public = build(make_site(files, name))
        return (public / "part0/chapter0/target/index.html").stat().st_size

    small, large = size_at(100, "small"), size_at(1000, "large")
    assert large <= 1.2 * small, (small, large)


def test_site_links_between_lessons_are_relative(make_site):
    site = make_site(
        {
            "content/a/one.md": lesson("One", body="## Explain\nSee [two](../b/two.md#part) and ![logo](/images/logo.png).\n"),
            "content/b/two.md": lesson("Two"),
            "static/images/logo.png": b"\x89PNG",
        }
    )
    public = build(site)
    document = page(public, "a/one/")
    link = [a for a in document.find("main").find_all("a") if a.text() == "two"][0]
    assert link.attrs["href"] == "../../b/two/#part"
    assert document.find("img").attrs["src"] == "../../images/logo.png"
    assert (public / "images/logo.png").read_bytes() == b"\x89PNG"


def test_output_files_sitemap_404_and_static(make_site):
    site = make_site({"content/a.md": lesson("A"), "static/robots.txt": "User-agent: *\n"})
    public = build(site, "--base-url", "https://example.org/study/")
    assert (public / "robots.txt").read_text() == "User-agent: *\n"
    sitemap = (public / "sitemap.xml").read_text()
    assert re.findall(r"<loc>(.*?)</loc>", sitemap) == ["https://example.org/study/", "https://example.org/study/a/"]
    not_found = parse_html((public / "404.html").read_bytes())
    assert not_found.find("link", rel="stylesheet").attrs["href"].startswith("/study/assets/site.css")
    assert page(public, "a/").find("link", rel="canonical").attrs["href"] == "https://example.org/study/a/"


def test_the_sitemap_escapes_a_base_url_with_markup(make_site):
    site = make_site({"content/a.md": lesson("A")})
    public = build(site, "--base-url", "https://example.org/?s=1&t=<x>/")
    sitemap = (public / "sitemap.xml").read_text()
    assert "&amp;" in sitemap and "<x>" not in sitemap
    locs = [element.text for element in ElementTree.fromstring(sitemap).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith("https://example.org/?s=1&t=") for loc in locs)


def test_the_bundled_site_builds(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    result = run_cli("build", repo, "-o", tmp_path / "out")
    assert result.code == 0, result.err
    lessons = list((tmp_path / "out").rglob("index.html"))
    assert len(lessons) >= 8


def test_rebuild_replaces_the_old_output(make_site):
    site = make_site({"content/a.md": lesson("A"), "content/b.md": lesson("B")})
    public = build(site)
    (site / "content/b.md").unlink()
    build(site)
    assert not (public / "b").exists()
    # The old site is deleted in the background once the new one is in place.
    deadline = time.monotonic() + 20
    while [p for p in site.iterdir() if p.name.startswith(".public")] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in site.iterdir() if p.name.startswith(".public")]


def test_builds_in_quick_succession_in_one_process(make_site):
    # The old site of each build is still being deleted in the background when the next
    # one, with the same process id, stages and swaps.
    site = make_site({"content/a.md": lesson("A")})
    for number in range(6):
        (site / "content/a.md").write_text(lesson(f"A{number}"), encoding="utf-8")
        result = run_cli("build", site)
        assert result.code == 0, result.err
        assert f"A{number}" in (site / "public/a/index.html").read_text()
        # The names the next build stages under are free at once: the old site is
        # deleted under a name of its own.
        assert not [p.name for p in site.iterdir() if ".staging-" in p.name or ".previous-" in p.name]


def test_leftovers_of_a_killed_build_are_removed(make_site):
    site = make_site({"content/a.md": lesson("A")})
    (site / ".public.staging-999999999").mkdir()
    (site / ".public.previous-999999999").mkdir()
    (site / ".public.trash-0123456789abcdef").mkdir()
    build(site)
    assert sorted(p.name for p in site.iterdir()) == [".studysite", "content", "public"]


def test_refuses_to_replace_a_folder_it_did_not_write(make_site):
    site = make_site({"content/a.md": lesson("A"), "public/precious.txt": "keep me"})
    result = run_cli("build", site)
    assert result.code == 2
    assert "was not written by studysite" in result.err
    assert (site / "public/precious.txt").read_text() == "keep me"


@pytest.mark.parametrize("out", ["content", "content/inside", ".", ".studysite", ".studysite/lessons"])
def test_refuses_output_inside_the_content_the_cache_or_the_site(make_site, out):
    site = make_site({"content/a.md": lesson("A")})
    build(site)
    before = tree_snapshot(site)
    result = run_cli("build", site, "-o", site / out)
    assert result.code == 2
    assert result.err.startswith(f"studysite: error: output folder {site / out} ")
    assert tree_snapshot(site) == before


def test_parallel_build_writes_the_same_site(make_site, tmp_path):
    files = {f"content/part{n % 3}/l{n}.md": lesson(f"L{n}", n % 7) for n in range(60)}
    site = make_site(files)
    assert run_cli("build", site, "-o", tmp_path / "one", "--jobs", "1").code == 0
    assert run_cli("build", site, "-o", tmp_path / "two", "--jobs", "2").code == 0
    assert tree_snapshot(tmp_path / "one") == tree_snapshot(tmp_path / "two")


def test_parallel_build_reports_errors_like_a_single_one(make_site):
    files = {f"content/l{n}.md": lesson(f"L{n}") for n in range(20)}
    files["content/bad1.md"] = '+++\nweight = "x"\n+++\n'
    files["content/sub/bad2.md"] = "+++\n"
    site = make_site(files)
    single, parallel = run_cli("build", site, "--jobs", "1"), run_cli("build", site, "--jobs", "3")
    assert single.code == parallel.code == 1
    assert single.error_lines == parallel.error_lines == [
        "content/bad1.md:2: error: weight must be a whole number, got 'x'",
        "content/sub/bad2.md:1: error: unterminated TOML front matter: no closing '+++' line",
    ]
    assert not (site / "public").exists()


def test_unchanged_site_is_not_built_again_and_changes_are_seen(make_site):
    site = make_site({"content/a.md": lesson("A"), "content/b.md": lesson("B")})
    first = run_cli("build", site)
    assert "2 lessons parsed" in first.out
    assert "is up to date" in run_cli("build", site).out
    (site / "content/b.md").write_text(lesson("B changed"), encoding="utf-8")
    third = run_cli("build", site)
    assert "1 lessons parsed" in third.out
    assert "B changed" in (site / "public/b/index.html").read_text()
    # Removing the output, or editing a template, means building again.
    import shutil

    shutil.rmtree(site / "public")
    assert "wrote" in run_cli("build", site).out
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text('{% extends "base.html" %}{% block main %}Gone{% endblock %}')
    assert "wrote" in run_cli("build", site).out
    assert "Gone" in (site / "public/404.html").read_text()


def test_files_beside_lessons_are_published_and_linked(make_site):
    site = make_site(
        {
            "content/機器學習 ML/loss.md": lesson("Loss", body="## Explain\n![曲線](images/curve.png) [PDF](notes.pdf)\n"),
            "content/機器學習 ML/images/curve.png": b"PNG",
            "content/機器學習 ML/notes.pdf": b"PDF",
        }
    )
    public = build(site)
    assert (public / "機器學習-ml/images/curve.png").read_bytes() == b"PNG"
    document = page(public, "機器學習-ml/loss/")
    src = document.find("img").attrs["src"]
    assert unquote(src) == "../../機器學習-ml/images/curve.png"
    assert (public / "機器學習-ml/loss" / unquote(src)).resolve() == (public / "機器學習-ml/images/curve.png").resolve()
    pdf = [a for a in document.find("main").find_all("a") if a.text() == "PDF"][0]
    assert unquote(pdf.attrs["href"]) == "../../機器學習-ml/notes.pdf"


@pytest.mark.parametrize(
    ("files", "lang", "word"),
    [
        ({"content/a.md": "## 习题预习\n1. 问？\n\n## 知识测验\n1. 问？\n答案：答。\n"}, "zh-CN", "显示答案"),
        ({"content/a.md": "## Review\n1. Q?\nAnswer: A.\n"}, "en", "Show answer"),
        ({"content/a.md": '+++\nlang = "en"\n+++\n## 知識測驗\n1. 問？\n答案：答。\n'}, "en", "Show answer"),
        ({"content/a.md": "## 雜記\n1. 問？\n", "studysite.toml": 'languageCode = "zh-CN"\n'}, "zh-CN", "首页"),
    ],
)
def test_interface_words_follow_the_lesson_language(make_site, files, lang, word):
    public = build(make_site(files))
    document = page(public, "a/")
    assert document.find("html").attrs["lang"] == lang
    assert word in document.text()


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_a_static_file_at_the_url_of_a_folder_page_is_an_error_naming_both(make_site, jobs):
    # Several cache buckets, so that --jobs 4 really runs workers that would race the copy.
    files = {f"content/Deep Learning/l{n}.md": lesson(f"L{n}", n + 1) for n in range(24)}
    files["content/Deep Learning/Deep Learning.md"] = lesson("深度學習")
    files["static/deep-learning/index.html"] = "<p>static</p>"
    site = make_site(files)
    result = run_cli("build", site, "--jobs", jobs)
    assert result.code == 1
    assert result.error_lines == [
        "content/Deep Learning/Deep Learning.md:1: error: URL /deep-learning/ is also the URL of "
        "static/deep-learning/index.html; rename one or set a slug"
    ]
    assert not (site / "public").exists()


def test_without_a_base_url_there_is_no_sitemap_and_a_note_says_why(make_site):
    site = make_site({"content/a.md": lesson("A", body="Text.\n")})
    result = run_cli("build", site)
    assert result.code == 0
    assert result.err.splitlines() == [
        "studysite: note: no sitemap.xml, since a sitemap needs absolute URLs: set baseURL in the config, "
        "or build with --base-url https://…"
    ]
    assert not (site / "public" / "sitemap.xml").exists()
    assert run_cli("build", site, "--base-url", "/study/", "-o", site / "sub-path").err == result.err
    assert run_cli("build", site, "--quiet", "-o", site / "quiet").err == ""
    # A sitemap of the site's own is published as it is, and then nothing is missing.
    (site / "static").mkdir()
    (site / "static" / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    result = run_cli("build", site)
    assert result.code == 0 and result.err == ""
    assert (site / "public" / "sitemap.xml").read_text(encoding="utf-8") == "<urlset/>"


def test_a_static_file_where_the_build_writes_its_own_is_an_error(make_site):
    site = make_site({"content/a.md": lesson("A"), "static/sitemap.xml": "<urlset/>", "static/a": "a file"})
    result = run_cli("build", site, "--base-url", "https://example.org/")
    assert result.code == 1
    assert result.error_lines == [
        "content/a.md:1: error: /a/index.html needs a folder /a/, which is the file static/a; rename one",
        "static/sitemap.xml:1: error: file /sitemap.xml is also written by the site's own /sitemap.xml; rename one",
    ]


def test_the_home_page_opens_with_the_site_description_before_the_listing(make_site):
    site = make_site({
        "studysite.toml": '[params]\ndescription = "Notes on <machine learning>, one lesson a day."\n',
        "content/a.md": lesson("A"),
    })
    home = parse_html((build(site) / "index.html").read_bytes())
    main = home.find("main")
    lead = main.find("p", cls="site-description")
    assert lead.text() == "Notes on <machine learning>, one lesson a day."
    order = list(main.iter())
    assert order.index(lead) < order.index(main.find("ul", cls="lesson-list"))
    assert home.find("meta", name="description").attrs["content"] == "Notes on <machine learning>, one lesson a day."
    assert parse_html((site / "public" / "a" / "index.html").read_bytes()).find("p", cls="site-description") is None

    # The content root's _index.md says it for itself: its description, then its text.
    (site / "content" / "_index.md").write_text(
        '+++\ntitle = "Home"\ndescription = "From the index page."\n+++\nWelcome text.\n', encoding="utf-8"
    )
    main = parse_html((build(site) / "index.html").read_bytes()).find("main")
    lead = main.find("p", cls="site-description")
    assert lead.text() == "From the index page."
    welcome = next(p for p in main.find_all("p") if p.text() == "Welcome text.")
    order = list(main.iter())
    assert order.index(lead) < order.index(welcome) < order.index(main.find("ul", cls="lesson-list"))


def test_the_home_listing_follows_the_sidebars_and_the_pagers_order(make_site):
    # Lessons and folders of one folder interleave by weight: the reading order.
    site = make_site({
        "content/f/_index.md": lesson("F", 1),
        "content/f/f1.md": lesson("F one", 1),
        "content/f/sub/_index.md": lesson("Sub", 2),
        "content/f/sub/s1.md": lesson("S one", 1),
        "content/f/f3.md": lesson("F three", 3),
        "content/x.md": lesson("X", 2),
        "content/g/_index.md": lesson("G", 3),
        "content/g/g1.md": lesson("G one", 1),
        "content/y.md": lesson("Y", 4),
    })
    public = build(site)
    home = parse_html((public / "index.html").read_bytes())
    listing = home.find("main")
    shown = [
        node.text() for node in listing.iter()
        if node.tag == "a" and (node.parent.tag == "li" or node.parent.tag == "h2")
    ]
    assert shown == ["F", "F one", "Sub", "S one", "F three", "X", "G", "G one", "Y"]
    # The previous/next links walk the lessons in that order...
    lessons, url = [], "f/f1/"
    while url is not None:
        document = page(public, url)
        lessons.append(document.find("h1").text())
        following = document.find("a", rel="next")
        url = unquote(following.attrs["href"]).replace("../", "").strip("./") if following else None
    assert lessons == [title for title in shown if title not in ("F", "Sub", "G")]
    # ...and the sidebar lists the top level so too.
    sidebar = home.find("nav", cls="sidebar").find("ul")
    assert [li.find("a").text() for li in sidebar.children if getattr(li, "tag", None) == "li"] == ["F", "X", "G", "Y"]

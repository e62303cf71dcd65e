"""What the build gives the reader's tools: the navigation tree once per language, the
contents of each lesson, Mermaid only on pages with a diagram (its source escaped, inline
styles allowed there alone, inline scripts nowhere)."""

import html as html_text
import json
import re

import pytest

import multilingual_site
import reader_site
from helpers import REPO, run_cli, write_site


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("reader"), reader_site.FILES)
    result = run_cli("build", root, "--jobs", "1")
    assert result.code == 0, result.err
    return root / "public"


def page_html(public, url: str) -> str:
    return (public / url.strip("/") / "index.html").read_text(encoding="utf-8")


def policy(html: str) -> str:
    return html_text.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1))


def test_the_tree_lists_every_folder_and_lesson_by_link_title_with_its_test_count(public):
    script = (public / "assets" / "tree.js").read_text(encoding="utf-8")
    assert script.startswith("window.studysiteTree=") and script.endswith(";\n")
    assert json.loads(script[len("window.studysiteTree="):-2]) == [
        ["基礎", "基礎/", [["程式", "基礎/第一課/", 2], ["課二", "基礎/第二課/", 5], ["第三課", "基礎/第三課/", 0],
                           ["訓練流程", "基礎/訓練流程/", 0]]],
        ["進階", "進階/", [["課四", "進階/課四/", 0], ["深入", "進階/深入/", [["課五", "進階/深入/課五/", 0]]]]],
    ]


def test_every_page_names_the_tree_of_its_version_and_the_sidebar_counts_tests(public):
    version = re.search(r'data-tree="\.\./\.\./assets/tree\.js\?v=([0-9a-f]{10})"', page_html(public, reader_site.SECOND_PAGE))
    assert version
    assert f'data-tree="./assets/tree.js?v={version.group(1)}"' in page_html(public, "/")
    assert '<li class="nav-lesson" data-lesson="基礎/第二課/" data-tests="5">' in page_html(public, reader_site.CODE_PAGE)


def test_a_multilingual_site_has_a_tree_per_language(tmp_path):
    root = write_site(tmp_path, multilingual_site.hugo_files())
    assert run_cli("build", root, "--jobs", "1").code == 0
    public = root / "public"
    assert sorted(path.name for path in (public / "assets").glob("tree*.js")) == ["tree.en.js", "tree.zh-cn.js", "tree.zh-tw.js"]
    lesson = (public / "zh-tw" / multilingual_site.LESSON / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-tree="\.\./\.\./\.\./\.\./assets/tree\.zh-tw\.js\?v=[0-9a-f]{10}"', lesson)
    tree = (public / "assets" / "tree.zh-tw.js").read_text(encoding="utf-8")
    assert '"zh-tw/ai-knowledge-hub/' in tree and '"ai-knowledge-hub/' not in tree


def test_contents_list_the_sections_and_their_headings(public):
    html = page_html(public, reader_site.CODE_PAGE)
    toc = html[html.index('<details class="toc"'):html.index("</details>")]
    assert re.findall(r'<a href="([^"]*)">([^<]*)</a>', toc) == [
        ("#說明知識", "說明知識"), ("#程式碼", "程式碼"), ("#小結", "小結"), ("#知識測驗", "知識測驗"),
    ]
    assert '<h3 id="程式碼">' in html and 'id="知識測驗"' in html
    assert '<details class="toc"' not in page_html(public, reader_site.THIRD_PAGE)  # one section: no contents


def test_only_a_page_with_a_diagram_loads_mermaid_with_inline_styles(public):
    diagram = page_html(public, reader_site.DIAGRAM_PAGE)
    assert '<pre class="mermaid">flowchart LR\n    A[資料] --&gt; B{損失 &lt; 0.1?}' in diagram
    assert '<script src="../../assets/vendor/mermaid/mermaid.min.js?v=' in diagram
    assert "style-src 'self' 'unsafe-inline';" in policy(diagram) and "script-src 'self';" in policy(diagram)
    for url in (reader_site.CODE_PAGE, reader_site.THIRD_PAGE, "/", "/基礎/"):
        html = page_html(public, url)
        assert "mermaid" not in html and "unsafe-inline" not in policy(html), url
    assert (public / "assets" / "vendor" / "mermaid" / "mermaid.min.js").stat().st_size > 1_000_000
    assert (public / "assets" / "vendor" / "mermaid" / "LICENSE").is_file()


def test_mermaid_is_published_only_while_a_page_has_a_diagram(tmp_path):
    plain = '+++\ntitle = "{title}"\n+++\n## 說明知識\n流程如下。\n'
    diagram = plain + "\n1. 哪一步先做？\n\n答案：\n```mermaid\ngraph TD\n  A --> B\n```\n"
    root = write_site(tmp_path, {"content/a.md": plain.format(title="a"), "content/b.md": diagram.format(title="b")})
    vendored = REPO / "static" / "assets" / "vendor" / "mermaid"
    published = root / "public" / "assets" / "vendor" / "mermaid"

    assert run_cli("build", root, "--jobs", "2").code == 0  # the first build forks its workers
    assert '<pre class="mermaid">' in (root / "public" / "b" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in published.iterdir()) == sorted(p.name for p in vendored.iterdir())
    assert (published / "mermaid.min.js").read_bytes() == (vendored / "mermaid.min.js").read_bytes()

    (root / "content" / "b.md").write_text(plain.format(title="b"), encoding="utf-8")
    assert run_cli("build", root, "--jobs", "1").code == 0
    assert not published.exists()
    assert (root / "public" / "assets" / "site.js").is_file()

    (root / "content" / "a.md").write_text(diagram.format(title="a"), encoding="utf-8")
    assert run_cli("build", root, "--jobs", "1").code == 0
    assert (published / "mermaid.min.js").read_bytes() == (vendored / "mermaid.min.js").read_bytes()


def test_a_diagram_cannot_carry_a_script(tmp_path):
    lesson = '+++\ntitle = "x"\n+++\n## 說明知識\n```mermaid\ngraph TD\n</pre><script>alert(1)</script>\n```\n'
    root = write_site(tmp_path, {"content/x.md": lesson})
    assert run_cli("build", root, "--jobs", "1").code == 0
    html = (root / "public" / "x" / "index.html").read_text(encoding="utf-8")
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert policy(html).startswith("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self';")

"""Hugo 0.111's built-in shortcodes that lessons use — figure, highlight, param, ref and
relref — so that a lesson written for Hugo builds unchanged."""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from helpers import parse_html, run_cli, write_site

CONFIG = 'title = "Refs"\n[params]\nauthor = "Site Author"\n[params.course]\nLevel = "intro"\n'

LESSONS = {
    "content/ml/_index.md": '+++\ntitle = "ML"\n+++\nThe section.\n',
    "content/ml/Gradient Descent.md": '+++\ntitle = "GD"\n+++\n## Steps\nx\n',
    "content/ml/deep/backprop.md": '+++\ntitle = "Backprop"\n+++\nx\n',
    "content/stats/mean.md": '+++\ntitle = "Mean"\n+++\nx\n',
    "content/ml/intro.md": """+++
title = "Intro"
color = "blue"
count = 3
tags = ["a", "b"]
ratio = 1.5
+++
Next: [GD]({{< ref "Gradient Descent.md" >}}), [its steps]({{< relref "Gradient Descent.md#steps" >}}),
[backprop]({{< relref "deep/backprop" >}}), [the mean]({{% ref "/stats/mean.md" %}}),
[by name]({{< ref "mean" >}}), [the section]({{< relref "/ml" >}}), [here]({{< relref "#top" >}}),
[with a part after]({{< ref path="backprop.md" >}}#chain) and bare {{< relref "mean.md" >}}.

By {{< param author >}} ({{< param "course.level" >}}): {{< param color >}}, {{< param count >}}, {{< param tags >}}, {{< param ratio >}}, {{< param title >}}.
{{< param color >}} starts this line and stays in the paragraph.

{{< figure src="plot.png" alt="A plot" caption="Loss *falls*" title="Training" link="/big.png" attr="Me" attrlink="https://example.org" width="300" class="wide" >}}

{{< figure src="/images/logo.png" caption="Only a **caption** & more" >}}

{{< highlight python "hl_lines=2,linenos=table,linenostart=10" >}}
def step(w, g):
    return w - 0.1 * g
{{< /highlight >}}

{{< highlight go >}}
func main() {}
{{< /highlight >}}
""",
    "content/ml/plot.png": b"\x89PNG\r\n\x1a\n",
    "static/big.png": b"\x89PNG\r\n\x1a\n",
    "static/images/logo.png": b"\x89PNG\r\n\x1a\n",
}


@pytest.fixture(scope="module")
def intro(tmp_path_factory):
    site = write_site(tmp_path_factory.mktemp("refs"), {"studysite.toml": CONFIG, **LESSONS})
    result = run_cli("build", site)
    assert result.code == 0, result.err
    return parse_html((site / "public" / "ml" / "intro" / "index.html").read_bytes()).find("article")


def test_ref_and_relref_link_to_our_pages_relatively(intro):
    links = {a.text(): a.attrs["href"] for a in intro.find("p").find_all("a")}
    assert links == {
        "GD": "../../ml/gradient-descent/",
        "its steps": "../../ml/gradient-descent/#steps",
        "backprop": "../../ml/deep/backprop/",
        "the mean": "../../stats/mean/",
        "by name": "../../stats/mean/",
        "the section": "../../ml/",
        "here": "../../ml/intro/#top",
        "with a part after": "../../ml/deep/backprop/#chain",
        "mean.md": "../../stats/mean/",
    }


def test_param_prints_front_matter_then_site_params(intro):
    paragraph = next(p for p in intro.find_all("p") if p.text().startswith("By "))
    assert paragraph.text() == (
        "By Site Author (intro): blue, 3, [a b], 1.5, Intro.\nblue starts this line and stays in the paragraph."
    )


def test_figure_renders_as_hugo_with_our_links(intro):
    first, second = intro.find_all("figure")
    assert first.attrs["class"] == "wide"
    assert first.find("a").attrs["href"] == "../../big.png"
    image = first.find("img")
    assert (image.attrs["src"], image.attrs["alt"], image.attrs["width"]) == ("../../ml/plot.png", "A plot", "300")
    caption = first.find("figcaption")
    assert caption.find("h4").text() == "Training"
    assert caption.find("em").text() == "falls"
    assert caption.find("a").attrs["href"] == "https://example.org" and caption.find("a").text() == "Me"
    # Without alt, the caption's words describe the image, as in Hugo.
    assert second.find("img").attrs == {"src": "../../images/logo.png", "alt": "Only a caption & more", "loading": "lazy"}


def test_highlight_is_code_like_a_fenced_block_with_hugos_line_options(intro):
    python, go = intro.find_all("pre", cls="highlight")
    assert python.find("code").attrs["class"] == "language-python"
    assert [n.text() for n in python.find_all("span", cls="linenos")] == ["10", "11"]
    assert python.find("span", cls="hll").text() == "    return w - 0.1 * g\n"
    assert python.find("code").text() == "10def step(w, g):\n11    return w - 0.1 * g\n"
    assert go.find("code").text() == "func main() {}\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[x]({{< ref "nope.md" >}})', "error: ref 'nope.md': no published page has that path"),
        ('[x]({{< ref "draft.md" >}})', "error: ref 'draft.md': no published page has that path"),
        ('[x]({{< ref "index" >}})', "error: ref 'index': ambiguous: content/a/index.md, content/b/index.md; write the path"),
        ("{{< param nothing >}}", "error: param 'nothing' is neither in the front matter nor in the site's [params]"),
        ('{{< figure alt="no src" >}}', 'error: figure needs a named src, like {{< figure src="/images/plot.png" alt="…" >}}'),
        ("{{< highlight >}}\nx\n{{< /highlight >}}", 'error: highlight takes a language and options, like {{< highlight go "hl_lines=2" >}}'),
    ],
)
def test_mistakes_are_errors_at_their_line(tmp_path, body, message):
    site = write_site(
        tmp_path,
        {
            "content/a/index.md": "+++\ntitle = \"A\"\n+++\nx\n",
            "content/b/index.md": "+++\ntitle = \"B\"\n+++\nx\n",
            "content/draft.md": "+++\ntitle = \"D\"\ndraft = true\n+++\nx\n",
            "content/lesson.md": f"+++\ntitle = \"L\"\n+++\nFirst line.\n\n{body}\n",
        },
    )
    result = run_cli("build", site)
    assert result.code == 1
    assert result.error_lines == [f"content/lesson.md:6: {message}"]
    assert not (site / "public").exists()
    checked = run_cli("check", site)
    assert f"content/lesson.md:6:1: {message}" in checked.out.replace(" [ref]", "").replace(" [shortcode]", "")


def test_a_ref_link_is_not_a_broken_link_for_check(tmp_path):
    site = write_site(tmp_path, {"content/a.md": '+++\ntitle = "A"\n+++\n[b]({{< ref "b.md" >}})\n', "content/b.md": "x\n"})
    result = run_cli("check", site)
    assert "broken-link" not in result.out, result.out


@pytest.mark.hugo
def test_refs_name_the_pages_hugo_names(tmp_path):
    hugo = shutil.which("hugo")
    if hugo is None:
        pytest.skip("hugo is not installed (make test installs Debian's hugo)")
    files = {k: v for k, v in LESSONS.items() if not k.startswith("static/")}
    intro = files["content/ml/intro.md"]
    files["content/ml/intro.md"] = intro[: intro.index("By {{< param")]
    write_site(tmp_path / "hugo", files)
    write_site(
        tmp_path / "hugo",
        {
            "config.toml": 'baseURL = "/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n',
            "layouts/_default/single.html": "{{ .Content }}",
            "layouts/_default/list.html": "{{ .Content }}",
        },
    )
    subprocess.run([hugo, "--quiet", "-s", str(tmp_path / "hugo"), "-d", "out"], check=True, capture_output=True)
    theirs = parse_html((tmp_path / "hugo" / "out" / "ml" / "intro" / "index.html").read_bytes())
    hugo_links = {a.text(): unquote(a.attrs["href"]) for a in theirs.find_all("a")}
    write_site(tmp_path / "ours", files)
    assert run_cli("build", tmp_path / "ours").code == 0
    ours = parse_html((tmp_path / "ours" / "public" / "ml" / "intro" / "index.html").read_bytes())
    our_links = {a.text(): a.attrs["href"] for a in ours.find("article").find("p").find_all("a")}
    # Hugo's relref is site-absolute ("/ml/deep/backprop/"); ours is relative to the page,
    # two levels down. The page each names must be the same.
    assert {text: "../.." + href for text, href in hugo_links.items() if href.startswith("/")} == {
        text: href for text, href in our_links.items() if text in hugo_links and text != "here"
    }
    assert hugo_links["here"] == "#top"


def test_lines_inside_highlight_are_code_not_sections_or_questions(tmp_path):
    body = (
        '+++\ntitle = "H"\n+++\n## 知識測驗\n1. Which line is highlighted?\n答案：the second.\n'
        "{{< highlight python >}}\n## a comment, not a section\n2. not a question\n{{< /highlight >}}\n"
    )
    site = write_site(tmp_path, {"content/h.md": body})
    assert run_cli("build", site).code == 0
    article = parse_html((site / "public" / "h" / "index.html").read_bytes()).find("article")
    assert [s.attrs["data-kind"] for s in article.find_all("section", cls="lesson-section")] == ["test"]
    assert len(article.find_all("li", cls="qa")) == 1
    assert "## a comment, not a section\n2. not a question\n" in article.find("pre").text()

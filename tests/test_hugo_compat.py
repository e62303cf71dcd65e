"""The same content built by the real `hugo` and by studysite: same URLs, same order."""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from helpers import CORPUS, corpus_files, parse_html, run_cli, write_site

pytestmark = pytest.mark.hugo

HUGO = shutil.which("hugo")

CONTENT = {
    "content/s/c.md": '+++\ntitle = "Charlie"\nweight = 2\n+++\nx\n',
    "content/s/a.md": '+++\ntitle = "alpha"\n+++\nx\n',
    "content/s/b.md": '+++\ntitle = "Bravo"\nweight = "1"\n+++\nx\n',
    "content/s/f.md": '+++\ntitle = "beta"\n+++\nx\n',
    "content/s/e.md": '+++\ntitle = "Echo"\nweight = -1\n+++\nx\n',
    "content/s/o.md": '+++\ntitle = "Octal"\nweight = "010"\n+++\nx\n',
    "content/s/h.md": '+++\ntitle = "Hex"\nweight = "0x3"\n+++\nx\n',
    # Weights with a fraction: Hugo cuts them toward zero (1.5 is 1, 0.5 is no weight).
    "content/s/i.md": '+++\ntitle = "Indigo"\nweight = 1.5\n+++\nx\n',
    "content/s/j.md": '+++\ntitle = "Juliet"\nweight = 0.5\n+++\nx\n',
    "content/s/k.md": '+++\ntitle = "Kilo"\nweight = 2.9\n+++\nx\n',
    "content/s/m.md": "---\ntitle: Mike\nweight: -1.5\n---\nx\n",
    "content/s/d.md": '+++\ntitle = "Dated"\ndate = 2024-05-01\n+++\nx\n',
    "content/s/g.md": '+++\ntitle = "Dated later"\ndate = 2024-06-01\n+++\nx\n',
    "content/s/slugged.md": '+++\ntitle = "Slugged"\nslug = "My Slug"\nweight = 9\n+++\nx\n',
    "content/機器學習 Machine Learning/_index.md": '+++\ntitle = "ML"\nweight = 1\n+++\n',
    "content/機器學習 Machine Learning/Recurrent Neural Networks (RNNs).md": '+++\ntitle = "RNN"\n+++\nx\n',
    "content/機器學習 Machine Learning/Loss Function.md": '+++\ntitle = "Loss"\nweight = 1\n+++\nx\n',
    "content/機器學習 Machine Learning/Deep  Learning/_index.md": '+++\ntitle = "DL"\n+++\n',
    "content/機器學習 Machine Learning/Deep  Learning/back-prop_v2.md": '+++\ntitle = "BP"\n+++\nx\n',
}


def hugo_build(site: Path) -> Path:
    write_site(
        site,
        {
            "config.toml": 'baseURL = "/"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n',
            "layouts/shortcodes/ask_chatgpt.html": "{{ .Inner }}",
            "layouts/_default/single.html": "page {{ .Title }}",
            "layouts/_default/list.html": "{{ range .Pages }}{{ .RelPermalink }}\n{{ end }}",
            "layouts/index.html": "{{ range .Pages }}{{ .RelPermalink }}\n{{ end }}",
        },
    )
    subprocess.run([HUGO, "--quiet", "-s", str(site), "-d", str(site / "hugo-out")], check=True, capture_output=True)
    return site / "hugo-out"


def hugo_listing(out: Path, folder: str) -> list[str]:
    text = (out / folder / "index.html").read_text(encoding="utf-8")
    return [unquote(line.strip()).strip("/") + "/" for line in text.splitlines() if line.strip()]


def our_listing(out: Path, folder: str) -> list[str]:
    """The reading order of a folder's pages and sub-folders, from its page's sidebar."""
    document = parse_html((out / folder / "index.html").read_bytes())
    current = document.find("nav", cls="sidebar").find("a", aria_current="page")
    items = current.parent.find("ul") if current is not None else document.find("nav", cls="sidebar").find("ul")
    entries = [
        li for li in items.children if not isinstance(li, str) and li.tag == "li" and "nav-more" not in li.classes
    ]
    return [unquote(li.find("a").attrs["href"]).lstrip("./") for li in entries]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    if HUGO is None:
        pytest.skip("hugo is not installed (make test installs Debian's hugo)")
    site = tmp_path_factory.mktemp("compat")
    files = dict(CONTENT)
    for path in corpus_files():
        files[f"content/corpus/{path.name}"] = path.read_text(encoding="utf-8")
    write_site(site, files)
    hugo_out = hugo_build(site)
    shutil.rmtree(site / "layouts")
    result = run_cli("build", site, "-o", site / "ours")
    assert result.code == 0, result.err
    return hugo_out, site / "ours"


def test_same_page_urls(both):
    hugo_out, ours = both
    def pages(root: Path) -> set[str]:
        return {str(p.parent.relative_to(root)) for p in root.rglob("index.html") if p.parent != root}

    assert pages(ours) - {"search"} == pages(hugo_out)


@pytest.mark.parametrize("folder", ["s", "機器學習-machine-learning", "corpus"])
def test_same_order_within_a_folder(both, folder):
    hugo_out, ours = both
    hugo_order = hugo_listing(hugo_out, folder)
    assert len(hugo_order) > 2
    our_order = our_listing(ours, folder)
    shown = [url for url in our_order if url]
    # The sidebar shows a window of a long folder; compare that window.
    start = hugo_order.index(shown[0]) if shown[0] in hugo_order else 0
    assert shown == hugo_order[start : start + len(shown)]


def test_corpus_weights_and_titles_order_like_hugo(both, corpus_dir):
    hugo_out, ours = both
    home = parse_html((ours / "corpus" / "index.html").read_bytes())
    listed = [unquote(a.attrs["href"]).lstrip("./") for a in home.find("main").find("ul", cls="lesson-list").find_all("a")]
    assert listed == hugo_listing(hugo_out, "corpus")

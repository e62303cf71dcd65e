"""`check` warns about a link whose spaces leave it as text, and shows both fixes."""

from helpers import parse_html, run_cli, write_site

LESSON = """+++
title = "A"
+++
See [GD](Gradient Descent.md#steps) and ![plot](my plot.png).
Fine: [GD](<Gradient Descent.md>), [GD](Gradient%20Descent.md), [B](b.md "a title"), [words](not a file), [w](https://x.org/a b).
"""


def test_links_with_spaces_are_warnings_that_show_the_fixes(tmp_path):
    site = write_site(
        tmp_path,
        {"content/a.md": LESSON, "content/Gradient Descent.md": "x\n", "content/b.md": "x\n", "content/my plot.png": b"png"},
    )
    result = run_cli("check", site)
    assert result.code == 0
    assert result.out.splitlines() == [
        "content/a.md:4:5: warning: link 'Gradient Descent.md#steps' has spaces, so Markdown shows it as text; "
        "write [GD](<Gradient Descent.md#steps>) or [GD](Gradient%20Descent.md#steps) [link-spaces]",
        "content/a.md:4:41: warning: image 'my plot.png' has spaces, so Markdown shows it as text; "
        "write ![plot](<my plot.png>) or ![plot](my%20plot.png) [link-spaces]",
    ]
    assert run_cli("check", site, "--strict").code == 1
    # Both fixes are links to the lesson.
    assert run_cli("build", site).code == 0
    page = parse_html((site / "public" / "a" / "index.html").read_bytes()).find("article")
    hrefs = [a.attrs["href"] for a in page.find_all("a") if a.text() == "GD"]
    assert hrefs == ["../gradient-descent/", "../gradient-descent/"]
    assert "[GD](Gradient Descent.md#steps)" in page.text()

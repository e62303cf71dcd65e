"""The Markdown Hugo and GitHub users write: footnotes, task lists, definition lists,
GitHub alerts, bare URLs, and heading anchors with their copy-link links."""

from pathlib import Path

from helpers import parse_html, run_cli

LESSON = """+++
title = "Syntax"
+++
## 說明知識

Gradient descent[^steps] moves against the gradient[^steps]; see the notes[^2].

[^steps]: One step is *θ ← θ − η∇L*.
[^2]: A second note.

- [ ] read the lesson
- [x] run the code

Learning rate
: The size of each step.

> [!NOTE]
> Small steps are **safe** but slow.

> [!CAUTION]
> A rate too large diverges.

> [!NOTICE]
> Not an alert kind: a quote.

Docs: https://numpy.org/doc/ and www.example.org, mail me@example.com.
train.py and README.md stay text; 見https://example.com/abc。下一句

### 說明知識

### Step size

### Step size
"""


def build_page(tmp_path: Path, body: str = LESSON) -> tuple:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "syntax.md").write_text(body, encoding="utf-8")
    result = run_cli("build", site)
    assert result.code == 0, result.err
    document = parse_html((site / "public" / "syntax" / "index.html").read_bytes())
    return document, document.find("article")


def test_footnotes_link_both_ways_as_goldmark_writes_them(tmp_path):
    _, article = build_page(tmp_path)
    refs = article.find_all("a", cls="footnote-ref")
    assert [(a.attrs["href"], a.text()) for a in refs] == [("#fn:1", "1"), ("#fn:1", "1"), ("#fn:2", "2")]
    assert [a.parent.attrs["id"] for a in refs] == ["fnref:1", "fnref:1.1", "fnref:2"]
    notes = article.find("div", cls="footnotes")
    assert notes.attrs["role"] == "doc-endnotes"
    items = notes.find_all("li")
    assert [li.attrs["id"] for li in items] == ["fn:1", "fn:2"]
    assert items[0].find("em").text() == "θ ← θ − η∇L"
    assert [a.attrs["href"] for a in items[0].find_all("a", cls="footnote-backref")] == ["#fnref:1", "#fnref:1.1"]
    # Nothing is left as raw text.
    assert "[^" not in article.text()


def test_task_lists_show_disabled_checkboxes_with_raw_html_off(tmp_path):
    _, article = build_page(tmp_path)
    items = article.find("ul", cls="contains-task-list").find_all("li", cls="task-list-item")
    boxes = [li.find("input") for li in items]
    assert [box.attrs["type"] for box in boxes] == ["checkbox", "checkbox"]
    assert ["checked" in box.attrs for box in boxes] == [False, True]
    assert all("disabled" in box.attrs for box in boxes)
    assert [li.text().strip() for li in items] == ["read the lesson", "run the code"]


def test_definition_lists(tmp_path):
    _, article = build_page(tmp_path)
    dl = article.find("dl")
    assert dl.find("dt").text() == "Learning rate"
    assert dl.find("dd").text() == "The size of each step."


def test_github_alerts_of_known_kinds_and_quotes_otherwise(tmp_path):
    _, article = build_page(tmp_path)
    note = article.find("div", cls="markdown-alert-note")
    assert note is not None and "markdown-alert" in note.classes
    title = note.find("p", cls="markdown-alert-title")
    assert title.text() == "Note" and title.attrs["lang"] == "en"
    assert title.find("svg").attrs["aria-hidden"] == "true"
    assert note.find("strong").text() == "safe"
    assert "[!NOTE]" not in article.text()
    assert article.find("div", cls="markdown-alert-caution").find("p", cls="markdown-alert-title").text() == "Caution"
    quote = article.find("blockquote")
    assert quote.text().strip() == "[!NOTICE]\nNot an alert kind: a quote."


def test_bare_urls_become_links_as_on_github(tmp_path):
    _, article = build_page(tmp_path)
    links = {a.text(): a.attrs["href"] for a in article.find_all("a") if not a.attrs.get("href", "").startswith("#")}
    assert links == {
        "https://numpy.org/doc/": "https://numpy.org/doc/",
        "www.example.org": "http://www.example.org",
        "me@example.com": "mailto:me@example.com",
        # Full-width punctuation ends a URL: the next sentence is not part of it.
        "https://example.com/abc": "https://example.com/abc",
    }
    assert "train.py and README.md stay text" in article.text()


def test_every_heading_gets_an_anchor_and_a_link_to_it_and_sections_keep_theirs(tmp_path):
    _, article = build_page(tmp_path)
    section = article.find("section", cls="lesson-section")
    assert section.attrs["id"] == "說明知識"
    wrappers = section.find_all("div", cls="heading")
    # The link sits beside the heading, not in it, so the heading's name is its words.
    assert [w.children[0].tag for w in wrappers] == ["h2", "h3", "h3", "h3"]
    assert [w.children[0].text() for w in wrappers] == ["說明知識", "說明知識", "Step size", "Step size"]
    # A sub-heading never takes a section's anchor, and repeated headings stay apart.
    assert [w.children[0].attrs.get("id") for w in wrappers] == [None, "說明知識-1", "step-size", "step-size-1"]
    links = [w.children[1] for w in wrappers]
    assert [(a.tag, a.attrs["href"], a.text()) for a in links] == [
        ("a", "#說明知識", "#"), ("a", "#說明知識-1", "#"), ("a", "#step-size", "#"), ("a", "#step-size-1", "#"),
    ]
    ids = [node.attrs["id"] for node in article.iter() if "id" in node.attrs]
    assert len(ids) == len(set(ids))


def test_section_anchors_are_numbered_as_before(tmp_path):
    body = "+++\ntitle = \"x\"\n+++\n## Notes\nA\n\n## Notes\nB\n\n## ???\nC\n"
    _, article = build_page(tmp_path, body)
    assert [s.attrs.get("id") for s in article.find_all("section", cls="lesson-section")] == [
        "notes", "notes-2", "section",
    ]

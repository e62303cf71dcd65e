"""`studysite check`: compiler-style lines, JSON, and the exit codes of --strict."""

import json

from helpers import parse_html, run_cli

GOOD = """+++
title = "Good"
+++
## 習題預習
{{< ask_chatgpt >}}
給我5題X的中文問題
{{< /ask_chatgpt >}}

1. 甲？

## 說明知識
{{< ask_chatgpt >}}
以中文說明X並舉例
{{< /ask_chatgpt >}}

內容，見 [另一課](other.md) 與 ![圖](figure.png)。

## 條列重點
{{< ask_chatgpt >}}
以中文條列X的重點
{{< /ask_chatgpt >}}

1. 重點

## 知識測驗
{{< ask_chatgpt >}}
以中文給我5題X的中等難度問題，並在後面列出答案
{{< /ask_chatgpt >}}

1. 問？
答案：答。
"""

FLAWED = """+++
title = "Flawed"
+++
## 說明知識
{{< ask_chatgpt >}}
{{< /ask_chatgpt >}}

See [missing](nope.md), [a page](../other/), ![gone](pic.png), [static](/robots.txt) and `[code](x.md)`.

## 知識測驗

1. First?
答案：yes

2. Second?

3. Third?
答案：yes
"""


def test_a_clean_site_has_no_findings(make_site):
    site = make_site({"content/good.md": GOOD, "content/other.md": GOOD.replace("Good", "Other"), "content/figure.png": b"png"})
    result = run_cli("check", site, "--strict")
    assert result.code == 0, result.out
    assert result.out == ""
    assert "0 errors, 0 warnings" in result.err


def test_warnings_with_lines_columns_and_codes(make_site):
    site = make_site(
        {"content/flawed.md": FLAWED, "static/robots.txt": "ok", "content/other.md": GOOD, "content/figure.png": b"png"}
    )
    result = run_cli("check", site)
    assert result.code == 0
    assert result.out.splitlines() == [
        "content/flawed.md:1:1: warning: no 條列重點 (keypoints) section, which the question list has [missing-section]",
        "content/flawed.md:1:1: warning: no 習題預習 (preview) section, which the question list has [missing-section]",
        "content/flawed.md:5:1: warning: the prompt of section '說明知識' is empty [empty-prompt]",
        "content/flawed.md:8:5: warning: link 'nope.md': no lesson content/nope.md [broken-link]",
        "content/flawed.md:8:46: warning: image 'pic.png': no file content/pic.png [broken-link]",
        "content/flawed.md:15:1: warning: test question 2 has no answer [no-answer]",
    ]
    assert run_cli("check", site, "--strict").code == 1


def test_errors_fail_and_json_lists_every_field(make_site):
    site = make_site(
        {
            "content/a.md": '+++\ntitle = "A"\nweight = "heavy"\n+++\n## 說明知識\n{{< nope >}}\n',
            "content/b.md": GOOD.replace("Good", "A"),
        }
    )
    result = run_cli("check", site, "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert [(r["file"], r["line"], r["severity"], r["code"]) for r in report if r["severity"] == "error"] == [
        ("content/a.md", 3, "error", "front-matter"),
        ("content/a.md", 6, "error", "shortcode"),
    ]
    assert set(report[0]) == {"file", "line", "column", "severity", "code", "message"}
    duplicate = [r for r in report if r["code"] == "duplicate-title"]
    assert duplicate and duplicate[0]["line"] == 2 and "also the title of content/a.md" in duplicate[0]["message"]


def test_check_writes_no_output_folder(make_site):
    site = make_site({"content/good.md": GOOD})
    run_cli("check", site)
    assert not (site / "public").exists()


def test_unknown_loss_names_are_errors_with_the_valid_choices(make_site):
    site = make_site({"content/a.md": '+++\ntitle = "A"\n+++\n## 說明知識\n\n{{< loss_curve losses="mse, l3" >}}\n'})
    result = run_cli("check", site)
    assert result.code == 1
    (line,) = [line for line in result.out.splitlines() if ": error: " in line]
    assert line.startswith("content/a.md:6:1: error: loss_curve: ") and "'l3'" in line and "huber" in line
    assert line.endswith("[plot]")


def test_drafts_are_checked_only_with_drafts(make_site):
    draft = '+++\ntitle = "Draft"\ndraft = true\n+++\n## 知識測驗\n\n1. Q?\n'
    site = make_site({"content/good.md": GOOD, "content/other.md": GOOD.replace("Good", "Other"), "content/figure.png": b"png",
                      "content/draft.md": draft})
    assert run_cli("check", site).out == ""
    with_drafts = run_cli("check", site, "--drafts").out.splitlines()
    assert "content/draft.md:7:1: warning: test question 1 has no answer [no-answer]" in with_drafts


ANCHORS = """+++
title = "Anchors"
+++
## 說明知識

See [the test](#知識測驗), [a typo](#知識測試), [a heading](#a-heading), [a note](#fn:1) and [top](#).
Elsewhere: [its part](other.md#details), [wrong case](other.md#Details), [none](other.md#nope),
[by URL](../other/#details), [a folder](sub/_index.md#intro) and [its URL](../sub/#intro).

### A heading

Text[^1].

[^1]: A note.

## 知識測驗

1. Q?
答案：A.
"""

OTHER = """+++
title = "Other"
+++
## 說明知識

### Details
"""


def test_anchors_are_checked_in_the_lesson_and_in_the_pages_it_links(make_site):
    site = make_site({
        "content/anchors.md": ANCHORS,
        "content/other.md": OTHER,
        "content/sub/_index.md": '+++\ntitle = "Sub"\n+++\n## Intro\nx\n',
    })
    result = run_cli("check", site, "--ignore", "missing-section")
    assert result.code == 0
    assert result.out.splitlines() == [
        "content/anchors.md:6:24: warning: link '#知識測試': this page has no heading or anchor #知識測試 (did you mean #知識測驗?) [broken-anchor]",
        "content/anchors.md:7:42: warning: link 'other.md#Details': content/other.md has no heading or anchor #Details (did you mean #details?) [broken-anchor]",
        "content/anchors.md:7:74: warning: link 'other.md#nope': content/other.md has no heading or anchor #nope [broken-anchor]",
    ]


def test_ignore_leaves_out_codes_from_the_command_line_and_the_config(make_site):
    files = {"content/flawed.md": FLAWED, "static/robots.txt": "ok", "content/other.md": GOOD, "content/figure.png": b"png"}
    site = make_site(files)
    codes = lambda result: sorted({line.rsplit("[", 1)[1].rstrip("]") for line in result.out.splitlines()})  # noqa: E731
    assert codes(run_cli("check", site)) == ["broken-link", "empty-prompt", "missing-section", "no-answer"]
    assert codes(run_cli("check", site, "--ignore", "missing-section", "--ignore", "broken-link")) == ["empty-prompt", "no-answer"]
    (site / "studysite.toml").write_text('[check]\nignore = ["no-answer"]\n', encoding="utf-8")
    assert codes(run_cli("check", site, "--ignore", "empty-prompt")) == ["broken-link", "missing-section"]
    built = run_cli("build", site)
    assert "has no answer" not in built.err and "link 'nope.md': no lesson" in built.err


def test_ignore_names_only_warning_codes(make_site):
    site = make_site({"content/good.md": GOOD})
    result = run_cli("check", site, "--ignore", "no-anwser")
    assert result.code == 2
    assert result.err.startswith("studysite: error: --ignore no-anwser: no warning has that code (codes: no-answer, ")
    (site / "studysite.toml").write_text('title = "T"\n\n[check]\nignore = ["no-anwser"]\n', encoding="utf-8")
    assert run_cli("check", site).out.splitlines()[-1].startswith(
        "studysite.toml:4:1: warning: check.ignore: no warning has the code 'no-anwser' (codes: no-answer, "
    )
    (site / "studysite.toml").write_text('[check]\nignore = "no-answer"\n', encoding="utf-8")
    result = run_cli("check", site)
    assert result.code == 1
    assert result.error_lines == ['studysite.toml:2: error: check.ignore must be a list of warning codes, such as ["missing-section"]']


def test_a_weight_with_a_fraction_is_cut_as_hugo_cuts_it_with_a_warning(make_site):
    site = make_site({
        "content/a.md": '+++\ntitle = "A"\nweight = 1.5\n+++\nx\n',
        "content/b.md": '---\ntitle: B\nweight: 0.5\n---\nx\n',
        "content/c.md": '+++\ntitle = "C"\nweight = 1\n+++\nx\n',
        "content/d.md": '+++\ntitle = "D"\nweight = 2.0\n+++\nx\n',
    })
    assert run_cli("check", site).out.splitlines() == [
        "content/a.md:3:1: warning: weight 1.5 is not a whole number; Hugo cuts it to 1, and so does studysite [fractional-weight]",
        "content/b.md:3:1: warning: weight 0.5 is not a whole number; Hugo cuts it to 0 (no weight: listed after the "
        "weighted pages), and so does studysite [fractional-weight]",
    ]
    assert run_cli("build", site).code == 0
    home = parse_html((site / "public" / "index.html").read_bytes())
    assert [a.text() for a in home.find("main").find_all("a")] == ["A", "C", "D", "B"]


AGREEING = """+++
title = "Links"
+++
## 說明知識
{{< ask_chatgpt >}}
Explain [links](gone.md)
{{< /ask_chatgpt >}}

````markdown
```python
[inside code](missing.md)
```
````

See [the review](other.md?tab=1#review) and ![a draft picture](_draft.png).
"""


def test_check_and_the_page_agree_on_code_and_on_where_links_lead(make_site):
    site = make_site({"content/links.md": AGREEING, "content/other.md": GOOD, "content/figure.png": b"png", "content/_draft.png": b"png"})
    result = run_cli("check", site)
    assert [line for line in result.out.splitlines() if "[broken-link]" in line] == [
        "content/links.md:15:45: warning: image '_draft.png': content/_draft.png is not published: "
        "hidden files, editors' temporary files and names starting with '_' never are [broken-link]",
    ]
    assert run_cli("build", site).code == 0
    page = parse_html((site / "public/links/index.html").read_bytes())
    assert [a.attrs["href"] for a in page.find("main").find_all("a") if a.text() == "the review"] == ["../other/?tab=1#review"]
    assert page.find("img", alt="a draft picture").attrs["src"] == "_draft.png"
    assert "[inside code](missing.md)" in page.find("code").text()

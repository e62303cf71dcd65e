"""`studysite new`: one lesson from a title, or a tree from an outline; never overwriting."""

import json

import pytest

from helpers import run_cli


def test_new_lesson_in_the_house_format(make_site):
    site = make_site({"content/ML/_index.md": '+++\ntitle = "ML"\n+++\n', "content/ML/old.md": '+++\nweight = 4\n+++\n'})
    result = run_cli("new", "損失函數", "--section", "ML", "--site", site)
    assert result.code == 0, result.err
    assert result.out.strip() == "content/ML/損失函數.md"
    text = (site / "content/ML/損失函數.md").read_text(encoding="utf-8")
    assert text.startswith('+++\ntitle = "損失函數"\nweight = 5\n+++\n## 習題預習\n{{< ask_chatgpt >}}\n給我5題損失函數的中文問題\n')
    for line in ("以中文說明損失函數並舉例", "以中文條列損失函數的重點", "以中文給我5題損失函數的中等難度問題，並在後面列出答案"):
        assert line in text
    assert [line for line in text.splitlines() if line.startswith("## ")] == ["## 習題預習", "## 說明知識", "## 條列重點", "## 知識測驗"]


@pytest.mark.parametrize(
    ("lang", "headings", "prompt"),
    [
        ("zh-CN", ["习题预习", "说明知识", "条列重点", "知识测验"], "给我5题Queue的中文问题"),
        ("en", ["Preview", "Explain", "Keypoint", "Review"], "Give me 5 medium-difficulty questions with answers about Queue"),
    ],
)
def test_new_lesson_in_other_languages(make_site, lang, headings, prompt):
    site = make_site({"content/.keep": ""})
    assert run_cli("new", "Queue", "--lang", lang, "--weight", "7", "--site", site).code == 0
    text = (site / "content/Queue.md").read_text(encoding="utf-8")
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == headings
    assert prompt in text and "weight = 7" in text and f'lang = "{lang}"' in text


def test_new_never_overwrites(make_site):
    site = make_site({"content/Queue.md": "mine"})
    result = run_cli("new", "Queue", "--site", site)
    assert result.code == 1
    assert "content/Queue.md already exists; nothing was written" in result.err
    assert (site / "content/Queue.md").read_text() == "mine"


def test_section_outside_content_is_refused(make_site):
    site = make_site({"content/.keep": ""})
    result = run_cli("new", "X", "--section", "../..", "--site", site)
    assert result.code == 1 and "outside the content folder" in result.err
    assert sorted(p.name for p in site.rglob("*")) == [".keep", "content"]


def test_question_list_from_the_site_config(make_site):
    site = make_site(
        {
            "content/.keep": "",
            "studysite.toml": '[[questions.zh-TW]]\nkind = "test"\nheading = "小考"\nprompt = "考我{keyword}"\n',
        }
    )
    assert run_cli("new", "佇列", "--site", site).code == 0
    text = (site / "content/佇列.md").read_text(encoding="utf-8")
    assert "## 小考\n{{< ask_chatgpt >}}\n考我佇列\n" in text and "習題預習" not in text


def test_archetype_is_used_like_hugo(make_site):
    site = make_site(
        {
            "content/ML/.keep": "",
            "archetypes/default.md": '---\ntitle: "{{ replace .Name "-" " " | title }}"\ndate: {{ .Date }}\n---\n{{< ask_chatgpt >}}\n{{ .Title }}\n',
            "archetypes/ML.md": '+++\ntitle = "{{ .Title }}"\nsection = "{{ .Section }}"\n+++\n',
        }
    )
    assert run_cli("new", "my-topic", "--site", site).code == 0
    text = (site / "content/my-topic.md").read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "My Topic"\ndate: 20')
    assert "{{< ask_chatgpt >}}\nmy-topic\n" in text
    assert run_cli("new", "Loss", "--section", "ML", "--site", site).code == 0
    assert (site / "content/ML/Loss.md").read_text(encoding="utf-8") == '+++\ntitle = "Loss"\nsection = "ML"\n+++\n'
    (site / "archetypes/default.md").write_text("{{ .Site.Title }}\n")
    result = run_cli("new", "Other", "--site", site)
    assert result.code == 1 and "archetypes/default.md:1: error: unsupported template expression" in result.err


OUTLINE = """\
- 機器學習
  - 損失函數
  - [梯度下降](https://example.org)
  - 深度學習
    - 反向傳播
- 統計
"""


def test_outline_makes_the_tree_with_weights_in_order(make_site):
    site = make_site({"content/.keep": "", "outline.md": OUTLINE})
    result = run_cli("new", "--outline", site / "outline.md", "--site", site)
    assert result.code == 0, result.err
    created = sorted(line.split(" ", 1)[1] for line in result.out.splitlines() if line.startswith("created"))
    assert created == sorted(
        [
            "content/機器學習/機器學習.md",
            "content/機器學習/損失函數.md",
            "content/機器學習/梯度下降.md",
            "content/機器學習/深度學習/深度學習.md",
            "content/機器學習/深度學習/反向傳播.md",
            "content/統計.md",
        ]
    )
    weights = {
        name: (site / "content/機器學習" / name).read_text(encoding="utf-8").split("weight = ")[1].split("\n")[0]
        for name in ("損失函數.md", "梯度下降.md", "深度學習/深度學習.md")
    }
    assert weights == {"損失函數.md": "1", "梯度下降.md": "2", "深度學習/深度學習.md": "3"}
    build = run_cli("build", site)
    assert build.code == 0, build.err
    check = run_cli("check", site)
    assert check.code == 0 and not [line for line in check.out.splitlines() if ": error: " in line]


def test_outline_again_creates_only_new_topics(make_site):
    site = make_site({"content/.keep": "", "outline.md": OUTLINE})
    assert run_cli("new", "--outline", site / "outline.md", "--site", site).code == 0
    (site / "content/統計.md").write_text("+++\ntitle = '統計 (edited)'\n+++\n", encoding="utf-8")
    (site / "outline.md").write_text(OUTLINE.replace("  - 損失函數\n", "  - 損失函數\n  - 正則化\n"), encoding="utf-8")
    result = run_cli("new", "--outline", site / "outline.md", "--site", site)
    assert result.code == 0
    assert [line for line in result.out.splitlines() if line.startswith("created")] == ["created content/機器學習/正則化.md"]
    assert "kept    content/機器學習/損失函數.md" in result.out
    assert "kept    content/統計.md" in result.out
    assert (site / "content/統計.md").read_text(encoding="utf-8") == "+++\ntitle = '統計 (edited)'\n+++\n"
    assert "weight = 2" in (site / "content/機器學習/正則化.md").read_text(encoding="utf-8")


def test_outline_refuses_to_split_a_single_lesson_and_writes_nothing(make_site):
    site = make_site({"content/.keep": "", "outline.md": OUTLINE})
    assert run_cli("new", "--outline", site / "outline.md", "--site", site).code == 0
    (site / "outline.md").write_text(OUTLINE + "  - 機率\n- 新主題\n", encoding="utf-8")
    result = run_cli("new", "--outline", site / "outline.md", "--site", site)
    assert result.code == 1
    assert "'統計' now has sub-topics, but content/統計.md is a single lesson" in result.err
    assert not (site / "content/新主題.md").exists() and not (site / "content/統計").exists()


def test_outline_errors_name_the_line(make_site):
    site = make_site({"content/.keep": "", "outline.md": "- A\n  - B\nnot a list item\n- A\n"})
    result = run_cli("new", "--outline", site / "outline.md", "--site", site)
    assert result.code == 1
    assert f"{site / 'outline.md'}:3: error: not a list item" in result.err
    assert f"{site / 'outline.md'}:4: error: topic 'A' appears twice at this level" in result.err
    assert not list((site / "content").rglob("*.md"))


def test_new_needs_a_title_or_an_outline(make_site):
    site = make_site({"content/.keep": ""})
    assert run_cli("new", "--site", site).code == 2
    assert run_cli("new", "X", "--outline", "o.md", "--site", site).code == 2


def test_new_lessons_build_and_check_without_errors(make_site):
    site = make_site({"content/.keep": ""})
    for title, lang in (("損失函數", "zh-TW"), ("损失函数", "zh-CN"), ("Loss Function", "en")):
        assert run_cli("new", title, "--lang", lang, "--site", site).code == 0
    assert run_cli("build", site).code == 0
    result = run_cli("check", site, "--format", "json")
    assert result.code == 0
    report = json.loads(result.out)
    assert report and {item["severity"] for item in report} == {"warning"}
    assert {item["code"] for item in report} == {"empty-section"}


@pytest.mark.parametrize(
    ("outline", "expected"),
    [
        ("- A\n    - B\n  - C\n", "outline.md:3: error: inconsistent indentation: 2 spaces, but the topics before it at this level have 4"),
        ("- A\n - B\n", "outline.md:2: error: inconsistent indentation: 1 space; a sub-topic of 'A' (line 1) is indented 2 spaces"),
        ("- A\n        - B\n", "outline.md:2: error: inconsistent indentation: 8 spaces; a sub-topic of 'A' (line 1) is indented 2 spaces"),
        ("  - A\n- B\n", "outline.md:2: error: inconsistent indentation: 0 spaces, but the topics before it at this level have 2"),
        ("- A\n  - A\n", "outline.md:2: error: topic 'A' would be the same file as the page of its folder 'A' (line 1); rename one of them"),
        ("- A\n- B\n- a\n", "outline.md:3: error: topic 'a' appears twice at this level (first on line 1)"),
    ],
)
def test_outline_reader_reports_what_markdown_would_read_otherwise(make_site, outline, expected):
    site = make_site({"content/.keep": "", "outline.md": outline})
    result = run_cli("new", "--outline", "outline.md", "--site", site, cwd=site)
    assert result.code == 1
    assert result.error_lines == [expected]
    assert not list((site / "content").rglob("*.md"))


def test_outline_reader_takes_two_four_and_ordered_indentation(make_site):
    outline = "- A\n  - B\n    - C\n- D\n    - E\n        - F\n1. G\n   1. H\n"
    site = make_site({"content/.keep": "", "outline.md": outline})
    result = run_cli("new", "--outline", site / "outline.md", "--site", site)
    assert result.code == 0, result.err
    lessons = sorted(str(p.relative_to(site / "content")) for p in (site / "content").rglob("*.md"))
    assert lessons == ["A/A.md", "A/B/B.md", "A/B/C.md", "D/D.md", "D/E/E.md", "D/E/F.md", "G/G.md", "G/H.md"]

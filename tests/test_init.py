"""`studysite init`: a new site that builds with nothing else, as `hugo new site` makes one."""

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import parse_html, run_cli

STUDYSITE = Path(sys.executable).parent / "studysite"


def test_init_then_build_works_with_nothing_else(tmp_path):
    """The acceptance: `studysite init x && cd x && studysite build`, with the console script."""
    command = [str(STUDYSITE)] if STUDYSITE.exists() else [sys.executable, "-m", "generator"]
    made = subprocess.run([*command, "init", "x"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    assert "cd x\n  studysite serve" in made.stdout
    built = subprocess.run([*command, "build"], cwd=tmp_path / "x", capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    home = parse_html((tmp_path / "x" / "public" / "index.html").read_bytes())
    assert home.find("title").text().endswith("我的學習站")
    lesson = home.find("main").find("a", href="./二分搜尋-binary-search/")
    assert lesson is not None and lesson.text() == "二分搜尋 (Binary Search)"


@pytest.mark.parametrize(
    ("language", "title", "file_name", "headings"),
    [
        ("zh-TW", "我的學習站", "二分搜尋 (Binary Search).md", ["習題預習", "說明知識", "條列重點", "知識測驗"]),
        ("zh-CN", "我的学习站", "二分查找 (Binary Search).md", ["习题预习", "说明知识", "条列重点", "知识测验"]),
        ("en", "My study site", "Binary Search.md", ["Preview", "Explain", "Keypoint", "Review"]),
    ],
)
def test_each_language_gets_its_config_and_a_complete_sample_lesson(tmp_path, language, title, file_name, headings):
    site = tmp_path / "site"
    result = run_cli("init", site, "--lang", language)
    assert result.code == 0, result.err
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()) == [
        ".gitignore", f"content/{file_name}", "studysite.toml",
    ]
    assert f'languageCode = "{language}"' in (site / "studysite.toml").read_text(encoding="utf-8")
    assert "/public/" in (site / ".gitignore").read_text(encoding="utf-8")
    checked = run_cli("check", site)
    assert (checked.code, checked.out) == (0, ""), checked.out
    assert run_cli("build", site).code == 0
    url = next(p for p in (site / "public").iterdir() if p.is_dir() and p.name not in ("assets", "search"))
    page = parse_html((url / "index.html").read_bytes())
    assert page.find("html").attrs["lang"] == language
    assert page.find("title").text().endswith(title)
    sections = page.find_all("section", cls="lesson-section")
    assert [s.find("h2").text() for s in sections] == headings
    assert [s.attrs["data-kind"] for s in sections] == ["preview", "explanation", "keypoints", "test"]
    assert len(page.find(cls="warmup").find_all("input", type="checkbox")) == 5
    answers = [qa.find("div", cls="answer-text") for qa in page.find_all("li", cls="qa")]
    assert len(answers) == 5 and all(a is not None and a.text().strip() for a in answers)
    assert page.find("pre", cls="highlight").find("code").attrs["class"] == "language-python"
    assert page.find("math") is not None


def test_a_folder_that_is_not_empty_is_refused_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("*.log\n", encoding="utf-8")
    refused = run_cli("init", tmp_path)
    assert refused.code == 1
    assert refused.err == (
        f"studysite: error: {tmp_path} already exists and is not empty; add --force to create the site in it anyway\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", "notes.txt"]
    forced = run_cli("init", tmp_path, "--force", "--lang", "en")
    assert forced.code == 0, forced.err
    assert f"kept    {tmp_path / '.gitignore'} (it already existed)" in forced.out
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "*.log\n"
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (tmp_path / "content" / "Binary Search.md").is_file()
    again = run_cli("init", tmp_path, "--force")
    assert again.code == 1
    assert again.err == f"studysite: error: {tmp_path} is already a site: it has studysite.toml\n"


def test_a_hugo_site_is_not_taken_over(tmp_path):
    (tmp_path / "config.toml").write_text('title = "Hugo"\n', encoding="utf-8")
    result = run_cli("init", tmp_path, "--force")
    assert result.code == 1
    assert "is already a site: it has config.toml" in result.err
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]

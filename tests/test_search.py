"""The search files: rendered text (never LaTeX), answers kept apart from what a result shows,
and a fold table with which either Chinese script finds the other."""

from __future__ import annotations

import json
import re

from helpers import REPO, run_cli

LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")

LESSON = """+++
title = "損失函數練習"
+++
## 說明知識
均方誤差的一半是 $\\frac{1}{2}(y - \\hat{y})^2$，總和寫成

$$\\sum_{i=1}^{n} \\sqrt{x_i}$$

## 知識測驗
1. 均方誤差對離群值敏感嗎？
答案：敏感，因為誤差被平方，祕密答案詞只在這裡。
"""

SIMPLIFIED_LESSON = """+++
title = "机器学习入门"
+++
## 说明知识
机器学习让电脑从资料中学习。
"""


def load_search(public, prefix: str = "") -> tuple[dict, list[dict], dict[str, str]]:
    """The language's index, every entry of its shards, and the fold table of them all."""

    def call_argument(text: str, call: str) -> dict:
        assert text.startswith(f"studysiteSearch.{call}(") and text.endswith(");\n")
        return json.loads(text[len(f"studysiteSearch.{call}(") : -len(");\n")])

    index = call_argument((public / prefix / "search/index.js").read_text(encoding="utf-8"), "init")
    entries, fold = [], dict(index["fold"])
    for name in index["shards"]:
        shard = call_argument((public / prefix / name).read_text(encoding="utf-8"), "add")
        entries += shard["entries"]
        fold.update(shard["fold"])
    return index, entries, fold


def shown_text(entry: dict) -> str:
    """Everything of an entry that a result may show: all but the answers."""
    return " ".join([entry["h"], entry["t"], *(question["t"] for question in entry["q"])])


def build(make_site, tmp_path, files: dict[str, str]):
    site = make_site({"studysite.toml": 'title = "t"\nlanguageCode = "zh-TW"\n', **files})
    result = run_cli("build", site, "-o", tmp_path / "public", "--jobs", "1")
    assert result.code == 0, result.err
    return tmp_path / "public"


def test_formulas_are_indexed_as_their_rendered_text(make_site, tmp_path):
    public = build(make_site, tmp_path, {"content/loss.md": LESSON})
    _, entries, _ = load_search(public)
    explained = next(entry for entry in entries if entry["h"] == "說明知識")
    assert "均方誤差的一半是 1/2(y−y^)2 ，總和寫成 ∑i=1n√xi" == explained["t"]
    for entry in entries:
        assert not LATEX_COMMAND.search(shown_text(entry) + " ".join(q["s"] for q in entry["q"])), entry


def test_an_answer_is_kept_apart_from_its_question(make_site, tmp_path):
    public = build(make_site, tmp_path, {"content/loss.md": LESSON})
    _, entries, _ = load_search(public)
    test = next(entry for entry in entries if entry["h"] == "知識測驗")
    assert test["q"] == [{"t": "均方誤差對離群值敏感嗎？", "s": "敏感，因為誤差被平方，祕密答案詞只在這裡。"}]
    assert all("祕密答案詞" not in shown_text(entry) for entry in entries)


def test_either_chinese_script_finds_the_other(make_site, tmp_path):
    public = build(make_site, tmp_path, {"content/loss.md": LESSON, "content/ml.md": SIMPLIFIED_LESSON})
    index, entries, fold = load_search(public)

    def folded(text: str) -> str:  # as site.js compares text
        return "".join(fold.get(character, character) for character in text)

    titles = {url: folded(title) for url, title in index["titles"].items()}
    assert titles["loss/"] == folded("损失函数练习") == folded("損失函數練習")
    assert titles["ml/"] == folded("機器學習入門")
    simplified = next(entry for entry in entries if entry["u"] == "ml/")
    assert folded("機器學習讓電腦") in folded(simplified["t"])
    traditional = next(entry for entry in entries if entry["h"] == "知識測驗")
    assert folded("离群值") in folded(traditional["q"][0]["t"])
    # One character for one, so that a match's place in folded text is its place in the text.
    assert all(len(key) == len(value) == 1 for key, value in fold.items())


def test_the_bundled_site_indexes_no_latex_and_no_answer_in_what_results_show(tmp_path):
    assert run_cli("build", REPO, "-o", tmp_path / "public").code == 0
    _, entries, _ = load_search(tmp_path / "public")
    answers = [q["s"] for entry in entries for q in entry["q"] if q["s"]]
    assert len(answers) >= 20
    assert any(answer.startswith("MSE 為 (1+1+100)/3=34 ，MAE 為 (1+1+10)/3=4 。") for answer in answers)
    for entry in entries:
        assert not LATEX_COMMAND.search(shown_text(entry)), entry
        assert not any(answer in shown_text(entry) for answer in answers), entry

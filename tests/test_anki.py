"""Anki export: the header lines Anki reads, one note per test question, stable GUIDs."""

import csv
import io

from helpers import run_cli

LESSON = """+++
title = "Loss"
+++
## 知識測驗
{{< ask_chatgpt >}}
以中文給我2題Loss的中等難度問題，並在後面列出答案
{{< /ask_chatgpt >}}

1. MSE 的公式是什麼？
答案：$\\frac{1}{n}\\sum (y - \\hat{y})^2$，也可寫成
$$L = \\lVert y - \\hat{y} \\rVert^2 / n$$

2. 如何用 NumPy 計算？
答案：如下：
```python
import numpy as np
loss = np.mean((y - p) ** 2)	# tab
```
"""


def export(site, *extra):
    out = site / "deck.txt"
    result = run_cli("export-anki", site, "-o", out, *extra)
    assert result.code == 0, result.err
    return result, out.read_text(encoding="utf-8")


def notes(text: str) -> list[list[str]]:
    body = "\n".join(line for line in text.split("\n") if not line.startswith("#"))
    return [row for row in csv.reader(io.StringIO(body), delimiter="\t") if row]


def test_header_and_one_note_per_question(make_site):
    site = make_site({"content/機器學習 ML/Loss Function.md": LESSON, "content/other.md": "+++\ntitle = 'x'\n+++\n"})
    result, text = export(site, "--deck", "我的牌組")
    assert "wrote 2 notes" in result.out
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header == [
        "#separator:tab",
        "#html:true",
        "#deck:我的牌組",
        "#notetype:Basic",
        "#tags:studysite",
        "#columns:GUID\tFront\tBack\tTags",
        "#guid column:1",
        "#tags column:4",
    ]
    first, second = notes(text)
    assert first[1] == "MSE 的公式是什麼？"
    assert "\\(\\frac{1}{n}\\sum (y - \\hat{y})^2\\)" in first[2]
    assert "\\[L = \\lVert y - \\hat{y} \\rVert^2 / n\\]" in first[2]
    assert '<pre><code class="language-python">import numpy as np' in second[2]
    assert "\t# tab" in second[2]
    assert first[3] == "機器學習-ml 機器學習-ml::loss-function"


def test_guids_are_unique_and_stable_across_exports(make_site):
    site = make_site({"content/a.md": LESSON, "content/b.md": LESSON})
    _, first = export(site)
    (site / "content/a.md").write_text(LESSON.replace("MSE 的公式", "均方誤差的公式"), encoding="utf-8")
    _, second = export(site)
    first_guids = [row[0] for row in notes(first)]
    second_rows = notes(second)
    assert len(set(first_guids)) == 4
    assert [row[0] for row in second_rows] == first_guids
    assert second_rows[0][1] == "均方誤差的公式是什麼？"


def test_content_errors_stop_the_export(make_site):
    site = make_site({"content/a.md": "+++\ntitle = 'x'\n"})
    result = run_cli("export-anki", site, "-o", site / "deck.txt")
    assert result.code == 1
    assert result.error_lines == ["content/a.md:1: error: unterminated TOML front matter: no closing '+++' line"]
    assert not (site / "deck.txt").exists()

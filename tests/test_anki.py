"""Anki export without Anki: the text format's header and columns, GUIDs that survive edits,
what is reported and what stops the export. tests/test_anki_import.py imports the files
into real Anki collections."""

import csv
import io
import stat
import zipfile

from helpers import run_cli

LOSS = """+++
title = "Loss Function"
tags = ["machine learning", "loss"]
+++
## Review
{{< ask_chatgpt >}}
Give me 3 medium-difficulty questions with answers about loss
{{< /ask_chatgpt >}}

1. What is the formula of MSE?
Answer: $\\frac{1}{n}\\sum (y - \\hat{y})^2$, or
$$L = \\lVert y - \\hat{y} \\rVert^2 / n$$

2. How do you compute it with NumPy?
Answer: like this:
```python
import numpy as np
loss = np.mean((y - p) ** 2)	# tab
```
![the curve](curve.png) and [the intro](../intro.md).

3. Which loss is robust to outliers?
"""

INTRO = """+++
title = "Intro"
+++
## 知識測驗
1. 什麼是監督式學習？
答案：用帶標籤的資料學習。
"""

SITE = {
    "studysite.toml": 'title = "ML Notes"\n',
    "content/intro.md": INTRO,
    "content/ml/_index.md": '+++\ntitle = "Machine Learning"\n+++\n',
    "content/ml/Loss Function.md": LOSS,
    "content/ml/curve.png": b"\x89PNG\r\n\x1a\n not really",
}

HEADER = [
    "#separator:tab",
    "#html:true",
    "#notetype:Basic",
    "#deck column:5",
    "#tags column:6",
    "#guid column:7",
    "#if matches:update current",
    "#studysite columns, in order = 1 question (Front), 2 answer (Back), 3 lesson, 4 source, 5 deck, 6 tags, 7 GUID",
]


def export_text(site, *extra):
    out = site / "deck.txt"
    result = run_cli("export-anki", site, "-o", out, *extra)
    assert result.code == 0, result.err
    return result, out.read_text(encoding="utf-8")


def rows(text: str) -> list[list[str]]:
    body = "\n".join(line for line in text.split("\n") if not line.startswith("#"))
    return [row for row in csv.reader(io.StringIO(body), delimiter="\t") if row]


def guids(site) -> dict[str, str]:
    """Question → GUID."""
    return {row[0]: row[6] for row in rows(export_text(site)[1])}


def test_text_file_header_columns_decks_and_tags(make_site):
    site = make_site(SITE)
    result, text = export_text(site)
    assert [line for line in text.splitlines() if line.startswith("#")] == HEADER
    intro, formula, numpy = rows(text)
    assert intro[:6] == [
        "什麼是監督式學習？", "<p>用帶標籤的資料學習。</p>", "Intro", "content/intro.md", "ML Notes", "intro",
    ]
    assert formula[0] == "What is the formula of MSE?"
    assert formula[1] == (
        "<p>\\(\\frac{1}{n}\\sum (y - \\hat{y})^2\\), or\n\\[L = \\lVert y - \\hat{y} \\rVert^2 / n\\]\n</p>"
    )
    assert formula[2:6] == [
        "Loss Function", "content/ml/Loss Function.md", "ML Notes::Machine Learning",
        "machine_learning loss ml ml::loss-function",
    ]
    assert numpy[1].startswith('<p>like this:</p>\n<pre class="highlight"><code class="language-python">')
    assert '</span>\t<span class="c1"># tab</span>' in numpy[1]
    # No media in a text file, and no link to a site that has no address.
    assert numpy[1].endswith("<p>[the curve] and the intro.</p>")
    assert all(len(row[6]) == 16 for row in (intro, formula, numpy))
    assert result.out == "studysite: wrote 3 notes in 2 decks to " + str(site / "deck.txt") + "\n"
    assert result.err.splitlines() == [
        "content/ml/Loss Function.md:22: warning: test question 3 has no answer, so it is not in the deck",
        "studysite: left out 1 test question without an answer",
        "studysite: 1 image or plot shown as text: the text format carries no media (use .apkg)",
    ]


def test_links_and_source_point_at_the_published_site(make_site):
    site = make_site({**SITE, "studysite.toml": 'title = "ML Notes"\nbaseURL = "https://example.org/study/"\n'})
    _, text = export_text(site)
    numpy = rows(text)[2]
    assert numpy[1].endswith('<p>[the curve] and <a href="https://example.org/study/intro/">the intro</a>.</p>')
    assert numpy[3] == (
        '<a href="https://example.org/study/ml/loss-function/#review">https://example.org/study/ml/loss-function/#review</a>'
    )


def test_the_format_follows_the_file_name_unless_given(make_site):
    site = make_site(SITE)
    assert run_cli("export-anki", site, "-o", site / "deck.apkg").code == 0
    with zipfile.ZipFile(site / "deck.apkg") as package:
        assert {"collection.anki2", "media"} <= set(package.namelist())
    # A deck is for handing on: as readable as any new file, not private like a temporary one.
    (site / "plain").write_text("")
    assert stat.S_IMODE((site / "deck.apkg").stat().st_mode) == stat.S_IMODE((site / "plain").stat().st_mode)
    assert run_cli("export-anki", site, "-o", site / "deck.tsv", "--format", "txt").code == 0
    assert (site / "deck.tsv").read_text(encoding="utf-8").startswith("#separator:tab\n")


def test_the_parent_deck_can_be_named(make_site):
    site = make_site(SITE)
    _, text = export_text(site, "--deck", "我的::牌組")
    assert [row[4] for row in rows(text)] == ["我的:牌組", "我的:牌組::Machine Learning", "我的:牌組::Machine Learning"]


def test_guids_survive_inserting_and_reordering_questions_and_moving_the_file(make_site):
    site = make_site(SITE)
    before = guids(site)
    lesson = site / "content/ml/Loss Function.md"
    head, questions = lesson.read_text(encoding="utf-8").split("1. What is", 1)
    formula, rest = questions.split("2. How do", 1)
    numpy, unanswered = rest.split("3. Which", 1)
    lesson.write_text(
        head + "1. A new first question?\nAnswer: yes\n\n2. How do" + numpy + "3. What is" + formula + "4. Which" + unanswered,
        encoding="utf-8",
    )
    (site / "content/deep").mkdir()
    lesson.rename(site / "content/deep/losses.md")
    after = guids(site)
    assert list(after) == [
        "A new first question?", "How do you compute it with NumPy?", "What is the formula of MSE?", "什麼是監督式學習？",
    ]
    assert after["A new first question?"] not in before.values()
    del after["A new first question?"]
    assert after == before


def test_case_width_and_spacing_do_not_change_a_guid_but_words_do(make_site):
    site = make_site(SITE)
    before = guids(site)["What is the formula of MSE?"]
    lesson = site / "content/ml/Loss Function.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("What is the formula of MSE?", "what  is the ＦＯＲＭＵＬＡ of MSE？"), encoding="utf-8")
    assert guids(site)["what  is the ＦＯＲＭＵＬＡ of MSE？"] == before
    lesson.write_text(text.replace("What is the formula of MSE?", "What is the formula of MAE?"), encoding="utf-8")
    assert guids(site)["What is the formula of MAE?"] != before


def test_a_lesson_id_keeps_guids_when_the_title_changes(make_site):
    site = make_site(SITE)
    lesson = site / "content/ml/Loss Function.md"
    text = lesson.read_text(encoding="utf-8")
    keyed_title = 'title = "Loss Function"\ntranslationKey = "loss"'
    lesson.write_text(text.replace('title = "Loss Function"', keyed_title), encoding="utf-8")
    keyed = guids(site)
    lesson.write_text(text.replace('title = "Loss Function"', 'title = "Losses"\ntranslationKey = "loss"'), encoding="utf-8")
    assert guids(site) == keyed
    lesson.write_text(text.replace('title = "Loss Function"', 'title = "Losses"'), encoding="utf-8")
    assert set(guids(site).values()).isdisjoint(set(keyed.values()) - {keyed["什麼是監督式學習？"]})


def test_the_same_question_twice_makes_two_notes(make_site):
    site = make_site({"content/a.md": INTRO + "\n2. 什麼是監督式學習？\n答案：再問一次。\n"})
    _, text = export_text(site)
    first, second = rows(text)
    assert first[0] == second[0]
    assert first[6] != second[6]


def test_an_image_that_is_not_in_the_site_is_reported(make_site):
    site = make_site(SITE)
    lesson = site / "content/ml/Loss Function.md"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("(curve.png)", "(../../secret.png)"), encoding="utf-8")
    result = run_cli("export-anki", site, "-o", site / "deck.apkg")
    assert result.code == 0
    assert result.err.splitlines()[0] == (
        "content/ml/Loss Function.md:15: warning: image '../../secret.png' in the answer to test question 2 "
        "is not a file of the site, so the card shows its description"
    )
    assert "with 0 media files" in result.out


def test_a_bad_plot_in_an_answer_stops_the_export_and_keeps_the_old_file(make_site):
    site = make_site(SITE)
    (site / "deck.apkg").write_bytes(b"the previous deck")
    lesson = site / "content/ml/Loss Function.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("like this:", 'like this:\n{{< loss_curve losses="mse, nope" >}}'), encoding="utf-8")
    result = run_cli("export-anki", site, "-o", site / "deck.apkg")
    assert result.code == 1
    assert result.error_lines == [
        "content/ml/Loss Function.md:16: error: loss_curve: unknown loss 'nope'; "
        "valid losses: mse, mae, huber, smooth_l1, log_cosh, pinball, poisson_nll, bce, bce_with_logits, "
        "cross_entropy, hinge, squared_hinge, focal, dice, kl_div"
    ]
    assert (site / "deck.apkg").read_bytes() == b"the previous deck"


def test_content_errors_stop_the_export(make_site):
    site = make_site({"content/a.md": "+++\ntitle = 'x'\n"})
    result = run_cli("export-anki", site, "-o", site / "deck.apkg")
    assert result.code == 1
    assert result.error_lines == ["content/a.md:1: error: unterminated TOML front matter: no closing '+++' line"]
    assert not (site / "deck.apkg").exists()


def test_an_unwritable_file_is_a_usage_error(make_site):
    site = make_site(SITE)
    result = run_cli("export-anki", site, "-o", site / "missing" / "deck.apkg")
    assert result.code == 2
    missing = site / "missing" / "deck.apkg"
    assert result.err.splitlines()[-1] == f"studysite: error: cannot write {missing}: No such file or directory"
    assert not (site / "missing").exists()


HUGO_SHORTCODES_IN_AN_ANSWER = """+++
title = "Shortcodes"
author = "Ann"
+++
## Review
1. Who drew the chart?
Answer: {{< param "author" >}} drew it for {{< param "course" >}}; see [the intro]({{< ref "intro.md" >}}) or {{< ref "intro.md" >}}:
{{< figure src="chart.png" alt="the chart" link="intro.md" >}}
"""


def test_hugos_shortcodes_in_an_answer_render_on_the_card(make_site):
    files = {**SITE, "content/shortcodes.md": HUGO_SHORTCODES_IN_AN_ANSWER, "content/chart.png": b"\x89PNG\r\n\x1a\n a chart"}
    site = make_site({**files, "studysite.toml": 'title = "ML Notes"\nbaseURL = "https://example.org/study/"\n[params]\ncourse = "ML 101"\n'})
    answer = next(row[1] for row in rows(export_text(site)[1]) if row[0] == "Who drew the chart?")
    intro = "https://example.org/study/intro/"
    assert answer == (
        f'<p>Ann drew it for ML 101; see <a href="{intro}">the intro</a> or <a href="{intro}">intro.md</a>:</p>\n'
        f'<figure><a href="{intro}"><img src="chart.png" alt="the chart" loading="lazy"></a></figure>'
    )
    result = run_cli("export-anki", site, "-o", site / "deck.apkg")
    assert result.code == 0, result.err
    assert "with 2 media files" in result.out  # the chart, and the loss lesson's curve
    site = make_site({**files, "studysite.toml": 'title = "ML Notes"\n[params]\ncourse = "ML 101"\n'})
    answer = next(row[1] for row in rows(export_text(site)[1]) if row[0] == "Who drew the chart?")
    assert answer == (
        "<p>Ann drew it for ML 101; see the intro or <a>intro.md</a>:</p>\n"
        '<figure><a><img src="chart.png" alt="the chart" loading="lazy"></a></figure>'
    )

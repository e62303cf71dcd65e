"""The views the lesson and sidebar templates lay out: each section split at its prompt
card, figures with their slider worked out, and sidebar entries with their final words."""

import json

from generator.content.lesson import parse_lesson
from generator.content.markdown import create_markdown
from generator.enrich import enrich
from generator.render.script_data import SLIDER_VARIANT
from generator.render.views import section_views
from helpers import parse_html, run_cli, write_site

MD = create_markdown()

LESSON = """+++
title = "Views"
+++
Above every heading.

## 說明知識
Before the card.

{{< loss_curve losses="huber, mae" >}}

{{< ask_chatgpt >}}
first prompt
{{< /ask_chatgpt >}}

Answer one.

{{< ask_chatgpt >}}
second prompt
{{< /ask_chatgpt >}}

## 知識測驗
1. Which loss turns linear beyond δ?
Answer: Huber:

{{< loss_curve losses="huber" >}}
2. Unanswered?
"""


def views(root: str = "../"):
    lesson, problems = parse_lesson("content/views.md", "views.md", LESSON.encode("utf-8"), MD)
    assert lesson is not None, problems
    assert enrich(lesson, "zh-TW") == []
    return section_views(lesson, root)


def test_a_section_splits_at_its_first_prompt_card():
    above, explanation, test = views()
    assert (above.heading, above.prompt, above.answer) == ("", None, [])
    assert [block.kind for block in above.lead] == ["html"]
    assert "Above every heading." in above.lead[0].html

    assert explanation.anchor == "說明知識" and 'href="#說明知識"' in explanation.heading
    assert [block.kind for block in explanation.lead] == ["html", "figure"]
    assert explanation.prompt.prompt == "first prompt"
    assert explanation.prompt.ask_href == "https://chatgpt.com/?q=first%20prompt"
    assert [block.kind for block in explanation.answer] == ["html", "prompt"]
    assert "Answer one." in explanation.answer[0].html
    assert explanation.answer[1].prompt == "second prompt"


def test_a_figure_comes_with_its_slider_worked_out():
    figure = views(root="../../")[1].lead[1].figure
    assert figure.src.startswith("../../assets/plots/") and figure.src.endswith(".svg")
    assert figure.caption and figure.alt
    slider = figure.slider
    assert (slider.id, slider.label, slider.value) == ("plot-說明知識-2", "δ", "1")
    variants = json.loads(slider.variants)
    assert slider.last == len(variants) - 1 > 0
    assert all(tuple(variant) == SLIDER_VARIANT for variant in variants)
    assert variants[slider.index] == {"value": "1", "src": figure.src}


def test_test_questions_carry_their_answers_and_plots():
    (block,) = views()[2].lead
    assert block.kind == "test"
    answered, unanswered = block.questions
    assert (answered.number, unanswered.number, unanswered.answer) == (1, 2, None)
    assert [piece.kind for piece in answered.answer] == ["html", "figure"]
    assert answered.answer[1].figure.slider.id == "plot-知識測驗-1-answer-1-2"


def test_the_sidebar_says_how_many_more_lessons_in_the_page_language(tmp_path):
    lessons = {f"content/l{n:02}.md": f'+++\ntitle = "L{n:02}"\n+++\ntext\n' for n in range(20)}
    lessons["studysite.toml"] = 'languageCode = "en"\n'
    site = write_site(tmp_path / "site", lessons)
    result = run_cli("build", site, "--jobs", "1")
    assert result.code == 0, result.err
    nav = parse_html((site / "public/l00/index.html").read_bytes()).find("nav", id="sidebar")
    entries = nav.find_all("li")
    assert [li.find("a").text() for li in entries] == [f"L{n:02}" for n in range(15)] + ["5 more"]
    assert entries[-1].attrs["class"] == "nav-more"
    assert [li.attrs["class"] for li in entries[:2]] == ["nav-lesson open", "nav-lesson"]
    assert entries[0].find("a").attrs.get("aria-current") == "page"

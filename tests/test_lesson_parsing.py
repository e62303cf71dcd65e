"""The lesson parser on edge cases of its own: layouts, numbering, shortcodes, math."""

import textwrap

import pytest

from generator.content.lesson import HtmlPart, ShortcodePart, parse_lesson
from generator.content.markdown import create_markdown
from helpers import answer_html

MD = create_markdown()


def parse(text: str, name: str = "lesson.md"):
    data = textwrap.dedent(text).lstrip("\n").encode("utf-8")
    return parse_lesson(f"content/{name}", name, data, MD)


def lesson_of(text: str):
    lesson, problems = parse(text)
    assert problems == []
    return lesson


TEST_HEADING = "## 知識測驗\n{{< ask_chatgpt >}}\n給我5題X的中等難度問題，並在後面列出答案\n{{< /ask_chatgpt >}}\n\n"


def test_answer_on_the_question_line():
    lesson = lesson_of(TEST_HEADING + "1. What is 2+2? Answer: 4\n2. 天空是什麼顏色？ 答：藍色\n")
    questions = lesson.questions("test")
    assert [(q.source, q.answer_source) for q in questions] == [("What is 2+2?", "4"), ("天空是什麼顏色？", "藍色")]


def test_answer_indented_under_the_question():
    lesson = lesson_of(TEST_HEADING + "1. First?\n   答案：one\n   more of one\n\n2. Second?\n   答案：two\n")
    first, second = lesson.questions("test")
    assert first.answer_source == "one\n   more of one"
    assert "<p>one\nmore of one</p>" in answer_html(first)
    assert second.answer_source == "two"


def test_answers_in_one_block_after_the_questions():
    lesson = lesson_of(
        TEST_HEADING + "1. Alpha?\n2. Beta?\n3. Gamma?\n\n答案：\n\n1. a-answer\n2. b-answer\n3.\n```python\nprint(3)\n```\n"
    )
    questions = lesson.questions("test")
    assert [q.answer_source for q in questions[:2]] == ["a-answer", "b-answer"]
    assert questions[2].answer_source == "```python\nprint(3)\n```"
    assert "<pre" in answer_html(questions[2])
    # The block is shown with its questions, not a second time.
    section = lesson.sections[0]
    assert [p.kind for p in section.parts] == ["prompt", "questions"]


def test_numbered_steps_inside_an_answer_are_not_questions():
    lesson = lesson_of(
        TEST_HEADING
        + "1. How to deploy?\n答案：steps:\n1. build\n2. push\n3. run\n\n2. Why?\n答案：because\n\n3. When?\n答案：now\n"
    )
    questions = lesson.questions("test")
    assert [q.source for q in questions] == ["How to deploy?", "Why?", "When?"]
    assert "<ol>" in answer_html(questions[0]) and "push" in answer_html(questions[0])


def test_numbered_lines_inside_a_code_fence_are_not_questions():
    lesson = lesson_of(TEST_HEADING + "1. Code?\n答案：\n```\n2. not a question\n```\n\n2. Next?\n答案：yes\n")
    questions = lesson.questions("test")
    assert [q.source for q in questions] == ["Code?", "Next?"]
    assert "2. not a question" in answer_html(questions[0])


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("1) one\n答：a\n2) two\n答：b\n", ["one", "two"]),
        ("1.one\n答：a\n2.two\n答：b\n", ["one", "two"]),
        ("问题1：one\n答案：a\n问题2：two\n答案：b\n", ["one", "two"]),
        ("1.  one\nAns: a\n2.  two\nAns: b\n", ["one", "two"]),
        ("**1. one**\n**答案：** a\n**2. two**\n**答案：** b\n", ["one", "two"]),
    ],
)
def test_question_numbering_styles(lines, expected):
    lesson = lesson_of(TEST_HEADING + lines)
    assert [q.source.strip("* ") for q in lesson.questions("test")] == expected
    assert [q.answer_source.strip("* ") for q in lesson.questions("test")] == ["a", "b"]


def test_decimal_numbers_are_not_questions():
    lesson = lesson_of(TEST_HEADING + "1. What is pi?\n答案：\n3.14 roughly\n\n2. And e?\n答案：2.71\n")
    assert [q.answer_source for q in lesson.questions("test")] == ["3.14 roughly", "2.71"]


def test_options_a_b_are_not_an_answer_marker():
    lesson = lesson_of(TEST_HEADING + "1. Pick one\nA: red\nB: blue\nAnswer: A\n")
    (question,) = lesson.questions("test")
    assert "B: blue" in question.source
    assert question.answer_source == "A"


def test_question_without_answer_is_kept_and_recorded():
    lesson = lesson_of(TEST_HEADING + "1. First?\n答案：one\n\n2. Second?\n\n3. Third?\n答案：three\n")
    questions = lesson.questions("test")
    assert [q.number for q in questions] == [1, 2, 3]
    assert answer_html(questions[1]) is None
    assert questions[2].answer_source == "three"


def test_dash_answers_without_markers():
    lesson = lesson_of("## Review\n\n1. What?\n- This.\n\n2. Why?\n- Because.\n")
    assert [(q.source, q.answer_source) for q in lesson.questions("test")] == [("What?", "This."), ("Why?", "Because.")]


def test_warmup_questions_and_trailing_text():
    lesson = lesson_of("## 習題預習\n\n1. one?\n2. two?\n\nThink first.\n")
    section = lesson.sections[0]
    assert [q.source for q in section.questions] == ["one?", "two?"]
    assert [p.kind for p in section.parts] == ["questions", "html"]
    assert "Think first." in section.parts[1].html


def test_unknown_heading_takes_its_kind_from_the_prompt():
    lesson = lesson_of(
        "## 小考\n{{< ask_chatgpt >}}\n給我3題Y的問題，並在後面列出答案\n{{< /ask_chatgpt >}}\n\n1. q\n答案：a\n"
        "## 雜記\ntext\n"
    )
    assert [s.kind for s in lesson.sections] == ["test", "other"]


def test_text_before_the_first_heading_is_kept():
    lesson = lesson_of("Intro *text*.\n\n## Explain\nBody.\n")
    assert [s.kind for s in lesson.sections] == ["other", "explanation"]
    assert "<em>text</em>" in lesson.sections[0].parts[0].html


@pytest.mark.parametrize(
    "shortcode",
    [
        "{{< ask_chatgpt >}}\nP\n{{< /ask_chatgpt >}}",
        "{{<ask_chatgpt>}}P{{</ask_chatgpt>}}",
        "{{% ask_chatgpt %}}\nP\n{{% /ask_chatgpt %}}",
        "{{< ask_chatgpt >}}P\n{{< /ask_chatgpt >}}",
    ],
)
def test_prompt_shortcode_forms(shortcode):
    lesson = lesson_of(f"## Explain\n{shortcode}\n\nAnswer text.\n")
    assert lesson.sections[0].prompt == "P"
    assert "Answer text." in lesson.sections[0].parts[1].html


def test_self_closing_and_parameters():
    lesson = lesson_of('## Explain\n{{< loss_curve losses="mse, huber(delta=1)" x=residual />}}\n')
    part = lesson.sections[0].parts[0]
    assert part == ShortcodePart(2, "loss_curve", {"losses": "mse, huber(delta=1)", "x": "residual"})


def test_shortcode_parameters_may_span_lines():
    lesson = lesson_of('## Explain\n{{< loss_curve\n    losses="mse"\n    x="residual" >}}\nAfter.\n')
    parts = lesson.sections[0].parts
    assert parts[0].params == {"losses": "mse", "x": "residual"}
    assert "After." in parts[1].html


def test_commented_shortcode_prints_the_tag():
    lesson = lesson_of("## Explain\nWrite `x` as {{</* ask_chatgpt */>}} in text.\n\n```\n{{</* loss_curve */>}}\n```\n")
    html = lesson.sections[0].parts[0].html
    assert "{{&lt; ask_chatgpt &gt;}}" in html
    assert "{{&lt; loss_curve &gt;}}" in html


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("## A\n\n{{< ask_chatgpt >}}\nprompt never closed\n", 3, "unclosed shortcode {{< ask_chatgpt >}}"),
        ("## A\n{{< youtube abc >}}\n", 2, "unknown shortcode 'youtube'"),
        ("## A\n\n\n{{< ask_chatgpt >}}\nP\n{{< /loss_curve >}}\n", 6, "mismatched shortcode: {{< /loss_curve >}} closes {{< ask_chatgpt >}}"),
        # A misspelt closing tag is reported at its own line, inline too.
        ("## A\n{{< ask_chatgpt >}}\nP\n\nmore\n{{< /ask_chatgtp >}}\n", 6, "mismatched shortcode: {{< /ask_chatgtp >}} closes"),
        ("## A\nSee {{< highlight go >}}x\ny\nz {{< /higlight >}} inline.\n", 4, "mismatched shortcode: {{< /higlight >}} closes"),
        ("## A\nSome text {{< quiz >}} inline.\n", 2, "unknown shortcode 'quiz'"),
        ("## A\n{{< /ask_chatgpt >}}\n", 2, "closing shortcode"),
        ("## A\nx\n\n{{< ask_chatgpt\n", 4, "shortcode tag has no closing"),
    ],
)
def test_shortcode_errors_name_their_line(body, line, message):
    lesson, problems = parse('+++\ntitle = "t"\n+++\n' + body)
    assert len(problems) == 1
    assert problems[0].line == line + 3
    assert message in problems[0].message


def test_a_plot_in_an_answer_is_a_part_of_the_answer():
    lesson = lesson_of(
        TEST_HEADING + "1. MSE?\n   答案：see\n\n   {{< loss_curve losses=\"mse\" >}}\n\n   and after.\n"
        "2. MAE?\n答案：x\n{{< loss_curve losses=\"mae\" >}}\n"
    )
    first, second = lesson.questions("test")
    assert [part.kind for part in first.answer] == ["html", "shortcode", "html"]
    assert first.answer[1] == ShortcodePart(9, "loss_curve", {"losses": "mse"})
    assert (first.answer[0].html, first.answer[2].html) == ("<p>see</p>\n", "<p>and after.</p>\n")
    assert second.answer == [HtmlPart(13, "<p>x</p>\n"), ShortcodePart(14, "loss_curve", {"losses": "mae"})]
    assert "and after." in lesson.sections[0].text() and "loss_curve" not in lesson.sections[0].text()


def test_text_indented_less_than_its_answer_stays_in_the_answer():
    lesson = lesson_of(TEST_HEADING + "1. MSE?\n\n   答案：the mean\n\nof squared errors.\n\n2. MAE?\n答案：x\n")
    first = lesson.questions("test")[0]
    assert answer_html(first) == "<p>the mean</p>\n<p>of squared errors.</p>\n"


MISPLACED = "must stand on a line of its own in a section's text or an answer, not inside a question, a list or a quote"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (TEST_HEADING + "1. Which loss?\n   {{< loss_curve losses=\"mse\" >}}\n   答案：MSE\n", 7, f"shortcode 'loss_curve' {MISPLACED}"),
        ("## Explain\n- item\n  {{< loss_curve losses=\"mse\" >}}\n", 3, f"shortcode 'loss_curve' {MISPLACED}"),
        ("## Explain\n> {{< training_curve >}}\n", 2, f"shortcode 'training_curve' {MISPLACED}"),
        (TEST_HEADING + "1. Q?\n答案：A\n- {{< loss_curve losses=\"mse\" >}}\n", 8, f"shortcode 'loss_curve' {MISPLACED}"),
        (
            TEST_HEADING + "1. Q?\n答案：A\n{{< ask_chatgpt >}}P{{< /ask_chatgpt >}}\n", 8,
            "shortcode 'ask_chatgpt' must stand on a line of its own in a section's text, not inside a question, a list or a quote",
        ),
        (
            "## Explain\nSee {{< ask_chatgpt >}}P{{< /ask_chatgpt >}} here.\n", 2,
            "shortcode 'ask_chatgpt' must stand on a line of its own in a section's text, not inside a question, a list or a quote",
        ),
    ],
)
def test_a_misplaced_lesson_shortcode_is_an_error_at_its_line(body, line, message):
    lesson, problems = parse('+++\ntitle = "t"\n+++\n' + body)
    assert [(problem.line, problem.message) for problem in problems] == [(line + 3, message)]
    assert "< />" not in str(lesson)


def test_math_renders_as_mathml_and_dollars_in_prose_and_code_stay():
    lesson = lesson_of(
        "## Explain\nLoss $L = \\frac{1}{n}\\sum_i e_i^2$ costs $5 and $6.\n\n$$\n\\hat{y} = \\sigma(z)\n$$\n\n"
        "```scss\n$primary: red;\n```\n"
    )
    html = lesson.sections[0].parts[0].html
    assert html.count("<math") == 2
    assert "<mfrac>" in html and 'display="block"' in html
    assert "costs $5 and $6." in html
    assert "$primary" in html


def test_raw_html_is_dropped_and_javascript_links_are_not_links():
    lesson = lesson_of(
        '## Explain\n<script>alert(1)</script>\n\nText <img src=x onerror="alert(2)"> and '
        "[click](javascript:alert(3)).\n"
    )
    html = lesson.sections[0].parts[0].html
    assert "<script" not in html and "onerror" not in html
    assert "javascript:" not in html.replace("[click](javascript:alert(3))", "")
    assert 'href="javascript' not in html


def test_language_from_front_matter_or_headings():
    assert lesson_of('+++\nlang = "en"\n+++\n## 習題預習\n').lang == "en"
    assert lesson_of("## 习题预习\n1. a\n").lang == "zh-CN"
    assert lesson_of("## Preview\n1. a\n").lang == "en"


@pytest.mark.parametrize(
    ("heading", "kind", "lang"),
    [
        ("## preview", "preview", "en"),
        ("## PREVIEW:", "preview", "en"),
        ("## Key points", "keypoints", "en"),
        ("## key  points", "keypoints", "en"),
        ("## Related webpages", "references", "en"),
        ("## 習題預習：", "preview", "zh-TW"),
        ("## 汇总重点", "keypoints", "zh-CN"),
        ("## Summary", "other", None),
    ],
)
def test_a_heading_gives_its_kind_and_its_language_alike(heading, kind, lang):
    # Issue 13: "## preview" and "## Key points" were sections of their kind, but of no language.
    lesson = lesson_of(f"{heading}\ntext\n")
    assert (lesson.sections[0].kind, lesson.lang) == (kind, lang)


def test_invalid_utf8_is_reported_with_its_line():
    lesson, problems = parse_lesson("content/x.md", "x.md", b"+++\ntitle = 'x'\n+++\nok\n\xff\xfe bad\n", MD)
    assert lesson is None
    assert [(p.line, p.message) for p in problems] == [(5, "invalid UTF-8: byte 0xff at column 1; save the file as UTF-8")]

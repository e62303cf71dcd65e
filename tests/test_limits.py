"""Nothing is silently lost at the parser's limits: deep nesting keeps the rest of the
lesson (or is an error at its line), a test keeps every question past 999 without taking
a year for one, and many duplicate headings each get their own anchor."""

from generator.content.lesson import parse_lesson
from generator.content.markdown import MAX_NESTING, create_markdown
from helpers import run_cli

MD = create_markdown()
AFTER = "\n\n## 條列重點\n後面的重點。\n\n## 知識測驗\n1. 問一？\n答案：答一\n2. 問二？\n答案：答二\n"


def parse(body: str):
    return parse_lesson("content/l.md", "l.md", body.encode("utf-8"), MD)


def nested_list(depth: int) -> str:
    return "\n".join("  " * level + f"- item {level}" for level in range(depth))


def assert_rest_kept(lesson) -> None:
    assert [section.kind for section in lesson.sections] == ["explanation", "keypoints", "test"]
    assert "後面的重點" in lesson.sections[1].parts[0].html
    assert [q.answer_source for q in lesson.questions("test")] == ["答一", "答二"]


def test_a_list_ten_deep_and_twenty_blockquotes_keep_the_rest_of_the_lesson():
    for body in (nested_list(10), ">" * 20 + " 引用", "> - " * 30 + "混合"):
        lesson, problems = parse("## 說明知識\n" + body + AFTER)
        assert problems == []
        assert_rest_kept(lesson)
        html = lesson.sections[0].parts[0].html
        assert "item 9" in html or "引用" in html or "混合" in html


def test_nesting_up_to_the_limit_is_rendered():
    lesson, problems = parse("## 說明知識\n" + nested_list(MAX_NESTING // 2) + "\n\n" + ">" * MAX_NESTING + " 最深" + AFTER)
    assert problems == []
    html = lesson.sections[0].parts[0].html
    assert html.count("<ul>") == MAX_NESTING // 2 and html.count("<blockquote>") == MAX_NESTING
    assert f"item {MAX_NESTING // 2 - 1}" in html and "最深" in html
    assert_rest_kept(lesson)


def test_deeper_nesting_is_an_error_at_its_line_and_keeps_its_text_and_the_rest():
    body = "## 說明知識\n" + nested_list(MAX_NESTING // 2 + 3) + "\n\n" + ">" * (MAX_NESTING + 50) + " 太深" + AFTER
    lesson, problems = parse(body)
    message = f"blocks nested more than {MAX_NESTING} levels deep (a quote is one level, a list two): flatten them"
    deepest_item = MAX_NESTING // 2 + 2  # the 101st item, on the lesson's line 102
    quote_line = body.split("\n").index(">" * (MAX_NESTING + 50) + " 太深") + 1
    assert [problem.format() for problem in problems] == [
        f"content/l.md:{deepest_item}: error: {message}",
        f"content/l.md:{quote_line}: error: {message}",
    ]
    html = lesson.sections[0].parts[0].html
    assert f"item {MAX_NESTING // 2 + 2}" in html and "太深" in html
    assert_rest_kept(lesson)


def test_deep_nesting_through_the_command_line_is_one_error(make_site):
    site = make_site({"content/deep.md": "## 說明知識\n" + ">" * 600 + " x\n", "content/ok.md": "## 說明知識\nok\n"})
    result = run_cli("build", site)
    assert result.code == 1 and "Traceback" not in result.err
    assert result.error_lines == [f"content/deep.md:2: error: blocks nested more than {MAX_NESTING} levels deep (a quote is one level, a list two): flatten them"]


def test_a_test_keeps_more_than_999_questions():
    body = "## 知識測驗\n" + "".join(f"{n}. 問題 {n}？\n答案：答 {n}\n" for n in range(1, 1251))
    lesson, problems = parse(body)
    assert problems == []
    questions = lesson.questions("test")
    assert [q.number for q in questions] == list(range(1, 1251))
    assert (questions[999].source, questions[999].answer_source) == ("問題 1000？", "答 1000")


def test_a_line_starting_with_a_year_is_not_a_question():
    lesson, problems = parse(
        "## 知識測驗\n2024. 年的考題如下。\n\n1. 哪一年？\n答案：\n2024. 那一年發生了轉變\n\n2. 下一題？\n答案：是。\n"
        "\n## 習題預習\n1999. 年\n1. 暖身？\n2. 再一題？\n"
    )
    assert problems == []
    questions = lesson.questions("test")
    assert [(q.number, q.answer_source) for q in questions] == [(1, "2024. 那一年發生了轉變"), (2, "是。")]
    assert "年的考題如下" in lesson.sections[0].parts[0].html  # Markdown's own list, not a question
    assert [q.number for q in lesson.questions("preview")] == [1, 2]


def test_numbers_longer_than_six_digits_are_text():
    lesson, problems = parse("## 知識測驗\n1. 問？\n答案：a\n12345678. 不是題目\n")
    assert problems == [] and [q.answer_source for q in lesson.questions("test")] == ["a\n12345678. 不是題目"]


def test_duplicate_headings_each_get_their_own_anchor_in_order():
    lesson, _ = parse("## A\n## A\n## A-2\n## A\n## 說明知識\n## 說明知識\n")
    assert [section.anchor for section in lesson.sections] == ["a", "a-2", "a-2-2", "a-3", "說明知識", "說明知識-2"]
    count = 5_000  # 50,000 are measured by tests/limits.py (RELIABILITY.md)
    lesson, _ = parse("## 說明知識\n內容\n" * count)
    anchors = [section.anchor for section in lesson.sections]
    assert anchors[0] == "說明知識" and anchors[-1] == f"說明知識-{count}" and len(set(anchors)) == count

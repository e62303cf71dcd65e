"""A property over the front-matter grammar of ``lesson_grammar.py``: whatever the front
matter holds, the lesson is read, or each problem is one ``path:line: error:`` line inside
the file — never a traceback — and a lesson that is read renders, its pages encoded as
UTF-8 the way the writer encodes them.

Capped and derandomised (the same examples on every run, in CI too); ``make fuzz`` runs
100,000 whole lessons of the same grammar."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz import Pipeline, check_diagnostics
from lesson_grammar import ByteChoices, front_matter

BODY = "## 說明知識\n均方誤差 $\\frac{1}{n}$ 是…\n\n## 知識測驗\n1. 問？\n答案：答。\n"
PIPELINE = Pipeline()


@settings(
    max_examples=2000,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.binary(max_size=300))
def test_any_front_matter_reads_or_is_one_line_per_problem(choices):
    text = front_matter(ByteChoices(choices)) + BODY
    source = text.encode("utf-8")
    lesson, problems = PIPELINE.parse("f/lesson.md", source)
    assert check_diagnostics(source, problems) == []
    if lesson is None or any(problem.severity == "error" for problem in problems):
        assert any(problem.severity == "error" for problem in problems)
        return
    PIPELINE.render({"f/lesson.md": lesson})  # pages and search text, encoded as UTF-8

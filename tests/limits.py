"""The limits behind RELIABILITY.md: what the parser takes, what it refuses as one error
at its line, and how long the largest inputs take (each case in this process, parse and
render; ``--record RELIABILITY.md`` writes the table there).

    python tests/limits.py [--record RELIABILITY.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz import Pipeline  # noqa: E402
from helpers import record_figures  # noqa: E402

from generator.content.frontmatter import MAX_DEPTH, MAX_VALUES  # noqa: E402
from generator.content.markdown import MAX_NESTING  # noqa: E402

AFTER = "\n\n## 知識測驗\n1. 最後一題？\n答案：還在。\n"


def nested_list(depth: int) -> str:
    return "\n".join("  " * level + f"- {level}" for level in range(depth))


CASES = [
    ("a list 10 deep (markdown-it's default stopped here)", "## 說明知識\n" + nested_list(10) + AFTER),
    ("20 blockquotes (the same)", "## 說明知識\n" + ">" * 20 + " x" + AFTER),
    (f"a list {MAX_NESTING // 2} deep (the limit)", "## 說明知識\n" + nested_list(MAX_NESTING // 2) + AFTER),
    (f"{MAX_NESTING} blockquotes (the limit)", "## 說明知識\n" + ">" * MAX_NESTING + " x" + AFTER),
    (f"a list {MAX_NESTING // 2 + 1} deep", "## 說明知識\n" + nested_list(MAX_NESTING // 2 + 1) + AFTER),
    ("10,000 blockquotes", "## 說明知識\n" + ">" * 10_000 + " x" + AFTER),
    ("1,250 test questions", "## 知識測驗\n" + "".join(f"{n}. 問 {n}？\n答案：{n}\n" for n in range(1, 1251))),
    ("10,000 test questions", "## 知識測驗\n" + "".join(f"{n}. 問 {n}？\n答案：{n}\n" for n in range(1, 10_001))),
    ("a line `2024. …` in an answer", "## 知識測驗\n1. 哪一年？\n答案：\n2024. 那一年\n"),
    ("50,000 duplicate headings", "## 說明知識\n內容\n" * 50_000),
    (f"front matter {MAX_DEPTH} levels deep", '{"x": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}\n## 說明知識\nx\n"),
    (f"front matter {MAX_DEPTH + 1} levels deep", '{"x": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}\n## 說明知識\nx\n"),
    ("JSON front matter 100,000 levels deep", '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}\n## 說明知識\nx\n"),
    ("YAML front matter 100,000 levels deep", "---\nx: " + "[" * 100_000 + "]" * 100_000 + "\n---\n## 說明知識\nx\n"),
    (f"YAML aliases expanding to more than {MAX_VALUES:,} values", "---\na: &a [" + ",".join("1" * 1 for _ in range(10)) + "]\n"
     + "".join(f"{chr(98 + n)}: &{chr(98 + n)} [" + ",".join(f"*{chr(97 + n)}" for _ in range(10)) + "]\n" for n in range(5))
     + "---\n## 說明知識\nx\n"),
    ("a 4,300-digit number in front matter", '{"x": ' + "7" * 4300 + "}\n## 說明知識\nx\n"),
    ("a 4,301-digit number in front matter", '{"x": ' + "7" * 4301 + "}\n## 說明知識\nx\n"),
    ("a formula nested 300 braces deep", "## 說明知識\n$" + "{" * 300 + "x" + "}" * 300 + "$\n"),
]


def measure(pipeline: Pipeline, text: str) -> tuple[str, float]:
    data = text.encode("utf-8")
    started = time.perf_counter()
    lesson, problems = pipeline.parse("f/limit.md", data)
    errors = [problem for problem in problems if problem.severity == "error"]
    if lesson is not None and not errors:
        pipeline.render({"f/limit.md": lesson})
    seconds = time.perf_counter() - started
    if errors:
        first = errors[0].format().split(": error: ", 1)
        line = first[0].rsplit(":", 1)[1]
        return f"error at line {line}: {first[1][:90]}" + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""), seconds
    questions = len(lesson.questions("test"))
    return f"built: {len(lesson.sections)} sections, {questions} questions", seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", type=Path, help="write the table into this file (RELIABILITY.md)")
    args = parser.parse_args(argv)
    pipeline = Pipeline()
    measure(pipeline, "## 說明知識\n$x$\n```python\nx\n```\n")  # imports out of the timings
    rows = ["| input | result | parse + render |", "|---|---|---|"]
    for name, text in CASES:
        result, seconds = measure(pipeline, text)
        rows.append(f"| {name} | {result} | {seconds:.2f} s |")
        print(rows[-1], flush=True)
    if args.record:
        record_figures(args.record, "limits", f"`python tests/limits.py`, {time.strftime('%Y-%m-%d')}:\n\n" + "\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

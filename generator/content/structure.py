"""Find a lesson's shape in its lines before Markdown parsing: sections, their kinds, and
the questions and answers of warm-up and test sections.

Real lessons number their questions loosely (``1.``, ``1)``, ``3.如何``, ``问题1：``) and
put answers in several layouts (next line, same line, indented, or all together in one
block after the questions), most of which CommonMark does not see as list items at all.
So the plan is made from the raw lines, and the Markdown parser then follows it (see
:mod:`generator.content.markdown`), parsing each question and answer as a container.

All line numbers here are 0-based indexes into the body's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KINDS = ("preview", "explanation", "keypoints", "test", "references", "other")

HEADINGS: dict[str, tuple[str, str]] = {
    "習題預習": ("preview", "zh-TW"), "习题预习": ("preview", "zh-CN"), "Preview": ("preview", "en"),
    "說明知識": ("explanation", "zh-TW"), "说明知识": ("explanation", "zh-CN"), "Explain": ("explanation", "en"),
    "Explanation": ("explanation", "en"),
    "條列重點": ("keypoints", "zh-TW"), "彙總重點": ("keypoints", "zh-TW"),
    "条列重点": ("keypoints", "zh-CN"), "汇总重点": ("keypoints", "zh-CN"),
    "Keypoint": ("keypoints", "en"), "Keypoints": ("keypoints", "en"), "Key points": ("keypoints", "en"),
    "知識測驗": ("test", "zh-TW"), "知识测验": ("test", "zh-CN"), "Review": ("test", "en"),
    "網路資料": ("references", "zh-TW"), "网络数据": ("references", "zh-CN"),
    "Related webpage": ("references", "en"), "Related webpages": ("references", "en"),
}  # fmt: skip
"""The house headings: the kind of section each one opens and the language it is written in.

Looked up by :func:`normalize_heading`, so ``## preview``, ``## KEY POINTS`` and
``## 習題預習：`` are found too."""


# Prompt phrases that tell a section's kind when its heading is not a known one.
_PROMPT_KIND_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("test", re.compile(r"列出答案|列出解答|附上答案|附答案|with answers?|and answers?|答案", re.I)),
    ("references", re.compile(r"網路資料|网络数据|網路文章|网络文章|webpages?|articles?|links?\b|資源|资源", re.I)),
    ("keypoints", re.compile(r"條列|条列|重點|重点|key ?points?|summar", re.I)),
    ("preview", re.compile(r"問題|问题|questions?", re.I)),
    ("explanation", re.compile(r"說明|说明|解釋|解释|explain", re.I)),
)

_FENCE_OPEN = re.compile(r"^ *(`{3,}|~{3,})(.*)$")
_HEADING = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))??(?:[ \t]+#+)?[ \t]*$")
_PROMPT_OPEN = re.compile(r"^ {0,3}\{\{(?:<\s*ask_chatgpt\s*>|%\s*ask_chatgpt\s*%)\}\}")
_PROMPT_CLOSE = re.compile(r"\{\{(?:<\s*/\s*ask_chatgpt\s*>|%\s*/\s*ask_chatgpt\s*%)\}\}")
_HIGHLIGHT_OPEN = re.compile(r"^ {0,3}\{\{[<%]\s*highlight\b")
_HIGHLIGHT_CLOSE = re.compile(r"\{\{[<%]\s*/\s*highlight\s*[>%]\}\}")

# "1." "1)" "1、" "(1)" "问题1：" "Q1." — but not "3.5" (a decimal). A number of four digits
# or more ("2024." a year) is a question only right after the one before it (see _candidates).
_QUESTION = re.compile(
    r"^ {0,3}(?:\*\*)?(?:"
    r"(?:Q|Question|问题|問題|题目|題目)\s*(?P<word>\d{1,6})(?!\d)\s*[.:：、)）]?"
    r"|[(（](?P<paren>\d{1,6})[)）]"
    r"|(?P<plain>\d{1,6})(?:[.．、)）](?![\d]))"
    r")(?:\*\*)?[ \t]*"
)
_FIRST_LONG_NUMBER = 1000
_BULLET = re.compile(r"^ {0,1}[-*+][ \t]+")
_MARKER_WORDS = r"(?:答案|解答|答|Answers?|Ans|A)"
_LINE_MARKER = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?" + _MARKER_WORDS + r"(?:\*\*|__)?[ \t]*[:：](?:\*\*|__)?[ \t]*",
    re.I,
)
# An answer on the question's own line must follow the question's end punctuation.
_INLINE_MARKER = re.compile(
    r"(?:(?<=[?？])|(?<=[?？][ \t])|(?<=[?？][ \t]{2}))(?:\*\*|__)?"
    + _MARKER_WORDS
    + r"(?:\*\*|__)?[ \t]*[:：](?:\*\*|__)?[ \t]*",
    re.I,
)
_ANSWER_BLOCK = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+)?(?:\*\*|__)?(?:答案|解答|Answers?)(?:\*\*|__)?[ \t]*[:：]?(?:\*\*|__)?[ \t]*$",
    re.I,
)
_OPTION_B = re.compile(r"^[ \t]*B[ \t]*[:：.]")


def heading_kind(heading: str, aliases: dict[str, str] | None = None) -> str | None:
    key = normalize_heading(heading)
    table = aliases or DEFAULT_HEADING_KINDS
    return table.get(key)


def normalize_heading(heading: str) -> str:
    return re.sub(r"\s+", " ", heading.strip().strip(":：").strip()).casefold()


DEFAULT_HEADING_KINDS: dict[str, str] = {normalize_heading(heading): kind for heading, (kind, _) in HEADINGS.items()}
"""Normalised heading → kind; a site's config adds its own headings to a copy of it."""

_HEADING_LANGUAGES = {normalize_heading(heading): language for heading, (_, language) in HEADINGS.items()}


def heading_language(heading: str) -> str | None:
    """The language a house heading is written in (``"zh-TW"``, ``"zh-CN"`` or ``"en"``), or None."""
    return _HEADING_LANGUAGES.get(normalize_heading(heading))


def prompt_kind(prompt: str) -> str | None:
    for kind, pattern in _PROMPT_KIND_HINTS:
        if pattern.search(prompt):
            return kind
    return None


@dataclass
class Span:
    """Lines ``[line, end)`` of one question or answer; the first starts at column ``col``
    (after its number or marker) and the last, when ``cut`` is set, ends at column ``cut``."""

    line: int
    end: int
    col: int = 0
    cut: int | None = None


@dataclass
class QuestionPlan:
    number: int
    question: Span
    answer: Span | None
    resume: int
    """Where the parser continues after this question (answers of the block layout are skipped)."""


@dataclass
class SectionPlan:
    line: int | None
    """Line of the ``##`` heading; None for text before the first heading."""
    heading: str
    kind: str
    prompt: str | None
    end: int
    questions: list[QuestionPlan] = field(default_factory=list)
    unanswered: list[int] = field(default_factory=list)
    """Lines of test questions that have no answer."""


@dataclass
class Plan:
    sections: list[SectionPlan]
    question_at: dict[int, QuestionPlan]
    block_at: dict[int, QuestionPlan | int]
    """Where the parser must follow the plan: a question starts, or (an int: the end line)
    a block of answers starts that was already placed with its questions."""
    section_at: dict[int, SectionPlan]


@dataclass
class _Candidate:
    line: int
    number: int
    col: int


def plan_lesson(lines: list[str], heading_kinds: dict[str, str] | None = None) -> Plan:
    hidden = hidden_lines(lines)
    starts = [
        index
        for index, text in enumerate(lines)
        if not hidden[index] and text.lstrip(" ").startswith("##") and _HEADING.match(text)
    ]
    boundaries = [0, *starts] if not starts or starts[0] != 0 else starts
    ends = [*boundaries[1:], len(lines)]
    heading_lines = set(starts)  # a set: 50,000 headings must not make this quadratic
    sections = [
        _plan_section(lines, hidden, start, end, start in heading_lines, heading_kinds)
        for start, end in zip(boundaries, ends)
    ]
    question_at: dict[int, QuestionPlan] = {}
    skip: dict[int, int] = {}
    for section in sections:
        for question in section.questions:
            question_at[question.question.line] = question
        _collect_skips(section, skip)
    block_at: dict[int, QuestionPlan | int] = {**question_at, **skip}
    return Plan(sections, question_at, block_at, {s.line: s for s in sections if s.line is not None})


def _plan_section(
    lines: list[str], hidden: list[bool], start: int, end: int, is_heading: bool, heading_kinds: dict[str, str] | None
) -> SectionPlan:
    """Lines ``[start, end)``: a ``##`` section when *is_heading*, else the text before the first."""
    heading = (_HEADING.match(lines[start]).group(1) or "").strip() if is_heading else ""
    body_start = start + 1 if is_heading else start
    prompt = _first_prompt(lines, body_start, end)
    kind = heading_kind(heading, heading_kinds) if is_heading else None
    if kind is None and prompt is not None:
        kind = prompt_kind(prompt)
    section = SectionPlan(start if is_heading else None, heading, kind or "other", prompt, end)
    if section.kind in ("preview", "test"):
        _plan_questions(section, lines, hidden, body_start, end)
    return section


def hidden_lines(lines: list[str]) -> list[bool]:
    """Mark lines inside code fences, prompt and ``highlight`` shortcodes, where nothing is
    structure."""
    hidden = [False] * len(lines)
    fence: str | None = None
    in_prompt = False
    in_highlight = False
    for index, text in enumerate(lines):
        if in_highlight:
            hidden[index] = True
            in_highlight = not _HIGHLIGHT_CLOSE.search(text)
            continue
        if fence is not None:
            hidden[index] = True
            stripped = text.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        if in_prompt:
            hidden[index] = True
            if "{{" in text and _PROMPT_CLOSE.search(text):
                in_prompt = False
            continue
        first = text.lstrip(" ")[:1]
        if first in ("`", "~"):
            opening = _FENCE_OPEN.match(text)
            if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
                fence = opening.group(1)
                hidden[index] = True
        elif first == "{":
            prompt = _PROMPT_OPEN.match(text)
            if prompt:
                hidden[index] = True
                in_prompt = not _PROMPT_CLOSE.search(text, prompt.end())
            elif _HIGHLIGHT_OPEN.match(text):
                hidden[index] = True
                in_highlight = not _HIGHLIGHT_CLOSE.search(text)
    return hidden


def _first_prompt(lines: list[str], start: int, end: int) -> str | None:
    for index in range(start, end):
        opening = _PROMPT_OPEN.match(lines[index])
        if not opening:
            continue
        text = "\n".join(lines[index:end])
        rest = text[opening.end() :]
        closing = _PROMPT_CLOSE.search(rest)
        return (rest[: closing.start()] if closing else rest).strip()
    return None


def _candidates(lines: list[str], hidden: list[bool], start: int, end: int) -> list[_Candidate]:
    found = []
    numbers: set[int] = set()
    for index in range(start, end):
        if hidden[index]:
            continue
        match = _QUESTION.match(lines[index])
        if match:
            number = int(match.group("word") or match.group("paren") or match.group("plain"))
            if number >= _FIRST_LONG_NUMBER and number - 1 not in numbers:
                continue  # "2024. …" is a year, unless question 2023 came before it
            numbers.add(number)
            found.append(_Candidate(index, number, match.end()))
    if not found:
        # Some lessons list their questions as bullets instead of numbers.
        number = 0
        for index in range(start, end):
            match = None if hidden[index] else _BULLET.match(lines[index])
            if match:
                number += 1
                found.append(_Candidate(index, number, match.end()))
    return found


def _sequential(candidates: list[_Candidate]) -> list[_Candidate]:
    run: list[_Candidate] = []
    for candidate in candidates:
        if not run or candidate.number == run[-1].number + 1:
            run.append(candidate)
    return run


def _marker_at(lines: list[str], index: int, question_col: int | None) -> tuple[int, int] | None:
    """Column span of an answer marker on line *index* (after *question_col* on a question line)."""
    text = lines[index]
    if ":" not in text and "：" not in text:
        return None
    if question_col is None:
        match = _LINE_MARKER.match(text)
        if match and not _is_first_option(lines, index, match):
            return match.start(), match.end()
        return None
    match = _INLINE_MARKER.search(text, question_col)
    return (match.start(), match.end()) if match else None


def _is_first_option(lines: list[str], index: int, match: re.Match[str]) -> bool:
    # "A: …" followed by "B: …" is a list of options, not an answer.
    letter = match.group(0).strip(" \t-*+_").rstrip(":：").strip("*_ \t")
    return letter.upper() == "A" and index + 1 < len(lines) and bool(_OPTION_B.match(lines[index + 1]))


def _plan_questions(
    section: SectionPlan, lines: list[str], hidden: list[bool], start: int, end: int
) -> None:
    candidates = _candidates(lines, hidden, start, end)
    if not candidates:
        return
    if section.kind == "preview":
        section.questions = _plan_warmup(_sequential(candidates), lines, end)
        return
    columns = {c.line: c.col for c in candidates}
    markers: dict[int, tuple[int, int]] = {}
    for index in range(start, end):
        if hidden[index]:
            continue
        marker = _marker_at(lines, index, columns.get(index))
        if marker is not None:
            markers[index] = marker
    block = _answer_block_line(lines, hidden, candidates, markers, end)
    if block is not None:
        _plan_answer_block(section, candidates, block, end)
    elif markers:
        _plan_marked(section, lines, candidates, markers, end)
    else:
        _plan_unmarked(section, lines, _sequential(candidates), end)


def _plan_warmup(run: list[_Candidate], lines: list[str], end: int) -> list[QuestionPlan]:
    plans = []
    for position, candidate in enumerate(run):
        stop = run[position + 1].line if position + 1 < len(run) else _trim_tail(lines, candidate.line, end)
        span = Span(candidate.line, stop, candidate.col)
        plans.append(QuestionPlan(candidate.number, span, None, stop))
    return plans


def _trim_tail(lines: list[str], line: int, end: int) -> int:
    """End of the last warm-up question: text after a blank line, not indented, is not part of it."""
    for index in range(line + 1, end):
        if not lines[index].strip() and index + 1 < end:
            following = lines[index + 1]
            if following.strip() and not following.startswith((" ", "\t")):
                return index
    return end


def _answer_block_line(
    lines: list[str], hidden: list[bool], candidates: list[_Candidate], markers: dict[int, tuple[int, int]], end: int
) -> int | None:
    """The line of a lone "答案：" heading that follows two or more unanswered questions."""
    first = candidates[0].line
    for index in range(first + 1, end):
        if hidden[index]:
            continue
        if _ANSWER_BLOCK.match(lines[index]):
            before = _sequential([c for c in candidates if c.line < index])
            after = [c for c in candidates if c.line > index]
            if len(before) >= 2 and after:
                return index
            return None
        if index in markers:
            return None
    return None


def _plan_answer_block(section: SectionPlan, candidates: list[_Candidate], block: int, end: int) -> None:
    questions = _sequential([c for c in candidates if c.line < block])
    answers = _sequential([c for c in candidates if c.line > block])
    answer_spans: dict[int, Span] = {}
    for position, candidate in enumerate(answers):
        stop = answers[position + 1].line if position + 1 < len(answers) else end
        answer_spans.setdefault(candidate.number, Span(candidate.line, stop, candidate.col))
    for position, candidate in enumerate(questions):
        stop = questions[position + 1].line if position + 1 < len(questions) else block
        answer = answer_spans.get(candidate.number)
        section.questions.append(QuestionPlan(candidate.number, Span(candidate.line, stop, candidate.col), answer, stop))
        if answer is None:
            section.unanswered.append(candidate.line)
    if section.questions:
        # The answers were shown with their questions; their own block is skipped.
        section.questions[-1].resume = block


def _plan_marked(
    section: SectionPlan,
    lines: list[str],
    candidates: list[_Candidate],
    markers: dict[int, tuple[int, int]],
    end: int,
) -> None:
    def marker_between(first: int, stop: int) -> int | None:
        return next((index for index in range(first, stop) if index in markers), None)

    accepted: list[tuple[_Candidate, int | None]] = []
    for position, candidate in enumerate(candidates):
        if accepted and candidate.number != accepted[-1][0].number + 1:
            continue
        following = candidates[position + 1].line if position + 1 < len(candidates) else end
        marker = marker_between(candidate.line, following)
        if marker is None and _later_answered(candidates, position, markers, end):
            continue  # a numbered line inside an answer, not the next question
        accepted.append((candidate, marker))
    for position, (candidate, marker) in enumerate(accepted):
        stop = accepted[position + 1][0].line if position + 1 < len(accepted) else end
        if marker is None or marker >= stop:
            section.questions.append(QuestionPlan(candidate.number, Span(candidate.line, stop, candidate.col), None, stop))
            section.unanswered.append(candidate.line)
            continue
        marker_start, marker_end = markers[marker]
        if marker == candidate.line or marker_start > 0 and lines[marker][:marker_start].strip():
            question = Span(candidate.line, marker + 1, candidate.col, marker_start)
        else:
            question = Span(candidate.line, marker, candidate.col)
        answer = Span(marker, stop, marker_end)
        section.questions.append(QuestionPlan(candidate.number, question, answer, stop))


def _later_answered(
    candidates: list[_Candidate], position: int, markers: dict[int, tuple[int, int]], end: int
) -> bool:
    number = candidates[position].number
    for later in range(position + 1, len(candidates)):
        if candidates[later].number != number:
            continue
        following = candidates[later + 1].line if later + 1 < len(candidates) else end
        if any(index in markers for index in range(candidates[later].line, following)):
            return True
    return False


def _plan_unmarked(section: SectionPlan, lines: list[str], run: list[_Candidate], end: int) -> None:
    """No answer markers at all: each question is its first line, the rest is its answer."""
    for position, candidate in enumerate(run):
        stop = run[position + 1].line if position + 1 < len(run) else end
        answer_line = next((i for i in range(candidate.line + 1, stop) if lines[i].strip()), None)
        if answer_line is None:
            section.questions.append(QuestionPlan(candidate.number, Span(candidate.line, stop, candidate.col), None, stop))
            section.unanswered.append(candidate.line)
            continue
        bullet = _BULLET.match(lines[answer_line])
        answer = Span(answer_line, stop, bullet.end() if bullet else 0)
        section.questions.append(
            QuestionPlan(candidate.number, Span(candidate.line, candidate.line + 1, candidate.col), answer, stop)
        )


def _collect_skips(section: SectionPlan, skip: dict[int, int]) -> None:
    if not section.questions:
        return
    last = section.questions[-1]
    if any(q.answer is not None and q.answer.line >= last.resume for q in section.questions):
        # The block of answers (its lone "答案：" line included) was shown with the questions.
        skip[last.resume] = section.end

"""A grammar of lessons, good and bad: front matter in every format with the values that
broke parsers (impossible dates, YAML tags, 5,000-digit numbers, deep nesting, lone
surrogates, aliases), and bodies with every construct the parser knows, nested and
numbered past its limits, with hostile formulas, links, HTML and shortcodes.

One grammar, two drivers: ``make fuzz`` draws from a seeded :class:`random.Random`
(:class:`RandomChoices`), the Hypothesis property in ``test_frontmatter_property.py`` from
bytes Hypothesis generates (:class:`ByteChoices`), which it then shrinks on a failure.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class Choices(Protocol):
    def pick(self, options: Sequence[T]) -> T: ...

    def number(self, low: int, high: int) -> int: ...


class RandomChoices:
    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def pick(self, options):
        return options[self.random.randrange(len(options))]

    def number(self, low, high):
        return self.random.randint(low, high)


class ByteChoices:
    """Choices read from a byte string. Hypothesis draws the bytes, and shrinks a failure
    toward fewer and smaller bytes: the grammar's first options."""

    def __init__(self, data: bytes):
        self.data = data
        self.at = 0

    def pick(self, options):
        return options[self.number(0, len(options) - 1)]

    def number(self, low, high):
        span = high - low
        if span <= 0:
            return low
        width = 1 if span < 256 else 2 if span < 65536 else 4
        chunk = self.data[self.at : self.at + width].ljust(width, b"\0")
        self.at += width
        return low + int.from_bytes(chunk, "big") % (span + 1)


def maybe(choices: Choices, percent: int) -> bool:
    return choices.number(1, 100) <= percent


# --- Front matter ------------------------------------------------------------------

KEYS = ("title", "weight", "draft", "date", "slug", "description", "tags", "lang", "plots", "Title", "WEIGHT", "params", "x", "題目", "a-b", "_")
WORDS = ("Loss", "損失函數", "交叉熵", "a\tb", "", " ", "<script>alert(1)</script>", "../..", "a/b", "🙂", "e\u0301", "\u200b", "x" * 300, "\x00", "\x7f", "\u2028", "{{< x >}}")
ESCAPES = ("\\ud800", "\\udfff", "\\ud83d\\ude00", "\\U0001F600", "\\u0000", "\\n", "\\t", '\\"', "\\\\", "\\x41", "\\q")
DATES = (
    "2024-05-01", "2024-02-30", "2024-1-1 5:61:00", "2024-13-01", "0000-01-01", "9999-12-31T23:59:59Z",
    "2024-05-01T10:00:00+08:00", "2024-05-01 10:00:00", "2024-02-29", "2023-02-29", "2024-05-01T25:00:00",
    "1979-05-27T07:32:00.999999-07:00", "07:32:00", "2024-05-01T10:00:00+25:00",
)  # fmt: skip
YAML_TAGS = ("!!int", "!!float", "!!timestamp", "!!str", "!!bool", "!!null", "!!binary", "!!set", "!!omap", "!!pairs", "!!seq", "!!map", "!!python/object:os.system", "!!python/name:os.system", "!custom", "!")
LANGS = ("zh-TW", "zh-CN", "en", "zh-tw", "fr", "", "zh_Hant")


def digits(choices: Choices) -> str:
    length = choices.pick((1, 2, 3, 19, 20, 309, 400, 4299, 4300, 4301, 6000))
    return "1" + "7" * (length - 1)


def _text(choices: Choices) -> str:
    pieces = [choices.pick(WORDS) for _ in range(choices.number(0, 3))]
    return "".join(pieces)


def _quoted(choices: Choices) -> str:
    body = "".join(choices.pick((_text(choices), choices.pick(ESCAPES))) for _ in range(choices.number(0, 3)))
    return '"' + body.replace('"', '\\"') + '"' if maybe(choices, 20) else '"' + body + '"'


def _scalar(choices: Choices, kind: str) -> str:
    roll = choices.number(0, 9)
    if roll == 0:
        return digits(choices)
    if roll == 1:
        return choices.pick(("1e400", "-1e400", "nan", "inf", "-0.0", "0x10", "0o17", "1_000", ".inf", ".nan", "3.0", "007", "+1"))
    if roll == 2:
        return choices.pick(DATES)
    if roll == 3:
        return choices.pick(("true", "false", "yes", "no", "on", "TRUE", "t", "null", "~", "None"))
    if roll == 4 and kind == "yaml":
        return f"{choices.pick(YAML_TAGS)} {choices.pick(('a', '1', '', '2024-02-30', '[1]', '{a: 1}', 'aGk='))}"
    if roll == 5 and kind == "yaml":
        return choices.pick(("&a 1", "*a", "*nope", "&b [*b]", "<<: *a", "|\n  block\n  text", ">-\n  folded"))
    if roll == 6 and kind != "json":
        return choices.pick(LANGS) if kind == "yaml" else '"' + choices.pick(LANGS) + '"'
    return _quoted(choices)


def _value(choices: Choices, kind: str, depth: int = 0) -> str:
    roll = choices.number(0, 9)
    if roll == 0 and depth < 4:
        items = [_value(choices, kind, depth + 1) for _ in range(choices.number(0, 3))]
        return "[" + ", ".join(items) + "]"
    if roll == 1 and depth < 4:
        pairs = []
        for _ in range(choices.number(0, 2)):
            key = choices.pick(KEYS)
            if kind == "toml":
                pairs.append(f'"{key}" = {_value(choices, kind, depth + 1)}')
            elif kind == "json":
                pairs.append(f'"{key}": {_value(choices, kind, depth + 1)}')
            else:
                pairs.append(f"{key}: {_value(choices, kind, depth + 1)}")
        return "{" + ", ".join(pairs) + "}"
    if roll == 2:
        levels = choices.pick((10, 31, 32, 33, 100, 900, 1100, 5000))
        opener, closer = ("[", "]") if maybe(choices, 70) else (("{a: ", "}") if kind == "yaml" else ('{"a": ', "}") if kind == "json" else ("{a = ", "}"))
        return opener * levels + "1" + closer * levels
    return _scalar(choices, kind)


def front_matter(choices: Choices) -> str:
    """Front matter text, ending with a newline (or nothing, for no front matter)."""
    kind = choices.pick(("toml", "yaml", "json", "none", "toml", "yaml", "json"))
    count = choices.number(0, 5)
    keys = [choices.pick(KEYS) for _ in range(count)]
    if kind == "none":
        return ""
    if maybe(choices, 60):
        return _plain_front_matter(choices, kind)
    if kind == "json":
        entries = [f'  "{key}": {_value(choices, kind)}' for key in keys]
        text = "{\n" + ",\n".join(entries) + "\n}\n"
    elif kind == "toml":
        entries = [f"{key if key.isascii() else repr(key)} = {_value(choices, kind)}" for key in keys]
        text = "+++\n" + "\n".join(entries) + "\n+++\n"
    else:
        entries = [f"{key}: {_value(choices, kind)}" for key in keys]
        if maybe(choices, 10):
            entries.append("b: &b [1,1,1,1,1,1,1,1,1]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]")
        text = "---\n" + "\n".join(entries) + "\n---\n"
    if maybe(choices, 15):
        text = mutate(choices, text)
    return text


def _plain_front_matter(choices: Choices, kind: str) -> str:
    """Front matter as authors write it, with text from anywhere in Unicode."""
    fields = {
        "title": json.dumps(_text(choices), ensure_ascii=maybe(choices, 50)),
        "weight": choices.pick(("1", "2", "10", '"3"', "-1", "0")),
        "date": choices.pick(('"2024-05-01"', '"2024-05-01T10:00:00+08:00"')),
        "tags": "[" + ", ".join(json.dumps(_text(choices)) for _ in range(choices.number(0, 3))) + "]",
        "draft": "false",
        "lang": json.dumps(choices.pick(LANGS)),
        "description": json.dumps(_text(choices)),
    }
    chosen = [key for key in fields if maybe(choices, 50)]
    if kind == "json":
        return "{\n" + ",\n".join(f'  "{key}": {fields[key]}' for key in chosen) + "\n}\n"
    if kind == "toml":
        return "+++\n" + "".join(f"{key} = {fields[key]}\n" for key in chosen) + "+++\n"
    return "---\n" + "".join(f"{key}: {fields[key]}\n" for key in chosen) + "---\n"


def mutate(choices: Choices, text: str) -> str:
    """*text* with a few characters deleted, repeated or replaced."""
    for _ in range(choices.number(1, 3)):
        if not text:
            break
        at = choices.number(0, len(text) - 1)
        action = choices.number(0, 3)
        if action == 0:
            text = text[:at] + text[at + 1 :]
        elif action == 1:
            text = text[:at] + text[at : at + 5] * 2 + text[at + 5 :]
        elif action == 2:
            text = text[:at] + choices.pick(("\n", "\r", "\t", "\x00", '"', "'", "[", "{", "}", "\\", ":", "=", "---", "+++", "\ufeff")) + text[at:]
        else:
            text = text[:at] + choices.pick(("\n---\n", "\n+++\n", "}\n", "\n")) + text[at:]
    return text


# --- Bodies --------------------------------------------------------------------------

HEADINGS = (
    "習題預習", "說明知識", "條列重點", "知識測驗", "網路資料", "习题预习", "说明知识", "知识测验", "Preview",
    "Explain", "Keypoint", "Review", "Related webpage", "Other", "說明知識", "", "   ", "Review:", "## nested",
    "<img src=x onerror=alert(1)>", "$x$", "[link](javascript:alert(1))", "測驗 {{</* x */>}}",
)  # fmt: skip
PROMPTS = ("給我5題損失函數的中文問題", "以中文給我5題損失函數的中等難度問題，並在後面列出答案", "Explain MSE with answers", "", "<b>x</b>\n\nsecond", '"quote" & <tag>')
LOSS_WORDS = ("MSE", "均方誤差", "交叉熵", "Cross Entropy", "Hinge", "Focal loss", "Dice 損失", "Huber", "L1 loss", "L2 正則化", "KL divergence", "log-cosh")
FORMULAS = (
    r"\frac{1}{n}\sum_{i=1}^{n}(y_i-\hat{y}_i)^2", r"\text{<script>alert(1)</script>}", r"\text{<img/src/onerror=alert(1)>}",
    r"\href{javascript:alert(1)}{x}", r"\mbox{<b>}", r"\textrm{</math><script>}", r"\style{color:red}{x}",
    r"\begin{matrix} a & b \\ c & d \end{matrix}", r"\frac{", r"\left(", "{" * 300 + "x" + "}" * 300,
    r"\sqrt[\text{<i>}]{x}", r"x^{\mathbin{<img>}}", r"\color{red\" onclick=\"x}{y}", r"\verb|<x>|", "",
)  # fmt: skip
INLINES = (
    "plain text", "中文內容，含標點。", "**bold** and _em_", "`code <b>`", "[link](other.md)", "[x](javascript:alert(1))",
    "[x](data:text/html,<script>)", "![img](https://i.imgur.com/a.png)", "![img](/images/x.png)",
    "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "&#x3C;script&#x3E;", "&amp; &lt; &#0; &#xD800;",
    "$5 and $6", "\\$", "<!-- comment -->", "<https://example.com>", "a\\\nb", "    ", "\t\t", "\x00", "\u2028",
    "{{</* escaped */>}}", "{{% ask_chatgpt %}}inline{{% /ask_chatgpt %}}",
)  # fmt: skip
BROKEN = ("{{< youtube x >}}", "{{< /ask_chatgpt >}}", "{{< ask_chatgpt >}}unclosed", "{{< loss_curve", "{{< unknown />}}")
"""Mistakes that are errors in any lesson: rare, so that most lessons reach rendering."""
SHORTCODES = (
    '{{< loss_curve losses="mse, mae, huber(delta=1)" x="residual" >}}', '{{< loss_curve losses="focal" family="gamma" >}}',
    '{{< loss_curve losses="nope" >}}', '{{< loss_curve losses="huber(delta=-1)" range="3, -3" >}}',
    '{{< loss_curve losses="mse" x="margin" >}}', '{{< loss_curve losses="" >}}', '{{< loss_curve bogus="1" >}}',
    '{{< training_curve data="line-with-outliers" losses="mse, huber" epochs="50" >}}',
    '{{< training_curve data="two-blobs" epochs="1e9" lr="nan" >}}', '{{< training_curve data="nope" >}}',
    '{{< loss_curve losses="mse" range="1e308, 1e309" >}}', '{{< loss_curve losses="huber" family="delta" values="0, -1" >}}',
    '{{< loss_curve losses="mse" />}}',
)  # fmt: skip
NUMBERS = ("{n}.", "{n})", "{n}、", "({n})", "Q{n}.", "问题{n}：", "**{n}.**", "{n}．")
MARKERS = ("答案：", "答：", "Answer:", "Ans:", "A:", "解答：", "**答案：**", "- 答案：")


def _inline(choices: Choices) -> str:
    roll = choices.number(0, 9)
    if choices.number(1, 400) == 1:
        return choices.pick(BROKEN)
    if roll < 2:
        latex = choices.pick(FORMULAS)
        return f"${latex}$" if maybe(choices, 70) else f"\n\n$$\n{latex}\n$$\n\n"
    if roll == 2:
        return choices.pick(LOSS_WORDS)
    return choices.pick(INLINES)


def _paragraph(choices: Choices) -> str:
    return " ".join(_inline(choices) for _ in range(choices.number(1, 5)))


def _block(choices: Choices) -> str:
    roll = choices.number(0, 15)
    if roll == 0:
        depth = choices.pick((2, 3, 5, 9, 10, 11, 20, 40)) if maybe(choices, 90) else choices.pick((99, 100, 101, 150))
        return "\n".join("  " * level + "- item" for level in range(depth))
    if roll == 1:
        depth = choices.pick((2, 3, 10, 19, 20, 21, 60)) if maybe(choices, 90) else choices.pick((199, 200, 201, 600))
        return ">" * depth + " quoted " + _paragraph(choices)
    if roll == 2:
        fence = choices.pick(("```", "~~~", "````"))
        language = choices.pick(("", "python", "scss", "nope", "<script>", "js {.x}"))
        closing = fence if maybe(choices, 85) else ""
        return f"{fence}{language}\n{_paragraph(choices)}\n1. not a question\n答案：no\n{closing}"
    if roll == 3:
        return choices.pick(SHORTCODES) if maybe(choices, 30) else choices.pick(LOSS_WORDS)
    if roll == 4:
        return "| a | b |\n|---|---|\n| " + _inline(choices) + " | " + _inline(choices) + " |"
    if roll == 5:
        return choices.pick(("# h1", "### h3", "###### h6", "####### seven", "Setext\n===", "---", "***"))
    if roll == 6:
        return choices.pick(("2024. 年", "3.5 分", "1999. was a year", "10000. big", "0. zero", "-1. minus"))
    if roll == 7:
        return "<div>\n" + _paragraph(choices) + "\n</div>" if maybe(choices, 50) else "<details><summary>x</summary>"
    if roll == 8:
        return "\n".join(f"{choices.pick(NUMBERS).format(n=n)} {_paragraph(choices)}" for n in range(1, choices.number(2, 4)))
    return _paragraph(choices)


def _questions(choices: Choices) -> str:
    first = choices.pick((1, 1, 1, 998, 999, 1000, 9999, 0))
    count = choices.pick((1, 2, 3, 5, 5, 12))
    layout = choices.number(0, 3)
    number = choices.pick(NUMBERS)
    marker = choices.pick(MARKERS)
    lines = []
    for n in range(first, first + count):
        question = f"{number.format(n=n)} {_paragraph(choices)}？"
        if layout == 0:
            lines += [question, f"{marker}{_paragraph(choices)}"]
        elif layout == 1:
            lines += [f"{question} {marker}{_paragraph(choices)}"]
        elif layout == 2:
            lines += [question, f"   {marker}{_paragraph(choices)}", "", f"   {_block(choices)}"]
        else:
            lines += [question]
    if layout == 3:
        lines += ["", choices.pick(("答案：", "Answers:", "## 答案")), ""]
        lines += [f"{number.format(n=n)} {_paragraph(choices)}" for n in range(first, first + count)]
    return "\n".join(lines)


def body(choices: Choices) -> str:
    sections = []
    if maybe(choices, 20):
        sections.append(_paragraph(choices))
    for _ in range(choices.number(0, 6)):
        heading = choices.pick(HEADINGS)
        parts = [f"## {heading}"]
        if maybe(choices, 70):
            parts.append("{{< ask_chatgpt >}}\n" + choices.pick(PROMPTS) + "\n{{< /ask_chatgpt >}}")
        for _ in range(choices.number(0, 4)):
            parts.append(_questions(choices) if maybe(choices, 35) else _block(choices))
        sections.append("\n\n".join(parts))
    if maybe(choices, 1):
        sections.append("\n".join(f"## {choices.pick(HEADINGS[:4])}" for _ in range(300)))
    text = "\n\n".join(sections) + "\n"
    if maybe(choices, 5):
        text = mutate(choices, text)
    if maybe(choices, 5):
        text = text.replace("\n", choices.pick(("\r\n", "\r")))
    return text


def lesson(choices: Choices) -> str:
    return front_matter(choices) + body(choices)

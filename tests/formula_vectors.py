"""Hostile formulas: the vectors that ran script in Chromium, and a generated set — every
command latex2mathml knows, with a payload in each argument, and the commands that carry
text nested in every position of the structures around them."""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

from generator.content.mathml import MATHML_ATTRIBUTES, MATHML_ELEMENTS, TOKEN_ELEMENTS, latex_to_mathml

REPORTED = (
    r"\text{<script>alert(1)</script>}",
    r"\text{<img/src/onerror=alert(1)>}",
    r"\mbox{<img/src/onerror=alert(1)>}",
    r"\textrm{<script>alert(1)</script>}",
    r"\href{javascript:alert(1)}{x}",
)

PAYLOADS = (
    "<img/src/onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    "</mtext></math><img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "&#60;img src=x onerror=alert(1)&#62;",
)
ARGUMENT_PAYLOADS = ("<img/src/onerror=alert(1)>", '"><svg/onload=alert(1)>', "javascript:alert(1)")
"""For every command: a tag, a quote that would end an attribute, a javascript: URL."""

NESTINGS = (
    "{}",
    r"\frac{{{}}}{{x}}",
    r"\frac{{x}}{{{}}}",
    r"\sqrt{{{}}}",
    r"\sqrt[{}]{{x}}",
    "x^{{{}}}",
    "x_{{{}}}",
    r"\sum_{{{}}}^{{n}} x",
    r"\overset{{{}}}{{x}}",
    r"\underbrace{{{}}}_{{x}}",
    r"\left( {} \right)",
    r"\begin{{matrix}} {} & x \\ y & z \end{{matrix}}",
    r"\begin{{cases}} x & {} \end{{cases}}",
    r"\boxed{{{}}}",
    r"\color{{red}}{{{}}}",
    r"\frac{{\sqrt{{x^{{{}}}}}}}{{y}}",
)
"""Places a formula may hold another: ``{}`` is where the inner formula goes."""


@lru_cache(maxsize=1)
def commands() -> tuple[str, ...]:
    from latex2mathml import commands as known

    return tuple(sorted({value for value in vars(known).values() if isinstance(value, str) and value.startswith("\\") and len(value) > 1}))


def with_payload(command: str, payload: str) -> list[str]:
    """*command* with *payload* in each of its first three argument positions."""
    formulas = []
    for arity in (1, 2, 3):
        for position in range(arity):
            arguments = ["x"] * arity
            arguments[position] = payload
            formulas.append(command + "".join("{" + argument + "}" for argument in arguments))
    formulas.append(f"{command}|{payload}|")  # \verb|…| takes its delimiters from the text
    return formulas


def every_command() -> list[str]:
    return [formula for command in commands() for payload in ARGUMENT_PAYLOADS for formula in with_payload(command, payload)]


@lru_cache(maxsize=1)
def text_carriers() -> tuple[str, ...]:
    """The commands whose argument reaches the MathML as text (\\text, \\mbox, \\verb, …),
    found by converting each one, not listed by hand."""
    marker = "Zq9carried"
    found = []
    for command in commands():
        if any(marker in body_text(latex_to_mathml(formula, False)) for formula in with_payload(command, marker)):
            found.append(command)
    return tuple(found)


def nested(payloads: tuple[str, ...] = PAYLOADS) -> list[str]:
    """Every text-carrying command with each payload, in every nesting position."""
    return [
        nesting.format(formula)
        for command in text_carriers()
        for payload in payloads
        for formula in with_payload(command, payload)[:1]
        for nesting in NESTINGS
    ]


def body_text(markup: str) -> str:
    """The markup without the alttext attribute (which holds the source, escaped)."""
    return re.sub(r'\salttext="[^"]*"', "", markup)


class MarkupCheck(HTMLParser):
    """Every tag and attribute of a formula's markup, as a parser reads it. A tag inside a
    token element (``<mtext>``, ``<mo>``, …) is a problem too: a browser reads it as HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.handle_startendtag(tag, attrs)
        self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag not in MATHML_ELEMENTS | {"code"}:
            self.problems.append(f"element <{tag}>")
        if self.open and self.open[-1] in TOKEN_ELEMENTS:
            self.problems.append(f"element <{tag}> inside <{self.open[-1]}>")
        for name, _ in attrs:
            if name not in MATHML_ATTRIBUTES | {"alttext", "xmlns", "class"} or (name == "class" and tag != "code"):
                self.problems.append(f"attribute {name} on <{tag}>")

    def handle_endtag(self, tag):
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_data(self, data):
        self.text.append(data)


def problems_in(markup: str) -> list[str]:
    check = MarkupCheck()
    check.feed(markup)
    check.close()
    return check.problems


def text_of(markup: str) -> str:
    check = MarkupCheck()
    check.feed(markup)
    check.close()
    return "".join(check.text)

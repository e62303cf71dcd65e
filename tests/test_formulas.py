"""Formulas are safe by construction: whatever the LaTeX says, the MathML in the page holds
only MathML elements and presentation attributes, and the author's text stays text."""

import html

import pytest

from formula_vectors import REPORTED, body_text, every_command, nested, problems_in, text_carriers, text_of
from generator.content.mathml import latex_to_mathml


@pytest.mark.parametrize("latex", REPORTED)
def test_reported_vectors_become_plain_mathml(latex):
    for display in (False, True):
        markup = latex_to_mathml(latex, display)
        assert markup.startswith("<math ")
        assert problems_in(markup) == []
        body = body_text(markup)
        assert "<script" not in body and "<img" not in body and "href" not in body


def test_text_the_author_typed_is_shown_as_text():
    markup = latex_to_mathml(r"\text{<script>alert(1)</script>&<b>}", False)
    assert "<mtext>&lt;script&gt;alert(1)&lt;/script&gt;&amp;&lt;b&gt;</mtext>" in markup
    assert text_of(markup) == "<script>alert(1)</script>&<b>"


def test_links_styles_classes_and_odd_values_are_dropped_but_the_formula_stays():
    markup = latex_to_mathml(
        r"\href{javascript:alert(1)}{x} + \style{color:red}{y} + \class{skip-link}{z}"
        r' + \color{red" onmouseover="alert(1)}{w} + \textcolor{blue}{v}',
        False,
    )
    assert problems_in(markup) == []
    assert all(f"<mi>{letter}</mi>" in markup for letter in "xyzwv")
    body = body_text(markup)
    assert "href" not in body and "style=" not in body and "class" not in body and "onmouseover" not in body
    assert 'mathcolor="blue"' in body  # a plain colour is kept


def test_every_command_with_a_payload_in_every_argument():
    formulas = every_command()
    assert len(formulas) > 5000
    for latex in formulas:
        markup = latex_to_mathml(latex, False)
        assert problems_in(markup) == [], latex


def test_text_commands_nested_in_every_position():
    carriers = text_carriers()
    for command in (r"\text", r"\mbox", r"\textrm", r"\verb", r"\tag", r"\textbf"):
        assert command in carriers
    formulas = nested()
    assert len(formulas) > 2000
    for latex in formulas:
        assert problems_in(latex_to_mathml(latex, False)) == [], latex


@pytest.mark.parametrize(
    "latex",
    [
        r"\frac{1}{n}\sum_{i=1}^{n}(y_i - \hat{y}_i)^2",
        r"L_\delta = \begin{cases} \frac{1}{2}a^2 & |a| \le \delta \\ \delta(|a| - \frac{1}{2}\delta) & \text{otherwise} \end{cases}",
        r"\mathrm{BCE} = -\left[y \log \hat{p} + (1-y)\log(1-\hat{p})\right]",
        r"\sqrt[3]{x} \overset{!}{=} \boxed{\color{red} \mathbf{w}^\top x}",
    ],
)
def test_formulas_without_hostile_text_are_latex2mathml_output_as_it_was(latex):
    from latex2mathml.converter import convert

    for display in ("inline", "block"):
        ours = latex_to_mathml(latex, display == "block")
        theirs = convert(latex, display=display)
        assert ours == theirs.replace("<math ", '<math alttext="' + html.escape(latex) + '" ', 1)


def test_a_formula_the_converter_cannot_read_is_shown_as_its_source():
    assert latex_to_mathml(r"\left( <b>", False) == '<code class="math-error">\\left( &lt;b&gt;</code>'

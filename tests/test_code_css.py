"""static/assets/code.css is what tests/make_code_css.py writes from Pygments' two styles,
so the dark code colours for the theme the reader picks and for a dark system without
JavaScript cannot drift apart."""

import re

from make_code_css import CODE_CSS, code_css


def test_code_css_is_written_from_the_two_pygments_styles():
    assert CODE_CSS.read_text(encoding="utf-8") == code_css(), "run: .venv/bin/python tests/make_code_css.py"


def test_the_dark_theme_and_a_dark_system_get_the_same_code_colours():
    css = CODE_CSS.read_text(encoding="utf-8")
    picked = re.findall(r"^  \[data-theme=dark\] (\.highlight .+)$", css, re.MULTILINE)
    system = re.findall(r"^  :root:not\(\[data-theme=light\]\) (\.highlight .+)$", css, re.MULTILINE)
    assert len(picked) > 70
    assert system == picked
    assert "  [data-theme=dark] .highlight .c { color: #8B949E; font-style: italic } /* Comment */" in css

"""Formulas: LaTeX to MathML that is safe to put in a page, whatever the LaTeX says.

latex2mathml builds an element tree and then serialises it unsafely: it un-escapes its own
output so that its character references (``&#x0003C;``) survive, and with them any ``<`` or
``&`` the author typed in ``\\text{…}``, ``\\mbox{…}`` or ``\\verb``. It also copies
``\\href``, ``\\style`` and ``\\class`` arguments into attributes. So the tree is taken
before that step and written out here instead, keeping only the MathML elements and
attributes listed below, attribute values of a plain shape, and text escaped, so that no
formula can open a tag, leave the ``<math>`` element or carry a link or a handler.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from xml.etree.ElementTree import Element

MATHML_ELEMENTS = frozenset(
    {
        "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
        "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none", "mfrac",
        "msqrt", "mroot", "mstyle", "mpadded", "mphantom", "menclose", "mtable", "mtr", "mtd",
        "merror",
    }
)  # fmt: skip
"""MathML presentation elements (no ``annotation-xml``, which may hold HTML, and no
``maction``, which responds to events)."""

MATHML_ATTRIBUTES = frozenset(
    {
        "display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "mathcolor",
        "mathbackground", "dir", "accent", "accentunder", "fence", "separator", "form",
        "stretchy", "symmetric", "largeop", "movablelimits", "lspace", "rspace", "minsize",
        "maxsize", "linethickness", "width", "height", "depth", "voffset", "notation",
        "linebreak", "columnalign", "rowalign", "columnlines", "rowlines", "columnspacing",
        "rowspacing", "columnspan", "rowspan", "frame", "framespacing", "equalrows",
        "equalcolumns",
    }
)  # fmt: skip
"""Presentation attributes only: no ``href``, no ``on…`` handler, no ``style``, ``class``
or ``id`` (which would reach the page's scripts and styles)."""

TOKEN_ELEMENTS = frozenset({"mi", "mn", "mo", "ms", "mtext"})
"""Elements that hold text only: a tag inside one is read by an HTML parser as HTML, not
MathML, so whatever latex2mathml nests in them (``\\mathbin{…}`` does) is written as text."""

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"

# Words, numbers, lengths and colours: "bold", "-0.167em", "+.21ex", "#ff0000", "0em 2em".
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9#.+\- %]{0,64}")
# The character references latex2mathml writes into its text (and those an author may
# type): kept as they are, since a reference can only ever be text.
_TEXT_TO_ESCAPE = re.compile(r"&(?!#(?:[xX][0-9A-Fa-f]{1,6}|[0-9]{1,7});)|<|>")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


@lru_cache(maxsize=4096)
def latex_to_mathml(latex: str, display: bool) -> str:
    """Safe MathML for *latex*; on a formula the converter cannot read, the source as code."""
    from latex2mathml.converter import convert_to_element  # ~80 ms to import: only for pages with math

    try:
        return serialize(convert_to_element(latex, display="block" if display else "inline"), alttext=latex)
    except Exception:  # latex2mathml raises many exception types for bad input
        return f'<code class="math-error">{html.escape(latex)}</code>'


def serialize(math: Element, *, alttext: str) -> str:
    """The allowed part of *math* as markup; *alttext* (the source) is read out by screen
    readers and used by search and copy."""
    pieces = [f'<math alttext="{html.escape(alttext)}" xmlns="{MATHML_NAMESPACE}"']
    display = math.get("display")
    if display in ("block", "inline"):
        pieces.append(f' display="{display}"')
    _write_content(math, pieces)
    return "".join(pieces)


def _write_content(element: Element, pieces: list[str]) -> None:
    """Close *element*'s start tag (already written) and write its content and end tag."""
    children = list(element)
    if children and element.tag in TOKEN_ELEMENTS:
        pieces.append(">")
        _write_text("".join(element.itertext()), pieces)
        pieces.append(f"</{element.tag}>")
        return
    if not children and not element.text:
        pieces.append(" />")
        return
    pieces.append(">")
    _write_text(element.text, pieces)
    for child in children:
        _write_element(child, pieces)
    pieces.append(f"</{element.tag}>")


def _write_element(element: Element, pieces: list[str]) -> None:
    tag = element.tag
    if tag in MATHML_ELEMENTS and tag != "math":
        pieces.append(f"<{tag}")
        for name, value in element.attrib.items():
            if name in MATHML_ATTRIBUTES and _PLAIN_VALUE.fullmatch(value):
                pieces.append(f' {name}="{value}"')
        _write_content(element, pieces)
    else:  # not allowed: its content stays, in a plain row
        pieces.append("<mrow")
        _write_content(_as_row(element), pieces)
    _write_text(element.tail, pieces)


def _as_row(element: Element) -> Element:
    row = Element("mrow")
    row.text = element.text
    row.extend(element)
    return row


def _write_text(text: str | None, pieces: list[str]) -> None:
    if text:
        pieces.append(_TEXT_TO_ESCAPE.sub(lambda match: _ESCAPES[match.group(0)[0]], text))

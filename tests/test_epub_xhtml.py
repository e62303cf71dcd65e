"""The book's XHTML allow-list: lesson HTML and SVG images made into what a reading system
accepts, with no script left in them."""

from __future__ import annotations

import pytest
from lxml import etree

from generator.epub.xhtml import Image, SvgError, clean_svg, inline_svg, svg_document, xhtml_fragment

MATHML = "http://www.w3.org/1998/Math/MathML"


def convert(fragment: str, links=None, images=None) -> str:
    return xhtml_fragment(fragment, links or (lambda href: href), images or (lambda src: None))


def well_formed(xhtml: str):
    return etree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{xhtml}</div>')


def test_markdown_output_passes_through_with_void_elements_closed():
    html = '<p>a <strong>b</strong> &amp; <code>x &lt; y</code><br />c</p>\n<hr />\n'
    assert convert(html) == '<p>a <strong>b</strong> &amp; <code>x &lt; y</code><br />c</p>\n<hr />\n'


def test_attributes_outside_the_allow_list_are_dropped():
    html = '<p id="x" onclick="alert(1)" style="color: red" class="note">t</p><img src="a.png" alt="A" loading="lazy" width="9e9" />'
    out = convert(html, images=lambda src: Image(src="../images/img001.png"))
    assert out == '<p class="note">t</p><img src="../images/img001.png" alt="A" />'
    cell = convert('<table><tr><td style="text-align:right" colspan="2">1</td></tr></table>')
    assert cell == '<table><tr><td style="text-align: right" colspan="2">1</td></tr></table>'


def test_active_content_is_dropped_with_what_it_holds():
    html = "<p>keep</p><script>alert(1)</script><iframe src='x'>frame</iframe><form><input/>form</form><svg><script/></svg>"
    assert convert(html) == "<p>keep</p>"


def test_unknown_elements_keep_their_text():
    assert convert("<center>middle</center> <font color=red>red</font>") == "middle red"


def test_links_go_where_the_resolver_says_or_lose_the_link():
    resolve = {"other.md#part": "l0002.xhtml#s3", "https://example.org/": "https://example.org/"}.get
    html = '<a href="other.md#part">in</a> <a href="https://example.org/">out</a> <a href="javascript:x()">bad</a>'
    assert convert(html, links=resolve) == '<a href="l0002.xhtml#s3">in</a> <a href="https://example.org/">out</a> bad'
    # Site links arrive marked with \x02…\x03; the marks never reach the book.
    assert convert('<a href="\x02other.md#part\x03">in</a>', links=resolve) == '<a href="l0002.xhtml#s3">in</a>'


def test_images_become_book_files_links_or_their_alt_text():
    images = {"a.png": Image(src="../images/img001.png"), "https://x.org/b.png": Image(link="https://x.org/b.png")}.get
    html = '<img src="a.png" alt="A" /><img src="https://x.org/b.png" alt="B" /><img src="c.webp" alt="C" />'
    assert convert(html, images=images) == '<img src="../images/img001.png" alt="A" /><a href="https://x.org/b.png">B</a>C'
    inside_link = convert('<a href="x.md"><img src="https://x.org/b.png" alt="B" /></a>', images=images)
    assert inside_link == '<a href="x.md">B</a>'  # a link may not hold another


def test_a_display_formula_inside_a_paragraph_becomes_a_span():
    html = f'<p>so <div class="math display"><math xmlns="{MATHML}" display="block"><mi>x</mi></math></div> here</p>'
    out = convert(html)
    assert out == f'<p>so <span class="math display"><math xmlns="{MATHML}" display="block"><mi>x</mi></math></span> here</p>'


def test_mathml_keeps_its_namespace_and_its_empty_elements_even_in_raw_html():
    # Raw HTML that is not XML is read by an HTML parser, which must not nest <mi> in <mspace/>.
    html = f'<p>raw &nbsp;<math xmlns="{MATHML}" alttext="a\\,b" onclick="x"><mi>a</mi><mspace width="0.167em" /><mi>b</mi></math></p>'
    out = convert(html)
    assert f'<math xmlns="{MATHML}" alttext="a\\,b"><mi>a</mi><mspace width="0.167em" /><mi>b</mi></math>' in out
    math = well_formed(out).find(f".//{{{MATHML}}}math")
    assert [etree.QName(child).localname for child in math] == ["mi", "mspace", "mi"]


def test_malformed_raw_html_comes_out_well_formed():
    out = convert("<div><p>unclosed <em>tags</div><p>next")
    well_formed(out)
    assert out == "<div><p>unclosed <em>tags</em></p></div><p>next</p>"


SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="x()">
<defs><clipPath id="clip"><rect width="1" height="1"/></clipPath><path id="mark" d="M0 0"/></defs>
<g id="axes" clip-path="url(#clip)"><use xlink:href="#mark"/><use xlink:href="https://x.org/a.svg#b"/></g>
<script>x()</script><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">html</p></foreignObject>
<a xlink:href="javascript:x()"><text>label</text></a>
</svg>"""


def test_svg_loses_script_and_foreign_content_and_its_ids_get_a_prefix():
    root = clean_svg(SVG, id_prefix="f2-", title="A chart")
    out = inline_svg(root)
    assert "script" not in out and "onload" not in out and "foreignObject" not in out and "javascript" not in out
    assert 'id="f2-clip"' in out and 'clip-path="url(#f2-clip)"' in out and 'xlink:href="#f2-mark"' in out
    assert "https://x.org" not in out
    assert "<text>label</text>" in out  # the link around it is gone, the label stays
    first = etree.fromstring(out)[0]
    assert (first.tag, first.text) == ("{http://www.w3.org/2000/svg}title", "A chart")
    assert svg_document(root).startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<svg ")


@pytest.mark.parametrize("data", [b"<svg", b"<html/>", b"not xml"])
def test_what_is_not_svg_is_refused(data):
    with pytest.raises(SvgError):
        clean_svg(data)

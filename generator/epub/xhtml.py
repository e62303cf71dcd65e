"""Lesson HTML and plot SVG made into what an EPUB reader accepts: well-formed XHTML with
only the elements and attributes of an allow-list, MathML in its namespace, no script.

The site's rendering already drops raw HTML and sanitises formulas; this pass is what the
book's format demands on top of that. A reading system is stricter than a browser
(``epubcheck`` rejects attributes such as ``loading`` or an ``id`` that is not an XML
name), raw HTML that a site lets through may be malformed, and an EPUB document must not
run script whatever the site allows. So every fragment is parsed and written out again,
element by element, keeping only what is listed here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape, quoteattr

from lxml import etree, html as lxml_html

XHTML_NS = "http://www.w3.org/1999/xhtml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG_NS = "http://www.w3.org/2000/svg"

_COMMON = frozenset({"class", "title", "lang", "dir"})
_CELL = frozenset({"colspan", "rowspan", "style"})
HTML_ELEMENTS: dict[str, frozenset[str]] = {
    **{name: frozenset() for name in (
        "p", "div", "span", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "dl", "dt", "dd",
        "blockquote", "pre", "code", "kbd", "samp", "var", "em", "strong", "b", "i", "u", "s", "del",
        "ins", "sub", "sup", "small", "mark", "abbr", "cite", "q", "dfn", "figure", "figcaption",
        "table", "thead", "tbody", "tfoot", "tr", "caption", "details", "summary", "section", "aside",
    )},
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "th": _CELL,
    "td": _CELL,
    "time": frozenset({"datetime"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
}  # fmt: skip
"""Elements a lesson may show in the book, with their attributes besides :data:`_COMMON`.
An element not listed is replaced by its content, except those of :data:`_DROPPED`."""

_DROPPED = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "head", "title", "meta", "link", "base", "form", "input", "button", "select", "textarea", "option",
    "canvas", "audio", "video", "source", "track", "svg", "map", "area", "dialog",
})  # fmt: skip
"""Elements left out with everything inside them: active content, forms and media."""

_VOID = frozenset({"br", "hr", "img"})

_PHRASING = frozenset({
    "span", "a", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "mark", "abbr",
    "cite", "q", "dfn", "code", "kbd", "samp", "var", "time", "br", "img",
})  # fmt: skip
_PHRASING_ONLY = _PHRASING - {"a", "del", "ins"} | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "dt", "summary"}
"""Elements whose content may only be phrasing (inline) content. A block inside one is
invalid, though browsers let it pass: a ``$$…$$`` formula inside a paragraph renders as a
``div`` there, which becomes a ``span`` in the book."""

MATHML_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "munder",
    "mover", "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "mmultiscripts", "mprescripts",
    "none", "semantics", "annotation",
})  # fmt: skip
MATHML_ATTRIBUTES = frozenset({
    "display", "alttext", "mathvariant", "mathsize", "mathcolor", "mathbackground", "dir",
    "stretchy", "fence", "separator", "accent", "accentunder", "lspace", "rspace", "minsize", "maxsize",
    "largeop", "movablelimits", "symmetric", "form", "width", "height", "depth", "voffset",
    "linethickness", "numalign", "denomalign", "bevelled", "notation", "open", "close", "separators",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame",
    "framespacing", "equalrows", "equalcolumns", "columnspan", "rowspan", "displaystyle",
    "scriptlevel", "encoding",
})  # fmt: skip

_TEXT_ALIGN = re.compile(r"\s*text-align\s*:\s*(left|right|center)\s*;?\s*")
_NUMBER = re.compile(r"\d{1,5}")
_OL_TYPE = frozenset({"1", "a", "A", "i", "I"})
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SELF_CLOSED = re.compile(r"<([A-Za-z][\w:-]*)((?:\s[^<>]*?)?)\s*/>")
_LINK_MARKS = re.compile("[\x02\x03]")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class Image:
    """What a lesson's image becomes in the book: a file of the book, or (outside it) a
    link to the image shown as its alt text."""

    src: str | None = None
    link: str | None = None


LinkResolver = Callable[[str], str | None]
"""A link's target in the book (``other.xhtml#s2``, ``https://…``), or None to keep only its text."""
ImageResolver = Callable[[str], Image | None]
"""An image's place in the book, or None to show its alt text instead."""


def xhtml_fragment(fragment: str, link: LinkResolver, image: ImageResolver) -> str:
    """*fragment* (HTML as the site renders it) as allow-listed, well-formed XHTML."""
    if not fragment.strip():
        return ""
    text = _NOT_XML_CHARS.sub("", _LINK_MARKS.sub("", fragment))
    out: list[str] = []
    _Writer(out, link, image).children(_parse(text))
    return "".join(out)


def _parse(text: str) -> etree._Element:
    """The fragment's elements under one parent. What the site renders from Markdown is
    XML already; raw HTML a site allows may not be, and is read as HTML."""
    try:
        return etree.fromstring(f'<div xmlns="{XHTML_NS}">{text}</div>', _xml_parser())
    except etree.XMLSyntaxError:
        pass
    # The HTML parser would read <mspace/> as an opening tag and nest what follows inside it.
    expanded = _SELF_CLOSED.sub(lambda m: m.group(0) if m.group(1).lower() in _VOID else f"<{m.group(1)}{m.group(2)}></{m.group(1)}>", text)
    return lxml_html.fragment_fromstring(expanded, create_parent="div")


def _xml_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _local(element: etree._Element) -> str | None:
    if not isinstance(element.tag, str):
        return None  # a comment or processing instruction
    return etree.QName(element).localname.lower()


def _attribute_name(name: str) -> str:
    return etree.QName(name).localname.lower() if name.startswith("{") else name.lower()


@dataclass(frozen=True)
class _Context:
    math: bool = False
    phrasing: bool = False
    """Inside an element that holds phrasing (inline) content only."""
    link: bool = False
    """Inside a link (which may not hold another)."""


class _Writer:
    def __init__(self, out: list[str], link: LinkResolver, image: ImageResolver):
        self.out = out
        self.link = link
        self.image = image

    def children(self, element: etree._Element, context: _Context = _Context()) -> None:
        if element.text:
            self.text(element.text)
        for child in element:
            self.element(child, context)
            if child.tail:
                self.text(child.tail)

    def text(self, text: str) -> None:
        self.out.append(escape(_NOT_XML_CHARS.sub("", text)))

    def element(self, element: etree._Element, context: _Context) -> None:
        name = _local(element)
        if name is None or name in _DROPPED and not context.math:
            return
        if context.math or name == "math":
            self.mathml(element, name)
        elif name == "a" and not context.link:
            self.anchor(element, context)
        elif name == "img":
            self.img(element, context)
        elif context.phrasing and name == "div":
            self.open("span", self.html_attributes(element, name))
            self.children(element, context)
            self.out.append("</span>")
        elif name in HTML_ELEMENTS and name != "a" and (name in _PHRASING or not context.phrasing):
            self.open(name, self.html_attributes(element, name))
            if name not in _VOID:
                inner = replace(context, phrasing=True) if name in _PHRASING_ONLY else context
                self.children(element, inner)
                self.out.append(f"</{name}>")
        else:
            self.children(element, context)

    def open(self, name: str, attributes: dict[str, str], *, empty: bool = False) -> None:
        written = "".join(f" {key}={quoteattr(_NOT_XML_CHARS.sub('', value))}" for key, value in attributes.items())
        self.out.append(f"<{name}{written}{' />' if empty or name in _VOID else '>'}")

    def html_attributes(self, element: etree._Element, name: str) -> dict[str, str]:
        allowed = HTML_ELEMENTS.get(name, frozenset())
        kept: dict[str, str] = {}
        for raw_name, value in element.attrib.items():
            key = _attribute_name(raw_name)
            if key in _COMMON or key in allowed:
                clean = _attribute_value(key, value)
                if clean is not None:
                    kept[key] = clean
        if "lang" in kept:
            kept["xml:lang"] = kept["lang"]
        return kept

    def anchor(self, element: etree._Element, context: _Context) -> None:
        href = element.get("href")
        target = self.link(href.strip()) if href else None
        if target is None:
            self.children(element, context)
            return
        attributes = self.html_attributes(element, "a")
        attributes["href"] = target
        self.open("a", attributes)
        self.children(element, replace(context, link=True))
        self.out.append("</a>")

    def img(self, element: etree._Element, context: _Context) -> None:
        src = (element.get("src") or "").strip()
        alt = element.get("alt") or ""
        placed = self.image(src) if src else None
        if placed is not None and placed.src is not None:
            attributes = self.html_attributes(element, "img")
            attributes.update(src=placed.src, alt=alt)
            self.open("img", attributes)
        elif placed is not None and placed.link is not None and not context.link:
            self.open("a", {"href": placed.link})
            self.text(alt or placed.link)
            self.out.append("</a>")
        else:
            self.text(alt)

    def mathml(self, element: etree._Element, name: str) -> None:
        if name not in MATHML_ELEMENTS:
            return
        attributes = {}
        for raw_name, value in element.attrib.items():
            key = _attribute_name(raw_name)
            if key in MATHML_ATTRIBUTES or key == "class":
                attributes[key] = value
        if name == "math":
            attributes = {"xmlns": MATHML_NS, **attributes}
        if name == "annotation":
            self.open(name, attributes)
            self.text(element.xpath("string()"))
            self.out.append(f"</{name}>")
            return
        if len(element) == 0 and not element.text:
            self.open(name, attributes, empty=True)
            return
        self.open(name, attributes)
        self.children(element, _Context(math=True))
        self.out.append(f"</{name}>")


def _attribute_value(key: str, value: str) -> str | None:
    value = value.strip()
    if key in ("start", "value", "colspan", "rowspan", "width", "height"):
        return value if _NUMBER.fullmatch(value) else None
    if key == "reversed":
        return "reversed"
    if key == "type":
        return value if value in _OL_TYPE else None
    if key == "style":
        match = _TEXT_ALIGN.fullmatch(value)
        return f"text-align: {match.group(1)}" if match else None
    if key == "lang":
        return value if _LANGUAGE.fullmatch(value) else None
    if key == "dir":
        return value if value in ("ltr", "rtl", "auto") else None
    return value


# --- SVG --------------------------------------------------------------------------------

_SVG_DROPPED = frozenset({"script", "foreignobject", "metadata", "iframe", "audio", "video", "handler", "listener"})
_URL_REFERENCE = re.compile(r"url\(\s*#([^)\s]+)\s*\)")


class SvgError(ValueError):
    """The bytes are not an SVG image."""


def clean_svg(data: bytes, *, id_prefix: str = "", title: str | None = None) -> etree._Element:
    """An SVG image without script, event handlers, foreign content or references out of
    itself; with *id_prefix* before every id (and every reference to one), so that several
    images can share one document; with *title* as its accessible name."""
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as error:
        raise SvgError(f"not well-formed XML: {error}") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise SvgError("not an SVG image")
    for element in list(root.iter()):
        if element is root:
            continue
        if not isinstance(element.tag, str) or _svg_dropped(element):
            _remove(element)
        elif _local(element) == "a":
            _unwrap(element)  # a link out of an image leads nowhere in a book
    for element in root.iter():
        for name in list(element.attrib):
            key = _attribute_name(name)
            value = element.attrib[name]
            if key.startswith("on") or (key == "href" and not value.startswith("#")):
                del element.attrib[name]
            elif key == "id":
                element.attrib[name] = id_prefix + value
            elif key == "href":
                element.attrib[name] = "#" + id_prefix + value[1:]
            elif "url(" in value:
                element.attrib[name] = _URL_REFERENCE.sub(lambda m: f"url(#{id_prefix}{m.group(1)})", value)
        if _local(element) == "style" and element.text:
            element.text = _URL_REFERENCE.sub(lambda m: f"url(#{id_prefix}{m.group(1)})", element.text)
    if title is not None:
        for old in root.findall(f"{{{SVG_NS}}}title"):
            root.remove(old)
        heading = etree.Element(f"{{{SVG_NS}}}title")
        heading.text = title
        root.insert(0, heading)
    return root


def _svg_dropped(element: etree._Element) -> bool:
    namespace = etree.QName(element).namespace
    return namespace != SVG_NS or etree.QName(element).localname.lower() in _SVG_DROPPED


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _unwrap(element: etree._Element) -> None:
    """Put *element*'s content in its place."""
    parent = element.getparent()
    if parent is None:
        return
    position = parent.index(element)
    text = element.text or ""
    if text:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    children = list(element)
    for offset, child in enumerate(children):
        parent.insert(position + offset, child)
    tail = element.tail or ""
    if tail:
        last = children[-1] if children else element.getprevious()
        if last is not None:
            last.tail = (last.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def inline_svg(root: etree._Element) -> str:
    """A cleaned SVG image to put inside an XHTML document."""
    return etree.tostring(root, encoding="unicode")


def svg_document(root: etree._Element) -> bytes:
    """A cleaned SVG image as a file of its own."""
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)

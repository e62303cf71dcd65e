"""The Content-Security-Policy of each page.

Lessons are untrusted input, so every page says what it may load: its own scripts, styles,
images and fonts, nothing inline, no plugins, no ``<base>``. A page widens the policy only
for what its own content needs — the remote images a lesson shows, and inline styles on
a page with a Mermaid diagram (Mermaid writes a ``<style>`` into each diagram it draws)
— and never for scripts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from generator.content.code import DIAGRAM_OPENING

BASE_POLICY: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("default-src", ("'none'",)),
    ("script-src", ("'self'",)),
    ("style-src", ("'self'",)),
    ("img-src", ("'self'",)),
    ("font-src", ("'self'",)),
    ("connect-src", ("'self'",)),  # the dev server's live reload asks it for changes
    ("object-src", ("'none'",)),
    ("base-uri", ("'none'",)),
    ("form-action", ("'self'",)),
)

_IMAGE_SOURCE = re.compile(r'<img\b[^>]*?\ssrc="([^"]*)"')
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")


def content_security_policy(extra: Mapping[str, Iterable[str]] | None = None) -> str:
    """The base policy, with *extra* sources added to their directives."""
    extra = extra or {}
    directives = []
    for name, sources in BASE_POLICY:
        added = sorted(set(extra.get(name, ())) - set(sources))
        directives.append(" ".join((name, *sources, *added)))
    return "; ".join(directives)


def image_sources(fragments: Iterable[str]) -> set[str]:
    """The ``img-src`` sources the ``<img>`` elements of HTML *fragments* need beyond the
    site itself: an origin for each remote image, ``data:`` for inline ones. A source that
    is not a plain scheme, host and port is left out (its image stays blocked), so that no
    address can add a directive of its own to the policy."""
    sources: set[str] = set()
    for fragment in fragments:
        if "<img" not in fragment:
            continue
        for match in _IMAGE_SOURCE.finditer(fragment):
            source = _source_of(html.unescape(match.group(1)))
            if source:
                sources.add(source)
    return sources


DIAGRAM_ASSETS = "assets/vendor/mermaid/"
"""Where Mermaid is published (``templates/base.html`` loads it from there on a page with a
diagram): 5.5 MB that a site publishes only when one of its pages has a diagram."""


def has_diagrams(fragments: Iterable[str]) -> bool:
    """Whether HTML *fragments* hold a Mermaid diagram: the page then loads Mermaid and
    lets it style what it draws (``style-src 'unsafe-inline'``)."""
    return any(DIAGRAM_OPENING in fragment for fragment in fragments)


def content_policy(fragments: Iterable[str]) -> str:
    """The policy of a page that shows HTML *fragments*: the base one, plus the remote
    images they show and, where they hold a diagram, inline styles."""
    fragments = list(fragments)
    extra: dict[str, set[str]] = {"img-src": image_sources(fragments)}
    if has_diagrams(fragments):
        extra["style-src"] = {"'unsafe-inline'"}
    return content_security_policy(extra)


def _source_of(url: str) -> str | None:
    if url.startswith("data:image/"):
        return "data:"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or not _HOST.fullmatch(parts.hostname):
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port is not None else "")

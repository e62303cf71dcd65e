"""The Content-Security-Policy of each page.

Lessons are untrusted input, so every page says what it may load: its own scripts, styles,
images and fonts, nothing inline, no plugins, no ``<base>``. A page widens the policy only
for what its own content needs — the remote images a lesson shows; a page that needs
inline styles for a vendored library would add ``style-src 'unsafe-inline'`` the same way
— and never for scripts.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

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

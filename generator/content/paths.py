"""URL path segments made from file and folder names, as Hugo makes them."""

from __future__ import annotations

import unicodedata

_KEPT_PUNCTUATION = frozenset("._+~-@")


def slugify(text: str, *, lower: bool = True) -> str:
    """Hugo's path sanitizing (``PathSpec.MakePath``): letters, digits and ``._+~-@`` are
    kept, runs of spaces become one hyphen, other punctuation is dropped, and the result
    is lower-cased (unless *lower* is false: Hugo's ``disablePathToLower``). CJK names stay readable: ``機器學習 (ML)`` becomes ``機器學習-ml``.

    Unlike Hugo, ``#`` and ``\\`` are dropped too: in a URL path they would break links.
    """
    kept: list[str] = []
    pending_hyphen = False
    for char in text:
        category = unicodedata.category(char)
        if char in _KEPT_PUNCTUATION or category[0] in "LM" or category == "Nd":
            if pending_hyphen:
                kept.append("-")
                pending_hyphen = False
            kept.append(char)
        elif kept and (char == "-" or char.isspace()):
            pending_hyphen = True
    joined = "".join(kept)
    return joined.lower() if lower else joined

"""The data the build hands ``static/assets/site.js``: one schema, read on both sides.

Two kinds of JSON reach the page's script, and each is an object with named fields (not a
positional array), so that adding a field cannot shift the meaning of another:

* **Search entry** — one per lesson section, in the ``search/*.js`` shards
  (:mod:`generator.render.search`):

  ``u``  the page's URL below the language's root (``index.titles[u]`` is its title);
  ``a``  the section's anchor, ``""`` for the part above the first heading;
  ``h``  the section's heading as the page shows it, ``""`` if it has none;
  ``t``  the section's prose and prompts as the page shows them (a formula as its MathML's
         text, never its LaTeX), without its questions;
  ``q``  its questions, each a **search question**: ``t`` the question's text, ``s`` its
         answer (the solution: searched, never shown; ``""`` for none).

  One-letter names because every entry repeats them: on the benchmark's 1,000-lesson site
  (4,000 entries) they cost 1.5 % raw and 0.35 % gzipped over positional arrays
  (4,363,049 → 4,427,049 bytes; 571,125 → 573,137 gzipped), where the words ``url``,
  ``anchor``, ``heading``, ``text`` would cost 2.9 % and 0.63 %.

  ``search/index.js`` calls ``studysiteSearch.init({"shards": [file, …], "titles": {u:
  title}, "fold": {…}})``; each shard calls ``studysiteSearch.add({"entries": [entry, …],
  "fold": {…}})``. ``fold`` maps a character to the one search compares it as: Traditional
  Chinese to Simplified (OpenCC), one character for one, so that either script finds the
  other; each file carries the Chinese characters of its own text and the Traditional
  forms of its Simplified ones (what a reader of the other script types).

* **Slider variant** — one per precomputed curve, in a slider's ``data-plot-variants``
  attribute (:func:`generator.render.views.figure_view`):

  ``value``  the parameter's value as the label shows it (``0.5``, ``2``);
  ``src``    the SVG's address, relative to the page.

site.js reads exactly these names (``entry.u`` … ``question.s`` … ``variant.src``);
tests/test_script_data.py checks the built site's JSON against :data:`SEARCH_ENTRY`,
:data:`SEARCH_QUESTION` and :data:`SLIDER_VARIANT`.
"""

from __future__ import annotations

from typing import Any

SEARCH_ENTRY = ("u", "a", "h", "t", "q")
SEARCH_QUESTION = ("t", "s")
SLIDER_VARIANT = ("value", "src")


def search_entry(url: str, anchor: str, heading: str, text: str, questions: list[dict[str, str]]) -> dict[str, Any]:
    return dict(zip(SEARCH_ENTRY, (url, anchor, heading, text, questions), strict=True))


def search_question(text: str, answer: str) -> dict[str, str]:
    return dict(zip(SEARCH_QUESTION, (text, answer), strict=True))


def slider_variant(value: str, src: str) -> dict[str, str]:
    return dict(zip(SLIDER_VARIANT, (value, src), strict=True))

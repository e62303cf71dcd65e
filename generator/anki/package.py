"""The Anki package (.apkg): studysite's note type, the decks, the notes with their
modification times, and the media files, in the collection format every Anki imports."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import genanki

from generator.anki.notes import AnkiExport
from generator.atomic import write_atomic
from generator.build import draw_plots
from generator.cache import CACHE_DIR, fingerprint
from generator.integrity import seal, unseal

NOTE_TYPE_NAME = "studysite"
NOTE_TYPE_ID = 1_478_209_613
"""Fixed for ever: Anki recognises the note type of a later export by this id."""
FIELDS = ("Question", "Answer", "Lesson", "Source")

_MONOSPACE = 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "Noto Sans Mono CJK TC", monospace'
_NIGHT = (".nightMode", ".night_mode")
"""The classes Anki's night mode sets: desktop and AnkiMobile, and older AnkiDroid."""


def _night(rule: str) -> str:
    """*rule*'s selector prefixed with each night-mode class."""
    selectors, _, body = rule.partition("{")
    scoped = ", ".join(f"{night} {selector.strip()}" for night in _NIGHT for selector in selectors.split(","))
    return f"{scoped} {{{body}"


def _code_colours() -> str:
    """Pygments token colours in the site's two styles (static/assets/code.css): "vs" by
    day, "github-dark" at night."""
    from pygments.formatters.html import HtmlFormatter

    def token_rules(style: str, scopes: list[str]) -> list[str]:
        rules = HtmlFormatter(style=style).get_style_defs(scopes).splitlines()
        return [rule for rule in rules if rule.startswith(".") and " .highlight ." in rule]

    return "\n".join(token_rules("vs", [".card .highlight"]) + token_rules("github-dark", [f"{n} .highlight" for n in _NIGHT]))


CARD_CSS = "\n".join(
    [
        ".card { font-family: system-ui, -apple-system, \"Segoe UI\", \"Noto Sans CJK TC\", \"PingFang TC\", "
        "\"Microsoft JhengHei\", sans-serif; font-size: 20px; line-height: 1.6; text-align: left; "
        "color: #1f2328; background-color: #ffffff; max-width: 46em; margin: 0 auto; padding: 0 0.5em; }",
        _night(".card { color: #e6edf3; background-color: #0d1117; color-scheme: dark; }"),
        ".card.nightMode { color: #e6edf3; background-color: #0d1117; color-scheme: dark; }",
        ".lesson, .source, figcaption { font-size: 0.75em; color: #59636e; }",
        _night(".lesson, .source, figcaption { color: #9198a1; }"),
        ".lesson { margin-bottom: 0.5em; }",
        ".source { margin-top: 1.5em; overflow-wrap: anywhere; }",
        f"pre, code, kbd {{ font-family: {_MONOSPACE}; }}",
        "pre { text-align: left; white-space: pre; overflow-x: auto; -webkit-overflow-scrolling: touch; "
        "font-size: 0.8em; line-height: 1.45; padding: 0.75em 1em; border-radius: 6px; background: #f6f8fa; }",
        _night("pre { background: #161b22; }"),
        ":not(pre) > code { font-size: 0.9em; padding: 0.1em 0.3em; border-radius: 4px; background: rgba(175, 184, 193, 0.2); }",
        _night(":not(pre) > code { background: rgba(110, 118, 129, 0.4); }"),
        "table { border-collapse: collapse; display: block; overflow-x: auto; }",
        "th, td { border: 1px solid #d1d9e0; padding: 0.25em 0.6em; }",
        _night("th, td { border-color: #3d444d; }"),
        "img { max-width: 100%; height: auto; }",
        "figure.plot { margin: 1em 0; }",
        "figure.plot img { background: #ffffff; border-radius: 6px; }",
        # The plots are drawn dark on white; at night the white would glare.
        _night("figure.plot img { filter: invert(0.9) hue-rotate(180deg); }"),
        "a { color: #0969da; }",
        _night("a { color: #4493f8; }"),
        _code_colours(),
    ]
)

QUESTION_TEMPLATE = '<div class="lesson">{{Lesson}}</div>\n<div class="question">{{Question}}</div>'
ANSWER_TEMPLATE = (
    '{{FrontSide}}\n<hr id="answer">\n<div class="answer">{{Answer}}</div>\n'
    '{{#Source}}<div class="source">{{Source}}</div>{{/Source}}'
)


class _NoteType(genanki.Model):
    """Dated by its own modification time, not the export's: Anki replaces a note type
    (and a user's changes to it) only from a newer one."""

    def __init__(self, modified: int):
        super().__init__(
            NOTE_TYPE_ID,
            NOTE_TYPE_NAME,
            fields=[{"name": name} for name in FIELDS],
            templates=[{"name": "Card 1", "qfmt": QUESTION_TEMPLATE, "afmt": ANSWER_TEMPLATE}],
            css=CARD_CSS,
        )
        self.modified = modified

    def to_json(self, timestamp: float, deck_id):
        return super().to_json(self.modified, deck_id)


class _Note(genanki.Note):
    """Dated by its own modification time (see :class:`ModificationTimes`)."""

    def __init__(self, modified: int, **kwargs):
        super().__init__(**kwargs)
        self.modified = modified

    def write_to_db(self, cursor, timestamp: float, deck_id, id_gen):
        super().write_to_db(cursor, self.modified, deck_id, id_gen)


class ModificationTimes:
    """When each note last changed, as far as exports from this site folder have seen.

    A note keeps its time while its fields and tags stay the same, and gets the current
    time (or one second past its old one, if that is later) when they change: so Anki,
    which takes a note from an import only when it is newer, updates exactly the notes
    that changed, and keeps a student's own edits to the others.
    """

    PURPOSE = "anki-modification-times"

    def __init__(self, site_root: Path, now: int):
        self.path = site_root / CACHE_DIR / "anki-notes.json"
        self.now = now
        self.known = self._load()
        self.seen: dict[str, tuple[str, int]] = {}

    def _load(self) -> dict[str, tuple[str, int]]:
        try:
            data = unseal(self.path.read_bytes(), self.PURPOSE)
            entries = json.loads(data) if data is not None else {}
            return {key: (str(digest), int(modified)) for key, (digest, modified) in entries.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def stamp(self, key: str, *content: object) -> int:
        digest = fingerprint(*content)
        previous = self.known.get(key)
        if previous is not None and previous[0] == digest:
            modified = previous[1]
        else:
            modified = max(self.now, previous[1] + 1) if previous is not None else self.now
        self.seen[key] = (digest, modified)
        return modified

    def save(self) -> None:
        """Keep the times (of notes not exported this time too: a draft may come back)."""
        entries = {**self.known, **self.seen}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, seal(json.dumps(entries, sort_keys=True).encode("utf-8"), self.PURPOSE))
        except OSError:
            pass  # later exports then date every note anew: more updates, never fewer


def _deck_id(name: str) -> int:
    # Decks are matched by name on import; the id only has to be stable and in range.
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest()
    return (1 << 30) + int.from_bytes(digest, "big") % (1 << 30)


def package_bytes(export: AnkiExport, site_root: Path, now: int | None = None) -> tuple[bytes, ModificationTimes]:
    """The .apkg file's bytes, and the modification times to save once it is written."""
    now = int(time.time()) if now is None else now
    times = ModificationTimes(site_root, now)
    note_type = _NoteType(times.stamp("note type", FIELDS, QUESTION_TEMPLATE, ANSWER_TEMPLATE, CARD_CSS))
    decks: dict[str, genanki.Deck] = {}
    for name in export.decks:
        levels = name.split("::")
        for depth in range(1, len(levels) + 1):
            ancestor = "::".join(levels[:depth])
            decks.setdefault(ancestor, genanki.Deck(_deck_id(ancestor), ancestor))
    for position, note in enumerate(export.notes):
        decks[note.deck].add_note(
            _Note(
                times.stamp(note.guid, note.fields, note.tags),
                model=note_type,
                fields=list(note.fields),
                guid=note.guid,
                tags=list(note.tags),
                due=position,  # new cards come in reading order
            )
        )
    media = _media_bytes(export, site_root)
    with tempfile.TemporaryDirectory(prefix="studysite-anki-") as scratch:
        database = Path(scratch) / "collection.anki2"
        connection = sqlite3.connect(database)
        try:
            package = genanki.Package([decks[name] for name in sorted(decks)])
            package.write_to_db(connection.cursor(), now, itertools.count(now * 1000))
            connection.commit()
        finally:
            connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "collection.anki2")
            names = sorted(media)
            archive.writestr("media", json.dumps({str(index): name for index, name in enumerate(names)}))
            for index, name in enumerate(names):
                archive.writestr(str(index), media[name])
    return buffer.getvalue(), times


def _media_bytes(export: AnkiExport, site_root: Path) -> dict[str, bytes]:
    plots = {name: spec for name, spec in export.media.items() if not isinstance(spec, bytes)}
    drawn, _ = draw_plots(list(plots.values()), site_root)
    return {name: drawn[plots[name]] if name in plots else data for name, data in export.media.items()}

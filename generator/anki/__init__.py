"""Anki export: every test question with an answer becomes a note of studysite's own note type.

Two formats:

``apkg`` (the default)
    An Anki package, written with genanki, that any Anki (desktop, AnkiDroid, AnkiMobile)
    imports with *File › Import*. It brings its own note type, "studysite" (fields Question,
    Answer, Lesson, Source; its own CSS with left-aligned, monospace, scrollable code and a
    night-mode palette), so it works whatever the collection's basic note type is called.
    Each folder becomes a deck below a parent deck named after the site; plots and images
    in questions and answers travel as media files.
``txt``
    Anki's text import format: tab-separated HTML fields, with header lines that say which
    column is the deck, the tags and the GUID. There is no ``#columns`` line on purpose:
    without column names Anki maps the remaining columns to the note type's fields in
    order (question, answer, lesson, source), whatever those fields are called; names
    match only the English "Front" and "Back". Text carries no media: images and plots
    appear as their description in brackets.

Formulas are written ``\\(…\\)`` and ``\\[…\\]`` for Anki's MathJax.

Identity. A note's GUID is a hash of the lesson's identity (front matter ``id``, else
``translationKey``, else its title) and the question's text with case, character width and
spacing normalised. So it survives inserting or reordering questions and renaming or moving
the file; changing the question's text or the lesson's title makes a new note. Anki updates
an existing note from an import only when the imported note is newer, so each note's
modification time is the time of the first export that saw its current fields and tags;
the times are kept in ``SITE/.studysite/anki-notes.json``, sealed like the other caches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.anki.notes import collect_notes
from generator.anki.package import package_bytes
from generator.anki.text import text_file
from generator.atomic import write_atomic
from generator.build import LoadedSite
from generator.errors import Diagnostic


@dataclass
class ExportResult:
    notes: int
    decks: int
    media: int
    left_out_media: int
    warnings: list[Diagnostic]


def export_anki(loaded: LoadedSite, out: Path, *, file_format: str, parent_deck: str) -> ExportResult:
    """Write the deck to *out* (atomically: a failed export leaves the old file whole).

    *loaded* must be free of errors. Raises OSError when *out* cannot be written."""
    export = collect_notes(loaded, parent_deck, with_media=file_format == "apkg")
    if file_format == "apkg":
        data, times = package_bytes(export, loaded.config.root)
        write_atomic(out, data)
        times.save()
    else:
        write_atomic(out, text_file(export))
    return ExportResult(len(export.notes), len(export.decks), len(export.media), export.left_out_media, export.warnings)


"""Anki's text import format: one tab-separated line of HTML fields per note."""

from __future__ import annotations

import csv
import io

from generator.anki.notes import AnkiExport

TEXT_HEADER = (
    "#separator:tab\n"
    "#html:true\n"
    "#notetype:Basic\n"
    "#deck column:5\n"
    "#tags column:6\n"
    "#guid column:7\n"
    "#if matches:update current\n"
    "#studysite columns, in order = 1 question (Front), 2 answer (Back), 3 lesson, 4 source, 5 deck, 6 tags, 7 GUID\n"
)
"""No ``#columns`` line: see the module's docstring. The last line is for people; Anki
ignores a header line whose key it does not know."""


def text_file(export: AnkiExport) -> str:
    out = io.StringIO()
    out.write(TEXT_HEADER)
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for note in export.notes:
        writer.writerow([*note.fields, note.deck, " ".join(note.tags), note.guid])
    return out.getvalue()

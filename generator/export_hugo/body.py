"""A lesson's Markdown, rewritten so that Hugo 0.111 shows what studysite shows.

The text stays the author's: every change is an edit at a place found by studysite's
own parser, and everything else is copied byte for byte.

- **Formulas.** goldmark in Hugo 0.111 knows no ``$…$`` (its passthrough extension came
  later) and would read ``_`` and ``*`` inside a formula as emphasis. Each formula our
  parser finds becomes ``{{< math >}}LaTeX{{< /math >}}`` (``display="block"`` for
  ``$$…$$``): the LaTeX stays readable in the file, Hugo leaves a shortcode's inner text
  alone, and the shortcode's layout prints the MathML that studysite made of it, looked
  up in ``data/studysite/math.json`` by a hash of the LaTeX. Its output bypasses goldmark,
  so raw HTML stays off (``unsafe = false``) for the rest of the lesson. A formula
  edited later in Hugo, which the table does not have, shows as its LaTeX in ``<code>``.
- **Answers.** Each answer of a test section goes between ``{{< answer >}}`` and
  ``{{< answer-end >}}`` on lines of their own, which open and close a ``<details>``:
  hidden until asked for, as on studysite's pages. A pair rather than one shortcode with
  inner text, because a shortcode rendering its inner Markdown itself would drop the
  HTML of the formulas and figures inside it.
- **Shortcodes.** ``{{% name %}}`` becomes ``{{< name >}}``: studysite treats both
  forms alike, but Hugo passes the output of the ``%`` form through Markdown, where raw
  HTML is dropped. A shortcode inside a code block, which studysite shows as written and
  Hugo would run, is written in Hugo's comment form ``{{</* name */>}}``.
- **Automatic plots.** A lesson that gets plots without asking (by naming losses) gets
  the equivalent ``loss_curve`` shortcodes at the end of the section where studysite
  shows them.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from generator.content.markdown import latex_to_mathml
from generator.content.shortcodes import PLOT_SHORTCODES, is_tag_start, scan_tag
from generator.content.structure import plan_lesson

_HUGO_TRIM = " \t\r\n"
r"""What the math layout trims off a formula (``trim .Inner " \t\r\n"``) before hashing it."""
ANSWER_OPEN = "{{< answer >}}"
ANSWER_CLOSE = "{{< answer-end >}}"


@dataclass
class Formulas:
    """The MathML of every formula of the exported lessons, by the key its layout
    computes: the SHA-256 of ``inline:`` or ``block:`` and the LaTeX as written."""

    mathml: dict[str, str] = field(default_factory=dict)


def formula_key(mode: str, latex: str) -> str:
    return hashlib.sha256(f"{mode}:{latex.strip(_HUGO_TRIM)}".encode("utf-8")).hexdigest()


def figure_key(page_file: str, params: dict[str, str]) -> str:
    """The key of a plot shortcode's figure: what its layout computes from the page's
    file (below its content folder) and the shortcode's parameters."""
    text = page_file + "\n" + "".join(f"{name}={params[name]}\n" for name in sorted(params))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


AutomaticPlots = tuple[int, list[dict[str, str]]]
"""The body line before which automatic plots go, and each one's ``loss_curve`` parameters."""


@dataclass
class Rewritten:
    text: str
    plots: list[tuple[int, dict[str, str]]]
    """(body line, parameters) of each plot shortcode the lesson has."""
    automatic: list[dict[str, str]]
    """The parameters of each plot shortcode added for an automatic plot."""
    formulas_as_written: list[int] = field(default_factory=list)
    """Body lines of formulas left as ``$…$``: not found in the text where the parser
    saw them (a table cell with an escaped ``|``, say), or holding ``{{<``."""


class BodyRewriter:
    """Rewrites lesson bodies with one markdown-it parser, set up like the site's, whose
    formula rules also record where each formula is in the text."""

    def __init__(self, md: MarkdownIt, heading_kinds: dict[str, str], formulas: Formulas):
        self.md = md
        self.heading_kinds = heading_kinds
        self.formulas = formulas
        _record_formulas(md)

    def rewrite(
        self,
        body: str,
        page_params: dict,
        automatic_plots: Callable[[set[int]], AutomaticPlots | None],
        ref_target: Callable[[str], str | None],
    ) -> Rewritten:
        """*body* for Hugo. *automatic_plots* is given the body lines of the lesson's plot
        shortcodes, and returns where its automatic plots go and their parameters, if
        it has any. *ref_target* gives the path a ``ref``/``relref`` target must name in
        the export, where it is not the one written (the file it names was renamed)."""
        env: dict = {"page_params": page_params, "export_formulas": []}
        tokens = self.md.parse(body, env)
        lines = body.split("\n")
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        as_written: list[int] = []
        edits = self._formula_edits(body, lines, starts, env["export_formulas"], as_written)
        tag_edits, plots = _shortcode_edits(body, starts, _code_lines(tokens), ref_target)
        edits += tag_edits
        edits += self._answer_edits(lines, starts)
        automatic = automatic_plots({line for line, _ in plots})
        if automatic is not None:
            line, shortcodes = automatic
            at = starts[line] if line < len(lines) else len(body)
            written = "".join(f"\n{_loss_curve_tag(params)}\n" for params in shortcodes)
            prefix = "\n" if at == len(body) and not body.endswith("\n") else ""
            edits.append((at, at, prefix + written + "\n"))
        return Rewritten(_apply(body, edits), plots, automatic[1] if automatic else [], as_written)

    # --- formulas ---------------------------------------------------------------------

    def _formula_edits(self, body, lines, starts, found, as_written: list[int]) -> list[tuple[int, int, str]]:
        edits = []
        cursors: dict[int, int] = {}
        placed_src: tuple[object, list | None] = (None, None)
        for record in found:
            if record[0] == "block":
                _, start, end, content = record
                closing = body.rfind("$$", start + 2, end)
                formula = self._formula("block", body[start + 2 : closing], content) if closing >= 0 else None
                if formula is None:
                    as_written.append(_line_of(starts, start))
                else:
                    edits.append((start, closing + 2, formula))
                continue
            _, first_line, src, start, end, content, markup = record
            if placed_src[0] is not src:  # the first formula of another block
                placed_src = (src, _inline_lines(lines, starts, first_line, src, cursors))
            line_offsets = placed_src[1]
            if line_offsets is None:
                as_written.append(first_line)
                continue
            begin, finish = _body_offset(line_offsets, start), _body_offset(line_offsets, end)
            if "\n" not in src[start:end] and body[begin:finish] != src[start:end]:
                as_written.append(first_line)
                continue
            mode = "block" if markup == "$$" else "inline"
            formula = self._formula(mode, body[begin + len(markup) : finish - len(markup)], content)
            if formula is None:
                as_written.append(first_line)
            else:
                edits.append((begin, finish, formula))
        return edits

    def _formula(self, mode: str, written: str, content: str) -> str | None:
        """The ``math`` shortcode of a formula written as *written*; None where Hugo
        would read a shortcode tag inside it."""
        if "{{<" in written or "{{%" in written:
            return None
        self.formulas.mathml[formula_key(mode, written)] = latex_to_mathml(content.strip(), mode == "block")
        opening = '{{< math display="block" >}}' if mode == "block" else "{{< math >}}"
        return f"{opening}{written}{{{{< /math >}}}}"

    # --- answers ----------------------------------------------------------------------

    def _answer_edits(self, lines: list[str], starts: list[int]) -> list[tuple[int, int, str]]:
        edits = []
        plan = plan_lesson(lines, self.heading_kinds)
        for section in plan.sections:
            if section.kind != "test":
                continue
            for planned in section.questions:
                answer, question = planned.answer, planned.question
                if answer is None:
                    continue
                same_line = answer.line == question.end - 1 and question.cut is not None
                if same_line:
                    at = starts[answer.line] + question.cut
                    edits.append((at, at, f"\n\n{ANSWER_OPEN}\n\n"))
                    body_lines = range(answer.line + 1, answer.end)
                else:
                    edits.append((starts[answer.line], starts[answer.line], f"\n{ANSWER_OPEN}\n\n"))
                    body_lines = range(answer.line, answer.end)
                edits += _dedent(lines, starts, body_lines)
                last = answer.end - 1
                while answer.cut is None and last > answer.line and not lines[last].strip():
                    last -= 1  # close it after its text, not after the blank lines that follow
                end = starts[last] + answer.cut if answer.cut is not None else starts[last] + len(lines[last])
                edits.append((end, end, f"\n\n{ANSWER_CLOSE}\n" + ("\n" if answer.cut is not None else "")))
        return edits


def _record_formulas(md: MarkdownIt) -> None:
    """Make the formula rules of *md* note, in ``env["export_formulas"]``, where each
    formula they find starts and ends."""
    block_rule = _rule(md.block.ruler, "math_block")
    inline_rule = _rule(md.inline.ruler, "math_inline")

    def math_block(state, start_line: int, end_line: int, silent: bool) -> bool:
        found = block_rule(state, start_line, end_line, silent)
        records = state.env.get("export_formulas")
        if found and not silent and records is not None:
            start = state.bMarks[start_line] + state.tShift[start_line]
            records.append(("block", start, state.eMarks[state.line - 1], state.tokens[-1].content))
        return found

    def math_inline(state, silent: bool) -> bool:
        start = state.pos
        found = inline_rule(state, silent)
        records = state.env.get("export_formulas")
        if found and not silent and records is not None:
            token = state.tokens[-1]
            records.append(("inline", state.env.get("_line", 0), state.src, start, state.pos, token.content, token.markup))
        return found

    md.block.ruler.at("math_block", math_block)
    md.inline.ruler.at("math_inline", math_inline)


def _rule(ruler, name: str):
    return next(rule.fn for rule in ruler.__rules__ if rule.name == name)


def _inline_lines(lines, starts, first_line, src, cursors) -> list[tuple[int, int]] | None:
    """Where each line of *src* starts in the body, as (offset in *src*, body offset):
    *src* is the inline text of a block starting at body line *first_line*, whose lines
    are the ends of the body's lines (the block's indentation and markers cut off) or,
    for a table cell, a part of one. *cursors* holds, per body line, the column where the
    previous block on it ended."""
    pieces = src.split("\n")
    found = []
    position = 0
    for index, piece in enumerate(pieces):
        number = first_line + index
        if number >= len(lines):
            return None
        line = lines[number]
        if index < len(pieces) - 1:
            column = len(line) - len(piece) if line.endswith(piece) else -1
        else:
            column = line.find(piece, cursors.get(number, 0))
            cursors[number] = column + len(piece)
        if column < 0:
            return None
        found.append((position, starts[number] + column))
        position += len(piece) + 1
    return found


def _body_offset(line_offsets: list[tuple[int, int]], offset: int) -> int:
    for begin, absolute in reversed(line_offsets):
        if offset >= begin:
            return absolute + offset - begin
    raise AssertionError(offset)


def _code_lines(tokens) -> set[int]:
    """Body lines inside code blocks (fenced or indented), at any depth."""
    lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(token.map[0], token.map[1]))
    return lines


def _shortcode_edits(body: str, starts: list[int], code_lines: set[int], ref_target) -> tuple[list[tuple[int, int, str]], list]:
    """``{{% %}}`` tags made ``{{< >}}``, tags in code blocks made comments, refs to
    renamed files pointed at their new names; and the plot shortcodes with their lines
    and parameters."""
    edits = []
    plots = []
    position = 0
    while True:
        found = body.find("{{", position)
        if found < 0:
            break
        if not is_tag_start(body, found):
            position = found + 2
            continue
        tag = scan_tag(body, found)
        end = max(tag.end, found + 3)
        line = _line_of(starts, found)
        if tag.comment is None and not tag.error:
            inner = body[found + 3 : tag.end - 3]
            if line in code_lines:
                edits.append((found, tag.end, "{{</*" + inner + "*/>}}"))
            elif tag.name in ("ref", "relref") and not tag.closing and _retargeted(tag, ref_target) is not None:
                edits.append((found, tag.end, _retargeted(tag, ref_target)))
            elif tag.delimiter == "%":
                edits.append((found, tag.end, "{{<" + inner + ">}}"))
            if tag.name in PLOT_SHORTCODES and not tag.closing and line not in code_lines:
                plots.append((line, dict(tag.named)))
        position = end
    return edits, plots


def _retargeted(tag, ref_target) -> str | None:
    """The ``ref``/``relref`` *tag* naming its target's exported file, if that changed."""
    target = tag.positional[0] if tag.positional else tag.named.get("path")
    new = ref_target(target) if target else None
    if new is None:
        return None
    quoted = _quote(new)
    if tag.positional:
        arguments = " ".join([quoted] + [_quote(value) for value in tag.positional[1:]])
    else:
        arguments = " ".join(f"{name}={quoted if name == 'path' else _quote(value)}" for name, value in tag.named.items())
    return f"{{{{< {tag.name} {arguments} >}}}}"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def _dedent(lines: list[str], starts: list[int], numbers: range) -> list[tuple[int, int, str]]:
    """Edits that take off the indentation the lines share: an answer written indented
    under its question would otherwise be a code block once it stands on its own."""
    indents = [len(lines[n]) - len(lines[n].lstrip(" ")) for n in numbers if lines[n].strip()]
    shared = min(indents, default=0)
    if not shared:
        return []
    return [(starts[n], starts[n] + min(shared, len(lines[n])), "") for n in numbers if lines[n]]


def _loss_curve_tag(params: dict[str, str]) -> str:
    return "{{< loss_curve " + " ".join(f'{name}="{value}"' for name, value in params.items()) + " >}}"


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """*text* with *edits* made; where two overlap, the first one (by start) is kept."""
    pieces = []
    position = 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        if start < position:
            continue
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)

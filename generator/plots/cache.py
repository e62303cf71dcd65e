"""Drawn figures kept between builds, and drawing the missing ones.

:class:`PlotCache` keeps each SVG under the site's ``.studysite/plots`` folder, named by
:func:`~generator.plots.spec.figure_id` and sealed with :func:`generator.integrity.seal`
for that name: a site folder may come from anyone, and an SVG is published as it is, so
a file this user's builds did not write for this very figure — foreign, renamed,
truncated or bit-flipped — reads as missing and is drawn again.

:func:`render_figures` and :class:`FigureDrawer` are the ways to matplotlib: they import
:mod:`generator.plots.draw` only when some figure is not in the cache, the drawer in a
process of its own.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Iterable
from pathlib import Path

from generator.atomic import write_atomic
from generator.integrity import seal, unseal
from generator.workers import exit_with_parent

from .spec import FigureSpec, figure_id


class PlotCache:
    """Drawn SVGs under ``site_root/.studysite/plots``, sealed, one file per figure.

    Optional by design: a folder that cannot be read or written just means drawing again.
    """

    def __init__(self, site_root: Path | str):
        self.folder = Path(site_root) / ".studysite" / "plots"

    def path(self, spec: FigureSpec) -> Path:
        return self.folder / f"{figure_id(spec)}.svg.sealed"

    def get(self, spec: FigureSpec) -> bytes | None:
        """The SVG this user's builds drew for ``spec``, or None."""
        try:
            blob = self.path(spec).read_bytes()
        except OSError:
            return None
        return unseal(blob, _purpose(spec))

    def put(self, spec: FigureSpec, svg: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path(spec), seal(svg, _purpose(spec)))
        except OSError:
            pass


def _purpose(spec: FigureSpec) -> str:
    # Bound to the figure's name, so that a sealed SVG copied over another figure's file fails too.
    return f"plot {figure_id(spec)}"


def render_figures(specs: Iterable[FigureSpec], cache: PlotCache) -> tuple[dict[FigureSpec, bytes], int]:
    """The SVG of every distinct spec, and how many had to be drawn now (cache misses),
    drawn in this process. Each drawn SVG is put in the cache."""
    distinct = list(dict.fromkeys(specs))
    result: dict[FigureSpec, bytes] = {}
    missing: list[FigureSpec] = []
    for spec in distinct:
        svg = cache.get(spec)
        if svg is None:
            missing.append(spec)
        else:
            result[spec] = svg
    if not missing:
        return result, 0
    from generator.plots.draw import draw  # loads matplotlib: only ever when a figure must be drawn

    for spec in missing:
        result[spec] = svg = draw(spec)
        cache.put(spec, svg)
    return {spec: result[spec] for spec in distinct}, len(missing)


class FigureDrawer:
    """Draws figures in a forked process of its own, as they are asked for, so that
    importing matplotlib and drawing overlap what the build does meanwhile (parsing and
    rendering lessons in its other processes). Each drawn SVG is put in the cache.

    Where processes cannot be forked, the figures asked for are drawn here, when their
    SVGs are asked for."""

    def __init__(self, cache: PlotCache, inherited: Iterable = ()):
        """*inherited*: connections of this process's that the drawing process must close
        (so that they end when this process does)."""
        self.cache = cache
        self.asked: list[FigureSpec] = []
        self._inherited = list(inherited)
        self._connection = None
        self._process = None

    def ask(self, spec: FigureSpec) -> None:
        self.asked.append(spec)
        if self._process is None:
            try:
                context = multiprocessing.get_context("fork")
            except ValueError:
                return
            parent_end, child_end = context.Pipe()
            self._process = context.Process(
                target=_draw_asked, args=(child_end, self.cache, os.getpid(), [*self._inherited, parent_end]), daemon=True
            )
            self._process.start()
            child_end.close()
            self._connection = parent_end
        self._connection.send(spec)

    def results(self) -> dict[FigureSpec, bytes]:
        """The SVG of every figure asked for, once all are drawn."""
        if self._process is None:
            return render_figures(self.asked, self.cache)[0]
        try:
            self._connection.send(None)
            message = self._connection.recv()
        except (EOFError, OSError):
            message = ("failed", "the drawing process ended without an answer")
        finally:
            self._connection.close()
            self._process.join()
        if message[0] != "drawn":
            raise RuntimeError(f"drawing the figures failed:\n{message[1]}")
        return message[1]


def _draw_asked(connection, cache: PlotCache, parent: int, inherited: list) -> None:
    exit_with_parent(parent)
    for other in inherited:
        other.close()
    try:
        from generator.plots.draw import draw  # matplotlib, here rather than in the build

        drawn: dict[FigureSpec, bytes] = {}
        while (spec := connection.recv()) is not None:
            drawn[spec] = svg = draw(spec)
            cache.put(spec, svg)
        connection.send(("drawn", drawn))
    except (EOFError, BrokenPipeError):
        return  # the build has gone
    except BaseException:
        connection.send(("failed", traceback.format_exc()))

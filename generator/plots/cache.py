"""Drawn figures kept between builds, and drawing the missing ones, in parallel when asked.

:class:`PlotCache` keeps each SVG under the site's ``.studysite/plots`` folder, named by
:func:`~generator.plots.spec.figure_id` and sealed with :func:`generator.integrity.seal`
for that name: a site folder may come from anyone, and an SVG is published as it is, so
a file this user's builds did not write for this very figure — foreign, renamed,
truncated or bit-flipped — reads as missing and is drawn again.

:func:`render_figures` is the one way to matplotlib: it imports
:mod:`generator.plots.draw` only when some figure is not in the cache.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterable
from pathlib import Path

from generator.atomic import write_atomic
from generator.integrity import seal, unseal

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


def _fork_context():
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def render_figures(
    specs: Iterable[FigureSpec], cache: PlotCache, jobs: int = 1
) -> tuple[dict[FigureSpec, bytes], int]:
    """The SVG of every distinct spec, and how many had to be drawn now (cache misses).

    With ``jobs > 1`` and more than two misses, the first is drawn here and the rest by a
    pool of up to ``jobs`` forked processes; otherwise all are drawn here. Each drawn SVG
    is put in the cache.
    """
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

    context = _fork_context() if jobs > 1 and len(missing) > 2 else None
    if context is not None:
        # The first figure is drawn here: it loads fonts and warms matplotlib's caches
        # once, before forking, instead of once in every worker.
        drawn = [draw(missing[0])]
        gc.freeze()  # the workers' collector then leaves the inherited objects (and their pages) alone
        try:
            with context.Pool(min(jobs, len(missing) - 1)) as pool:
                drawn += pool.map(draw, missing[1:], chunksize=1)
        finally:
            gc.unfreeze()
    else:
        drawn = [draw(spec) for spec in missing]
    for spec, svg in zip(missing, drawn):
        cache.put(spec, svg)
        result[spec] = svg
    return {spec: result[spec] for spec in distinct}, len(missing)

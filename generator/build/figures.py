"""Stage 4 of the build: the plots the pages show, taken over from the previous site, read
from the plot cache, or drawn."""

from __future__ import annotations

from pathlib import Path

from generator.content.site import Site, Sites
from generator.plots.cache import FigureDrawer, PlotCache, render_figures
from generator.render.environment import plot_path


def site_figures(site: Site | Sites) -> list:
    """Every plot image the published pages show, in page order."""
    lessons = [page.lesson for page in site.pages] + [f.index for f in site.folders if f.index is not None]
    return [spec for lesson in lessons for spec in lesson.figures]


def draw_figures(site: Site | Sites, site_root: Path) -> tuple[dict, int]:
    """The SVG of every figure of the site, drawn or from the plot cache, and how many
    were drawn now."""
    return draw_plots(site_figures(site), site_root)


def draw_plots(specs: list, site_root: Path) -> tuple[dict, int]:
    """The SVG of each of *specs* (enrichment's FigureSpecs), drawn or from the site's plot
    cache, and how many were drawn now."""
    if not specs:
        return {}, 0  # matplotlib is never imported for a site without plots
    return render_figures(specs, PlotCache(site_root))


def write_figures(figures: dict, output) -> None:
    for spec, svg in figures.items():
        output.write(plot_path(spec), svg)


_PLOT = "plot"
"""The digest of every plot file: its name already says what it shows, and how drawn."""


class SiteFigures:
    """The SVGs a build's pages show: taken over from the previous site, read from the
    plot cache, or drawn — by a :class:`FigureDrawer` while the lessons are parsed where
    the build runs workers, else here once the site is planned."""

    def __init__(self, cache: PlotCache, previous: dict, drawer: FigureDrawer | None):
        self.cache = cache
        self.previous = previous
        self.drawer = drawer
        self.drawn = 0
        self._svgs: dict = {}
        self._seen: set = set()

    def want(self, specs: list) -> None:
        """Get these figures ready: drawing starts now for those nowhere to be found."""
        for spec in specs:
            if spec in self._seen:
                continue
            self._seen.add(spec)
            if plot_path(spec) in self.previous:
                continue  # most likely taken over as it is
            svg = self.cache.get(spec)
            if svg is not None:
                self._svgs[spec] = svg
            elif self.drawer is not None:
                self.drawer.ask(spec)

    def place(self, specs: list, output) -> None:
        """Place the SVG of each of *specs* in the output."""
        if self.drawer is not None:
            drawn = self.drawer.results()
            self.drawn += len(drawn)
            self._svgs.update(drawn)
        unplaced = [spec for spec in dict.fromkeys(specs) if not output.reuse(plot_path(spec), _PLOT)]
        missing = [spec for spec in unplaced if spec not in self._svgs]
        if missing:
            found, drawn = render_figures(missing, self.cache)
            self._svgs.update(found)
            self.drawn += drawn
        for spec in unplaced:
            output.write(plot_path(spec), self._svgs[spec], _PLOT)

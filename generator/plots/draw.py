"""Drawing a :class:`~generator.plots.spec.FigureSpec` to SVG bytes with matplotlib.

The only module of studysite that imports matplotlib: importing it loads matplotlib,
chooses the Agg backend and quietens missing-font messages, once. It is imported by
:func:`generator.plots.cache.render_figures` when a figure really has to be drawn, so a
site without plots never loads matplotlib. Everything a picture shows is computed by
:mod:`generator.core`; every word comes from :mod:`generator.plots.captions`.

Drawing uses matplotlib's object API (``Figure`` and the SVG canvas, never pyplot). The
SVG keeps text as ``<text>`` elements (``svg.fonttype = "none"``) so that Chinese labels
render with the reader's fonts, and is byte-identical from build to build and process to
process: fixed ``svg.hashsalt``, no metadata, numbers rounded.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from functools import lru_cache
from typing import Any

import matplotlib
import matplotlib.backends.backend_svg  # noqa: F401  (imported now: forked workers then share it)
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from generator.core import FOCAL_GAMMAS, LOSSES, focal_family, loss_curve, train
from generator.i18n import strings_for
from generator.languages import LANGUAGES

from .captions import AXIS_SYMBOLS, loss_label, number, parenthesised, short_label
from .spec import DEFAULT_DATASET, DEFAULT_RANGES, KINDS, FigureSpec, Settings, plain_setting

matplotlib.use("Agg", force=False)
# Chinese fonts may be missing here; with text left as text the reader's browser draws it anyway.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

POINTS = 200
"""Samples per curve; the curves are smooth apart from kinks, which are added exactly."""

_PROBABILITY_EDGE = 0.002
"""A probability range's ends at 0 or 1 are drawn from here (cross-entropy is infinite there)."""

# Okabe & Ito (2008), colour-blind safe, darkest first; yellow is left out (too pale on white).
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
_DASHES = ("-", (0, (6, 2.5)), (0, (7, 2, 1.5, 2)), (0, (1.5, 1.8)), (0, (10, 3)), (0, (4, 1.5, 1.5, 1.5, 1.5, 1.5)),
           (0, (2.5, 2.5)))
_GREY = "#b3b3b3"
_REFERENCE = "#6e6e6e"

_WIDTH, _HEIGHT = 640, 400
"""Pixels; the figure is laid out in points at 72 per inch, so the viewBox is 640 × 400."""

_FONTS = {
    "zh-TW": ["Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "PingFang TC", "Microsoft JhengHei",
              "DejaVu Sans"],
    "zh-CN": ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
              "DejaVu Sans"],
    "en": ["DejaVu Sans", "Helvetica", "Arial"],
}

_RC_BASE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "studysite-plots",
    "svg.image_inline": True,
    "font.family": "sans-serif",
    "font.size": 12.0,
    "axes.titlesize": 12.0,
    "axes.titley": 1.0,  # a fixed title position skips a costly overlap search
    "axes.labelsize": 12.0,
    "legend.fontsize": 11.0,
    "xtick.labelsize": 11.0,
    "ytick.labelsize": 11.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.7,
    "axes.edgecolor": "#4d4d4d",
    "axes.axisbelow": True,
    "legend.framealpha": 0.92,
    "legend.edgecolor": "#cccccc",
    "legend.handlelength": 2.8,
    "lines.linewidth": 2.0,
    "path.simplify": True,
    "axes.unicode_minus": True,
}


def _escape(text: str) -> str:
    """Keep matplotlib from reading ``$`` in lesson text as mathtext."""
    return text.replace("$", r"\$")


def _grid(axis: str, x_range: tuple[float, float]) -> np.ndarray:
    low, high = x_range
    if axis == "probability":
        low, high = max(low, _PROBABILITY_EDGE), min(high, 1.0 - _PROBABILITY_EDGE)
    x = np.linspace(low, high, POINTS)
    kinks = [0.0] if axis == "residual" else [0.0, 1.0] if axis == "margin" else []
    inside = [kink for kink in kinks if low < kink < high]
    if inside:
        x = np.unique(np.concatenate([x, inside]))
    return x


def _upper(maxima: list[float], spread: float) -> float:
    """An axis end that shows every curve, but lets one that outgrows the others by more
    than ``spread`` times leave the frame (MSE beside MAE: its growth is the lesson)."""
    ordered = sorted((value for value in maxima if value > 0), reverse=True)
    if not ordered:
        return 1.0
    if len(ordered) == 1:
        return ordered[0]
    return min(ordered[0], spread * ordered[1])


def _family_envelope(spec: FigureSpec, x: np.ndarray) -> list:
    """Curves of the slider's loss at every family value: the axes must fit them all."""
    if spec.family is None or not spec.family_values:
        return []
    for name, settings in spec.losses:
        if any(param.name == spec.family for param in LOSSES[name].params):
            return [
                loss_curve(name, spec.axis, x=x, **{**dict(settings), spec.family: value})
                for value in spec.family_values
            ]
    return []


def _new_figure(rows: int, columns: int, *, title: bool, panel_titles: bool, sharex: bool = False):
    figure = Figure(figsize=(_WIDTH / 72, _HEIGHT / 72), dpi=72)
    # Fixed margins in points (much cheaper than constrained or tight layout).
    left, right, bottom = 58, 14, 48
    top = 12 + (26 if title else 0) + (20 if panel_titles else 0)
    figure.subplots_adjust(
        left=left / _WIDTH, right=1 - right / _WIDTH, bottom=bottom / _HEIGHT, top=1 - top / _HEIGHT,
        wspace=0.28 if columns > 1 else 0.2, hspace=0.42 if rows > 1 else 0.2,
    )
    axes = figure.subplots(rows, columns, squeeze=False, sharex=sharex)
    # Few ticks: every tick is a handful of artists, and they are most of the drawing time.
    bins = 4 if rows * columns > 2 else 5
    for ax in axes.flat:
        ax.xaxis.set_major_locator(MaxNLocator(bins + 1, steps=(1, 2, 2.5, 5, 10)))
        ax.yaxis.set_major_locator(MaxNLocator(bins, steps=(1, 2, 2.5, 5, 10)))
    return figure, axes


def _style(index: int) -> dict[str, Any]:
    return {"color": _COLOURS[index % len(_COLOURS)], "linestyle": _DASHES[index % len(_DASHES)]}


def _title(figure: Figure, spec: FigureSpec) -> None:
    if spec.title:
        figure.suptitle(_escape(spec.title), y=1 - 8 / _HEIGHT, va="top", fontsize=13)


# --- loss curves ----------------------------------------------------------------------


def _draw_curves(spec: FigureSpec) -> Figure:
    """Losses against one axis: a loss panel (two on the probability axis, one per label)
    and, with ``gradient``, gradient panels beside them (below them on the probability axis)."""
    axis = spec.axis or "residual"
    x_range = spec.x_range or DEFAULT_RANGES[axis]
    x = _grid(axis, x_range)
    curves = [loss_curve(name, axis, x=x, **dict(settings)) for name, settings in spec.losses]
    every = curves + _family_envelope(spec, x)
    probability = axis == "probability"
    if probability:
        rows, columns = (2 if spec.gradient else 1), 2
    else:
        rows, columns = 1, (2 if spec.gradient else 1)
    figure, grid = _new_figure(rows, columns, title=bool(spec.title), panel_titles=probability,
                               sharex=probability and spec.gradient)
    _loss_panels(spec, list(grid[0]) if probability else [grid[0][0]], curves, every, x_range)
    if spec.gradient:
        _gradient_panels(spec, list(grid[1]) if probability else [grid[0][1]], curves, every, x_range)
    _title(figure, spec)
    return figure


def _loss_panels(spec: FigureSpec, axes: list, curves: list, every: list, x_range: tuple[float, float]) -> None:
    """The loss of each curve; ``every`` (the curves and the slider's other variants) sets the height."""
    language, axis = spec.language, spec.axis or "residual"
    words = strings_for(language)
    probability = axis == "probability"
    labels = [loss_label(name, settings, language, axis=axis) for name, settings in spec.losses]
    top = _upper([float(np.max(series.loss)) for curve in every for series in curve.series], 1.6)
    if probability:
        top = min(top, 5.0)
    top *= 1.06
    for column, ax in enumerate(axes):
        if axis == "margin" and curves and curves[0].reference is not None:
            reference = curves[0].reference
            ax.plot(reference.x, reference.loss, color=_REFERENCE, linewidth=1.6, label=words["plot_zero_one"],
                    zorder=1.5)
        for index, (curve, label) in enumerate(zip(curves, labels)):
            series = curve.series[column]
            ax.plot(series.x, series.loss, label=_escape(label), zorder=2 + index * 0.01, **_style(index))
        ax.set_ylim(-0.035 * top, top)
        ax.set_xlim(x_range)
        if probability:
            ax.set_title(f"y = {1 - column}")
        else:
            ax.axvline(0.0, color=_GREY, linewidth=0.9, zorder=1)
        if column == 0:
            ax.set_ylabel(words["plot_loss"])
    if not spec.gradient or not probability:
        for ax in axes:
            ax.set_xlabel(_escape(words[f"axis_{axis}"]))
    legend_at = {"residual": "upper center", "margin": "upper right", "probability": "upper right"}[axis]
    axes[0].legend(loc=legend_at)


def _gradient_panels(spec: FigureSpec, axes: list, curves: list, every: list, x_range: tuple[float, float]) -> None:
    """d loss / d x of each curve, framed like :func:`_loss_panels` frames the losses."""
    axis = spec.axis or "residual"
    words = strings_for(spec.language)
    probability = axis == "probability"
    highs = [float(np.max(series.grad)) for curve in every for series in curve.series]
    lows = [float(-np.min(series.grad)) for curve in every for series in curve.series]
    high, low = _upper(highs, 2.5), _upper(lows, 2.5)
    if max(highs, default=0) <= 0:
        high = 0.08 * low
    if max(lows, default=0) <= 0:
        low = 0.08 * high
    if probability:
        high, low = min(high, 10.0), min(low, 10.0)
    for column, ax in enumerate(axes):
        for index, curve in enumerate(curves):
            series = curve.series[column if probability else 0]
            ax.plot(series.x, series.grad, zorder=2 + index * 0.01, **_style(index))
        ax.axhline(0.0, color=_GREY, linewidth=0.9, zorder=1)
        if not probability:
            ax.axvline(0.0, color=_GREY, linewidth=0.9, zorder=1)
        ax.set_ylim(-1.06 * low, 1.06 * high)
        ax.set_xlim(x_range)
        ax.set_xlabel(_escape(words[f"axis_{axis}"]))
        if column == 0:
            ax.set_ylabel(f"{words['plot_gradient']} d loss / d {AXIS_SYMBOLS[axis]}")


def _draw_focal(spec: FigureSpec) -> Figure:
    """Figure 1 of Lin et al. (2017): focal loss against p_t for several γ, without α."""
    words = strings_for(spec.language)
    x_range = spec.x_range or DEFAULT_RANGES["probability"]
    gammas = spec.family_values or FOCAL_GAMMAS
    curve = focal_family(gammas, p_t=_grid("probability", x_range))
    figure, grid = _new_figure(2 if spec.gradient else 1, 1, title=bool(spec.title), panel_titles=False,
                               sharex=spec.gradient)
    ax = grid[0][0]
    for index, series in enumerate(curve.series):
        label = series.label
        if gammas[index] == 0:
            label += parenthesised(words["plot_cross_entropy"], spec.language)
        ax.plot(series.x, series.loss, label=label, zorder=2 + index * 0.01, **_style(index))
    ax.set_xlim(x_range)
    ax.set_ylim(-0.15, 5.0)
    ax.set_ylabel(words["plot_loss"])
    ax.legend(loc="upper right")
    target = ax
    if spec.gradient:
        grad_ax = grid[1][0]
        for index, series in enumerate(curve.series):
            grad_ax.plot(series.x, series.grad, zorder=2 + index * 0.01, **_style(index))
        grad_ax.axhline(0.0, color=_GREY, linewidth=0.9, zorder=1)
        grad_ax.set_xlim(x_range)
        grad_ax.set_ylim(-10.5, 0.5)
        grad_ax.set_ylabel(f"{words['plot_gradient']} d loss / d p_t")
        target = grad_ax
    target.set_xlabel(_escape(words["axis_true_class"]))
    _title(figure, spec)
    return figure


# --- training curves ------------------------------------------------------------------


@lru_cache(maxsize=16)
def _training(dataset: str, losses: tuple[tuple[str, Settings], ...], options: Settings):
    """One training run, shared by the figures that show it in several languages."""
    given = dict(options)
    return train(
        dataset,
        [(name, dict(settings)) for name, settings in losses] or None,
        epochs=None if given.get("epochs") is None else int(given["epochs"]),
        lr=given.get("lr"),
        seed=int(given.get("seed", 0)),
    )


def _draw_training(spec: FigureSpec) -> Figure:
    """The loss per epoch (left) beside the dataset's own panel (right), with one legend."""
    dataset = spec.dataset or DEFAULT_DATASET
    result = _training(dataset, spec.losses, spec.training)
    figure, grid = _new_figure(1, 2, title=bool(spec.title), panel_titles=True)
    history_ax, data_ax = grid[0]
    history = _history_panel(history_ax, result, spec.language, dataset)
    # One legend for both panels: the lines keep their colour and dash on each side.
    handles = _DATA_PANELS[dataset](data_ax, result, spec.language) + history
    history_ax.legend(handles=handles, loc="upper right", fontsize=9.5)
    _title(figure, spec)
    return figure


def _history_panel(ax, result, language: str, dataset: str) -> list:
    """Mean training loss per epoch for each run (log scale when they differ by more than
    30 times); returns the lines for the legend."""
    words = strings_for(language)
    labels = [short_label(run.name, tuple(sorted((key, plain_setting(value)) for key, value in run.params.items())),
                          language, dataset) for run in result.runs]
    if result.runs and result.runs[0].error_rate is not None:
        labels = [label + parenthesised(f"{words['plot_error_rate']} {run.error_rate:.0%}", language)
                  for label, run in zip(labels, result.runs)]
    # A few hundred points draw a smooth history; thousands only weigh on the SVG.
    epochs_axis = np.unique(np.linspace(0, result.epochs, min(result.epochs, 300) + 1).round().astype(int))
    positive = [values[values > 0] for values in (run.history[np.isfinite(run.history)] for run in result.runs)]
    low = min((float(values.min()) for values in positive if values.size), default=1.0)
    high = max((float(values.max()) for values in positive if values.size), default=1.0)
    handles = []
    for index, (run, label) in enumerate(zip(result.runs, labels)):
        handles += ax.plot(epochs_axis, run.history[epochs_axis], label=_escape(label), zorder=2 + index * 0.01,
                           **_style(index))
    if high / max(low, 1e-12) > 30:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 3.0)))
        # Plain numbers: the default 10^k labels go through mathtext, which is slow.
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: number(value)))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylim(low / 1.5, high * 6.0)  # room above the curves for the legend
    else:
        ax.set_ylim(0.0, high * 1.6)
    ax.set_xlim(0, result.epochs)
    ax.set_xlabel(words["plot_epoch"])
    ax.set_ylabel(words["plot_mean_loss"])
    ax.set_title(words["plot_per_epoch"])
    return handles


def _line_panel(ax, result, language: str) -> list:
    """The points, the true line and each run's fitted line; returns the legend's data entries."""
    words = strings_for(language)
    # Markers of a line, not a scatter: the SVG then states their style once, not per point.
    handles = ax.plot(result.x, result.y, linestyle="none", marker="o", markersize=4, markeredgewidth=0,
                      color="#7f7f7f", alpha=0.75, zorder=1.5, label=words["plot_data"])
    span = np.array([result.x.min(), result.x.max()])
    slope, intercept = result.true_params
    handles += ax.plot(span, slope * span + intercept, color="#000000", linewidth=1.2, linestyle=(0, (1, 2)),
                       label=words["plot_true_line"], zorder=1.8)
    for index, run in enumerate(result.runs):
        a, b = run.fitted
        ax.plot(span, a * span + b, zorder=2 + index * 0.01, **_style(index))
    ax.set_xlim(span[0] - 0.2, span[1] + 0.2)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(words["plot_fitted_lines"])
    return handles


def _blobs_panel(ax, result, language: str) -> list:
    """Both classes, the Bayes-optimal boundary and each run's boundary; returns the
    legend's data entries."""
    points = result.x
    negative, positive = points[result.y == 0], points[result.y == 1]
    handles = [
        *ax.plot(negative[:, 0], negative[:, 1], linestyle="none", marker="o", markersize=3.6, markeredgewidth=0,
                 color="#56B4E9", alpha=0.7, label="y = 0", zorder=1.5),
        *ax.plot(positive[:, 0], positive[:, 1], linestyle="none", marker="^", markersize=4.2, markeredgewidth=0,
                 color="#E69F00", alpha=0.75, label="y = 1", zorder=1.5),
    ]
    x_low, x_high = float(points[:, 0].min()) - 0.3, float(points[:, 0].max()) + 0.3
    y_low, y_high = float(points[:, 1].min()) - 0.3, float(points[:, 1].max()) + 0.3
    span = np.array([x_low, x_high])

    def boundary(params, **style):
        w1, w2, b = params
        if abs(w2) > 1e-9:
            return ax.plot(span, -(w1 * span + b) / w2, **style)
        return [ax.axvline(-b / w1 if w1 else 0.0, **style)]

    handles += boundary(result.true_params, color="#000000", linewidth=1.2, linestyle=(0, (1, 2)),
                        label=strings_for(language)["plot_bayes"], zorder=1.8)
    for index, run in enumerate(result.runs):
        boundary(run.fitted, zorder=2 + index * 0.01, **_style(index))
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(strings_for(language)["plot_boundaries"])
    return handles


_DATA_PANELS = {"line-with-outliers": _line_panel, "two-blobs": _blobs_panel}
"""The right-hand panel of a training figure, per dataset of :data:`generator.core.DATASETS`."""

# --- SVG ------------------------------------------------------------------------------

_ROUNDED_ATTRIBUTE = re.compile(rb'(\s(?:d|x|y|transform|points)=")([^"]*)(")')
_LONG_NUMBER = re.compile(rb"-?\d+\.\d{2,}")
_FONT_FAMILY = re.compile(rb"font-family: ([^;\"]*);\s*")
_SIZE = re.compile(rb'width="[0-9.]+pt" height="[0-9.]+pt"')


def _round_number(match: re.Match) -> bytes:
    text = b"%.1f" % float(match.group(0))
    text = text.rstrip(b"0").rstrip(b".")
    return b"0" if text == b"-0" else text


def _round_attribute(match: re.Match) -> bytes:
    return match.group(1) + _LONG_NUMBER.sub(_round_number, match.group(2)) + match.group(3)


def _compact(svg: bytes) -> bytes:
    """Round coordinates to 0.1 px, state the font list once in CSS, size the image in pixels."""
    svg = _ROUNDED_ATTRIBUTE.sub(_round_attribute, svg)
    families = _FONT_FAMILY.findall(svg)
    if families and all(family == families[0] for family in families):
        svg = _FONT_FAMILY.sub(b"", svg)
        svg = svg.replace(b"<style type=\"text/css\">*{", b"<style type=\"text/css\">text{font-family: "
                          + families[0] + b"}\n*{", 1)
    return _SIZE.sub(b'width="%d" height="%d"' % (_WIDTH, _HEIGHT), svg, count=1)


_DRAWERS = {"loss_curve": _draw_curves, "focal_family": _draw_focal, "training_curve": _draw_training}


def draw(spec: FigureSpec) -> bytes:
    """The SVG of ``spec``: deterministic bytes, text kept as text."""
    if spec.kind not in KINDS:
        raise ValueError(f"unknown figure kind {spec.kind!r}; valid kinds: {', '.join(KINDS)}")
    if spec.language not in LANGUAGES:
        raise ValueError(f"unknown language {spec.language!r}; valid languages: {', '.join(LANGUAGES)}")
    rc = {**_RC_BASE, "font.sans-serif": _FONTS[spec.language]}
    with warnings.catch_warnings(), matplotlib.rc_context(rc):
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"findfont", category=UserWarning)
        figure = _DRAWERS[spec.kind](spec)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _compact(buffer.getvalue())

"""Loss-function figures: what to draw (:class:`FigureSpec`), drawing it to SVG, and a cache.

A :class:`FigureSpec` is a small frozen value that fully describes one image: which
losses with which settings, on which axis and range, with or without a gradient
panel, or which training run. Everything the picture shows is computed by
:mod:`generator.core`; this module only lays it out.

Drawing uses matplotlib's object API (``Figure`` and the SVG canvas, never pyplot)
and is imported lazily: ``import generator.plots`` does not import matplotlib, so a
site without plots never pays for it. The SVG keeps text as ``<text>`` elements
(``svg.fonttype = "none"``) so that Chinese labels render with the reader's fonts,
and is byte-identical from build to build and process to process: fixed
``svg.hashsalt``, no metadata, numbers rounded.

:func:`figure_id` names a figure by a hash of its spec, the numpy and matplotlib
versions and :data:`DRAW_VERSION`; :class:`PlotCache` keeps drawn SVGs under the
site's ``.studysite/plots`` folder, and :func:`render_figures` draws only the misses,
in parallel when asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from generator.core import DATASETS, FOCAL_GAMMAS, LOSSES, lookup
from generator.i18n import strings_for
from generator.languages import LANGUAGES

DRAW_VERSION = "1"
"""Bump whenever the drawing code changes what an SVG looks like: it renames every figure."""

KINDS = ("loss_curve", "focal_family", "training_curve")

DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "residual": (-3.0, 3.0),
    "margin": (-3.0, 3.0),
    "probability": (0.0, 1.0),
}
DEFAULT_DATASET = next(iter(DATASETS))
"""What a training figure shows when it names no dataset."""

POINTS = 200
"""Samples per curve; the curves are smooth apart from kinks, which are added exactly."""

_PROBABILITY_EDGE = 0.002
"""A probability range's ends at 0 or 1 are drawn from here (cross-entropy is infinite there)."""

Settings = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class FigureSpec:
    """Everything that decides one image; equal specs give identical SVG bytes."""

    kind: str
    """"loss_curve", "focal_family" or "training_curve"."""
    losses: tuple[tuple[str, Settings], ...] = ()
    """Canonical loss names, each with all its settings (defaults filled in), sorted by name."""
    axis: str | None = None
    """"residual", "margin" or "probability" (curves); None for training."""
    x_range: tuple[float, float] | None = None
    gradient: bool = False
    """Add a panel with each loss's gradient d loss / d x."""
    dataset: str | None = None
    """For training curves: "line-with-outliers" or "two-blobs"."""
    training: Settings = ()
    """For training curves: the epochs, lr and seed given (sorted); absent ones take the core's defaults."""
    title: str | None = None
    language: str = "en"
    """"zh-TW", "zh-CN" or "en"."""
    family: str | None = None
    """Loss curves: the parameter a slider varies (the first loss's), so that every variant
    gets the same axes. Focal family: "gamma"."""
    family_values: tuple[float, ...] = ()
    """The values of ``family``: the slider's stops, or the γ of each focal-family curve."""


# --- building specs -------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return _plain(value.item())
    raise ValueError(f"plots take single numbers as loss settings, got {value!r}")


def canonical_loss(name: str, settings: Mapping[str, Any] | None = None) -> tuple[str, Settings]:
    """``(name, settings)`` as a spec stores it: canonical name, every parameter with its
    default filled in, numbers as floats, sorted, so that "huber" and "huber(delta=1)" agree."""
    spec = LOSSES.get(name) or lookup(name)
    if spec is None:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(LOSSES)}")
    checked = spec.check_settings(dict(settings or {}))
    filled = {param.name: _plain(checked.get(param.name, param.default)) for param in spec.params}
    return spec.name, tuple(sorted(filled.items()))


def with_setting(spec: FigureSpec, index: int, key: str, value: Any) -> FigureSpec:
    """``spec`` with one setting of its ``index``-th loss changed (a slider variant)."""
    losses = list(spec.losses)
    name, settings = losses[index]
    losses[index] = canonical_loss(name, {**dict(settings), key: value})
    return replace(spec, losses=tuple(losses))


# --- names ----------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _versions() -> tuple[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("numpy", "matplotlib"):
        try:
            found.append(version(package))
        except PackageNotFoundError:
            found.append("absent")
    return found[0], found[1]


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, float):
        return repr(value)  # exact and stable; json would print 1.0 and 1 alike anyway
    return value


@lru_cache(maxsize=8192)
def figure_id(spec: FigureSpec) -> str:
    """A short stable hex name for ``spec`` drawn by this code with these library versions."""
    payload = {
        "spec": {field.name: _jsonable(getattr(spec, field.name)) for field in fields(spec)},
        "draw": DRAW_VERSION,
        "versions": _versions(),
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --- words ----------------------------------------------------------------------------

_SYMBOL_OF_AXIS = {"residual": "r", "margin": "m", "probability": "p"}

_PROPER = ("Huber", "Dice", "Poisson", "Kullback")

_TRAINING_WORDS = {
    "line-with-outliers": ("training_line_fit", "training_line_result", "training_line_truth"),
    "two-blobs": ("training_blobs_fit", "training_blobs_result", "training_blobs_truth"),
}
"""Each dataset's words in the table: what is fitted, what the right panel shows, and the
reference drawn there."""


def _parenthesised(text: str, language: str) -> str:
    return strings_for(language)["parenthesised"].format(text=text)


def _join(items: list[str], language: str, last: str = "list_and") -> str:
    """``a, b and c`` (``a、b與c``): ``last`` is the table's word before the last item."""
    if len(items) <= 1:
        return "".join(items)
    words = strings_for(language)
    return words["list_separator"].join(items[:-1]) + words[last] + items[-1]


def _number(value: float) -> str:
    return f"{value:g}".replace("-", "−")


def _shown_settings(name: str, settings: Settings) -> list[str]:
    """Settings worth naming: those with a slider family, and those off their default."""
    shown = []
    values = dict(settings)
    for param in LOSSES[name].params:
        if param.name not in values:
            continue
        value = values[param.name]
        if param.family is None and value == _plain(param.default):
            continue
        symbol = param.symbol or param.name
        if value is None:
            text = "none"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = _number(value)
        shown.append(f"{symbol} = {text}")
    return shown


def _with_settings(display: str, name: str, settings: Settings, language: str) -> str:
    shown = _shown_settings(name, settings)
    return display + _parenthesised(", ".join(shown), language) if shown else display


def loss_label(name: str, settings: Settings, language: str, *, axis: str | None = None,
               dataset: str | None = None) -> str:
    """The name a legend or caption gives one loss with its settings."""
    display = LOSSES[name].display[language]
    if name == "bce_with_logits" and (axis == "margin" or dataset is not None):
        # On a score, the logistic loss *is* binary cross-entropy: say so.
        display = strings_for(language)["plot_logistic_cross_entropy"]
    if name == "mse" and dataset == "two-blobs":
        display += _parenthesised(strings_for(language)["plot_on_sigmoid"], language)
    return _with_settings(display, name, settings, language)


_SHORT_EN = {
    "mse": "MSE", "mae": "MAE", "huber": "Huber", "smooth_l1": "Smooth L1", "log_cosh": "Log-cosh",
    "pinball": "Pinball", "bce": "BCE", "bce_with_logits": "Cross-entropy", "focal": "Focal",
    "hinge": "Hinge", "squared_hinge": "Squared hinge",
}
"""English names short enough for a legend in half a figure (Chinese names are short already)."""


def short_label(name: str, settings: Settings, language: str, dataset: str) -> str:
    """A legend entry narrow enough for half a figure (training curves)."""
    words = strings_for(language)
    if language == "en":
        display = _SHORT_EN.get(name, LOSSES[name].display[language])
    elif name == "bce_with_logits":
        display = words["plot_cross_entropy"]
    else:
        display = LOSSES[name].display[language]
    if name == "mse" and dataset == "two-blobs":
        display += words["plot_on_sigmoid_short"]
    return _with_settings(display, name, settings, language)


def _in_sentence(label: str, language: str) -> str:
    if language != "en" or label.startswith(_PROPER) or label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


_CJK_LATIN = re.compile(r"(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9)\]])(?=[\u3400-\u9fff])")


def _spaced(text: str, language: str) -> str:
    """A space between Chinese and Latin letters or digits, as Chinese typesetting has it."""
    return text if language == "en" else _CJK_LATIN.sub(" ", text)


def describe(spec: FigureSpec) -> tuple[str, str]:
    """(caption, alt text) of ``spec`` in ``spec.language``."""
    language = spec.language
    words = strings_for(language)
    if spec.kind == "training_curve":
        caption, alt = _describe_training(spec)
    elif spec.kind == "focal_family":
        caption, alt = _describe_focal(spec)
    else:
        caption, alt = _describe_curves(spec)
    caption, alt = _spaced(caption, language), _spaced(alt, language)
    if spec.title:
        title = spec.title.strip()
        stop = "" if title.endswith(tuple(words["caption_ends"])) else words["caption_end"]
        caption = words["caption_titled"].format(title=title, stop=stop, caption=caption[:1].upper() + caption[1:])
    return words["figure"] + caption, alt


def _describe_curves(spec: FigureSpec) -> tuple[str, str]:
    language, axis = spec.language, spec.axis or "residual"
    words = strings_for(language)
    labels = [loss_label(name, settings, language, axis=axis) for name, settings in spec.losses]
    names = _join([_in_sentence(label, language) for label in labels], language)
    noun = words[f"caption_{axis}"]
    low, high = (_number(value) for value in spec.x_range or DEFAULT_RANGES[axis])
    caption = words["caption_curves"].format(names=names, noun=noun)
    alt = words["alt_curves"].format(names=names, noun=noun, range=words["caption_range"].format(low=low, high=high))
    if spec.gradient:
        caption += words["caption_with_gradients"]
    if axis == "margin":
        caption += words["caption_zero_one"]
    if axis == "probability":
        alt += words["alt_panels"]
    if spec.gradient:
        alt += words["alt_gradient"].format(symbol=_SYMBOL_OF_AXIS[axis])
    if axis == "margin":
        alt += words["alt_zero_one"]
    alt += words["alt_curve_list"].format(curves=words["alt_curve_separator"].join(labels))
    return caption + words["caption_end"], alt


def _describe_focal(spec: FigureSpec) -> tuple[str, str]:
    words = strings_for(spec.language)
    gammas = _join([_number(gamma) for gamma in spec.family_values or FOCAL_GAMMAS], spec.language,
                   last="list_and_numbers")
    return words["caption_focal"].format(gammas=gammas), words["alt_focal"].format(gammas=gammas)


def _describe_training(spec: FigureSpec) -> tuple[str, str]:
    language, dataset = spec.language, spec.dataset or DEFAULT_DATASET
    words = strings_for(language)
    labels = [loss_label(name, settings, language, dataset=dataset) for name, settings in spec.losses]
    names = _join([_in_sentence(label, language) for label in labels], language)
    fit, result, truth = (words[key] for key in _TRAINING_WORDS[dataset])
    return (words["caption_training"].format(fit=fit, names=names, result=result),
            words["alt_training"].format(names=names, result=result, truth=truth))


# --- drawing --------------------------------------------------------------------------

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

_matplotlib_ready = False


def _setup() -> None:
    """Import matplotlib, choose Agg, and quieten missing-font messages (once per process)."""
    global _matplotlib_ready
    if _matplotlib_ready:
        return
    import logging

    import matplotlib

    matplotlib.use("Agg", force=False)
    # What drawing needs, imported now: forked workers then share it instead of each loading it.
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.ticker  # noqa: F401
    # Chinese fonts may be missing here; with text left as text the reader's browser draws it anyway.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _matplotlib_ready = True


def _escape(text: str) -> str:
    """Keep matplotlib from reading ``$`` in lesson text as mathtext."""
    return text.replace("$", r"\$")


def _grid(axis: str, x_range: tuple[float, float]):
    import numpy as np

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


def _curves(spec: FigureSpec, x):
    from generator.core import loss_curve

    return [loss_curve(name, spec.axis, x=x, **dict(settings)) for name, settings in spec.losses]


def _family_envelope(spec: FigureSpec, x) -> list:
    """Curves of the slider's loss at every family value: the axes must fit them all."""
    from generator.core import loss_curve

    if spec.family is None or not spec.family_values:
        return []
    for name, settings in spec.losses:
        if any(param.name == spec.family for param in LOSSES[name].params):
            return [
                loss_curve(name, spec.axis, x=x, **{**dict(settings), spec.family: value})
                for value in spec.family_values
            ]
    return []


def _new_figure(rows: int, columns: int, *, title: bool, panel_titles: bool, wide_left: bool = False,
                sharex: bool = False):
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(_WIDTH / 72, _HEIGHT / 72), dpi=72)
    # Fixed margins in points (much cheaper than constrained or tight layout).
    left, right, bottom = (66 if wide_left else 58), 14, 48
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


def _draw_curves(spec: FigureSpec):
    import numpy as np

    language, axis = spec.language, spec.axis or "residual"
    x_range = spec.x_range or DEFAULT_RANGES[axis]
    x = _grid(axis, x_range)
    curves = _curves(spec, x)
    envelope = _family_envelope(spec, x)
    probability = axis == "probability"
    columns = 2 if probability else 1
    rows = 2 if spec.gradient else 1
    if not probability and spec.gradient:
        rows, columns = 1, 2
    figure, grid = _new_figure(rows, columns, title=bool(spec.title), panel_titles=probability,
                               sharex=probability and spec.gradient)
    loss_axes = list(grid[0]) if probability else [grid[0][0]]
    if spec.gradient:
        grad_axes = list(grid[1]) if probability else [grid[0][1]]
    else:
        grad_axes = []

    labels = [loss_label(name, settings, language, axis=axis) for name, settings in spec.losses]
    every = curves + envelope
    loss_max = [float(np.max(series.loss)) for curve in every for series in curve.series]
    top = _upper(loss_max, 1.6)
    if probability:
        top = min(top, 5.0)
    top *= 1.06
    for column, ax in enumerate(loss_axes):
        if axis == "margin" and curves and curves[0].reference is not None:
            reference = curves[0].reference
            ax.plot(reference.x, reference.loss, color=_REFERENCE, linewidth=1.6,
                    label=strings_for(language)["plot_zero_one"], zorder=1.5)
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
            ax.set_ylabel(strings_for(language)["plot_loss"])
    if not spec.gradient or not probability:
        for ax in loss_axes:
            ax.set_xlabel(_escape(strings_for(language)[f"axis_{axis}"]))
    legend_at = {"residual": "upper center", "margin": "upper right", "probability": "upper right"}[axis]
    loss_axes[0].legend(loc=legend_at)

    if grad_axes:
        highs = [float(np.max(series.grad)) for curve in every for series in curve.series]
        lows = [float(-np.min(series.grad)) for curve in every for series in curve.series]
        high, low = _upper(highs, 2.5), _upper(lows, 2.5)
        if max(highs, default=0) <= 0:
            high = 0.08 * low
        if max(lows, default=0) <= 0:
            low = 0.08 * high
        if probability:
            high, low = min(high, 10.0), min(low, 10.0)
        for column, ax in enumerate(grad_axes):
            for index, curve in enumerate(curves):
                series = curve.series[column if probability else 0]
                ax.plot(series.x, series.grad, zorder=2 + index * 0.01, **_style(index))
            ax.axhline(0.0, color=_GREY, linewidth=0.9, zorder=1)
            if axis != "probability":
                ax.axvline(0.0, color=_GREY, linewidth=0.9, zorder=1)
            ax.set_ylim(-1.06 * low, 1.06 * high)
            ax.set_xlim(x_range)
            ax.set_xlabel(_escape(strings_for(language)[f"axis_{axis}"]))
            if column == 0:
                ax.set_ylabel(f"{strings_for(language)['plot_gradient']} d loss / d {_SYMBOL_OF_AXIS[axis]}")
    if spec.title:
        figure.suptitle(_escape(spec.title), y=1 - 8 / _HEIGHT, va="top", fontsize=13)
    return figure


def _draw_focal(spec: FigureSpec):
    from generator.core import focal_family

    language = spec.language
    x_range = spec.x_range or DEFAULT_RANGES["probability"]
    x = _grid("probability", x_range)
    gammas = spec.family_values or FOCAL_GAMMAS
    curve = focal_family(gammas, p_t=x)
    figure, grid = _new_figure(2 if spec.gradient else 1, 1, title=bool(spec.title), panel_titles=False,
                               sharex=spec.gradient)
    ax = grid[0][0]
    for index, series in enumerate(curve.series):
        label = series.label
        if gammas[index] == 0:
            label += _parenthesised(strings_for(language)["plot_cross_entropy"], language)
        ax.plot(series.x, series.loss, label=label, zorder=2 + index * 0.01, **_style(index))
    ax.set_xlim(x_range)
    ax.set_ylim(-0.15, 5.0)
    ax.set_ylabel(strings_for(language)["plot_loss"])
    ax.legend(loc="upper right")
    target = ax
    if spec.gradient:
        grad_ax = grid[1][0]
        for index, series in enumerate(curve.series):
            grad_ax.plot(series.x, series.grad, zorder=2 + index * 0.01, **_style(index))
        grad_ax.axhline(0.0, color=_GREY, linewidth=0.9, zorder=1)
        grad_ax.set_xlim(x_range)
        grad_ax.set_ylim(-10.5, 0.5)
        grad_ax.set_ylabel(f"{strings_for(language)['plot_gradient']} d loss / d p_t")
        target = grad_ax
    target.set_xlabel(_escape(strings_for(language)["axis_true_class"]))
    if spec.title:
        figure.suptitle(_escape(spec.title), y=1 - 8 / _HEIGHT, va="top", fontsize=13)
    return figure


@lru_cache(maxsize=16)
def _training(dataset: str, losses: tuple[tuple[str, Settings], ...], options: Settings):
    """One training run, shared by the figures that show it in several languages."""
    from generator.core import train

    given = dict(options)
    return train(
        dataset,
        [(name, dict(settings)) for name, settings in losses] or None,
        epochs=None if given.get("epochs") is None else int(given["epochs"]),
        lr=given.get("lr"),
        seed=int(given.get("seed", 0)),
    )


def _draw_training(spec: FigureSpec):
    import numpy as np

    language, dataset = spec.language, spec.dataset or DEFAULT_DATASET
    result = _training(dataset, spec.losses, spec.training)
    figure, grid = _new_figure(1, 2, title=bool(spec.title), panel_titles=True)
    history_ax, data_ax = grid[0]
    labels = [short_label(run.name, tuple(sorted((k, _plain(v)) for k, v in run.params.items())), language,
                           dataset) for run in result.runs]
    if result.runs and result.runs[0].error_rate is not None:
        error = strings_for(language)["plot_error_rate"]
        labels = [label + _parenthesised(f"{error} {run.error_rate:.0%}", language)
                  for label, run in zip(labels, result.runs)]
    # A few hundred points draw a smooth history; thousands only weigh on the SVG.
    epochs_axis = np.unique(np.linspace(0, result.epochs, min(result.epochs, 300) + 1).round().astype(int))
    histories = [run.history[np.isfinite(run.history)] for run in result.runs]
    positive = [values[values > 0] for values in histories]
    low = min((float(values.min()) for values in positive if values.size), default=1.0)
    high = max((float(values.max()) for values in positive if values.size), default=1.0)
    handles = []
    for index, (run, label) in enumerate(zip(result.runs, labels)):
        handles += history_ax.plot(epochs_axis, run.history[epochs_axis], label=_escape(label), zorder=2 + index * 0.01,
                                   **_style(index))
    if high / max(low, 1e-12) > 30:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

        history_ax.set_yscale("log")
        history_ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 3.0)))
        # Plain numbers: the default 10^k labels go through mathtext, which is slow.
        history_ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _number(value)))
        history_ax.yaxis.set_minor_locator(NullLocator())
        history_ax.set_ylim(low / 1.5, high * 6.0)  # room above the curves for the legend
    else:
        history_ax.set_ylim(0.0, high * 1.6)
    history_ax.set_xlim(0, result.epochs)
    history_ax.set_xlabel(strings_for(language)["plot_epoch"])
    history_ax.set_ylabel(strings_for(language)["plot_mean_loss"])
    history_ax.set_title(strings_for(language)["plot_per_epoch"])

    if dataset == "line-with-outliers":
        # Markers of a line, not a scatter: the SVG then states their style once, not per point.
        handles[0:0] = data_ax.plot(result.x, result.y, linestyle="none", marker="o", markersize=4,
                                    markeredgewidth=0, color="#7f7f7f", alpha=0.75, zorder=1.5,
                                    label=strings_for(language)["plot_data"])
        span = np.array([result.x.min(), result.x.max()])
        slope, intercept = result.true_params
        handles[1:1] = data_ax.plot(span, slope * span + intercept, color="#000000", linewidth=1.2,
                                    linestyle=(0, (1, 2)), label=strings_for(language)["plot_true_line"], zorder=1.8)
        for index, run in enumerate(result.runs):
            a, b = run.fitted
            data_ax.plot(span, a * span + b, zorder=2 + index * 0.01, **_style(index))
        data_ax.set_xlim(span[0] - 0.2, span[1] + 0.2)
        data_ax.set_xlabel("x")
        data_ax.set_ylabel("y")
        data_ax.set_title(strings_for(language)["plot_fitted_lines"])
    else:
        points = result.x
        negative, positive_class = points[result.y == 0], points[result.y == 1]
        markers = [
            *data_ax.plot(negative[:, 0], negative[:, 1], linestyle="none", marker="o", markersize=3.6,
                          markeredgewidth=0, color="#56B4E9", alpha=0.7, label="y = 0", zorder=1.5),
            *data_ax.plot(positive_class[:, 0], positive_class[:, 1], linestyle="none", marker="^",
                          markersize=4.2, markeredgewidth=0, color="#E69F00", alpha=0.75, label="y = 1", zorder=1.5),
        ]
        x_low, x_high = float(points[:, 0].min()) - 0.3, float(points[:, 0].max()) + 0.3
        y_low, y_high = float(points[:, 1].min()) - 0.3, float(points[:, 1].max()) + 0.3
        span = np.array([x_low, x_high])

        def boundary(params, **style):
            w1, w2, b = params
            if abs(w2) > 1e-9:
                return data_ax.plot(span, -(w1 * span + b) / w2, **style)
            return [data_ax.axvline(-b / w1 if w1 else 0.0, **style)]

        bayes = boundary(result.true_params, color="#000000", linewidth=1.2, linestyle=(0, (1, 2)),
                         label=strings_for(language)["plot_bayes"], zorder=1.8)
        for index, run in enumerate(result.runs):
            boundary(run.fitted, zorder=2 + index * 0.01, **_style(index))
        handles = markers + bayes + handles
        data_ax.set_xlim(x_low, x_high)
        data_ax.set_ylim(y_low, y_high)
        data_ax.set_xlabel("x₁")
        data_ax.set_ylabel("x₂")
        data_ax.set_title(strings_for(language)["plot_boundaries"])
    # One legend for both panels: the lines keep their colour and dash on each side.
    history_ax.legend(handles=handles, loc="upper right", fontsize=9.5)
    if spec.title:
        figure.suptitle(_escape(spec.title), y=1 - 8 / _HEIGHT, va="top", fontsize=13)
    return figure


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


def draw(spec: FigureSpec) -> bytes:
    """The SVG of ``spec``: deterministic bytes, text kept as text."""
    if spec.kind not in KINDS:
        raise ValueError(f"unknown figure kind {spec.kind!r}; valid kinds: {', '.join(KINDS)}")
    if spec.language not in LANGUAGES:
        raise ValueError(f"unknown language {spec.language!r}; valid languages: {', '.join(LANGUAGES)}")
    _setup()
    import io
    import warnings

    import matplotlib

    rc = {**_RC_BASE, "font.sans-serif": _FONTS[spec.language]}
    with warnings.catch_warnings(), matplotlib.rc_context(rc):
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"findfont", category=UserWarning)
        if spec.kind == "training_curve":
            figure = _draw_training(spec)
        elif spec.kind == "focal_family":
            figure = _draw_focal(spec)
        else:
            figure = _draw_curves(spec)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _compact(buffer.getvalue())


# --- cache and batch ------------------------------------------------------------------


class PlotCache:
    """Drawn SVGs under ``site_root/.studysite/plots``, named by :func:`figure_id`.

    Optional by design: a folder that cannot be read or written just means drawing again.
    """

    def __init__(self, site_root: Path | str):
        self.folder = Path(site_root) / ".studysite" / "plots"

    def path(self, spec: FigureSpec) -> Path:
        return self.folder / f"{figure_id(spec)}.svg"

    def get(self, spec: FigureSpec) -> bytes | None:
        try:
            data = self.path(spec).read_bytes()
        except OSError:
            return None
        return data if data.rstrip().endswith(b"</svg>") else None

    def put(self, spec: FigureSpec, svg: bytes) -> None:
        target = self.path(spec)
        temporary = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".svg", dir=self.folder)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(svg)
            os.replace(temporary, target)
            temporary = None
        except OSError:
            pass
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass


def _fork_context():
    import multiprocessing

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
    _setup()
    context = _fork_context() if jobs > 1 and len(missing) > 2 else None
    if context is not None:
        # The first figure is drawn here: it loads fonts and warms matplotlib's caches
        # once, before forking, instead of once in every worker.
        drawn = [draw(missing[0])]
        import gc

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


__all__ = [
    "DEFAULT_DATASET", "DEFAULT_RANGES", "DRAW_VERSION", "FigureSpec", "KINDS", "PlotCache", "canonical_loss", "describe", "draw", "figure_id", "loss_label", "render_figures",
    "with_setting",
]

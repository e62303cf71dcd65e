"""The plot shortcodes, ``loss_curve`` and ``training_curve``: their parameters, checked,
become a :class:`Figure` (what to draw, its caption and its slider).

This docstring is the shortcodes' reference. Nothing here imports matplotlib or touches files.

``loss_curve``: curves of losses against one axis
-------------------------------------------------

``{{< loss_curve losses="mse, mae, huber(delta=1)" x="residual" range="-3, 3" gradient="true" >}}``

``losses`` (required)
    Comma-separated losses, each a name or alias (any case, in English, Traditional or
    Simplified Chinese: ``mse``, ``均方誤差``, ``Cross Entropy``) with optional settings in
    parentheses: ``huber(delta=0.5)``, ``focal(gamma=2, alpha=none)``, ``pinball(alpha=0.9)``.
    Unknown names or settings, and values out of range, are errors that list the valid ones.
``x``
    The horizontal axis: ``residual`` (regression: r = ŷ − y), ``margin`` (classification:
    m = y·f(x), drawn with the 0-1 loss for reference) or ``probability`` (predicted
    probability p of the positive class; one panel for y = 1, one for y = 0). Default: the
    first loss's preferred axis. Every listed loss must support the axis; the error names
    the axes they share. ``poisson_nll`` and ``kl_div`` have no curve.
``range``
    ``"a, b"``: the stretch of the axis to draw, two numbers with a < b. Residual and margin
    ranges lie within [−100, 100]; probability ranges within [0, 1] (the ends 0 and 1 are
    drawn from 0.002 and 0.998, where cross-entropy is finite). Default: −3 to 3 for residual
    and margin, 0 to 1 for probability.
``gradient``
    ``true`` or ``false`` (default): add panels with each loss's gradient d loss / d x.
``title``
    A title drawn above the plot and put before the caption.
``slider``
    ``true`` (default) or ``false``. With ``true``, the first listed loss that has a
    parameter family (Huber ``delta``, smooth L1 ``beta``, pinball ``alpha`` = τ, focal
    ``gamma``) gets a slider on the page that switches between precomputed curves for the
    family's values (the written value, or the default, is where it starts).
``family`` and ``values``
    ``family="<parameter>"`` draws the single listed loss once per value of that parameter
    in one figure, e.g. ``losses="huber" family="delta"``. ``values="0.5, 1, 2"`` picks the
    values (default: the parameter's family, e.g. δ ∈ 0.25, 0.5, 1, 2, 4). For
    ``losses="focal" family="gamma"`` on the probability axis (the default) the figure is
    Figure 1 of Lin et al. (2017): focal loss against the true class's probability p_t
    for γ ∈ 0, 0.5, 1, 2, 5, without α. No slider is added to a family figure.

``training_curve``: gradient descent on a small synthetic dataset
-----------------------------------------------------------------

``{{< training_curve data="line-with-outliers" losses="mse, mae, huber" >}}``

``data``
    ``line-with-outliers`` (default: fit y = a·x + b to 30 points, four of them gross
    outliers) or ``two-blobs`` (logistic regression on two Gaussian blobs, starting from a
    confidently wrong model).
``losses``
    As for ``loss_curve``. Default: ``mse, mae, huber`` for the line and
    ``bce_with_logits, mse`` (cross-entropy against MSE on the sigmoid output) for the blobs.
    The line takes any regression loss with a residual curve; the blobs take
    ``bce_with_logits``, ``focal``, ``hinge``, ``squared_hinge``, ``bce`` and ``mse``.
``epochs``
    A whole number from 1 to 5000 (default: 500 for the line, 100 for the blobs).
``lr``
    The learning rate, a number in (0, 10] (default: 0.05 for the line, 0.5 for the blobs).
``seed``
    A whole number from 0 to 4294967295 (default 0): the data drawn.
``title``
    As for ``loss_curve``.

The figure shows the mean training loss per epoch (left) and the fitted lines or
decision boundaries over the data (right).

Either shortcode stands on a line of its own, in a section's text or in a test answer,
where the plot shows inside the answer. Errors in either shortcode (unknown parameters
included, or a shortcode inside a question, a list or a quote) are reported at the
shortcode's line, and the shortcode is left out of the page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from generator.content.lesson import ShortcodePart
from generator.content.shortcodes import PLOT_SHORTCODES
from generator.core import AXES, DATASETS, LOSSES, Param, parse_loss_list
from generator.languages import LANGUAGES
from generator.plots.captions import describe
from generator.plots.spec import DEFAULT_DATASET, DEFAULT_RANGES, FigureSpec, canonical_loss, with_setting

LOSS_CURVE_PARAMETERS = ("losses", "x", "range", "gradient", "title", "slider", "family", "values")
TRAINING_CURVE_PARAMETERS = ("losses", "data", "epochs", "lr", "seed", "title")

_MAX_EPOCHS = 5000
_MAX_LR = 10.0
_MAX_SEED = 2**32 - 1
_MAX_ABS_RANGE = 100.0
_MAX_TITLE = 200


@dataclass(frozen=True)
class Figure:
    """A plot placed in a lesson: what to draw, how to caption it, and its slider."""

    spec: FigureSpec
    caption: str
    alt: str
    variants: tuple[tuple[float, FigureSpec], ...] = ()
    """The slider's stops in order, one spec each, ``spec`` among them; empty for no slider."""
    parameter: str | None = None
    """The parameter the slider varies, e.g. "delta"."""
    symbol: str | None = None
    """How the page writes it, e.g. "δ"."""
    default_index: int = 0
    """Which variant is ``spec``."""

    @property
    def specs(self) -> tuple[FigureSpec, ...]:
        """Every image this figure needs."""
        return tuple(spec for _, spec in self.variants) if self.variants else (self.spec,)


def figure_language(language: str | None) -> str:
    """The language figures are described in: the lesson's, or English for one without words of its own."""
    return language if language in LANGUAGES else "en"


def _check_names(params: dict[str, str], shortcode: str, valid: tuple[str, ...]) -> None:
    for key in params:
        if key.isdigit():
            raise ValueError(
                f"{shortcode} takes named parameters only, like losses=\"mse, mae\"; valid parameters: "
                + ", ".join(valid)
            )
        if key not in valid:
            raise ValueError(f"unknown parameter {key!r} for {shortcode}; valid parameters: {', '.join(valid)}")


def _boolean(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _float(text: str, what: str) -> float:
    try:
        number = float(text.strip().replace("−", "-"))
    except ValueError:
        raise ValueError(f"{what} must be a number, got {text.strip()!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {text.strip()!r}")
    return number


def _whole(text: str, name: str, low: int, high: int) -> int:
    stripped = text.strip()
    try:
        number = int(stripped)
    except ValueError:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {stripped!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {number}")
    return number


def _title(params: dict[str, str]) -> str | None:
    if "title" not in params:
        return None
    title = " ".join(params["title"].split())
    if not title:
        raise ValueError("title is empty; leave it out or write some text")
    if len(title) > _MAX_TITLE:
        raise ValueError(f"title is {len(title)} characters long; keep it under {_MAX_TITLE}")
    return title


def _losses(text: str) -> list[tuple[Any, dict[str, Any]]]:
    requested = parse_loss_list(text)
    for spec, settings in requested:
        for key, value in settings.items():
            if value is not None and not isinstance(value, (bool, int, float)):
                raise ValueError(f"{spec.name}: {key} must be a single number in a plot, got {value!r}")
    return requested


def _range(text: str, axis: str) -> tuple[float, float]:
    pieces = [piece for piece in re.split(r"[,\s]+", text.strip()) if piece]
    if len(pieces) != 2:
        raise ValueError(f"range must be two numbers \"a, b\" with a < b, got {text!r}")
    low, high = (_float(piece, "range") for piece in pieces)
    if not low < high:
        raise ValueError(f"range must be two numbers \"a, b\" with a < b, got {text!r}")
    if axis == "probability":
        if low < 0 or high > 1:
            raise ValueError(f"range on the probability axis must lie within [0, 1], got {text!r}")
    elif low < -_MAX_ABS_RANGE or high > _MAX_ABS_RANGE:
        raise ValueError(
            f"range on the {axis} axis must lie within [−{_MAX_ABS_RANGE:g}, {_MAX_ABS_RANGE:g}], got {text!r}"
        )
    return low, high


def _axis(requested: list[tuple[Any, dict[str, Any]]], written: str | None) -> str:
    for spec, _ in requested:
        if not spec.axes:
            drawable = ", ".join(name for name, other in LOSSES.items() if other.axes)
            raise ValueError(f"{spec.name} has no curve to draw; losses with curves: {drawable}")
    shared = [axis for axis in AXES if all(axis in spec.axes for spec, _ in requested)]
    if written is None:
        axis = requested[0][0].axes[0]
        if axis in shared:
            return axis
        if not shared:
            each = "; ".join(f"{spec.name}: {', '.join(spec.axes)}" for spec, _ in requested)
            raise ValueError(f"these losses share no axis ({each}); draw them in separate loss_curve shortcodes")
        raise ValueError(
            f"{requested[0][0].name} is drawn against {axis} by default, which "
            + ", ".join(spec.name for spec, _ in requested if axis not in spec.axes)
            + f" cannot be; add x=\"{shared[0]}\" (axes all these losses share: {', '.join(shared)})"
        )
    axis = written.strip().lower()
    if axis not in AXES:
        raise ValueError(f"unknown x axis {written!r}; valid axes: {', '.join(AXES)}")
    if axis not in shared:
        unable = ", ".join(spec.name for spec, _ in requested if axis not in spec.axes)
        if shared:
            raise ValueError(f"{unable} cannot be drawn against {axis}; axes all these losses share: "
                             + ", ".join(shared))
        each = "; ".join(f"{spec.name}: {', '.join(spec.axes)}" for spec, _ in requested)
        raise ValueError(f"{unable} cannot be drawn against {axis}, and these losses share no axis ({each})")
    return axis


def _family_param(spec: Any, name: str) -> Param:
    params = {param.name: param for param in spec.params}
    if name not in params:
        valid = ", ".join(param.name for param in spec.params if param.kind == "number") or "none"
        raise ValueError(f"{spec.name} has no parameter {name!r} to vary; its parameters: {valid}")
    param = params[name]
    if param.kind != "number":
        raise ValueError(f"{spec.name}: {name} is not a number, so it has no family of curves")
    return param


def _values(text: str | None, spec: Any, param: Param) -> tuple[float, ...]:
    if text is None:
        if param.family is None:
            raise ValueError(
                f"{spec.name}: {param.name} has no default family; list the values, e.g. values=\"0.1, 1, 10\""
            )
        return tuple(float(value) for value in param.family)
    values = []
    for piece in (piece for piece in re.split(r"[,\s]+", text.strip()) if piece):
        number = _float(piece, "values")
        checked = param.validate(number, loss=spec.name)
        if checked is None:
            raise ValueError(f"{spec.name}: {param.name} must be {param.range_text()}, got {piece}")
        values.append(float(checked))
    if not values:
        raise ValueError("values is empty; list numbers like values=\"0.5, 1, 2\"")
    if len(values) > 7:
        raise ValueError(f"values lists {len(values)} numbers; a figure shows at most 7 curves")
    if len(set(values)) != len(values):
        raise ValueError(f"values lists a number twice: {text!r}")
    return tuple(values)


def _variants(spec: FigureSpec, index: int, param: Param) -> tuple[tuple[tuple[float, FigureSpec], ...], int]:
    """One spec per slider stop, for the ``index``-th loss's parameter ``param``."""
    current = dict(spec.losses[index][1])[param.name]
    stops = sorted({*(float(value) for value in param.family or ()), float(current)})
    family = replace(spec, family=param.name, family_values=tuple(stops))
    variants = tuple((value, with_setting(family, index, param.name, value)) for value in stops)
    return variants, stops.index(float(current))


def slider_figure(spec: FigureSpec, slider: bool) -> Figure:
    """``spec`` as a figure; with ``slider``, the first of its losses that has a parameter
    family gets a slider over the family's values, starting at the value in ``spec``."""
    caption, alt = describe(spec)
    if slider and spec.kind == "loss_curve":
        for index, (name, _) in enumerate(spec.losses):
            param = next((param for param in LOSSES[name].params if param.family), None)
            if param is None:
                continue
            variants, default_index = _variants(spec, index, param)
            chosen = variants[default_index][1]
            caption, alt = describe(chosen)
            return Figure(chosen, caption, alt, variants, param.name, param.symbol or None, default_index)
    return Figure(spec, caption, alt)


def _loss_curve(params: dict[str, str], language: str) -> Figure:
    _check_names(params, "loss_curve", LOSS_CURVE_PARAMETERS)
    if "losses" not in params:
        raise ValueError(
            "loss_curve needs losses, e.g. losses=\"mse, mae, huber(delta=1)\"; valid losses: " + ", ".join(LOSSES)
        )
    requested = _losses(params["losses"])
    title = _title(params)
    gradient = _boolean(params["gradient"], "gradient") if "gradient" in params else False
    slider = _boolean(params["slider"], "slider") if "slider" in params else True
    if "values" in params and "family" not in params:
        raise ValueError("values goes with family, e.g. losses=\"huber\" family=\"delta\" values=\"0.5, 1, 2\"")
    axis = _axis(requested, params.get("x"))
    x_range = _range(params["range"], axis) if "range" in params else DEFAULT_RANGES[axis]
    base = FigureSpec("loss_curve", (), axis, x_range, gradient, title=title, language=language)

    if "family" in params:
        if len(requested) != 1:
            raise ValueError(
                "family draws one loss at several values of a parameter: list exactly one loss, e.g. "
                "losses=\"focal\" family=\"gamma\""
            )
        spec, settings = requested[0]
        param = _family_param(spec, params["family"].strip())
        values = _values(params.get("values"), spec, param)
        if param.name in settings:
            raise ValueError(
                f"{spec.name}: {param.name} is set in losses and also varied by family; leave it out of losses"
            )
        if spec.name == "focal" and param.name == "gamma" and axis == "probability":
            if "alpha" in settings:
                raise ValueError(
                    "the focal-loss family figure follows Lin et al. (2017), Figure 1, without α: "
                    "write losses=\"focal\" (or draw focal(alpha=…) against x=\"margin\")"
                )
            figure = replace(base, kind="focal_family", losses=(canonical_loss("focal", {"alpha": None}),),
                             family="gamma", family_values=values)
        else:
            curves = tuple(canonical_loss(spec.name, {**settings, param.name: value}) for value in values)
            figure = replace(base, losses=curves)
        caption, alt = describe(figure)
        return Figure(figure, caption, alt)

    if len(requested) > 7:
        raise ValueError(f"losses lists {len(requested)} losses; a figure shows at most 7")
    losses = tuple(canonical_loss(spec.name, settings) for spec, settings in requested)
    if len(set(losses)) != len(losses):
        raise ValueError(f"losses lists the same loss with the same settings twice: {params['losses']!r}")
    return slider_figure(replace(base, losses=losses), slider)


def _training_curve(params: dict[str, str], language: str) -> Figure:
    _check_names(params, "training_curve", TRAINING_CURVE_PARAMETERS)
    dataset = params.get("data", DEFAULT_DATASET).strip()
    if dataset not in DATASETS:
        raise ValueError(f"unknown data {dataset!r}; valid datasets: {', '.join(DATASETS)}")
    if "losses" in params:
        requested = _losses(params["losses"])
    else:
        requested = [(LOSSES[name], {}) for name in DATASETS[dataset].losses]
    if len(requested) > 7:
        raise ValueError(f"losses lists {len(requested)} losses; a figure shows at most 7")
    options: dict[str, Any] = {}
    if "epochs" in params:
        options["epochs"] = _whole(params["epochs"], "epochs", 1, _MAX_EPOCHS)
    if "lr" in params:
        lr = _float(params["lr"], "lr")
        if not 0 < lr <= _MAX_LR:
            raise ValueError(f"lr must be a number in (0, {_MAX_LR:g}], got {params['lr'].strip()!r}")
        options["lr"] = lr
    if "seed" in params:
        options["seed"] = _whole(params["seed"], "seed", 0, _MAX_SEED)
    # Let the core say which losses fit which dataset: one epoch costs microseconds.
    from generator.core import train

    try:
        train(dataset, [(spec, settings) for spec, settings in requested], epochs=1, lr=options.get("lr"))
    except ValueError as error:
        raise ValueError(str(error).removeprefix("train: ")) from None
    losses = tuple(canonical_loss(spec.name, settings) for spec, settings in requested)
    if len(set(losses)) != len(losses):
        raise ValueError(f"losses lists the same loss with the same settings twice: {params['losses']!r}")
    spec = FigureSpec("training_curve", losses, None, None, False, dataset, tuple(sorted(options.items())),
                      _title(params), language)
    caption, alt = describe(spec)
    return Figure(spec, caption, alt)


def figure_from_shortcode(part: ShortcodePart, language: str) -> Figure:
    """The figure a ``loss_curve`` or ``training_curve`` shortcode asks for.

    Raises ValueError with a message for the lesson's author: what is wrong, and the valid choices.
    """
    language = figure_language(language)
    params = {key: value for key, value in part.params.items()}
    if part.name == "loss_curve":
        return _loss_curve(params, language)
    if part.name == "training_curve":
        return _training_curve(params, language)
    raise ValueError(f"{part.name!r} is not a plot shortcode; plot shortcodes: {', '.join(PLOT_SHORTCODES)}")

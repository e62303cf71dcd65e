"""Plot-ready data for loss lessons: loss curves, the focal-loss family, training runs.

Nothing here draws; the plotting layer receives small dataclasses of numpy arrays.
All values come from the loss functions and gradients of :mod:`generator.core.losses`,
so the pictures and the training runs use the very math the tests check.

Curve axes:

* ``"residual"``: ``y_true = 0``, ``y_pred = x``.
* ``"margin"``: label ``+1`` and decision value ``f = x``, so ``x`` is the margin
  ``y·f``; a 0-1 loss series comes along as a reference.
* ``"probability"``: predicted probability ``p = x`` of the positive class, one
  series for ``y = 1`` and one for ``y = 0``. Losses that take logits (``bce_with_logits``,
  ``focal``) get ``logit(p)``, ``cross_entropy`` gets the two-class logits ``(0, logit p)``,
  ``dice`` treats each point as a one-pixel mask.

Every series' ``grad`` is ``d loss / d x``: the gradient with respect to ``y_pred``
wherever ``y_pred`` is the plotted quantity, chain-ruled through ``logit`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .domains import LOGITS
from .params import FOCAL_GAMMAS, ParamValue
from .registry import LOSSES, LossSpec, lookup, parse_loss_list
from .stable import Array, logit, sigmoid

AXES = ("residual", "margin", "probability")


def _default_x(axis: str) -> Array:
    if axis == "residual":
        return np.linspace(-5.0, 5.0, 401)  # wide enough to show Huber's largest δ = 4
    if axis == "margin":
        return np.linspace(-3.0, 3.0, 241)
    return np.linspace(0.0, 1.0, 201)[1:-1]  # cross-entropy is infinite at 0 and 1


@dataclass(frozen=True)
class Series:
    label: str
    """Series name: "y = 1" or "y = 0" on the probability axis, "γ = 2" in the focal family, else empty."""
    x: Array
    loss: Array
    grad: Array
    """d loss / d x."""


@dataclass(frozen=True)
class Curve:
    name: str
    """Canonical loss name; its display names are in ``LOSSES[name].display``."""
    axis: str
    params: Mapping[str, ParamValue]
    series: tuple[Series, ...]
    reference: Series | None = None
    """The 0-1 loss on the margin axis, None elsewhere."""


def _probability_series(spec: LossSpec, p: Array, label: int, settings: Mapping[str, Any]) -> Series:
    target = np.full_like(p, float(label))
    if spec.name == "cross_entropy":
        logits = np.column_stack([np.zeros_like(p), logit(p)])  # softmax gives (1 - p, p)
        classes = np.full(p.shape, label)
        loss = spec.fn(classes, logits, reduction="none", **settings)
        grad = spec.grad(classes, logits, reduction="none", **settings)[:, 1] / (p * (1.0 - p))
    elif spec.y_pred is LOGITS:
        loss = spec.fn(target, logit(p), reduction="none", **settings)
        grad = spec.grad(target, logit(p), reduction="none", **settings) / (p * (1.0 - p))
    elif spec.name == "dice":
        column, target_column = p[:, np.newaxis], target[:, np.newaxis]
        loss = spec.fn(target_column, column, reduction="none", **settings)
        grad = spec.grad(target_column, column, reduction="none", **settings)[:, 0]
    else:
        loss = spec.fn(target, p, reduction="none", **settings)
        grad = spec.grad(target, p, reduction="none", **settings)
    return Series(f"y = {label}", p, loss, grad)


def _check_x(spec: LossSpec, axis: str, x: ArrayLike) -> Array:
    values = np.asarray(x, dtype=np.float64)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{spec.name}: x must be a non-empty 1-D array of finite numbers")
    if axis == "probability":
        if spec.y_pred is LOGITS and (values.min() <= 0 or values.max() >= 1):
            raise ValueError(f"{spec.name}: probabilities on the x axis must lie in (0, 1), since its logit is used")
        if values.min() < 0 or values.max() > 1:
            raise ValueError(f"{spec.name}: probabilities on the x axis must lie in [0, 1]")
    return values


def _resolve(name: str | LossSpec) -> LossSpec:
    spec = name if isinstance(name, LossSpec) else lookup(name)
    if spec is None:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(LOSSES)}")
    return spec


def loss_curve(name: str | LossSpec, axis: str | None = None, x: ArrayLike | None = None, **params: Any) -> Curve:
    """Loss and gradient of one loss along ``axis`` (its preferred axis when None).

    ``name`` may be any alias; ``params`` are the loss's settings. Raises ValueError
    for an unknown loss, an axis the loss does not support (listing the valid ones),
    bad settings, or ``x`` outside the axis's domain.
    """
    spec = _resolve(name)
    if not spec.axes:
        drawable = ", ".join(loss for loss, other in LOSSES.items() if other.axes)
        raise ValueError(f"{spec.name}: no curve axis fits this loss; losses with curves: {drawable}")
    axis = spec.axes[0] if axis is None else axis
    if axis not in spec.axes:
        raise ValueError(f"{spec.name}: unsupported axis {axis!r}; valid axes: {', '.join(spec.axes)}")
    settings = spec.check_settings(params, curve=True)
    values = _check_x(spec, axis, _default_x(axis) if x is None else x)
    reference = None
    if axis == "probability":
        series = (_probability_series(spec, values, 1, settings), _probability_series(spec, values, 0, settings))
    else:
        target = np.zeros_like(values) if axis == "residual" else np.ones_like(values)
        loss = spec.fn(target, values, reduction="none", **settings)
        grad = spec.grad(target, values, reduction="none", **settings)
        series = (Series("", values, loss, grad),)
        if axis == "margin":
            reference = Series("0-1 loss", values, np.where(values <= 0, 1.0, 0.0), np.zeros_like(values))
    return Curve(spec.name, axis, settings, series, reference)


def focal_family(gammas: Iterable[float] = FOCAL_GAMMAS, p_t: ArrayLike | None = None) -> Curve:
    """Focal loss against the true class's probability ``p_t``, one series per γ, no α.

    Reproduces Figure 1 of Lin et al. (2017); γ = 0 is cross-entropy, and at
    ``p_t = 0.9`` with γ = 2 the loss is ``(1 - 0.9)² = 1/100`` of it.
    """
    series = tuple(
        replace(loss_curve("focal", "probability", x=p_t, gamma=gamma, alpha=None).series[0], label=f"γ = {gamma:g}")
        for gamma in gammas
    )
    return Curve("focal", "probability", {"alpha": None}, series)


# --- training -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingRun:
    name: str
    params: Mapping[str, ParamValue]
    """The loss's settings."""
    history: Array
    """Mean training loss after each epoch; ``history[0]`` is before the first step."""
    fitted: Array
    """Model parameters after training, named by ``Training.param_names``."""
    error_rate: float | None
    """Share of misclassified training points (classification datasets only)."""


@dataclass(frozen=True)
class Training:
    dataset: str
    x: Array
    """Inputs: shape (n,) for the line, (n, 2) for the blobs."""
    y: Array
    """Targets: y values for the line, labels 0 and 1 for the blobs."""
    true_params: Array
    """The parameters the data was drawn from (for the blobs, the Bayes-optimal boundary)."""
    param_names: tuple[str, ...]
    runs: tuple[TrainingRun, ...]
    epochs: int
    lr: float
    seed: int


@dataclass(frozen=True)
class Dataset:
    """A synthetic dataset of :func:`train`, with the losses, epochs and learning rate it
    trains with unless told otherwise."""

    make: Callable[[np.random.Generator], tuple[Array, Array, Array]]
    """Features (n, d), targets (n,) and the true parameters (d weights, then bias)."""
    param_names: tuple[str, ...]
    start: tuple[float, ...]
    losses: tuple[str, ...]
    links: Mapping[str, str]
    """Loss name to what it receives: "score" (the linear output) or "probability" (its sigmoid)."""
    classifies: bool
    epochs: int
    lr: float


def _line_with_outliers(rng: np.random.Generator) -> tuple[Array, Array, Array]:
    slope, intercept = 2.0, 1.0
    x = np.sort(rng.uniform(-3.0, 3.0, 30))
    y = slope * x + intercept + rng.normal(0.0, 0.3, x.size)
    # Gross errors at the right end lever the least-squares slope upwards.
    outliers = rng.choice(np.flatnonzero(x > 1.0), size=4, replace=False)
    y[outliers] += rng.uniform(12.0, 18.0, outliers.size)
    return x[:, np.newaxis], y, np.array([slope, intercept])


def _two_blobs(rng: np.random.Generator) -> tuple[Array, Array, Array]:
    center = np.array([1.0, 0.5])
    per_class = 100
    negatives = rng.normal(-center, 1.0, (per_class, 2))
    positives = rng.normal(center, 1.0, (per_class, 2))
    x = np.vstack([negatives, positives])
    y = np.repeat([0.0, 1.0], per_class)
    # For two unit-variance Gaussians at ±c the Bayes boundary is linear: w = 2c, b = 0.
    return x, y, np.append(2.0 * center, 0.0)


DATASETS: dict[str, Dataset] = {
    "line-with-outliers": Dataset(
        make=_line_with_outliers,
        param_names=("a", "b"),
        start=(0.0, 0.0),
        losses=("mse", "mae", "huber"),
        links={name: "score" for name, spec in LOSSES.items() if "residual" in spec.axes},
        classifies=False,
        epochs=500,
        lr=0.05,
    ),
    "two-blobs": Dataset(
        make=_two_blobs,
        param_names=("w1", "w2", "b"),
        # Confidently wrong: the sigmoid starts saturated on most points, which is
        # where MSE's gradient vanishes and cross-entropy's does not.
        start=(-3.0, -1.5, 0.0),
        losses=("bce_with_logits", "mse"),
        links={"bce_with_logits": "score", "focal": "score", "hinge": "score", "squared_hinge": "score",
               "bce": "probability", "mse": "probability"},
        classifies=True,
        epochs=100,
        lr=0.5,
    ),
}


def _requested_losses(
    losses: str | Iterable[str | tuple[str | LossSpec, Mapping[str, Any]]] | None, default: tuple[str, ...]
) -> list[tuple[LossSpec, dict[str, Any]]]:
    if losses is None:
        return [(LOSSES[name], {}) for name in default]
    if isinstance(losses, str):
        return parse_loss_list(losses)
    requested = []
    for item in losses:
        if isinstance(item, (str, LossSpec)):
            requested.append((_resolve(item), {}))
        else:
            name, settings = item
            spec = _resolve(name)
            requested.append((spec, spec.check_settings(settings)))
    return requested


def _shared_settings(requested: list[tuple[LossSpec, dict[str, Any]]], params: Mapping[str, Any]) -> None:
    """Give each loss the keyword settings it declares, without overriding its own."""
    for key in params:
        if not any(key == param.name for spec, _ in requested for param in spec.params):
            names = ", ".join(spec.name for spec, _ in requested)
            raise ValueError(f"train: parameter {key!r} belongs to none of the losses {names}")
    for spec, settings in requested:
        accepted = {param.name for param in spec.params}
        shared = {key: value for key, value in params.items() if key in accepted and key not in settings}
        settings.update(spec.check_settings(shared))


def _fit(
    features: Array, targets: Array, spec: LossSpec, settings: Mapping[str, Any], link: str,
    start: tuple[float, ...], epochs: int, lr: float,
) -> tuple[Array, Array]:
    """Full-batch gradient descent on a linear model; the loss's own gradient drives it."""
    theta = np.array(start, dtype=np.float64)
    history = np.empty(epochs + 1)
    for epoch in range(epochs + 1):
        score = features @ theta[:-1] + theta[-1]
        prediction = sigmoid(score) if link == "probability" else score
        history[epoch] = spec.fn(targets, prediction, **settings)
        if epoch == epochs:
            break
        grad = spec.grad(targets, prediction, **settings)
        if link == "probability":
            grad *= prediction * (1.0 - prediction)
        theta -= lr * np.append(features.T @ grad, grad.sum())
    return theta, history


def train(
    dataset: str,
    losses: str | Iterable[str | tuple[str | LossSpec, Mapping[str, Any]]] | None = None,
    *,
    epochs: int | None = None,
    lr: float | None = None,
    seed: int = 0,
    **params: Any,
) -> Training:
    """Train a linear model on a seeded synthetic dataset under each loss.

    ``dataset``: "line-with-outliers" (fit ``y = a·x + b`` to a line with four gross
    outliers; default losses mse, mae, huber) or "two-blobs" (logistic regression on
    two Gaussian blobs, starting from a confidently wrong model; default losses
    bce_with_logits and mse on the sigmoid output).
    ``losses``: a shortcode string (see :func:`parse_loss_list`), or names and
    ``(name, settings)`` pairs. ``params`` go to every listed loss that declares them.
    Gradient descent is full-batch with a fixed learning rate, so the result depends
    only on ``seed``.
    """
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; valid datasets: {', '.join(DATASETS)}")
    setup = DATASETS[dataset]
    epochs = setup.epochs if epochs is None else epochs
    lr = setup.lr if lr is None else lr
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"train: epochs must be a whole number >= 1, got {epochs!r}")
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"train: lr must be > 0, got {lr!r}")
    requested = _requested_losses(losses, setup.losses)
    _shared_settings(requested, params)
    for spec, _ in requested:
        if spec.name not in setup.links:
            valid = ", ".join(setup.links)
            raise ValueError(f"train: {dataset} cannot be fitted with {spec.name}; valid losses: {valid}")

    features, targets, true_params = setup.make(np.random.default_rng(seed))
    runs = []
    for spec, settings in requested:
        link = setup.links[spec.name]
        fitted, history = _fit(features, targets, spec, settings, link, setup.start, epochs, lr)
        error_rate = None
        if setup.classifies:
            predicted_positive = features @ fitted[:-1] + fitted[-1] > 0
            error_rate = float(np.mean(predicted_positive != (targets == 1)))
        runs.append(TrainingRun(spec.name, settings, history, fitted, error_rate))
    x = features[:, 0] if features.shape[1] == 1 else features
    return Training(dataset, x, targets, true_params, setup.param_names, tuple(runs), epochs, float(lr), seed)

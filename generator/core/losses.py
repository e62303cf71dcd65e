"""Loss functions and their gradients, one pure function each.

Every loss is called as ``name(y_true, y_pred, *, reduction="mean", **settings)`` and
its gradient with respect to ``y_pred`` as ``name_grad(...)`` with the same arguments.
Conventions follow ``torch.nn.functional`` where PyTorch has the loss, otherwise
scikit-learn's metrics; each docstring gives the formula and the reference.

Reductions: ``"mean"`` and ``"sum"`` return a Python float, ``"none"`` the per-element
(for ``cross_entropy`` and ``dice`` per-sample) values; ``kl_div`` also takes
``"batchmean"``. A gradient is that of the reduced loss; with ``"none"`` it is each
element's derivative of its own term. Gradients always have ``y_pred``'s shape.

Inputs are converted to float64 and checked: shapes must match exactly (no
broadcasting), arrays must be non-empty and NaN-free, probabilities must lie in
[0, 1]; settings must be known and in range (see :mod:`generator.core.params`).
Every violation raises ValueError whose message starts with the loss's name.

Numerical conventions, all chosen so that finite inputs never give NaN:

* values whose true result exceeds float64 (``mse`` and ``squared_hinge`` beyond
  about 1.3e154, ``poisson_nll``'s ``exp`` beyond 709.78) come out as ``inf``,
  without a warning, since that is the correctly rounded answer;
* ``bce`` floors each log at -100 and divides its gradient by
  ``max(p(1 - p), 1e-12)``, exactly as PyTorch does;
* ``poisson_nll`` adds ``eps`` inside the log for rates (PyTorch);
* ``dice`` adds ``eps`` to numerator and denominator;
* at a kink (``mae`` and ``pinball`` at zero residual, hinges at margin 1) the
  gradient is 0, which is always a valid subgradient.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .params import REDUCTIONS, check_settings
from .stable import Array, log1pexp, log_softmax, sigmoid, softmax

Reduced = float | Array

_LOG_FLOOR = -100.0
"""PyTorch's binary_cross_entropy clamps each log term to at least this."""
_BCE_GRAD_FLOOR = 1e-12
"""PyTorch's binary_cross_entropy backward divides by max(p(1 - p), this)."""
_LOG_2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _loss(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Check ``reduction`` and the settings against the parameter table before the math runs.

    Python would raise TypeError for an unknown keyword; callers (lessons, the
    shortcode parser) expect ValueError naming the loss, hence the explicit check.
    """
    reductions = REDUCTIONS[name]

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def checked(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", **settings: Any) -> Any:
            if reduction not in reductions:
                raise ValueError(
                    f"{name}: unknown reduction {reduction!r}; valid reductions: {', '.join(reductions)}"
                )
            result = function(y_true, y_pred, reduction=reduction, **check_settings(name, settings))
            if np.ndim(y_pred) == 0 and isinstance(result, np.ndarray):
                return result.reshape(())  # _values lifted the scalar to shape (1,)
            return result

        return checked

    return decorate


def _values(
    loss: str, role: str, values: ArrayLike, *, low: float | None = None, high: float | None = None, what: str = ""
) -> Array:
    """``values`` as a float64 array of at least one dimension (so in-place ufuncs work on
    scalars too), rejecting empty, NaN and out-of-range input."""
    try:
        array = np.atleast_1d(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{loss}: {role} must be numeric ({error})") from None
    if array.size == 0:
        raise ValueError(f"{loss}: {role} is empty")
    # min() propagates NaN, so one pass finds both NaN and the lower bound.
    smallest = array.min()
    if np.isnan(smallest):
        raise ValueError(f"{loss}: {role} contains NaN")
    if low is not None and smallest < low or high is not None and array.max() > high:
        raise ValueError(
            f"{loss}: {role} must be {what}, got values from {smallest:g} to {array.max():g}"
        )
    return array


def _same_shape(loss: str, y_true: Array, y_pred: Array) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{loss}: y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}"
        )


def _pair(loss: str, y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array]:
    target = _values(loss, "y_true", y_true)
    prediction = _values(loss, "y_pred", y_pred)
    _same_shape(loss, target, prediction)
    return target, prediction


def _probabilities(loss: str, role: str, values: ArrayLike) -> Array:
    return _values(loss, role, values, low=0.0, high=1.0, what="probabilities in [0, 1]")


def _binary_labels(loss: str, y_true: ArrayLike) -> Array:
    labels = _values(loss, "y_true", y_true)
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"{loss}: y_true must hold labels 0 or 1")
    return labels


_BLOCK = 1 << 15
"""Elements per block in :func:`_blockwise`: 256 KiB per float64 temporary, which fits in L2."""


def _blockwise(kernel: Callable[..., None], *arrays: Array) -> Array:
    """Run ``kernel(out, *blocks)`` over aligned flat blocks of same-shaped arrays.

    Each step of a multi-step formula over whole arrays is a trip to main memory, and
    temporaries of several MB cost page faults whenever the allocator has handed them
    back to the OS; block-sized temporaries stay in cache and are reused instead.
    """
    result = np.empty(arrays[0].shape)
    out = result.reshape(-1)
    flat = [np.ravel(array) for array in arrays]
    for start in range(0, out.size, _BLOCK):
        block = slice(start, start + _BLOCK)
        kernel(out[block], *(array[block] for array in flat))
    return result


def _reduce(values: Array, reduction: str) -> Reduced:
    if reduction == "mean":
        return float(np.mean(values))
    if reduction == "sum":
        return float(np.sum(values))
    return values


def _grad_scale(reduction: str, count: int) -> float:
    return 1.0 / count if reduction == "mean" else 1.0


# --- regression -------------------------------------------------------------------


def _residual(loss: str, y_true: ArrayLike, y_pred: ArrayLike) -> Array:
    target, prediction = _pair(loss, y_true, y_pred)
    return prediction - target


@_loss("mse")
def mse(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Mean squared error, ``(ŷ - y)²``.

    The square overflows to ``inf`` once ``|ŷ - y| > 1.34e154`` (√ of the largest
    float64); the gradient stays finite up to ``|ŷ - y| ≈ 9e307``.

    Reference: Gauss (1809); ``torch.nn.functional.mse_loss``.
    """
    residual = _residual("mse", y_true, y_pred)
    with np.errstate(over="ignore"):
        return _reduce(np.square(residual, out=residual), reduction)


@_loss("mse")
def mse_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``2 (ŷ - y)``, divided by the element count for ``"mean"``."""
    residual = _residual("mse", y_true, y_pred)
    residual *= 2.0 * _grad_scale(reduction, residual.size)
    return residual


@_loss("mae")
def mae(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Mean absolute error, ``|ŷ - y|``.

    Reference: Laplace (1774); ``torch.nn.functional.l1_loss``.
    """
    residual = _residual("mae", y_true, y_pred)
    return _reduce(np.abs(residual, out=residual), reduction)


@_loss("mae")
def mae_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``sign(ŷ - y)``, 0 at a zero residual (as PyTorch)."""
    residual = _residual("mae", y_true, y_pred)
    np.sign(residual, out=residual)
    residual *= _grad_scale(reduction, residual.size)
    return residual


def _huber_terms(residual: Array, delta: float) -> Array:
    # With m = min(|r|, δ) both branches read ½m² + δ(|r| - m); squaring m instead
    # of r means no overflow for residuals near the float64 limit.
    size = np.abs(residual)
    capped = np.minimum(size, delta)
    size -= capped
    size *= delta
    capped *= capped
    capped *= 0.5
    return np.add(capped, size, out=capped)


@_loss("huber")
def huber(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", delta: float = 1.0) -> Reduced:
    """Huber loss: ``½ r²`` for ``|r| < δ``, else ``δ (|r| - ½ δ)``, with ``r = ŷ - y``.

    Reference: Huber (1964), "Robust Estimation of a Location Parameter";
    ``torch.nn.functional.huber_loss``.
    """
    return _reduce(_huber_terms(_residual("huber", y_true, y_pred), delta), reduction)


@_loss("huber")
def huber_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", delta: float = 1.0) -> Array:
    """``clip(ŷ - y, -δ, δ)``."""
    residual = _residual("huber", y_true, y_pred)
    np.clip(residual, -delta, delta, out=residual)
    residual *= _grad_scale(reduction, residual.size)
    return residual


@_loss("smooth_l1")
def smooth_l1(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", beta: float = 1.0) -> Reduced:
    """Smooth L1: ``½ r² / β`` for ``|r| < β``, else ``|r| - ½ β``; plain L1 when ``β = 0``.

    Equals ``huber(delta=β) / β``, which is how it is computed.

    Reference: Girshick (2015), "Fast R-CNN"; ``torch.nn.functional.smooth_l1_loss``.
    """
    residual = _residual("smooth_l1", y_true, y_pred)
    if beta == 0.0:
        return _reduce(np.abs(residual, out=residual), reduction)
    terms = _huber_terms(residual, beta)
    terms /= beta
    return _reduce(terms, reduction)


@_loss("smooth_l1")
def smooth_l1_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", beta: float = 1.0) -> Array:
    """``clip(r, -β, β) / β`` (clipping first, so a tiny β cannot overflow); ``sign(r)`` when ``β = 0``."""
    residual = _residual("smooth_l1", y_true, y_pred)
    if beta == 0.0:
        np.sign(residual, out=residual)
    else:
        np.clip(residual, -beta, beta, out=residual)
        residual /= beta
    residual *= _grad_scale(reduction, residual.size)
    return residual


@_loss("log_cosh")
def log_cosh(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Log-cosh, ``log(cosh(ŷ - y))``: ≈ ½ r² near 0 and ≈ |r| - log 2 far away.

    Computed as ``logaddexp(r, -r) - log 2``, since ``cosh`` overflows beyond |r| ≈ 710,
    with logaddexp written out as ``|r| + log1p(exp(-2|r|))`` (numpy's general
    ``logaddexp`` is about ten times slower). Near ``r = 0`` the error is absolute,
    about 1e-16, not relative.

    Reference: Saleh & Saleh (2022), "Statistical Properties of the log-cosh Loss
    Function Used in Machine Learning"; ``tf.keras.losses.log_cosh``.
    """
    residual = _residual("log_cosh", y_true, y_pred)
    np.abs(residual, out=residual)
    terms = np.exp(-residual)
    terms *= terms  # exp(-2|r|) without forming 2|r|, which overflows near the float64 limit
    np.log1p(terms, out=terms)
    terms += residual
    terms -= _LOG_2
    return _reduce(terms, reduction)


@_loss("log_cosh")
def log_cosh_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``tanh(ŷ - y)``."""
    residual = _residual("log_cosh", y_true, y_pred)
    np.tanh(residual, out=residual)
    residual *= _grad_scale(reduction, residual.size)
    return residual


@_loss("pinball")
def pinball(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", alpha: float = 0.5) -> Reduced:
    """Pinball (quantile) loss: ``α (y - ŷ)`` if ``y ≥ ŷ``, else ``(1 - α)(ŷ - y)``.

    Its minimiser is the α-quantile; α = 0.5 gives half the absolute error.

    Reference: Koenker & Bassett (1978), "Regression Quantiles";
    ``sklearn.metrics.mean_pinball_loss``.
    """
    under = -_residual("pinball", y_true, y_pred)
    return _reduce(np.maximum(alpha * under, (alpha - 1.0) * under), reduction)


@_loss("pinball")
def pinball_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", alpha: float = 0.5) -> Array:
    """``1 - α`` where ``ŷ > y``, ``-α`` where ``ŷ < y``, 0 where equal."""
    residual = _residual("pinball", y_true, y_pred)
    scale = _grad_scale(reduction, residual.size)
    return np.where(residual > 0, (1.0 - alpha) * scale, np.where(residual < 0, -alpha * scale, 0.0))


def _poisson_pair(y_true: ArrayLike, y_pred: ArrayLike, log_input: bool) -> tuple[Array, Array]:
    counts = _values("poisson_nll", "y_true", y_true, low=0.0, what="counts >= 0")
    if log_input:
        prediction = _values("poisson_nll", "y_pred", y_pred)
    else:
        prediction = _values("poisson_nll", "y_pred", y_pred, low=0.0, what="rates >= 0 when log_input is False")
    _same_shape("poisson_nll", counts, prediction)
    return counts, prediction


@_loss("poisson_nll")
def poisson_nll(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
) -> Reduced:
    """Poisson negative log-likelihood without the constant ``log(y!)``.

    ``exp(ŷ) - y ŷ`` when ``log_input`` (ŷ is the log-rate), else ``ŷ - y log(ŷ + ε)``.
    ``full`` adds Stirling's ``y log y - y + ½ log(2π y)`` where ``y > 1`` (0 elsewhere).

    Reference: ``torch.nn.functional.poisson_nll_loss``; McCullagh & Nelder (1989),
    "Generalized Linear Models".
    """
    counts, prediction = _poisson_pair(y_true, y_pred, log_input)
    if log_input:
        with np.errstate(over="ignore"):
            terms = np.exp(prediction)
        terms -= counts * prediction
    else:
        terms = prediction - counts * np.log(prediction + eps)
    if full:
        above_one = counts > 1
        log_counts = np.log(counts, out=np.zeros_like(counts), where=above_one)
        stirling = counts * log_counts - counts + 0.5 * log_counts + _HALF_LOG_2PI
        terms += np.where(above_one, stirling, 0.0)
    return _reduce(terms, reduction)


@_loss("poisson_nll")
def poisson_nll_grad(
    y_true: ArrayLike,
    y_pred: ArrayLike,
    *,
    reduction: str = "mean",
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
) -> Array:
    """``exp(ŷ) - y`` when ``log_input``, else ``1 - y / (ŷ + ε)``; ``full`` adds nothing."""
    counts, prediction = _poisson_pair(y_true, y_pred, log_input)
    if log_input:
        with np.errstate(over="ignore"):
            grad = np.exp(prediction)
        grad -= counts
    else:
        grad = 1.0 - counts / (prediction + eps)
    grad *= _grad_scale(reduction, grad.size)
    return grad


# --- binary classification ----------------------------------------------------------


def _bce_pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array]:
    target = _probabilities("bce", "y_true", y_true)
    probability = _probabilities("bce", "y_pred", y_pred)
    _same_shape("bce", target, probability)
    return target, probability


@_loss("bce")
def bce(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Binary cross-entropy on probabilities: ``-[y log p + (1 - y) log(1 - p)]``.

    Each log is floored at -100, as PyTorch does, so ``p = 0`` or ``1`` gives a
    finite 100 where the true value is infinite. ``log(0)`` is never evaluated and
    ``log(1 - p)`` is computed as ``log1p(-p)``. Soft targets in [0, 1] are allowed.

    Reference: ``torch.nn.functional.binary_cross_entropy``; ``sklearn.metrics.log_loss``.
    """
    target, probability = _bce_pair(y_true, y_pred)
    log_p = np.log(probability, out=np.full_like(probability, _LOG_FLOOR), where=probability > 0)
    log_not_p = np.log1p(-probability, out=np.full_like(probability, _LOG_FLOOR), where=probability < 1)
    np.maximum(log_p, _LOG_FLOOR, out=log_p)
    np.maximum(log_not_p, _LOG_FLOOR, out=log_not_p)
    return _reduce(-(target * log_p + (1.0 - target) * log_not_p), reduction)


@_loss("bce")
def bce_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``(p - y) / max(p (1 - p), 1e-12)``: PyTorch's backward, finite at p = 0 and 1.

    It equals the true derivative ``(p - y) / (p (1 - p))`` wherever ``p(1 - p) ≥ 1e-12``;
    at the ends it is large (±1e12) with the right sign instead of infinite.
    """
    target, probability = _bce_pair(y_true, y_pred)
    denominator = np.maximum(probability * (1.0 - probability), _BCE_GRAD_FLOOR)
    grad = probability - target
    grad /= denominator
    grad *= _grad_scale(reduction, grad.size)
    return grad


def _logit_pair(loss: str, y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array]:
    target = _probabilities(loss, "y_true", y_true)
    logits = _values(loss, "y_pred", y_pred)
    _same_shape(loss, target, logits)
    return target, logits


def _positive_weight(target: Array, pos_weight: float | Array | None, logits: Array) -> Array:
    if pos_weight is None:
        return target
    if np.ndim(pos_weight) == 1 and logits.shape[-1] != len(pos_weight):
        raise ValueError(
            f"bce_with_logits: pos_weight has {len(pos_weight)} entries but y_pred's last axis has {logits.shape[-1]}"
        )
    return pos_weight * target


def _logistic_loss_block(out: Array, target: Array, weighted_target: Array, logits: Array) -> None:
    np.abs(logits, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)  # T = log1p(exp(-|z|)), shared by both softplus terms
    not_sigmoid_part = np.maximum(logits, 0.0)
    sigmoid_part = not_sigmoid_part - logits
    not_sigmoid_part += out  # -log(1 - σ(z)) = max(z, 0) + T
    sigmoid_part += out  # -log σ(z) = max(-z, 0) + T
    np.multiply(1.0 - target, not_sigmoid_part, out=out)
    out += weighted_target * sigmoid_part


def _unweighted_logistic_loss_block(out: Array, target: Array, logits: Array) -> None:
    # Without pos_weight the two terms fold into one: max(z, 0) - y·z + T. The difference
    # max(z, 0) - y·z is exact for labels y ∈ {0, 1} at any |z| (it is 0 or |z|).
    np.abs(logits, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(logits, 0.0)
    out -= logits * target


def _logistic_grad_block(out: Array, target: Array, weighted_target: Array, logits: Array) -> None:
    # With a = exp(min(z, 0)) and b = exp(-max(z, 0)) one of them is 1 and ab = exp(-|z|),
    # so σ(z) = a / (a + b) and σ(-z) = b / (a + b): no overflow, and no σ(z) - 1
    # cancelling for large z.
    a = np.exp(np.minimum(logits, 0.0))
    b = np.exp(-np.maximum(logits, 0.0))
    np.subtract(1.0, target, out=out)
    out *= a
    out -= weighted_target * b
    out /= a + b


@_loss("bce_with_logits")
def bce_with_logits(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", pos_weight: float | Array | None = None
) -> Reduced:
    """Binary cross-entropy on logits z (the logistic loss):
    ``-[w₊ y log σ(z) + (1 - y) log(1 - σ(z))]``.

    Rewrite: ``-log σ(z) = max(-z, 0) + T`` and ``-log(1 - σ(z)) = max(z, 0) + T`` with
    ``T = log1p(exp(-|z|))``; every term is non-negative, so nothing cancels and
    logits of ±1000 are exact. ``pos_weight`` (w₊) may be a per-class array along
    the last axis, as in PyTorch.

    Reference: ``torch.nn.functional.binary_cross_entropy_with_logits``.
    """
    target, logits = _logit_pair("bce_with_logits", y_true, y_pred)
    if pos_weight is None:
        return _reduce(_blockwise(_unweighted_logistic_loss_block, target, logits), reduction)
    weighted_target = _positive_weight(target, pos_weight, logits)
    return _reduce(_blockwise(_logistic_loss_block, target, weighted_target, logits), reduction)


@_loss("bce_with_logits")
def bce_with_logits_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", pos_weight: float | Array | None = None
) -> Array:
    """``(1 - y) σ(z) - w₊ y σ(-z)``, which is ``σ(z) - y`` without pos_weight."""
    target, logits = _logit_pair("bce_with_logits", y_true, y_pred)
    weighted_target = _positive_weight(target, pos_weight, logits)
    grad = _blockwise(_logistic_grad_block, target, weighted_target, logits)
    grad *= _grad_scale(reduction, grad.size)
    return grad


def _focal_parts(
    y_true: ArrayLike, y_pred: ArrayLike, alpha: float | None
) -> tuple[Array, Array, Array | float]:
    """Signed logit ``s = (2y - 1) z`` (so ``p_t = σ(s)``) and the weight ``α_t``."""
    labels = _binary_labels("focal", y_true)
    logits = _values("focal", "y_pred", y_pred)
    _same_shape("focal", labels, logits)
    sign = 2.0 * labels - 1.0
    weight = 1.0 if alpha is None else np.where(labels == 1, alpha, 1.0 - alpha)
    return sign, sign * logits, weight


@_loss("focal")
def focal(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", gamma: float = 2.0, alpha: float | None = 0.25
) -> Reduced:
    """Sigmoid focal loss on logits z with labels y ∈ {0, 1}: ``-α_t (1 - p_t)^γ log p_t``.

    ``p_t = σ(z)`` for y = 1 and ``1 - σ(z)`` for y = 0; ``α_t = α`` for y = 1 and
    ``1 - α`` for y = 0; ``alpha=None`` (or negative) drops α_t, and γ = 0 with no
    α is ``bce_with_logits``. With ``s = (2y - 1) z``: ``p_t = σ(s)``, ``1 - p_t = σ(-s)``
    and ``-log p_t = softplus(-s)``, all stable for any logit.

    Reference: Lin et al. (2017), "Focal Loss for Dense Object Detection", eq. 5;
    ``torchvision.ops.sigmoid_focal_loss`` (same defaults α = 0.25, γ = 2).
    """
    _, signed_logit, weight = _focal_parts(y_true, y_pred, alpha)
    terms = sigmoid(-signed_logit) ** gamma
    terms *= log1pexp(-signed_logit)
    terms *= weight
    return _reduce(terms, reduction)


@_loss("focal")
def focal_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", gamma: float = 2.0, alpha: float | None = 0.25
) -> Array:
    """``-(2y - 1) α_t (1 - p_t)^γ [(1 - p_t) + γ p_t (-log p_t)]``.

    Written with ``(1 - p_t)^γ`` rather than the textbook ``(1 - p_t)^(γ-1)``, so no
    negative power appears when γ < 1 and p_t = 1.
    """
    sign, signed_logit, weight = _focal_parts(y_true, y_pred, alpha)
    miss = sigmoid(-signed_logit)
    bracket = sigmoid(signed_logit)
    bracket *= gamma * log1pexp(-signed_logit)
    bracket += miss
    grad = miss**gamma
    grad *= bracket
    grad *= -sign * weight * _grad_scale(reduction, grad.size)
    return grad


def _hinge_margin(loss: str, y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array]:
    """Labels as ±1 (0 counts as -1, so {0, 1} labels work too) and the slack ``1 - y f``."""
    labels = _values(loss, "y_true", y_true)
    if not np.all((labels == 1) | (labels == -1) | (labels == 0)):
        raise ValueError(f"{loss}: y_true must hold labels -1 or +1 (0 is read as -1)")
    decision = _values(loss, "y_pred", y_pred)
    _same_shape(loss, labels, decision)
    signs = np.where(labels > 0, 1.0, -1.0)
    return signs, 1.0 - signs * decision


@_loss("hinge")
def hinge(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Hinge loss ``max(0, 1 - y f)`` with labels y ∈ {-1, +1} ({0, 1} accepted, 0 → -1)
    and decision values f. Binary only.

    Reference: Cortes & Vapnik (1995), "Support-Vector Networks";
    ``sklearn.metrics.hinge_loss``.
    """
    _, slack = _hinge_margin("hinge", y_true, y_pred)
    return _reduce(np.maximum(slack, 0.0, out=slack), reduction)


@_loss("hinge")
def hinge_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``-y`` where ``y f < 1``, else 0 (also at the kink ``y f = 1``)."""
    signs, slack = _hinge_margin("hinge", y_true, y_pred)
    return np.where(slack > 0, -signs * _grad_scale(reduction, signs.size), 0.0)


@_loss("squared_hinge")
def squared_hinge(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Squared hinge ``max(0, 1 - y f)²``, labels as for :func:`hinge`.

    Reference: Rennie & Srebro (2005), "Loss Functions for Preference Levels";
    ``sklearn.svm.LinearSVC(loss="squared_hinge")``.
    """
    _, slack = _hinge_margin("squared_hinge", y_true, y_pred)
    np.maximum(slack, 0.0, out=slack)
    with np.errstate(over="ignore"):
        return _reduce(np.square(slack, out=slack), reduction)


@_loss("squared_hinge")
def squared_hinge_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``-2 y max(0, 1 - y f)``."""
    signs, slack = _hinge_margin("squared_hinge", y_true, y_pred)
    np.maximum(slack, 0.0, out=slack)
    slack *= signs
    slack *= -2.0 * _grad_scale(reduction, slack.size)
    return slack


# --- multi-class, segmentation, distributions --------------------------------------------


def _cross_entropy_parts(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array | None, np.ndarray | None]:
    """Logits and either the class-probability target or the class indices."""
    logits = _values("cross_entropy", "y_pred", y_pred)
    if logits.ndim not in (1, 2):
        raise ValueError(f"cross_entropy: y_pred must be logits of shape (N, C) or (C,), got shape {logits.shape}")
    target = np.asarray(y_true)
    if target.shape == logits.shape:
        return logits, _probabilities("cross_entropy", "y_true", target), None
    if target.shape != logits.shape[:-1]:
        raise ValueError(
            f"cross_entropy: y_true must be class indices of shape {logits.shape[:-1]} or class "
            f"probabilities of shape {logits.shape}, got shape {target.shape}"
        )
    n_classes = logits.shape[-1]
    if not np.issubdtype(target.dtype, np.integer):
        as_float = _values("cross_entropy", "y_true", target).reshape(target.shape)
        if not np.all(as_float == np.floor(as_float)):
            raise ValueError("cross_entropy: class indices in y_true must be whole numbers")
        target = as_float.astype(np.intp)
    if target.min() < 0 or target.max() >= n_classes:
        raise ValueError(
            f"cross_entropy: class indices must be in [0, {n_classes - 1}], got {target.min()} to {target.max()}"
        )
    return logits, None, target[..., np.newaxis]


def _smoothed(probabilities: Array, label_smoothing: float) -> Array:
    if label_smoothing == 0.0:
        return probabilities
    return probabilities * (1.0 - label_smoothing) + label_smoothing / probabilities.shape[-1]


@_loss("cross_entropy")
def cross_entropy(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", label_smoothing: float = 0.0
) -> Reduced:
    """Softmax cross-entropy ``-Σ_c t_c log softmax(z)_c`` for logits z of shape (N, C) or (C,).

    y_true holds class indices (shape (N,) or ()) or class probabilities (z's shape);
    with label smoothing ε the target becomes ``(1 - ε) t + ε / C``. Reductions are
    over samples. ``log_softmax`` subtracts the row maximum first, so logits of ±1000
    are exact. PyTorch's ``weight`` and ``ignore_index`` are not supported.

    Reference: ``torch.nn.functional.cross_entropy``; Szegedy et al. (2016),
    "Rethinking the Inception Architecture" (label smoothing).
    """
    logits, probabilities, indices = _cross_entropy_parts(y_true, y_pred)
    log_probs = log_softmax(logits)
    if probabilities is not None:
        log_probs *= _smoothed(probabilities, label_smoothing)
        return _reduce(-np.sum(log_probs, axis=-1), reduction)
    terms = -np.take_along_axis(log_probs, indices, axis=-1)[..., 0]
    if label_smoothing:
        terms *= 1.0 - label_smoothing
        terms -= label_smoothing * np.mean(log_probs, axis=-1)
    return _reduce(terms, reduction)


@_loss("cross_entropy")
def cross_entropy_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", label_smoothing: float = 0.0
) -> Array:
    """``softmax(z) Σ_c t_c - t``, which is ``softmax(z) - t`` for a normalised target."""
    logits, probabilities, indices = _cross_entropy_parts(y_true, y_pred)
    grad = softmax(logits)
    if probabilities is not None:
        target = _smoothed(probabilities, label_smoothing)
        grad *= np.sum(target, axis=-1, keepdims=True)
        grad -= target
    else:
        picked = np.take_along_axis(grad, indices, axis=-1)
        np.put_along_axis(grad, indices, picked - (1.0 - label_smoothing), axis=-1)
        if label_smoothing:
            grad -= label_smoothing / grad.shape[-1]
    grad *= _grad_scale(reduction, grad.size // grad.shape[-1])
    return grad


def _dice_parts(y_true: ArrayLike, y_pred: ArrayLike, eps: float) -> tuple[Array, Array, Array]:
    """Per-sample numerator ``2Σpg + ε`` and denominator ``Σp + Σg + ε`` (kept broadcastable)."""
    mask = _probabilities("dice", "y_true", y_true)
    probability = _probabilities("dice", "y_pred", y_pred)
    _same_shape("dice", mask, probability)
    within_sample = tuple(range(1, probability.ndim)) if probability.ndim >= 2 else None
    numerator = 2.0 * np.sum(probability * mask, axis=within_sample, keepdims=True) + eps
    denominator = np.sum(probability + mask, axis=within_sample, keepdims=True) + eps
    return mask, numerator, denominator


def _sample_count(values: Array) -> int:
    return values.shape[0] if values.ndim >= 2 else 1


@_loss("dice")
def dice(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", eps: float = 1e-6) -> Reduced:
    """Soft Dice loss ``1 - (2 Σ p g + ε) / (Σ p + Σ g + ε)``.

    Sums run over each sample: all axes but the first for 2-D and higher input, the
    whole array for 0-D and 1-D input (one sample). ε keeps an empty mask and an
    empty prediction at loss 0 instead of 0/0; with ε = 1e-6 a single negative
    pixel costs ≈ 1 as soon as p ≫ ε. Reductions are over samples.

    Reference: Milletari, Navab & Ahmadi (2016), "V-Net" (which squares the terms of
    the denominator; this is the common linear form); Dice (1945).
    """
    mask, numerator, denominator = _dice_parts(y_true, y_pred, eps)
    per_sample = 1.0 - numerator / denominator
    return _reduce(per_sample.reshape(mask.shape[:1] if mask.ndim >= 2 else ()), reduction)


@_loss("dice")
def dice_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", eps: float = 1e-6) -> Array:
    """``(N - 2 g D) / D²`` per element, N and D the sample's numerator and denominator."""
    mask, numerator, denominator = _dice_parts(y_true, y_pred, eps)
    grad = numerator - 2.0 * mask * denominator
    grad /= denominator**2
    grad *= _grad_scale(reduction, _sample_count(mask))
    return grad


def _kl_pair(y_true: ArrayLike, y_pred: ArrayLike, log_target: bool) -> tuple[Array, Array]:
    if log_target:
        target = _values("kl_div", "y_true", y_true, high=0.0, what="log-probabilities (<= 0) when log_target is True")
    else:
        target = _probabilities("kl_div", "y_true", y_true)
    log_q = _values("kl_div", "y_pred", y_pred, high=0.0, what="log-probabilities (<= 0)")
    _same_shape("kl_div", target, log_q)
    return target, log_q


def _kl_reduce(terms: Array, reduction: str) -> Reduced:
    if reduction == "batchmean":
        return float(np.sum(terms)) / _batch_size(terms)
    return _reduce(terms, reduction)


def _batch_size(values: Array) -> int:
    """PyTorch's "batchmean" divisor: the first dimension (1 for a scalar, lifted to shape (1,))."""
    return values.shape[0]


@_loss("kl_div")
def kl_div(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", log_target: bool = False) -> Reduced:
    """Kullback–Leibler divergence terms ``p (log p - log q)``, PyTorch's ``kl_div(input, target)``.

    y_pred is ``input`` (log-probabilities log q), y_true is ``target`` (probabilities p,
    or log p when ``log_target``); ``0 log 0 = 0``. ``"batchmean"`` divides the sum by the
    first dimension and is the true KL(p‖q) per sample; ``"mean"`` divides by the
    element count, as PyTorch does.

    Reference: Kullback & Leibler (1951), "On Information and Sufficiency";
    ``torch.nn.functional.kl_div``.
    """
    target, log_q = _kl_pair(y_true, y_pred, log_target)
    if log_target:
        terms = np.exp(target) * (target - log_q)
    else:
        log_p = np.log(target, out=np.zeros_like(target), where=target > 0)
        terms = target * (log_p - log_q)
    return _kl_reduce(terms, reduction)


@_loss("kl_div")
def kl_div_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", log_target: bool = False) -> Array:
    """``-p`` (``-exp(y_true)`` with ``log_target``), scaled by the reduction's divisor."""
    target, log_q = _kl_pair(y_true, y_pred, log_target)
    grad = -np.exp(target) if log_target else -target
    if reduction == "batchmean":
        grad /= _batch_size(log_q)
    else:
        grad *= _grad_scale(reduction, grad.size)
    return grad

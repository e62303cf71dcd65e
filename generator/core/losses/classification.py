"""Classification losses: binary cross-entropy on probabilities and on logits, focal loss,
the hinge losses, and multi-class (softmax) cross-entropy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..domains import PROBABILITIES, REALS
from ..stable import Array, log1pexp, log_softmax, sigmoid, softmax
from .common import Reduced, blockwise, checked_input, grad_scale, inputs, loss_function, reduce

_LOG_FLOOR = -100.0
"""PyTorch's binary_cross_entropy clamps each log term to at least this."""
_BCE_GRAD_FLOOR = 1e-12
"""PyTorch's binary_cross_entropy backward divides by max(p(1 - p), this)."""


@loss_function("bce")
def bce(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Binary cross-entropy on probabilities: ``-[y log p + (1 - y) log(1 - p)]``.

    Each log is floored at -100, as PyTorch does, so ``p = 0`` or ``1`` gives a
    finite 100 where the true value is infinite. ``log(0)`` is never evaluated and
    ``log(1 - p)`` is computed as ``log1p(-p)``. Soft targets in [0, 1] are allowed.

    Reference: ``torch.nn.functional.binary_cross_entropy``; ``sklearn.metrics.log_loss``.
    """
    target, probability = inputs("bce", y_true, y_pred)
    log_p = np.log(probability, out=np.full_like(probability, _LOG_FLOOR), where=probability > 0)
    log_not_p = np.log1p(-probability, out=np.full_like(probability, _LOG_FLOOR), where=probability < 1)
    np.maximum(log_p, _LOG_FLOOR, out=log_p)
    np.maximum(log_not_p, _LOG_FLOOR, out=log_not_p)
    return reduce(-(target * log_p + (1.0 - target) * log_not_p), reduction)


@loss_function("bce")
def bce_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``(p - y) / max(p (1 - p), 1e-12)``: PyTorch's backward, finite at p = 0 and 1.

    It equals the true derivative ``(p - y) / (p (1 - p))`` wherever ``p(1 - p) ≥ 1e-12``;
    at the ends it is large (±1e12) with the right sign instead of infinite.
    """
    target, probability = inputs("bce", y_true, y_pred)
    denominator = np.maximum(probability * (1.0 - probability), _BCE_GRAD_FLOOR)
    grad = probability - target
    grad /= denominator
    grad *= grad_scale(reduction, grad.size)
    return grad


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


@loss_function("bce_with_logits")
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
    target, logits = inputs("bce_with_logits", y_true, y_pred)
    if pos_weight is None:
        return reduce(blockwise(_unweighted_logistic_loss_block, target, logits), reduction)
    weighted_target = _positive_weight(target, pos_weight, logits)
    return reduce(blockwise(_logistic_loss_block, target, weighted_target, logits), reduction)


@loss_function("bce_with_logits")
def bce_with_logits_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", pos_weight: float | Array | None = None
) -> Array:
    """``(1 - y) σ(z) - w₊ y σ(-z)``, which is ``σ(z) - y`` without pos_weight."""
    target, logits = inputs("bce_with_logits", y_true, y_pred)
    weighted_target = _positive_weight(target, pos_weight, logits)
    grad = blockwise(_logistic_grad_block, target, weighted_target, logits)
    grad *= grad_scale(reduction, grad.size)
    return grad


def _focal_parts(
    y_true: ArrayLike, y_pred: ArrayLike, alpha: float | None
) -> tuple[Array, Array, Array | float]:
    """Signed logit ``s = (2y - 1) z`` (so ``p_t = σ(s)``) and the weight ``α_t``."""
    labels, logits = inputs("focal", y_true, y_pred)
    sign = 2.0 * labels - 1.0
    weight = 1.0 if alpha is None else np.where(labels == 1, alpha, 1.0 - alpha)
    return sign, sign * logits, weight


@loss_function("focal")
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
    return reduce(terms, reduction)


@loss_function("focal")
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
    grad *= -sign * weight * grad_scale(reduction, grad.size)
    return grad


def _hinge_margin(loss: str, y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array]:
    """Labels as ±1 (0 counts as -1, so {0, 1} labels work too) and the slack ``1 - y f``."""
    labels, decision = inputs(loss, y_true, y_pred)
    signs = np.where(labels > 0, 1.0, -1.0)
    return signs, 1.0 - signs * decision


@loss_function("hinge")
def hinge(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Hinge loss ``max(0, 1 - y f)`` with labels y ∈ {-1, +1} ({0, 1} accepted, 0 → -1)
    and decision values f. Binary only.

    Reference: Cortes & Vapnik (1995), "Support-Vector Networks";
    ``sklearn.metrics.hinge_loss``.
    """
    _, slack = _hinge_margin("hinge", y_true, y_pred)
    return reduce(np.maximum(slack, 0.0, out=slack), reduction)


@loss_function("hinge")
def hinge_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``-y`` where ``y f < 1``, else 0 (also at the kink ``y f = 1``)."""
    signs, slack = _hinge_margin("hinge", y_true, y_pred)
    return np.where(slack > 0, -signs * grad_scale(reduction, signs.size), 0.0)


@loss_function("squared_hinge")
def squared_hinge(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Squared hinge ``max(0, 1 - y f)²``, labels as for :func:`hinge`.

    Reference: Rennie & Srebro (2005), "Loss Functions for Preference Levels";
    ``sklearn.svm.LinearSVC(loss="squared_hinge")``.
    """
    _, slack = _hinge_margin("squared_hinge", y_true, y_pred)
    np.maximum(slack, 0.0, out=slack)
    with np.errstate(over="ignore"):
        return reduce(np.square(slack, out=slack), reduction)


@loss_function("squared_hinge")
def squared_hinge_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``-2 y max(0, 1 - y f)``."""
    signs, slack = _hinge_margin("squared_hinge", y_true, y_pred)
    np.maximum(slack, 0.0, out=slack)
    slack *= signs
    slack *= -2.0 * grad_scale(reduction, slack.size)
    return slack


def _cross_entropy_parts(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[Array, Array | None, np.ndarray | None]:
    """Logits and either the class-probability target or the class indices."""
    logits = checked_input("cross_entropy", "y_pred", y_pred)
    if logits.ndim not in (1, 2):
        raise ValueError(f"cross_entropy: y_pred must be logits of shape (N, C) or (C,), got shape {logits.shape}")
    target = np.asarray(y_true)
    if target.shape == logits.shape:
        return logits, PROBABILITIES.check("cross_entropy", "y_true", target), None
    if target.shape != logits.shape[:-1]:
        raise ValueError(
            f"cross_entropy: y_true must be class indices of shape {logits.shape[:-1]} or class "
            f"probabilities of shape {logits.shape}, got shape {target.shape}"
        )
    n_classes = logits.shape[-1]
    if not np.issubdtype(target.dtype, np.integer):
        as_float = REALS.check("cross_entropy", "y_true", target).reshape(target.shape)
        if not np.all(as_float == np.floor(as_float)):
            raise ValueError("cross_entropy: class indices in y_true must be whole numbers")
        target = as_float.astype(np.intp)
    if target.size and (target.min() < 0 or target.max() >= n_classes):
        raise ValueError(
            f"cross_entropy: class indices must be in [0, {n_classes - 1}], got {target.min()} to {target.max()}"
        )
    return logits, None, target[..., np.newaxis]


def _smoothed(probabilities: Array, label_smoothing: float) -> Array:
    if label_smoothing == 0.0:
        return probabilities
    return probabilities * (1.0 - label_smoothing) + label_smoothing / probabilities.shape[-1]


@loss_function("cross_entropy")
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
        return reduce(-np.sum(log_probs, axis=-1), reduction)
    terms = -np.take_along_axis(log_probs, indices, axis=-1)[..., 0]
    if label_smoothing:
        terms *= 1.0 - label_smoothing
        terms -= label_smoothing * np.mean(log_probs, axis=-1)
    return reduce(terms, reduction)


@loss_function("cross_entropy")
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
    grad *= grad_scale(reduction, grad.size // grad.shape[-1])
    return grad

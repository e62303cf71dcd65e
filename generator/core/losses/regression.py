"""Regression losses: of the residual ``ŷ - y`` (MSE, MAE, Huber, smooth L1, log-cosh,
pinball) and the Poisson negative log-likelihood of counts."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from ..stable import Array
from .common import Reduced, grad_scale, inputs, loss_function, reduce

_LOG_2 = math.log(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _residual(loss: str, y_true: ArrayLike, y_pred: ArrayLike) -> Array:
    target, prediction = inputs(loss, y_true, y_pred)
    return prediction - target


@loss_function("mse")
def mse(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Mean squared error, ``(ŷ - y)²``.

    The square overflows to ``inf`` once ``|ŷ - y| > 1.34e154`` (√ of the largest
    float64); the gradient stays finite up to ``|ŷ - y| ≈ 9e307``.

    Reference: Gauss (1809); ``torch.nn.functional.mse_loss``.
    """
    residual = _residual("mse", y_true, y_pred)
    with np.errstate(over="ignore"):
        return reduce(np.square(residual, out=residual), reduction)


@loss_function("mse")
def mse_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``2 (ŷ - y)``, divided by the element count for ``"mean"``."""
    residual = _residual("mse", y_true, y_pred)
    residual *= 2.0 * grad_scale(reduction, residual.size)
    return residual


@loss_function("mae")
def mae(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Reduced:
    """Mean absolute error, ``|ŷ - y|``.

    Reference: Laplace (1774); ``torch.nn.functional.l1_loss``.
    """
    residual = _residual("mae", y_true, y_pred)
    return reduce(np.abs(residual, out=residual), reduction)


@loss_function("mae")
def mae_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``sign(ŷ - y)``, 0 at a zero residual (as PyTorch)."""
    residual = _residual("mae", y_true, y_pred)
    np.sign(residual, out=residual)
    residual *= grad_scale(reduction, residual.size)
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


@loss_function("huber")
def huber(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", delta: float = 1.0) -> Reduced:
    """Huber loss: ``½ r²`` for ``|r| < δ``, else ``δ (|r| - ½ δ)``, with ``r = ŷ - y``.

    Reference: Huber (1964), "Robust Estimation of a Location Parameter";
    ``torch.nn.functional.huber_loss``.
    """
    return reduce(_huber_terms(_residual("huber", y_true, y_pred), delta), reduction)


@loss_function("huber")
def huber_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", delta: float = 1.0) -> Array:
    """``clip(ŷ - y, -δ, δ)``."""
    residual = _residual("huber", y_true, y_pred)
    np.clip(residual, -delta, delta, out=residual)
    residual *= grad_scale(reduction, residual.size)
    return residual


@loss_function("smooth_l1")
def smooth_l1(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", beta: float = 1.0) -> Reduced:
    """Smooth L1: ``½ r² / β`` for ``|r| < β``, else ``|r| - ½ β``; plain L1 when ``β = 0``.

    Equals ``huber(delta=β) / β``, which is how it is computed.

    Reference: Girshick (2015), "Fast R-CNN"; ``torch.nn.functional.smooth_l1_loss``.
    """
    residual = _residual("smooth_l1", y_true, y_pred)
    if beta == 0.0:
        return reduce(np.abs(residual, out=residual), reduction)
    terms = _huber_terms(residual, beta)
    terms /= beta
    return reduce(terms, reduction)


@loss_function("smooth_l1")
def smooth_l1_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", beta: float = 1.0) -> Array:
    """``clip(r, -β, β) / β`` (clipping first, so a tiny β cannot overflow); ``sign(r)`` when ``β = 0``."""
    residual = _residual("smooth_l1", y_true, y_pred)
    if beta == 0.0:
        np.sign(residual, out=residual)
    else:
        np.clip(residual, -beta, beta, out=residual)
        residual /= beta
    residual *= grad_scale(reduction, residual.size)
    return residual


@loss_function("log_cosh")
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
    return reduce(terms, reduction)


@loss_function("log_cosh")
def log_cosh_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean") -> Array:
    """``tanh(ŷ - y)``."""
    residual = _residual("log_cosh", y_true, y_pred)
    np.tanh(residual, out=residual)
    residual *= grad_scale(reduction, residual.size)
    return residual


@loss_function("pinball")
def pinball(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", alpha: float = 0.5) -> Reduced:
    """Pinball (quantile) loss: ``α (y - ŷ)`` if ``y ≥ ŷ``, else ``(1 - α)(ŷ - y)``.

    Its minimiser is the α-quantile; α = 0.5 gives half the absolute error.

    Reference: Koenker & Bassett (1978), "Regression Quantiles";
    ``sklearn.metrics.mean_pinball_loss``.
    """
    under = -_residual("pinball", y_true, y_pred)
    return reduce(np.maximum(alpha * under, (alpha - 1.0) * under), reduction)


@loss_function("pinball")
def pinball_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", alpha: float = 0.5) -> Array:
    """``1 - α`` where ``ŷ > y``, ``-α`` where ``ŷ < y``, 0 where equal."""
    residual = _residual("pinball", y_true, y_pred)
    scale = grad_scale(reduction, residual.size)
    return np.where(residual > 0, (1.0 - alpha) * scale, np.where(residual < 0, -alpha * scale, 0.0))


@loss_function("poisson_nll")
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
    counts, prediction = inputs("poisson_nll", y_true, y_pred, {"log_input": log_input})
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
    return reduce(terms, reduction)


@loss_function("poisson_nll")
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
    counts, prediction = inputs("poisson_nll", y_true, y_pred, {"log_input": log_input})
    if log_input:
        with np.errstate(over="ignore"):
            grad = np.exp(prediction)
        grad -= counts
    else:
        grad = 1.0 - counts / (prediction + eps)
    grad *= grad_scale(reduction, grad.size)
    return grad

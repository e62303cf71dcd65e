"""Divergences between distributions: Kullback–Leibler."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..stable import Array
from .common import Reduced, grad_scale, inputs, loss_function, reduce


def _kl_reduce(terms: Array, reduction: str) -> Reduced:
    if reduction == "batchmean":
        return float(np.sum(terms)) / _batch_size(terms)
    return reduce(terms, reduction)


def _batch_size(values: Array) -> int:
    """PyTorch's "batchmean" divisor: the first dimension (1 for a scalar, lifted to shape (1,))."""
    return values.shape[0]


@loss_function("kl_div")
def kl_div(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", log_target: bool = False) -> Reduced:
    """Kullback–Leibler divergence terms ``p (log p - log q)``, PyTorch's ``kl_div(input, target)``.

    y_pred is ``input`` (log-probabilities log q), y_true is ``target`` (probabilities p,
    or log p when ``log_target``); ``0 log 0 = 0``. ``"batchmean"`` divides the sum by the
    first dimension and is the true KL(p‖q) per sample; ``"mean"`` divides by the
    element count, as PyTorch does.

    Reference: Kullback & Leibler (1951), "On Information and Sufficiency";
    ``torch.nn.functional.kl_div``.
    """
    target, log_q = inputs("kl_div", y_true, y_pred, {"log_target": log_target})
    if log_target:
        terms = np.exp(target) * (target - log_q)
    else:
        log_p = np.log(target, out=np.zeros_like(target), where=target > 0)
        terms = target * (log_p - log_q)
    return _kl_reduce(terms, reduction)


@loss_function("kl_div")
def kl_div_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", log_target: bool = False) -> Array:
    """``-p`` (``-exp(y_true)`` with ``log_target``), scaled by the reduction's divisor."""
    target, log_q = inputs("kl_div", y_true, y_pred, {"log_target": log_target})
    grad = -np.exp(target) if log_target else -target
    if reduction == "batchmean":
        grad /= _batch_size(log_q)
    else:
        grad *= grad_scale(reduction, grad.size)
    return grad

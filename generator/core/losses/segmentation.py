"""Segmentation losses: the soft Dice loss."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..stable import Array
from .common import Reduced, grad_scale, inputs, loss_function, reduce


def _dice_parts(y_true: ArrayLike, y_pred: ArrayLike, eps: float) -> tuple[Array, Array, Array]:
    """Per-sample numerator ``2Σpg + ε`` and denominator ``Σp + Σg + ε`` (kept broadcastable)."""
    mask, probability = inputs("dice", y_true, y_pred)
    within_sample = tuple(range(1, probability.ndim)) if probability.ndim >= 2 else None
    numerator = 2.0 * np.sum(probability * mask, axis=within_sample, keepdims=True) + eps
    denominator = np.sum(probability + mask, axis=within_sample, keepdims=True) + eps
    return mask, numerator, denominator


def _sample_count(values: Array) -> int:
    return values.shape[0] if values.ndim >= 2 else 1


@loss_function("dice")
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
    return reduce(per_sample.reshape(mask.shape[:1] if mask.ndim >= 2 else ()), reduction)


@loss_function("dice")
def dice_grad(y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", eps: float = 1e-6) -> Array:
    """``(N - 2 g D) / D²`` per element, N and D the sample's numerator and denominator."""
    mask, numerator, denominator = _dice_parts(y_true, y_pred, eps)
    grad = numerator - 2.0 * mask * denominator
    grad /= denominator**2
    grad *= grad_scale(reduction, _sample_count(mask))
    return grad

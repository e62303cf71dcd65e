"""Segmentation losses: the soft Dice loss, per sample or over the whole batch."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..stable import Array
from .common import Reduced, grad_scale, inputs, loss_function, reduce


def _dice_parts(y_true: ArrayLike, y_pred: ArrayLike, eps: float, batch: bool) -> tuple[Array, Array, Array]:
    """Per-sample (or, with ``batch``, global) numerator ``2Σpg + ε`` and denominator
    ``Σp + Σg + ε``, kept broadcastable against the input."""
    mask, probability = inputs("dice", y_true, y_pred)
    within_sample = tuple(range(1, probability.ndim)) if probability.ndim >= 2 and not batch else None
    numerator = 2.0 * np.sum(probability * mask, axis=within_sample, keepdims=True) + eps
    denominator = np.sum(probability + mask, axis=within_sample, keepdims=True) + eps
    return mask, numerator, denominator


def _samples(values: Array, batch: bool) -> tuple[int, ...]:
    """The shape of the per-sample values: one per row of 2-D and higher input, else one."""
    return values.shape[:1] if values.ndim >= 2 and not batch else ()


@loss_function("dice")
def dice(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", eps: float = 1e-6, batch: bool = False
) -> Reduced:
    """Soft Dice loss ``1 - (2 Σ p g + ε) / (Σ p + Σ g + ε)``.

    Two conventions for a batch of 2-D and higher input, the first axis being the
    sample: by default one Dice per sample (sums over all other axes), which the
    reduction then averages or adds, so a small object counts as much as a large one;
    with ``batch=True`` the sums run over the whole batch, giving one global Dice (as
    MONAI's ``DiceLoss(batch=True)``), where large objects dominate and samples with an
    empty mask cost nothing on their own. 0-D and 1-D input is one sample either way.
    ε keeps an empty mask and an empty prediction at loss 0 instead of 0/0; with
    ε = 1e-6 a single negative pixel costs ≈ 1 as soon as p ≫ ε. An input with no
    elements has no samples: ``"none"`` gives an empty array and ``"sum"`` 0.

    Reference: Milletari, Navab & Ahmadi (2016), "V-Net" (which squares the terms of
    the denominator; this is the common linear form); Dice (1945).
    """
    mask, numerator, denominator = _dice_parts(y_true, y_pred, eps, batch)
    if mask.size == 0:
        return reduce(np.zeros(0), reduction)
    per_sample = 1.0 - numerator / denominator
    return reduce(per_sample.reshape(_samples(mask, batch)), reduction)


@loss_function("dice")
def dice_grad(
    y_true: ArrayLike, y_pred: ArrayLike, *, reduction: str = "mean", eps: float = 1e-6, batch: bool = False
) -> Array:
    """``(N - 2 g D) / D²`` per element, N and D the numerator and denominator of its sample
    (of the batch with ``batch=True``)."""
    mask, numerator, denominator = _dice_parts(y_true, y_pred, eps, batch)
    grad = numerator - 2.0 * mask * denominator
    grad /= denominator**2
    grad *= grad_scale(reduction, int(np.prod(_samples(mask, batch))))
    return grad

"""Numerically stable primitives shared by the losses.

Each function is accurate to a few ulps for every finite float64 input and never
overflows, where the textbook formulas fail for logits beyond about ±709 (``exp``
overflows) or lose all precision where ``1 - sigmoid(x)`` rounds to 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def log1pexp(x: ArrayLike) -> Array:
    """Softplus, ``log(1 + exp(x))``.

    Rewrite: ``max(x, 0) + log1p(exp(-|x|))``; the exponent is never positive, so
    nothing overflows, and ``log1p`` keeps the tiny tail for very negative ``x``
    (Mächler 2012, "Accurately computing log(1 - exp(-|a|))").
    """
    x = np.asarray(x, dtype=np.float64)
    result = np.abs(x, out=np.empty_like(x))  # an array even for 0-d x, so out= works below
    np.negative(result, out=result)
    np.exp(result, out=result)
    np.log1p(result, out=result)
    result += np.maximum(x, 0.0)
    return result


def sigmoid(x: ArrayLike) -> Array:
    """Logistic function ``1 / (1 + exp(-x))``.

    Rewrite: ``exp(min(x, 0)) / (1 + exp(-|x|))``, which is ``1 / (1 + e^-x)`` for
    ``x >= 0`` and ``e^x / (1 + e^x)`` for ``x < 0``: no exponent is positive, so no
    overflow, and small results keep their relative precision instead of being
    computed as ``1 - (almost 1)``. Branch-free, because ``np.where`` on a random
    mask costs more than a second ``exp``.
    """
    x = np.asarray(x, dtype=np.float64)
    denominator = np.abs(x, out=np.empty_like(x))  # an array even for 0-d x, so out= works below
    np.negative(denominator, out=denominator)
    np.exp(denominator, out=denominator)
    denominator += 1.0
    result = np.minimum(x, 0.0, out=np.empty_like(x))
    np.exp(result, out=result)
    result /= denominator
    return result


def log_sigmoid(x: ArrayLike) -> Array:
    """``log(sigmoid(x)) = -softplus(-x)``, finite for every finite ``x``."""
    return -log1pexp(-np.asarray(x, dtype=np.float64))


_FOLD_LIMIT = 32
"""Longest axis :func:`_reduce_along` folds column by column; numpy's reduction wins beyond."""


def _reduce_along(ufunc: np.ufunc, x: Array, axis: int) -> Array:
    """``ufunc.reduce`` along ``axis``, kept as a broadcastable array.

    numpy reduces a short axis of a large array one tiny row at a time; folding its
    few columns with whole-array ufunc calls is several times faster, which matters
    for (N, C) logits with a handful of classes.
    """
    if x.ndim < 2 or x.shape[axis] > _FOLD_LIMIT:
        return ufunc.reduce(x, axis=axis, keepdims=True)
    columns = np.moveaxis(x, axis, 0)
    result = columns[0].copy()
    for column in columns[1:]:
        ufunc(result, column, out=result)
    return np.expand_dims(result, axis)


def logsumexp(x: ArrayLike, axis: int = -1, keepdims: bool = False) -> Array:
    """``log(sum(exp(x)))`` along ``axis``.

    Rewrite: subtract the maximum first, ``m + log(sum(exp(x - m)))``, so the
    largest term is ``exp(0) = 1`` and the sum lies in ``[1, n]``: no overflow, and
    no ``log(0)`` however negative the other entries are.
    """
    x = np.asarray(x, dtype=np.float64)
    shift = _reduce_along(np.maximum, x, axis)
    result = np.log(_reduce_along(np.add, np.exp(x - shift), axis)) + shift
    return result if keepdims else np.squeeze(result, axis=axis)


def log_softmax(x: ArrayLike, axis: int = -1) -> Array:
    """``x - logsumexp(x)``, computed as ``(x - m) - log(sum(exp(x - m)))`` with ``m = max(x)``.

    Subtracting the maximum before anything else keeps ``x - m`` exact, so even
    logits near ±1000 give log-probabilities accurate to an ulp of the result.
    """
    x = np.asarray(x, dtype=np.float64)
    shifted = x - _reduce_along(np.maximum, x, axis)
    shifted -= np.log(_reduce_along(np.add, np.exp(shifted), axis))
    return shifted


def softmax(x: ArrayLike, axis: int = -1) -> Array:
    """``exp(x - m) / sum(exp(x - m))`` with ``m = max(x)``: no exponent is positive, so
    nothing overflows, and the largest term is exactly 1."""
    x = np.asarray(x, dtype=np.float64)
    result = x - _reduce_along(np.maximum, x, axis)
    np.exp(result, out=result)
    result /= _reduce_along(np.add, result, axis)
    return result


def logit(p: ArrayLike) -> Array:
    """Inverse of :func:`sigmoid`, ``log(p / (1 - p))``, as ``log p - log1p(-p)``.

    Splitting the ratio keeps ``1 - p`` from rounding for tiny ``p``; callers pass
    ``p`` strictly inside (0, 1).
    """
    p = np.asarray(p, dtype=np.float64)
    return np.log(p) - np.log1p(-p)

"""What every loss function shares: checking its reduction, settings and inputs, reducing
its per-element values, and running long formulas block by block."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..domains import DOMAINS
from ..params import REDUCTIONS, check_settings
from ..stable import Array

Reduced = float | Array

_AVERAGES = ("mean", "batchmean")
"""Reductions that divide by a count, and so have no value for an empty input."""


def loss_function(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
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
            if reduction in _AVERAGES and _is_empty(y_pred):
                raise ValueError(
                    f"{name}: the {reduction} of an empty input is undefined; use reduction=\"sum\" or \"none\""
                )
            result = function(y_true, y_pred, reduction=reduction, **check_settings(name, settings))
            if np.ndim(y_pred) == 0 and isinstance(result, np.ndarray):
                return result.reshape(())  # the domain check lifted the scalar to shape (1,)
            return result

        return checked

    return decorate


def _is_empty(values: ArrayLike) -> bool:
    try:
        return np.size(values) == 0
    except (TypeError, ValueError):
        return False  # not an array at all: the input check says so, naming the loss


def checked_input(loss: str, role: str, values: ArrayLike, settings: Mapping[str, object] | None = None) -> Array:
    """``values`` checked against the domain :data:`~generator.core.domains.DOMAINS` gives
    ``role`` ("y_true" or "y_pred") of ``loss`` under ``settings``."""
    domain, when = DOMAINS[loss].domain(role, settings or {})
    return domain.check(loss, role, values, when=when)


def same_shape(loss: str, y_true: Array, y_pred: Array) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{loss}: y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}"
        )


def inputs(
    loss: str, y_true: ArrayLike, y_pred: ArrayLike, settings: Mapping[str, object] | None = None
) -> tuple[Array, Array]:
    """Both inputs checked against their domains, as float64 arrays of the same shape."""
    target = checked_input(loss, "y_true", y_true, settings)
    prediction = checked_input(loss, "y_pred", y_pred, settings)
    same_shape(loss, target, prediction)
    return target, prediction


def reduce(values: Array, reduction: str) -> Reduced:
    """``"mean"`` and ``"sum"`` as a float (the sum of nothing is 0), ``"none"`` as given."""
    if reduction == "mean":
        return float(np.mean(values))
    if reduction == "sum":
        return float(np.sum(values))
    return values


def grad_scale(reduction: str, count: int) -> float:
    return 1.0 / count if reduction == "mean" else 1.0


_BLOCK = 1 << 15
"""Elements per block in :func:`blockwise`: 256 KiB per float64 temporary, which fits in L2."""


def blockwise(kernel: Callable[..., None], *arrays: Array) -> Array:
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

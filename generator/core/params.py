"""The settings each loss accepts: names, defaults, valid ranges and slider families.

This table is the single source for both the loss functions (which validate their
keyword arguments against it) and the registry (which shows it to lessons and plots).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Literal

import numpy as np

ParamValue = float | bool | np.ndarray | None


@dataclass(frozen=True)
class Param:
    name: str
    default: ParamValue
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    symbol: str = ""
    """How lessons and plot labels write the parameter, e.g. ``δ``."""
    family: tuple[float, ...] | None = None
    """Values worth precomputing for a slider, or None when one value is enough."""
    kind: Literal["number", "bool"] = "number"
    allows_none: bool = False
    negative_means_none: bool = False
    """torchvision's focal-loss convention: any negative alpha switches weighting off."""
    allows_array: bool = False
    """Whether a per-class array is accepted (PyTorch's ``pos_weight``)."""
    per_batch: bool = False
    """Whether the setting says how a batch is combined rather than what one element
    costs: a curve, one element per point, cannot show it, so curves and plots refuse it."""

    def range_text(self) -> str:
        """The valid values in words, as error messages show them: ``> 0``, ``in [0, 1]``."""
        if self.kind == "bool":
            return "true or false"
        if self.low is not None and self.high is not None:
            opening = "[" if self.low_inclusive else "("
            closing = "]" if self.high_inclusive else ")"
            text = f"in {opening}{self.low:g}, {self.high:g}{closing}"
        elif self.low is not None:
            text = f"{'>=' if self.low_inclusive else '>'} {self.low:g}"
        elif self.high is not None:
            text = f"{'<=' if self.high_inclusive else '<'} {self.high:g}"
        else:
            text = "a finite number"
        if self.negative_means_none:
            return f"{text}, or none (or negative) for no weighting"
        if self.allows_none:
            return f"{text}, or none"
        return text

    def validate(self, value: object, *, loss: str) -> ParamValue:
        """Return ``value`` as the loss uses it, or raise ValueError naming loss, parameter and range."""
        if value is None:
            if self.allows_none:
                return None
            raise self._error(loss, value)
        if self.kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise self._error(loss, value)
        if isinstance(value, (bool, np.bool_)):
            raise self._error(loss, value)
        if isinstance(value, Real):
            number = float(value)
            if self.negative_means_none and number < 0:
                return None
            if not self._in_range(np.asarray(number)):
                raise self._error(loss, value)
            return number
        if self.allows_array:
            try:
                array = np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise self._error(loss, value) from None
            if array.ndim == 1 and array.size > 0 and self._in_range(array):
                return array
        raise self._error(loss, value)

    def _in_range(self, values: np.ndarray) -> bool:
        if not np.all(np.isfinite(values)):
            return False
        if self.low is not None:
            above = values >= self.low if self.low_inclusive else values > self.low
            if not np.all(above):
                return False
        if self.high is not None:
            below = values <= self.high if self.high_inclusive else values < self.high
            if not np.all(below):
                return False
        return True

    def _error(self, loss: str, value: object) -> ValueError:
        shown = f"{value:g}" if isinstance(value, float) and math.isfinite(value) else repr(value)
        if self.allows_array:
            return ValueError(
                f"{loss}: {self.name} must be a number or a 1-D array of numbers {self.range_text()}, got {shown}"
            )
        return ValueError(f"{loss}: {self.name} must be {self.range_text()}, got {shown}")


def check_settings(loss: str, settings: Mapping[str, object], *, curve: bool = False) -> dict[str, ParamValue]:
    """``settings`` validated for ``loss``: unknown names and out-of-range values raise
    ValueError, and so do settings about whole batches when they are for a ``curve``."""
    params = {param.name: param for param in PARAMS[loss]}
    checked = {}
    for key, value in settings.items():
        if key not in params:
            valid = ", ".join(f"{param.name} ({param.range_text()})" for param in params.values())
            raise ValueError(f"{loss}: unknown parameter {key!r}; valid parameters: {valid or 'none'}")
        if curve and params[key].per_batch:
            raise ValueError(
                f"{loss}: {key} says how a batch is combined, which a curve of single elements cannot show"
            )
        checked[key] = params[key].validate(value, loss=loss)
    return checked


_SLIDER = (0.25, 0.5, 1.0, 2.0, 4.0)

FOCAL_GAMMAS = (0.0, 0.5, 1.0, 2.0, 5.0)
"""The γ values of Lin et al. (2017), Figure 1: the focal loss's slider stops and family figure."""

PARAMS: dict[str, tuple[Param, ...]] = {
    "mse": (),
    "mae": (),
    "huber": (
        # Residual size where the loss turns from quadratic to linear.
        Param("delta", 1.0, low=0.0, low_inclusive=False, symbol="δ", family=_SLIDER),
    ),
    "smooth_l1": (
        # Residual size where the loss turns from quadratic to linear; 0 gives L1.
        Param("beta", 1.0, low=0.0, symbol="β", family=_SLIDER),
    ),
    "log_cosh": (),
    "pinball": (
        # Quantile level τ: under-predictions cost τ, over-predictions 1 − τ.
        Param("alpha", 0.5, low=0.0, high=1.0, symbol="τ", family=(0.1, 0.25, 0.5, 0.75, 0.9)),
    ),
    "poisson_nll": (
        # Whether y_pred is the log of the rate (True) or the rate itself.
        Param("log_input", True, kind="bool"),
        # Add Stirling's approximation of log(y!) for targets above 1.
        Param("full", False, kind="bool"),
        # Added to the rate inside the log when log_input is False.
        Param("eps", 1e-8, low=0.0, low_inclusive=False, symbol="ε"),
    ),
    "bce": (),
    "bce_with_logits": (
        # Weight of positive examples (per class when an array), as in PyTorch.
        Param("pos_weight", None, low=0.0, allows_none=True, allows_array=True, symbol="w₊"),
    ),
    "cross_entropy": (
        # Share of the target mass spread uniformly over all classes.
        Param("label_smoothing", 0.0, low=0.0, high=1.0, symbol="ε"),
    ),
    "hinge": (),
    "squared_hinge": (),
    "focal": (
        # Focusing exponent on (1 − p_t); 0 gives cross-entropy.
        Param("gamma", 2.0, low=0.0, symbol="γ", family=FOCAL_GAMMAS),
        # Weight of positive examples (1 − α for negatives); none for no weighting.
        Param("alpha", 0.25, low=0.0, high=1.0, allows_none=True, negative_means_none=True, symbol="α"),
    ),
    "dice": (
        # Smoothing added to numerator and denominator; keeps empty masks defined.
        Param("eps", 1e-6, low=0.0, low_inclusive=False, symbol="ε"),
        # One global Dice over the whole batch instead of one per sample.
        Param("batch", False, kind="bool", per_batch=True),
    ),
    "kl_div": (
        # Whether y_true holds log-probabilities instead of probabilities.
        Param("log_target", False, kind="bool"),
    ),
}

BASIC_REDUCTIONS = ("mean", "sum", "none")

REDUCTIONS: dict[str, tuple[str, ...]] = {
    name: BASIC_REDUCTIONS + (("batchmean",) if name == "kl_div" else ()) for name in PARAMS
}

"""What each loss accepts as ``y_true`` and ``y_pred``, as data.

As scikit-learn's losses state ``interval_y_true`` and ``interval_y_pred``, every loss
here names a :class:`Domain` for each input (:data:`DOMAINS`): the loss functions check
their inputs against it, the registry shows it (``LossSpec.y_true`` and ``y_pred``), the
curves read from it what to put on an axis (a probability, or its logit), and the tests
draw their inputs from it. A setting may switch one input to another domain
(``poisson_nll(log_input=False)`` takes rates, ``kl_div(log_target=True)`` log-probabilities).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .stable import Array


@dataclass(frozen=True)
class Domain:
    """A set of valid input values: an interval, or a few labels."""

    name: str
    """What the values are, e.g. "probabilities" or "logits"."""
    text: str
    """How error messages state the domain: "probabilities in [0, 1]"."""
    low: float = -math.inf
    high: float = math.inf
    labels: tuple[float, ...] = ()
    """The only values allowed, for label domains; empty for an interval."""

    def contains(self, values: Array) -> bool:
        if self.labels:
            return bool(np.all(np.isin(values, self.labels)))
        return bool(np.all((values >= self.low) & (values <= self.high)))

    def check(self, loss: str, role: str, values: ArrayLike, *, when: str = "") -> Array:
        """``values`` as a float64 array of at least one dimension (so in-place ufuncs work
        on scalars too); ValueError naming ``loss`` and ``role`` for non-numeric input,
        NaN, or values outside the domain (``when`` says which setting chose it)."""
        try:
            array = np.atleast_1d(np.asarray(values, dtype=np.float64))
        except (TypeError, ValueError) as error:
            raise ValueError(f"{loss}: {role} must be numeric ({error})") from None
        if array.size == 0:
            return array
        # min() propagates NaN, so one pass finds both NaN and the lower bound.
        smallest = array.min()
        if np.isnan(smallest):
            raise ValueError(f"{loss}: {role} contains NaN")
        text = f"{self.text} {when}" if when else self.text
        if self.labels:
            if not self.contains(array):
                raise ValueError(f"{loss}: {role} must hold {text}")
        elif smallest < self.low or array.max() > self.high:
            raise ValueError(f"{loss}: {role} must be {text}, got values from {smallest:g} to {array.max():g}")
        return array


REALS = Domain("real numbers", "real numbers")
LOGITS = Domain("logits", "logits (real numbers)")
"""Scores turned into probabilities by a sigmoid or softmax inside the loss."""
SCORES = Domain("decision values", "decision values (real numbers)")
"""A classifier's signed score f(x), used without a sigmoid (the hinge losses)."""
PROBABILITIES = Domain("probabilities", "probabilities in [0, 1]", low=0.0, high=1.0)
BINARY_LABELS = Domain("labels 0 or 1", "labels 0 or 1", labels=(0.0, 1.0))
SIGNED_LABELS = Domain("labels -1 or +1", "labels -1 or +1 (0 is read as -1)", labels=(-1.0, 0.0, 1.0))
COUNTS = Domain("counts", "counts >= 0", low=0.0)
RATES = Domain("rates", "rates >= 0", low=0.0)
LOG_RATES = Domain("log-rates", "log-rates (real numbers)")
LOG_PROBABILITIES = Domain("log-probabilities", "log-probabilities (<= 0)", high=0.0)
CLASS_TARGETS = Domain("class indices or class probabilities",
                       "class indices of y_pred's shape without its last axis, or class probabilities of its shape")
"""Cross-entropy's target, told apart by its shape; indices lie in [0, C - 1], probabilities in [0, 1]."""


@dataclass(frozen=True)
class Inputs:
    """The domains of one loss's ``y_true`` and ``y_pred``."""

    y_true: Domain
    y_pred: Domain
    switch: tuple[str, object, str, Domain] | None = None
    """``(setting, value, role, domain)``: with that setting at that value, the input
    ``role`` ("y_true" or "y_pred") takes ``domain`` instead."""

    def domain(self, role: str, settings: Mapping[str, object]) -> tuple[Domain, str]:
        """The domain of input ``role`` under ``settings``, and words that say which setting
        chose it ("when log_input is False"), empty when none did."""
        if self.switch is not None:
            setting, value, switched_role, domain = self.switch
            if switched_role == role and settings.get(setting) is value:
                return domain, f"when {setting} is {value}"
        return (self.y_true if role == "y_true" else self.y_pred), ""


DOMAINS: dict[str, Inputs] = {
    "mse": Inputs(REALS, REALS),
    "mae": Inputs(REALS, REALS),
    "huber": Inputs(REALS, REALS),
    "smooth_l1": Inputs(REALS, REALS),
    "log_cosh": Inputs(REALS, REALS),
    "pinball": Inputs(REALS, REALS),
    "poisson_nll": Inputs(COUNTS, LOG_RATES, switch=("log_input", False, "y_pred", RATES)),
    "bce": Inputs(PROBABILITIES, PROBABILITIES),
    "bce_with_logits": Inputs(PROBABILITIES, LOGITS),
    "cross_entropy": Inputs(CLASS_TARGETS, LOGITS),
    "hinge": Inputs(SIGNED_LABELS, SCORES),
    "squared_hinge": Inputs(SIGNED_LABELS, SCORES),
    "focal": Inputs(BINARY_LABELS, LOGITS),
    "dice": Inputs(PROBABILITIES, PROBABILITIES),
    "kl_div": Inputs(PROBABILITIES, LOG_PROBABILITIES, switch=("log_target", True, "y_true", LOG_PROBABILITIES)),
}

"""Input domains as data: every loss accepts what its domains say and rejects the rest;
empty input; the two Dice conventions."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from generator.core import LOSSES, dice, dice_grad, loss_curve
from generator.core.domains import CLASS_TARGETS, Domain

BOTH = pytest.mark.parametrize("use_grad", [False, True], ids=["value", "grad"])


def inside(domain: Domain, size: int = 6) -> np.ndarray:
    """Values from all over ``domain``: every label, or a spread across the interval."""
    if domain.labels:
        return np.resize(np.array(domain.labels), size)
    low = domain.low if math.isfinite(domain.low) else -3.0
    high = domain.high if math.isfinite(domain.high) else 3.0
    return np.linspace(max(low, high - 6.0), min(high, low + 6.0), size)


def outside(domain: Domain) -> float | None:
    """A value just outside ``domain``, or None for all real numbers."""
    if domain.labels:
        return 0.5
    if math.isfinite(domain.low):
        return domain.low - 0.5
    if math.isfinite(domain.high):
        return domain.high + 0.5
    return None


def setting_variants(name: str) -> list[dict[str, Any]]:
    """The default settings, and each switch setting flipped (which may change a domain)."""
    return [{}] + [{param.name: not param.default} for param in LOSSES[name].params
                   if param.kind == "bool" and not param.per_batch]


CASES = [
    pytest.param(name, settings, id=f"{name}{settings or ''}")
    for name, spec in LOSSES.items() if spec.y_true is not CLASS_TARGETS  # told apart by shape: own tests
    for settings in setting_variants(name)
]


@pytest.mark.parametrize(("name", "settings"), CASES)
@BOTH
def test_values_from_the_domains_are_accepted(name: str, settings: dict, use_grad: bool) -> None:
    spec = LOSSES[name]
    function = spec.grad if use_grad else spec.fn
    result = function(inside(spec.input_domain("y_true", settings)), inside(spec.input_domain("y_pred", settings)),
                      reduction="sum", **settings)
    assert np.all(np.isfinite(result))


BOUNDED = [
    pytest.param(*case.values, role, id=f"{case.id}-{role}")
    for case in CASES
    for role in ("y_true", "y_pred")
    if outside(LOSSES[case.values[0]].input_domain(role, case.values[1])) is not None
]


@pytest.mark.parametrize(("name", "settings", "role"), BOUNDED)
@BOTH
def test_a_value_outside_its_domain_is_rejected_with_the_domain_in_the_message(
    name: str, settings: dict, role: str, use_grad: bool
) -> None:
    spec = LOSSES[name]
    domain = spec.input_domain(role, settings)
    bad = outside(domain)
    values = {other: inside(spec.input_domain(other, settings)) for other in ("y_true", "y_pred")}
    values[role][2] = bad
    function = spec.grad if use_grad else spec.fn
    with pytest.raises(ValueError, match=f"^{name}: {role} must (?:be|hold) {re.escape(domain.text)}"):
        function(values["y_true"], values["y_pred"], **settings)


def test_the_switching_settings_and_their_domains() -> None:
    assert LOSSES["poisson_nll"].input_domain("y_pred", {"log_input": False}).name == "rates"
    assert LOSSES["poisson_nll"].input_domain("y_pred", {}).name == "log-rates"
    assert LOSSES["kl_div"].input_domain("y_true", {"log_target": True}).name == "log-probabilities"
    assert LOSSES["kl_div"].input_domain("y_true", {}).name == "probabilities"


# --- empty input ----------------------------------------------------------------------


def _empty(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "cross_entropy":
        return np.zeros(0, dtype=int), np.zeros((0, 3))
    return np.zeros(0), np.zeros(0)


@pytest.mark.parametrize("name", LOSSES)
@BOTH
def test_the_mean_of_an_empty_input_is_an_error(name: str, use_grad: bool) -> None:
    spec = LOSSES[name]
    for reduction in ("mean", "batchmean") if "batchmean" in spec.reductions else ("mean",):
        with pytest.raises(ValueError, match=f'^{name}: the {reduction} of an empty input is undefined; '
                                             'use reduction="sum" or "none"$'):
            (spec.grad if use_grad else spec.fn)(*_empty(name), reduction=reduction)


@pytest.mark.parametrize("name", LOSSES)
def test_an_empty_input_sums_to_zero_and_has_no_values(name: str) -> None:
    # As PyTorch: F.mse_loss(torch.empty(0), torch.empty(0), reduction="sum") is 0.
    spec = LOSSES[name]
    y_true, y_pred = _empty(name)
    assert spec.fn(y_true, y_pred, reduction="sum") == 0.0
    values = spec.fn(y_true, y_pred, reduction="none")
    assert isinstance(values, np.ndarray) and values.size == 0
    for reduction in ("sum", "none"):
        grad = spec.grad(y_true, y_pred, reduction=reduction)
        assert grad.shape == y_pred.shape


# --- Dice: per sample or over the batch -----------------------------------------------

MASKS = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0]])
PREDICTIONS = np.array([[0.9, 0.8, 0.9, 0.7], [0.0, 0.0, 0.6, 0.0]])


def _dice(mask: np.ndarray, prediction: np.ndarray) -> float:
    return 1 - (2 * np.sum(mask * prediction) + 1e-6) / (np.sum(mask) + np.sum(prediction) + 1e-6)


def test_dice_per_sample_is_the_default_and_batch_is_one_global_dice() -> None:
    # The small object of the second sample is missed: per sample that costs a whole
    # sample's worth, over the batch it hardly shows beside the large first object.
    per_sample = [_dice(MASKS[0], PREDICTIONS[0]), _dice(MASKS[1], PREDICTIONS[1])]
    np.testing.assert_allclose(dice(MASKS, PREDICTIONS, reduction="none"), per_sample, rtol=1e-12)
    assert dice(MASKS, PREDICTIONS) == pytest.approx(np.mean(per_sample), rel=1e-12)
    assert dice(MASKS, PREDICTIONS, batch=True) == pytest.approx(_dice(MASKS, PREDICTIONS), rel=1e-12)
    assert dice(MASKS, PREDICTIONS, batch=True) < 0.5 < dice(MASKS, PREDICTIONS)
    assert np.shape(dice(MASKS, PREDICTIONS, reduction="none", batch=True)) == ()


@pytest.mark.parametrize("batch", [False, True])
def test_dice_gradient_matches_central_differences_in_both_conventions(batch: bool) -> None:
    step = 1e-6
    grad = dice_grad(MASKS, PREDICTIONS + 0.05, batch=batch)
    numeric = np.empty_like(grad)
    for index in np.ndindex(grad.shape):
        above, below = PREDICTIONS + 0.05, PREDICTIONS + 0.05
        above[index] += step
        below[index] -= step
        numeric[index] = (dice(MASKS, above, batch=batch) - dice(MASKS, below, batch=batch)) / (2 * step)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_a_curve_refuses_a_setting_about_whole_batches() -> None:
    with pytest.raises(ValueError, match="^dice: batch says how a batch is combined, which a curve of single"):
        loss_curve("dice", "probability", batch=True)

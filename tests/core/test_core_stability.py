"""Extreme inputs: logits of ±1000, residuals of 1e100, probabilities of exactly 0 and 1.

Every warning is an error here, so a RuntimeWarning from an overflow, a log(0) or
an inf - inf fails the test even when the final number happens to be right.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.core import (
    LOSSES,
    bce,
    bce_grad,
    bce_with_logits,
    bce_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    dice,
    dice_grad,
    focal,
    focal_grad,
    kl_div,
    kl_div_grad,
    log1pexp,
    log_sigmoid,
    log_softmax,
    logit,
    logsumexp,
    mse,
    mse_grad,
    sigmoid,
    softmax,
    squared_hinge,
)

pytestmark = pytest.mark.filterwarnings("error")

BIG = 1000.0


def test_primitives_at_large_logits() -> None:
    x = np.array([-BIG, -40.0, 0.0, 40.0, BIG])
    np.testing.assert_array_equal(sigmoid([-BIG, 0.0, BIG]), [0.0, 0.5, 1.0])
    assert sigmoid(-40.0) == pytest.approx(math.exp(-40.0) / (1 + math.exp(-40.0)), rel=1e-15)
    np.testing.assert_allclose(log1pexp(x), [0.0, math.log1p(math.exp(-40.0)), math.log(2), 40.0, BIG], rtol=1e-15)
    np.testing.assert_allclose(log_sigmoid(x), -log1pexp(-x), rtol=1e-15)
    assert log_sigmoid(-BIG) == -BIG
    assert logsumexp([BIG, BIG]) == pytest.approx(BIG + math.log(2), rel=1e-15)
    assert logsumexp([-BIG, -BIG]) == pytest.approx(-BIG + math.log(2), rel=1e-15)
    np.testing.assert_array_equal(log_softmax([BIG, -BIG]), [0.0, -2 * BIG])
    np.testing.assert_array_equal(softmax([[BIG, -BIG], [-BIG, -BIG]]), [[1.0, 0.0], [0.5, 0.5]])
    assert logit(sigmoid(3.0)) == pytest.approx(3.0, rel=1e-14)
    assert logit(1e-300) == pytest.approx(math.log(1e-300), rel=1e-15)


def test_bce_with_logits_at_large_logits() -> None:
    labels, logits = [1.0, 1.0, 0.0, 0.0], [-BIG, BIG, -BIG, BIG]
    np.testing.assert_array_equal(bce_with_logits(labels, logits, reduction="none"), [BIG, 0.0, 0.0, BIG])
    np.testing.assert_array_equal(bce_with_logits_grad(labels, logits, reduction="none"), [-1.0, 0.0, 0.0, 1.0])
    weighted = bce_with_logits(labels, logits, reduction="none", pos_weight=3.0)
    np.testing.assert_array_equal(weighted, [3 * BIG, 0.0, 0.0, BIG])
    np.testing.assert_array_equal(
        bce_with_logits_grad(labels, logits, reduction="none", pos_weight=3.0), [-3.0, 0.0, 0.0, 1.0]
    )


def test_bce_with_logits_keeps_relative_precision_of_small_values() -> None:
    # -log σ(40) = log1p(e^-40) ≈ 4.25e-18: a form like softplus(-z) + (1 - y) z would return 0.
    assert bce_with_logits(1.0, 40.0) == pytest.approx(math.log1p(math.exp(-40.0)), rel=1e-14)
    assert bce_with_logits(0.0, -40.0) == pytest.approx(math.log1p(math.exp(-40.0)), rel=1e-14)
    assert bce_with_logits_grad(1.0, 40.0) == pytest.approx(-math.exp(-40.0) / (1 + math.exp(-40.0)), rel=1e-14)


def test_cross_entropy_at_large_logits() -> None:
    logits = [[BIG, -BIG], [BIG, -BIG]]
    np.testing.assert_array_equal(cross_entropy([1, 0], logits, reduction="none"), [2 * BIG, 0.0])
    np.testing.assert_array_equal(cross_entropy_grad([1, 0], logits, reduction="none"), [[1.0, -1.0], [0.0, 0.0]])
    assert cross_entropy([[0.5, 0.5]], [[BIG, -BIG]]) == BIG
    smoothed = cross_entropy([1], [[BIG, -BIG]], label_smoothing=0.2)
    assert smoothed == pytest.approx(0.9 * 2 * BIG, rel=1e-15)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25])
def test_focal_at_large_logits(gamma: float, alpha: float | None) -> None:
    labels, logits = [1.0, 1.0, 0.0, 0.0], [-BIG, BIG, -BIG, BIG]
    positive, negative = (1.0, 1.0) if alpha is None else (alpha, 1 - alpha)
    values = focal(labels, logits, reduction="none", gamma=gamma, alpha=alpha)
    np.testing.assert_array_equal(values, [positive * BIG, 0.0, 0.0, negative * BIG])
    grads = focal_grad(labels, logits, reduction="none", gamma=gamma, alpha=alpha)
    np.testing.assert_array_equal(grads, [-positive, 0.0, 0.0, negative])


def test_hinges_at_large_decision_values() -> None:
    hinge, hinge_grad = LOSSES["hinge"].fn, LOSSES["hinge"].grad
    np.testing.assert_array_equal(hinge([1.0, 1.0], [-BIG, BIG], reduction="none"), [1 + BIG, 0.0])
    np.testing.assert_array_equal(hinge_grad([1.0, 1.0], [-BIG, BIG], reduction="none"), [-1.0, 0.0])
    assert squared_hinge(-1.0, BIG) == (1 + BIG) ** 2
    assert LOSSES["squared_hinge"].grad(-1.0, BIG) == 2 * (1 + BIG)


@pytest.mark.parametrize(
    ("name", "settings", "value", "slope"),
    [
        ("mse", {}, 1e200, 2e100),
        ("mae", {}, 1e100, 1.0),
        ("huber", {}, 1e100, 1.0),
        ("huber", {"delta": 3.0}, 3e100, 3.0),
        ("smooth_l1", {}, 1e100, 1.0),
        ("smooth_l1", {"beta": 0.0}, 1e100, 1.0),
        ("log_cosh", {}, 1e100, 1.0),
        ("pinball", {"alpha": 0.2}, 0.8e100, 0.8),
    ],
)
def test_regression_losses_at_huge_residuals(name: str, settings: dict, value: float, slope: float) -> None:
    spec = LOSSES[name]
    for sign in (1.0, -1.0):
        assert spec.fn(0.0, sign * 1e100, **settings) == pytest.approx(
            value if name != "pinball" or sign > 0 else 0.2e100, rel=1e-15
        )
        expected_slope = slope if name != "pinball" or sign > 0 else 0.2
        assert spec.grad(0.0, sign * 1e100, **settings) == pytest.approx(sign * expected_slope, rel=1e-15)


def test_values_beyond_float64_become_inf_without_nan() -> None:
    # (1e200)² exceeds the largest float64: inf is the correctly rounded answer.
    assert mse(0.0, 1e200) == math.inf
    assert mse([0.0, 0.0], [1e200, -1e200], reduction="sum") == math.inf
    np.testing.assert_array_equal(mse([0.0], [1e200], reduction="none"), [math.inf])
    assert mse_grad(0.0, 1e200) == 2e200
    assert squared_hinge(1.0, -1e200) == math.inf
    for name in ("huber", "smooth_l1", "mae", "log_cosh", "pinball"):
        assert math.isfinite(LOSSES[name].fn(0.0, 1e300)), name
        assert math.isfinite(LOSSES[name].grad(0.0, 1e300)), name


def test_bce_at_probabilities_zero_and_one() -> None:
    # PyTorch's conventions: each log floored at -100, gradient denominator at 1e-12.
    labels, probabilities = [1.0, 0.0, 1.0, 0.0, 0.5], [0.0, 0.0, 1.0, 1.0, 1.0]
    np.testing.assert_array_equal(bce(labels, probabilities, reduction="none"), [100.0, 0.0, 0.0, 100.0, 50.0])
    np.testing.assert_array_equal(bce_grad(labels, probabilities, reduction="none"), [-1e12, 0.0, 0.0, 1e12, 0.5e12])
    assert bce(0.3, 0.3) == pytest.approx(-(0.3 * math.log(0.3) + 0.7 * math.log(0.7)), rel=1e-15)


def test_dice_at_probabilities_zero_and_one() -> None:
    empty = np.zeros((2, 3))
    assert dice(empty, empty) == 0.0
    assert np.all(np.isfinite(dice_grad(empty, empty)))
    full = np.ones((2, 3))
    assert dice(full, full) == 0.0
    assert dice(full, empty) == pytest.approx(1 - 1e-6 / (3 + 1e-6), rel=1e-15)
    numerator, denominator = 1e-6, 3 + 1e-6  # per sample, for the all-zero prediction of an all-one mask
    expected = np.full((2, 3), (numerator - 2 * denominator) / denominator**2)
    np.testing.assert_allclose(dice_grad(full, empty, reduction="sum"), expected)


def test_zero_probabilities_in_targets() -> None:
    assert kl_div([0.0, 1.0], [-BIG, 0.0]) == 0.0
    np.testing.assert_array_equal(kl_div_grad([0.0, 1.0], [-BIG, 0.0], reduction="sum"), [0.0, -1.0])
    assert cross_entropy([[0.0, 1.0]], [[BIG, -BIG]]) == 2 * BIG
    assert cross_entropy([[1.0, 0.0]], [[BIG, -BIG]]) == 0.0

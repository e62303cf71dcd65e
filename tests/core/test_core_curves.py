"""Plot data: loss curves per axis, the focal-loss family, and training runs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from generator.core import AXES, LOSSES, Curve, focal_family, loss_curve, train

pytestmark = pytest.mark.filterwarnings("error")

DRAWABLE = [(name, axis) for name, spec in LOSSES.items() for axis in spec.axes]


@pytest.mark.parametrize(("name", "axis"), DRAWABLE)
def test_every_supported_axis_gives_finite_curves(name: str, axis: str) -> None:
    curve = loss_curve(name, axis)
    assert isinstance(curve, Curve) and curve.name == name and curve.axis == axis
    assert [series.label for series in curve.series] == (["y = 1", "y = 0"] if axis == "probability" else [""])
    assert (curve.reference is not None) == (axis == "margin")
    for series in curve.series:
        assert series.x.ndim == 1 and series.x.shape == series.loss.shape == series.grad.shape
        assert np.all(np.isfinite(series.loss)) and np.all(np.isfinite(series.grad))


@pytest.mark.parametrize(("name", "axis"), DRAWABLE)
def test_curve_gradient_is_the_derivative_along_x(name: str, axis: str) -> None:
    # Points chosen off every kink (residual 0, margin 1, Huber's δ = 1).
    x = {"residual": np.array([-2.3, -0.4, 0.35, 1.7]), "margin": np.array([-1.4, 0.2, 0.8, 2.2]),
         "probability": np.array([0.1, 0.35, 0.6, 0.9])}[axis]
    step = 1e-6
    curve = loss_curve(name, axis, x=x)
    above, below = loss_curve(name, axis, x=x + step), loss_curve(name, axis, x=x - step)
    for series, up, down in zip(curve.series, above.series, below.series):
        np.testing.assert_allclose(series.grad, (up.loss - down.loss) / (2 * step), rtol=1e-5, atol=1e-7)


def test_curve_values_follow_the_formulas() -> None:
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    np.testing.assert_allclose(loss_curve("mse", "residual", x=x).series[0].loss, x**2)
    np.testing.assert_allclose(loss_curve("huber", "residual", x=x, delta=1.0).series[0].loss, [1.5, 0.125, 0.125, 1.5])
    np.testing.assert_allclose(loss_curve("hinge", "margin", x=x).series[0].loss, np.maximum(0, 1 - x))
    np.testing.assert_allclose(loss_curve("logistic loss", "margin", x=x).series[0].loss, np.log1p(np.exp(-x)))
    np.testing.assert_allclose(loss_curve("mse", "margin", x=x).series[0].loss, (1 - x) ** 2)
    np.testing.assert_array_equal(loss_curve("hinge", "margin", x=x).reference.loss, [1.0, 1.0, 0.0, 0.0])
    p = np.array([0.2, 0.5, 0.8])
    for name in ("bce", "bce_with_logits", "cross_entropy", "交叉熵"):
        positive, negative = loss_curve(name, "probability", x=p).series
        np.testing.assert_allclose(positive.loss, -np.log(p), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(negative.loss, -np.log(1 - p), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(positive.grad, -1 / p, rtol=1e-10, err_msg=name)
    positive, negative = loss_curve("dice", "probability", x=p, eps=1.0).series
    np.testing.assert_allclose(positive.loss, 1 - (2 * p + 1) / (p + 2))
    np.testing.assert_allclose(negative.loss, 1 - 1 / (p + 1))


def test_preferred_axis_and_default_ranges() -> None:
    assert loss_curve("huber").axis == "residual"
    assert loss_curve("focal").axis == "probability"
    assert loss_curve("hinge").axis == "margin"
    residual = loss_curve("huber").series[0].x
    assert residual.min() <= -4 and residual.max() >= 4  # shows every δ of the slider family
    probability = loss_curve("bce").series[0].x
    assert 0 < probability.min() < 0.01 and 0.99 < probability.max() < 1
    assert AXES == ("residual", "margin", "probability")


def test_curve_errors() -> None:
    with pytest.raises(ValueError, match=r"^hinge: unsupported axis 'residual'; valid axes: margin$"):
        loss_curve("hinge", "residual")
    with pytest.raises(ValueError, match=r"^mse: unsupported axis 'banana'; valid axes: residual, probability, margin"):
        loss_curve("mse", "banana")
    with pytest.raises(ValueError, match=r"^unknown loss 'nope'; valid losses: mse, "):
        loss_curve("nope", "residual")
    with pytest.raises(ValueError, match=r"^kl_div: no curve axis fits this loss; losses with curves: mse, "):
        loss_curve("kl_div")
    with pytest.raises(ValueError, match=r"^focal: probabilities on the x axis must lie in \(0, 1\)"):
        loss_curve("focal", "probability", x=[0.0, 0.5])
    with pytest.raises(ValueError, match=r"^bce: probabilities on the x axis must lie in \[0, 1\]"):
        loss_curve("bce", "probability", x=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"^huber: delta must be > 0, got -1$"):
        loss_curve("huber", "residual", delta=-1)
    with pytest.raises(ValueError, match=r"^mse: x must be a non-empty 1-D array of finite numbers$"):
        loss_curve("mse", "residual", x=[[1.0]])


def test_bce_curve_is_finite_at_exact_zero_and_one() -> None:
    positive, negative = loss_curve("bce", "probability", x=[0.0, 1.0]).series
    np.testing.assert_array_equal(positive.loss, [100.0, 0.0])
    np.testing.assert_array_equal(negative.loss, [0.0, 100.0])


def test_focal_family_reproduces_lin_et_al_figure_1() -> None:
    family = focal_family()
    assert [series.label for series in family.series] == ["γ = 0", "γ = 0.5", "γ = 1", "γ = 2", "γ = 5"]
    cross_entropy, *_, gamma_two, _ = family.series
    p_t = cross_entropy.x
    np.testing.assert_allclose(cross_entropy.loss, -np.log(p_t), rtol=1e-12)
    index = int(np.argmin(np.abs(p_t - 0.9)))
    assert p_t[index] == pytest.approx(0.9, abs=1e-12)
    # (1 - 0.9)^2 = 0.01: an easy example costs a hundredth of its cross-entropy.
    assert cross_entropy.loss[index] / gamma_two.loss[index] == pytest.approx(100.0, rel=1e-12)
    losses = np.array([series.loss for series in family.series])
    assert np.all(np.diff(losses, axis=0) < 0)  # a larger γ discounts every p_t in (0, 1)
    only = focal_family(gammas=(2.0,), p_t=[0.9])
    assert only.series[0].loss[0] == pytest.approx(-0.01 * math.log(0.9), rel=1e-12)


# --- training ------------------------------------------------------------------------------


def _slope_error(run, true_slope: float) -> float:
    return abs(run.fitted[0] - true_slope)


def test_line_with_outliers_pulls_mse_but_not_mae_or_huber() -> None:
    result = train("line-with-outliers")
    assert result.param_names == ("a", "b") and result.x.ndim == 1 and result.x.shape == result.y.shape
    runs = {run.name: run for run in result.runs}
    assert list(runs) == ["mse", "mae", "huber"]
    true_slope = result.true_params[0]
    assert _slope_error(runs["mse"], true_slope) > _slope_error(runs["mae"], true_slope) + 0.5
    assert _slope_error(runs["mae"], true_slope) < 0.2
    assert _slope_error(runs["huber"], true_slope) < 0.2
    for run in result.runs:
        assert run.history.shape == (result.epochs + 1,) and run.error_rate is None
        assert run.history[-1] < run.history[0]
    for name in ("mse", "huber"):  # smooth and convex: full-batch descent never goes up
        assert np.all(np.diff(runs[name].history) <= 1e-12), name


def test_mse_training_reaches_least_squares() -> None:
    # A wrong gradient would converge somewhere else (or diverge).
    result = train("line-with-outliers", ["mse"], epochs=2000)
    np.testing.assert_allclose(result.runs[0].fitted, np.polyfit(result.x, result.y, 1), atol=1e-6)


def test_two_blobs_cross_entropy_beats_mse_on_sigmoid() -> None:
    result = train("two-blobs")
    assert result.param_names == ("w1", "w2", "b") and result.x.shape == (result.y.size, 2)
    cross_entropy, mse = result.runs
    assert (cross_entropy.name, mse.name) == ("bce_with_logits", "mse")
    assert np.all(np.diff(cross_entropy.history) < 0)
    assert cross_entropy.error_rate <= mse.error_rate
    assert cross_entropy.error_rate < 0.2
    # From a confidently wrong start the sigmoid saturates: MSE barely moves for a while.
    assert cross_entropy.history[20] < 0.2 * cross_entropy.history[0]
    assert mse.history[20] > 0.9 * mse.history[0]


def test_training_is_deterministic_for_a_seed() -> None:
    for dataset in ("line-with-outliers", "two-blobs"):
        first, second = train(dataset, seed=3), train(dataset, seed=3)
        np.testing.assert_array_equal(first.x, second.x)
        for one, other in zip(first.runs, second.runs):
            np.testing.assert_array_equal(one.history, other.history)
            np.testing.assert_array_equal(one.fitted, other.fitted)
        assert not np.array_equal(first.x, train(dataset, seed=4).x)


def test_training_loss_choices() -> None:
    result = train("line-with-outliers", "mse, huber(delta=0.5), L1", epochs=50)
    expected = [("mse", {}), ("huber", {"delta": 0.5}), ("mae", {})]
    assert [(run.name, dict(run.params)) for run in result.runs] == expected
    shared = train("line-with-outliers", ["huber", ("smooth_l1", {"beta": 2.0})], epochs=5, delta=0.3, beta=1.0)
    assert [dict(run.params) for run in shared.runs] == [{"delta": 0.3}, {"beta": 2.0}]
    hinge = train("two-blobs", ["hinge", "focal"], epochs=50)
    assert all(run.error_rate < 0.3 for run in hinge.runs)


def test_training_errors() -> None:
    with pytest.raises(ValueError, match=r"^unknown dataset 'moons'; valid datasets: line-with-outliers, two-blobs$"):
        train("moons")
    with pytest.raises(ValueError, match=r"^train: two-blobs cannot be fitted with huber; valid losses: "):
        train("two-blobs", ["huber"])
    with pytest.raises(ValueError, match=r"^train: parameter 'gamma' belongs to none of the losses mse, mae$"):
        train("line-with-outliers", ["mse", "mae"], gamma=2)
    with pytest.raises(ValueError, match=r"^train: epochs must be a whole number >= 1, got 0$"):
        train("line-with-outliers", epochs=0)
    with pytest.raises(ValueError, match=r"^train: lr must be > 0, got -0.1$"):
        train("line-with-outliers", lr=-0.1)
    with pytest.raises(ValueError, match=r"^huber: delta must be > 0, got -1$"):
        train("line-with-outliers", ["huber"], delta=-1)

"""Loss values and gradients against scikit-learn, finite differences and PyTorch (values
frozen by make_torch_fixture.py).

One table of seeded random cases (``CASES``) feeds every check. Inputs keep clear
of kinks (|residual| >= 0.1, hinge margins away from 1) so that finite differences
and autograd see smooth functions.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn import metrics

from generator.core import LOSSES, log_softmax, softmax


@dataclass(frozen=True)
class Case:
    loss: str
    y_true: np.ndarray
    y_pred: np.ndarray
    settings: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    @property
    def id(self) -> str:
        settings = ",".join(
            f"{key}={value if np.ndim(value) == 0 else 'array'}" for key, value in self.settings.items()
        )
        return f"{self.loss}[{self.note}{settings}]"


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.uniform(0.1, 2.5, shape) * rng.choice([-1.0, 1.0], shape)


def _build_cases() -> list[Case]:
    rng = np.random.default_rng(20240601)
    shape = (4, 3)
    cases: list[Case] = []

    for loss, settings_list in [
        ("mse", [{}]),
        ("mae", [{}]),
        ("huber", [{}, {"delta": 0.5}, {"delta": 2.0}]),
        ("smooth_l1", [{}, {"beta": 0.3}, {"beta": 0.0}]),
        ("log_cosh", [{}]),
        ("pinball", [{}, {"alpha": 0.1}, {"alpha": 0.9}]),
    ]:
        for settings in settings_list:
            y_true = rng.normal(size=shape)
            cases.append(Case(loss, y_true, y_true + _away_from_zero(rng, shape), settings))

    counts = rng.poisson(3.0, shape).astype(np.float64)
    counts[0, 0] = 0.0  # the Stirling term applies only above 1
    for settings in [{}, {"full": True}]:
        cases.append(Case("poisson_nll", counts, rng.normal(0.5, 1.0, shape), settings))
    for settings in [{"log_input": False}, {"log_input": False, "full": True}, {"log_input": False, "eps": 1e-3}]:
        cases.append(Case("poisson_nll", counts, rng.uniform(0.5, 4.0, shape), settings))

    binary = (rng.random(shape) < 0.5).astype(np.float64)
    soft = rng.uniform(0.0, 1.0, shape)
    cases.append(Case("bce", binary, rng.uniform(0.05, 0.95, shape), note="binary "))
    cases.append(Case("bce", soft, rng.uniform(0.05, 0.95, shape), note="soft "))

    for settings in [{}, {"pos_weight": 2.5}, {"pos_weight": np.array([0.5, 1.0, 3.0])}]:
        cases.append(Case("bce_with_logits", binary, rng.normal(0.0, 3.0, shape), settings))
    cases.append(Case("bce_with_logits", soft, rng.normal(0.0, 3.0, shape), note="soft "))

    logits = rng.normal(0.0, 2.0, (5, 4))
    indices = rng.integers(0, 4, 5)
    probabilities = rng.dirichlet(np.ones(4), 5)
    for settings in [{}, {"label_smoothing": 0.1}]:
        cases.append(Case("cross_entropy", indices, logits, settings, note="indices "))
        cases.append(Case("cross_entropy", probabilities, logits, settings, note="probabilities "))
    cases.append(Case("cross_entropy", np.array(2), rng.normal(size=4), note="one sample "))

    for loss in ("hinge", "squared_hinge"):
        signs = rng.choice([-1.0, 1.0], shape)
        margins = 1.0 + _away_from_zero(rng, shape)
        cases.append(Case(loss, signs, signs * margins, note="±1 "))
        cases.append(Case(loss, (signs > 0).astype(np.float64), signs * margins, note="0/1 "))

    for settings in [{}, {"gamma": 0.0}, {"gamma": 0.5, "alpha": None}, {"gamma": 5.0, "alpha": 0.75}]:
        cases.append(Case("focal", binary, rng.normal(0.0, 3.0, shape), settings))

    masks = (rng.random((3, 2, 4)) < 0.4).astype(np.float64)
    for settings in [{}, {"eps": 1.0}]:
        cases.append(Case("dice", masks, rng.uniform(0.05, 0.95, masks.shape), settings))
    cases.append(Case("dice", masks[0, 0], rng.uniform(0.05, 0.95, 4), note="one sample "))

    targets = rng.dirichlet(np.ones(5), 4)
    targets[0, 0] = 0.0  # exercises 0 log 0 = 0
    log_q = log_softmax(rng.normal(size=(4, 5))) - 0.05
    cases.append(Case("kl_div", targets, log_q))
    cases.append(Case("kl_div", np.log(rng.dirichlet(np.ones(5), 4)), log_q, {"log_target": True}))
    return cases


CASES = _build_cases()


def _with_reductions(cases: list[Case]) -> list[Any]:
    return [
        pytest.param(case, reduction, id=f"{case.id}-{reduction}")
        for case in cases
        for reduction in LOSSES[case.loss].reductions
    ]


def test_every_loss_has_cases() -> None:
    assert {case.loss for case in CASES} == set(LOSSES)


# --- scikit-learn -------------------------------------------------------------------------


def test_mse_and_mae_match_sklearn() -> None:
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.normal(size=50), rng.normal(size=50)
    assert LOSSES["mse"].fn(y_true, y_pred) == pytest.approx(metrics.mean_squared_error(y_true, y_pred), rel=1e-12)
    assert LOSSES["mae"].fn(y_true, y_pred) == pytest.approx(metrics.mean_absolute_error(y_true, y_pred), rel=1e-12)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9])
def test_pinball_matches_sklearn(alpha: float) -> None:
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.normal(size=50), rng.normal(size=50)
    expected = metrics.mean_pinball_loss(y_true, y_pred, alpha=alpha)
    assert LOSSES["pinball"].fn(y_true, y_pred, alpha=alpha) == pytest.approx(expected, rel=1e-12)


def test_bce_matches_sklearn_log_loss() -> None:
    rng = np.random.default_rng(3)
    labels = (rng.random(60) < 0.5).astype(np.float64)
    probabilities = rng.uniform(0.01, 0.99, 60)
    expected = metrics.log_loss(labels, probabilities)
    assert LOSSES["bce"].fn(labels, probabilities) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_matches_sklearn_log_loss() -> None:
    rng = np.random.default_rng(4)
    logits = rng.normal(0.0, 2.0, (40, 5))
    classes = rng.integers(0, 5, 40)
    expected = metrics.log_loss(classes, softmax(logits), labels=range(5))
    assert LOSSES["cross_entropy"].fn(classes, logits) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("negative_label", [-1.0, 0.0])
def test_hinge_matches_sklearn(negative_label: float) -> None:
    # sklearn's binary hinge_loss is mean(max(0, 1 - y f)) after mapping the labels to ±1.
    rng = np.random.default_rng(5)
    labels = np.where(rng.random(50) < 0.5, 1.0, negative_label)
    decision = rng.normal(0.0, 2.0, 50)
    expected = metrics.hinge_loss(labels, decision)
    assert LOSSES["hinge"].fn(labels, decision) == pytest.approx(expected, rel=1e-12)


def test_poisson_nll_relates_to_sklearn_deviance() -> None:
    # mean_poisson_deviance is NOT poisson_nll: half the deviance is
    # mean(y log(y/μ) - y + μ) = poisson_nll(log_input=False) + mean(y log y - y).
    # Only that identity is compared; eps is made negligible so log(μ + eps) = log μ.
    rng = np.random.default_rng(6)
    counts = rng.poisson(4.0, 80).astype(np.float64)
    rates = rng.uniform(0.5, 8.0, 80)
    y_log_y = np.where(counts > 0, counts * np.log(np.where(counts > 0, counts, 1.0)), 0.0)
    nll = LOSSES["poisson_nll"].fn(counts, rates, log_input=False, eps=1e-300)
    expected = metrics.mean_poisson_deviance(counts, rates) / 2
    assert nll + np.mean(y_log_y - counts) == pytest.approx(expected, rel=1e-12)


def _sklearn_loss_pairs() -> list[Any]:
    """Our loss against sklearn's private ``_loss`` module, which has gradients.

    Each entry: name, settings, sklearn loss object, factor with which sklearn's
    per-sample loss and gradient become ours (the "half" losses carry ½).
    """
    sklearn_loss = pytest.importorskip("sklearn._loss.loss")
    return [
        ("mse", {}, sklearn_loss.HalfSquaredError(), 2.0),
        ("mae", {}, sklearn_loss.AbsoluteError(), 1.0),
        ("huber", {"delta": 0.7}, sklearn_loss.HuberLoss(delta=0.7), 1.0),
        ("pinball", {"alpha": 0.3}, sklearn_loss.PinballLoss(quantile=0.3), 1.0),
        ("poisson_nll", {}, sklearn_loss.HalfPoissonLoss(), 1.0),
        ("bce_with_logits", {}, sklearn_loss.HalfBinomialLoss(), 1.0),
    ]


def test_values_and_gradients_match_sklearn_loss_module() -> None:
    rng = np.random.default_rng(7)
    for name, settings, reference, factor in _sklearn_loss_pairs():
        if name == "poisson_nll":
            y_true = rng.poisson(3.0, 40).astype(np.float64)
        elif name == "bce_with_logits":
            y_true = (rng.random(40) < 0.5).astype(np.float64)
        else:
            y_true = rng.normal(size=40)
        raw = y_true + _away_from_zero(rng, (40,)) if name in ("mae", "pinball") else rng.normal(size=40)
        spec = LOSSES[name]
        np.testing.assert_allclose(
            spec.fn(y_true, raw, reduction="none", **settings),
            factor * reference.loss(y_true=y_true, raw_prediction=raw), rtol=1e-10, err_msg=name,
        )
        np.testing.assert_allclose(
            spec.grad(y_true, raw, reduction="sum", **settings),
            factor * reference.gradient(y_true=y_true, raw_prediction=raw), rtol=1e-10, atol=1e-15, err_msg=name,
        )


def test_cross_entropy_matches_sklearn_multinomial_loss() -> None:
    sklearn_loss = pytest.importorskip("sklearn._loss.loss")
    rng = np.random.default_rng(8)
    logits = rng.normal(0.0, 2.0, (30, 4))
    classes = rng.integers(0, 4, 30)
    reference = sklearn_loss.HalfMultinomialLoss(n_classes=4)
    as_float = classes.astype(np.float64)
    np.testing.assert_allclose(
        LOSSES["cross_entropy"].fn(classes, logits, reduction="none"),
        reference.loss(y_true=as_float, raw_prediction=logits), rtol=1e-10,
    )
    np.testing.assert_allclose(
        LOSSES["cross_entropy"].grad(classes, logits, reduction="sum"),
        reference.gradient(y_true=as_float, raw_prediction=logits), rtol=1e-10, atol=1e-15,
    )


# --- finite differences -------------------------------------------------------------------


def _total(value: float | np.ndarray) -> float:
    return float(np.sum(value))


def _central_difference(case: Case, reduction: str) -> np.ndarray:
    """d/dy_pred of the reduced loss (of the sum of the values for "none")."""
    function = LOSSES[case.loss].fn
    point = np.array(case.y_pred, dtype=np.float64)
    numeric = np.empty_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        step = 1e-6 * max(1.0, abs(original))
        point[index] = original + step
        above = _total(function(case.y_true, point, reduction=reduction, **case.settings))
        point[index] = original - step
        below = _total(function(case.y_true, point, reduction=reduction, **case.settings))
        point[index] = original
        numeric[index] = (above - below) / (2.0 * step)
    return numeric


@pytest.mark.parametrize(("case", "reduction"), _with_reductions(CASES))
def test_gradient_matches_central_differences(case: Case, reduction: str) -> None:
    grad = LOSSES[case.loss].grad(case.y_true, case.y_pred, reduction=reduction, **case.settings)
    assert grad.shape == np.shape(case.y_pred)
    # Step 1e-6 leaves about 1e-10 of rounding and truncation error on these scales.
    np.testing.assert_allclose(grad, _central_difference(case, reduction), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reductions_agree(case: Case) -> None:
    spec = LOSSES[case.loss]
    values = spec.fn(case.y_true, case.y_pred, reduction="none", **case.settings)
    assert spec.fn(case.y_true, case.y_pred, reduction="sum", **case.settings) == pytest.approx(np.sum(values))
    assert spec.fn(case.y_true, case.y_pred, reduction="mean", **case.settings) == pytest.approx(np.mean(values))
    assert isinstance(spec.fn(case.y_true, case.y_pred, **case.settings), float)


# --- PyTorch --------------------------------------------------------------------------------
#
# PyTorch's values and gradients for these cases are frozen in torch_reference.json by
# make_torch_fixture.py, which records the versions it used: from the package index PyTorch
# pulls gigabytes of GPU libraries, so `make test` does not install it. A case that is added
# or changed fails here, naming the script, until the script has been run again.

TORCH_REFERENCE = Path(__file__).with_name("torch_reference.json")

EXTREME_CASES = [
    Case("bce", np.array([1.0, 0.0, 1.0, 0.0, 0.3]), np.array([0.0, 0.0, 1.0, 1.0, 1.0])),
    Case("bce_with_logits", np.array([1.0, 1.0, 0.0, 0.0]), np.array([-1000.0, 1000.0, -1000.0, 1000.0])),
    Case("bce_with_logits", np.array([1.0, 1.0, 0.0, 0.0]), np.array([-1000.0, 1000.0, -1000.0, 1000.0]), {"pos_weight": 3.0}),
    Case("cross_entropy", np.array([0, 1, 2]), np.array([[1000.0, -1000.0, 0.0]] * 3)),
    Case("cross_entropy", np.array([0, 1, 2]), np.array([[1000.0, -1000.0, 0.0]] * 3), {"label_smoothing": 0.2}),
    Case("kl_div", np.array([0.0, 1.0]), np.array([-1000.0, 0.0])),
]
"""Saturated inputs, where a naive formula overflows or takes log 0; compared without a sum."""


def torch_cases() -> dict[str, tuple[Case, str]]:
    """Every comparison with PyTorch, by its key in the frozen file: (case, reduction)."""
    compared = {}
    for case in CASES:
        compared.update((f"{case.id}-{reduction}", (case, reduction)) for reduction in LOSSES[case.loss].reductions)
    for case in EXTREME_CASES:
        compared.update((f"extreme {case.id}-{reduction}", (case, reduction)) for reduction in ("none", "mean"))
    return compared


def fingerprint(case: Case) -> str:
    """What PyTorch's values were computed from: a changed case no longer matches them."""
    digest = hashlib.sha256()
    for array in (np.asarray(case.y_true), np.asarray(case.y_pred)):
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(repr(sorted((key, np.asarray(value).tolist()) for key, value in case.settings.items())).encode())
    return digest.hexdigest()[:16]


@cache
def _torch_reference() -> dict[str, Any]:
    return json.loads(TORCH_REFERENCE.read_text(encoding="utf-8"))


def _check_against_torch(key: str, case: Case, reduction: str) -> None:
    frozen = _torch_reference()["cases"].get(key)
    assert frozen is not None and frozen["inputs"] == fingerprint(case), (
        f"no PyTorch values for {key} as it is now: run tests/core/make_torch_fixture.py (see its docstring)"
    )
    spec = LOSSES[case.loss]
    value = spec.fn(case.y_true, case.y_pred, reduction=reduction, **case.settings)
    grad = spec.grad(case.y_true, case.y_pred, reduction=reduction, **case.settings)
    expected_value, expected_grad = np.asarray(frozen["value"]), np.asarray(frozen["grad"])
    assert (np.shape(value), np.shape(grad)) == (expected_value.shape, expected_grad.shape)
    np.testing.assert_allclose(value, expected_value, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize(("case", "reduction"), _with_reductions(CASES))
def test_matches_torch(case: Case, reduction: str) -> None:
    _check_against_torch(f"{case.id}-{reduction}", case, reduction)


@pytest.mark.parametrize(
    ("case", "reduction"),
    [pytest.param(case, reduction, id=f"{case.id}-{reduction}") for case in EXTREME_CASES for reduction in ("none", "mean")],
)
def test_extremes_match_torch(case: Case, reduction: str) -> None:
    _check_against_torch(f"extreme {case.id}-{reduction}", case, reduction)


def test_the_frozen_torch_values_are_those_of_the_cases() -> None:
    reference = _torch_reference()
    assert sorted(reference["cases"]) == sorted(torch_cases()), "run tests/core/make_torch_fixture.py"
    assert reference["made by"] == "tests/core/make_torch_fixture.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", reference["torch"])

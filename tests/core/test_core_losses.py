"""Loss values and gradients against scikit-learn, finite differences and PyTorch.

One table of seeded random cases (``CASES``) feeds every check. Inputs keep clear
of kinks (|residual| >= 0.1, hinge margins away from 1) so that finite differences
and autograd see smooth functions.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
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


def _torch_reduce(values: Any, reduction: str) -> Any:
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def _torch_loss(torch: Any, case: Case, prediction: Any, reduction: str) -> Any:
    """The loss in PyTorch: torch.nn.functional where it has it, torch ops from the formula otherwise."""
    functional = torch.nn.functional
    settings = case.settings
    target = torch.from_numpy(np.asarray(case.y_true, dtype=np.float64))
    name = case.loss
    if name == "mse":
        return functional.mse_loss(prediction, target, reduction=reduction)
    if name == "mae":
        return functional.l1_loss(prediction, target, reduction=reduction)
    if name == "huber":
        return functional.huber_loss(prediction, target, reduction=reduction, delta=settings.get("delta", 1.0))
    if name == "smooth_l1":
        return functional.smooth_l1_loss(prediction, target, reduction=reduction, beta=settings.get("beta", 1.0))
    if name == "log_cosh":
        return _torch_reduce(torch.log(torch.cosh(prediction - target)), reduction)
    if name == "pinball":
        alpha = settings.get("alpha", 0.5)
        under = target - prediction
        return _torch_reduce(torch.maximum(alpha * under, (alpha - 1.0) * under), reduction)
    if name == "poisson_nll":
        return functional.poisson_nll_loss(
            prediction, target, log_input=settings.get("log_input", True), full=settings.get("full", False),
            eps=settings.get("eps", 1e-8), reduction=reduction,
        )
    if name == "bce":
        return functional.binary_cross_entropy(prediction, target, reduction=reduction)
    if name == "bce_with_logits":
        pos_weight = settings.get("pos_weight")
        return functional.binary_cross_entropy_with_logits(
            prediction, target, reduction=reduction,
            pos_weight=None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float64),
        )
    if name == "cross_entropy":
        if np.issubdtype(np.asarray(case.y_true).dtype, np.integer):
            target = torch.from_numpy(np.asarray(case.y_true)).long()
        return functional.cross_entropy(
            prediction, target, reduction=reduction, label_smoothing=settings.get("label_smoothing", 0.0)
        )
    if name in ("hinge", "squared_hinge"):
        signs = torch.where(target > 0, 1.0, -1.0).double()
        slack = torch.clamp(1.0 - signs * prediction, min=0.0)
        return _torch_reduce(slack if name == "hinge" else slack**2, reduction)
    if name == "focal":
        # torchvision.ops.sigmoid_focal_loss, written out.
        gamma, alpha = settings.get("gamma", 2.0), settings.get("alpha", 0.25)
        probability = torch.sigmoid(prediction)
        ce = functional.binary_cross_entropy_with_logits(prediction, target, reduction="none")
        p_t = probability * target + (1 - probability) * (1 - target)
        values = ce * (1 - p_t) ** gamma
        if alpha is not None and alpha >= 0:
            values = (alpha * target + (1 - alpha) * (1 - target)) * values
        return _torch_reduce(values, reduction)
    if name == "dice":
        dims = tuple(range(1, prediction.dim())) if prediction.dim() >= 2 else tuple(range(prediction.dim()))
        eps = settings.get("eps", 1e-6)
        numerator = 2 * (prediction * target).sum(dim=dims) + eps
        denominator = prediction.sum(dim=dims) + target.sum(dim=dims) + eps
        return _torch_reduce(1 - numerator / denominator, reduction)
    if name == "kl_div":
        with warnings.catch_warnings():
            # PyTorch warns that its "mean" is not "batchmean"; that "mean" is what is compared.
            warnings.filterwarnings("ignore", message="reduction: 'mean' divides", category=UserWarning)
            log_target = settings.get("log_target", False)
            return functional.kl_div(prediction, target, reduction=reduction, log_target=log_target)
    raise AssertionError(f"no torch reference for {name}")


@pytest.mark.parametrize(("case", "reduction"), _with_reductions(CASES))
def test_matches_torch(case: Case, reduction: str) -> None:
    torch = pytest.importorskip("torch")
    prediction = torch.tensor(np.asarray(case.y_pred, dtype=np.float64), requires_grad=True)
    expected = _torch_loss(torch, case, prediction, reduction)
    expected.backward(torch.ones_like(expected))
    spec = LOSSES[case.loss]
    value = spec.fn(case.y_true, case.y_pred, reduction=reduction, **case.settings)
    grad = spec.grad(case.y_true, case.y_pred, reduction=reduction, **case.settings)
    np.testing.assert_allclose(value, expected.detach().numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(grad, prediction.grad.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "settings"),
    [
        ("bce", [1.0, 0.0, 1.0, 0.0, 0.3], [0.0, 0.0, 1.0, 1.0, 1.0], {}),
        ("bce_with_logits", [1.0, 1.0, 0.0, 0.0], [-1000.0, 1000.0, -1000.0, 1000.0], {}),
        ("bce_with_logits", [1.0, 1.0, 0.0, 0.0], [-1000.0, 1000.0, -1000.0, 1000.0], {"pos_weight": 3.0}),
        ("cross_entropy", np.array([0, 1, 2]), [[1000.0, -1000.0, 0.0]] * 3, {}),
        ("cross_entropy", np.array([0, 1, 2]), [[1000.0, -1000.0, 0.0]] * 3, {"label_smoothing": 0.2}),
        ("kl_div", [0.0, 1.0], [-1000.0, 0.0], {}),
    ],
)
def test_extremes_match_torch(name: str, y_true: Any, y_pred: Any, settings: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    case = Case(name, np.asarray(y_true), np.asarray(y_pred, dtype=np.float64), settings)
    for reduction in ("none", "mean"):
        prediction = torch.tensor(case.y_pred, requires_grad=True)
        expected = _torch_loss(torch, case, prediction, reduction)
        expected.backward(torch.ones_like(expected))
        spec = LOSSES[name]
        np.testing.assert_allclose(spec.fn(case.y_true, case.y_pred, reduction=reduction, **settings),
                                   expected.detach().numpy(), rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(spec.grad(case.y_true, case.y_pred, reduction=reduction, **settings),
                                   prediction.grad.numpy(), rtol=1e-6, atol=1e-12)

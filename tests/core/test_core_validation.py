"""Bad input raises ValueError whose message names the loss and the problem."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from generator.core import LOSSES, huber

GOOD_INPUTS: dict[str, tuple[Any, Any]] = {
    "mse": ([0.0, 1.0], [0.5, 0.5]),
    "mae": ([0.0, 1.0], [0.5, 0.5]),
    "huber": ([0.0, 1.0], [0.5, 0.5]),
    "smooth_l1": ([0.0, 1.0], [0.5, 0.5]),
    "log_cosh": ([0.0, 1.0], [0.5, 0.5]),
    "pinball": ([0.0, 1.0], [0.5, 0.5]),
    "poisson_nll": ([0.0, 3.0], [0.5, 0.5]),
    "bce": ([0.0, 1.0], [0.5, 0.5]),
    "bce_with_logits": ([0.0, 1.0], [0.5, -0.5]),
    "cross_entropy": ([0, 1], [[0.5, -0.5], [1.0, 2.0]]),
    "hinge": ([-1.0, 1.0], [0.5, -0.5]),
    "squared_hinge": ([-1.0, 1.0], [0.5, -0.5]),
    "focal": ([0.0, 1.0], [0.5, -0.5]),
    "dice": ([0.0, 1.0], [0.5, 0.5]),
    "kl_div": ([0.3, 0.7], [-0.5, -1.5]),
}

BOTH = pytest.mark.parametrize("use_grad", [False, True], ids=["value", "grad"])


def _function(name: str, use_grad: bool) -> Any:
    return LOSSES[name].grad if use_grad else LOSSES[name].fn


def _raises(name: str, pattern: str) -> Any:
    return pytest.raises(ValueError, match=f"^{re.escape(name)}: .*{pattern}")


def test_good_inputs_cover_every_loss() -> None:
    assert set(GOOD_INPUTS) == set(LOSSES)


def test_the_documented_example_message() -> None:
    with pytest.raises(ValueError) as raised:
        huber([0.0], [1.0], delta=-1)
    assert str(raised.value) == "huber: delta must be > 0, got -1"


@pytest.mark.parametrize("name", LOSSES)
@BOTH
def test_nan_is_rejected(name: str, use_grad: bool) -> None:
    y_true, y_pred = GOOD_INPUTS[name]
    with_nan = np.array(y_pred, dtype=np.float64)
    with_nan.flat[0] = np.nan
    with _raises(name, "y_pred contains NaN"):
        _function(name, use_grad)(y_true, with_nan)


@pytest.mark.parametrize("name", LOSSES)
@BOTH
def test_shape_mismatch_is_rejected(name: str, use_grad: bool) -> None:
    y_true, y_pred = GOOD_INPUTS[name]
    longer = np.concatenate([np.asarray(y_pred, dtype=np.float64)] * 2)
    with _raises(name, "shape"):
        _function(name, use_grad)(y_true, longer)


@pytest.mark.parametrize("name", LOSSES)
@BOTH
def test_unknown_parameter_is_rejected(name: str, use_grad: bool) -> None:
    y_true, y_pred = GOOD_INPUTS[name]
    with _raises(name, "unknown parameter 'bogus'; valid parameters: "):
        _function(name, use_grad)(y_true, y_pred, bogus=1.0)


@pytest.mark.parametrize("name", LOSSES)
@BOTH
def test_unknown_reduction_is_rejected(name: str, use_grad: bool) -> None:
    y_true, y_pred = GOOD_INPUTS[name]
    with _raises(name, "unknown reduction 'avg'; valid reductions: mean, sum, none"):
        _function(name, use_grad)(y_true, y_pred, reduction="avg")


def test_batchmean_is_only_for_kl_div() -> None:
    with _raises("mse", "unknown reduction 'batchmean'"):
        LOSSES["mse"].fn([0.0], [1.0], reduction="batchmean")
    assert LOSSES["kl_div"].fn([0.3, 0.7], [-0.5, -1.5], reduction="batchmean") > 0


def _out_of_range_values(param: Any) -> list[Any]:
    if param.kind == "bool":
        return [2, "yes", None]
    values: list[Any] = ["wide", np.nan, np.inf]
    if param.low is not None and not param.negative_means_none:
        values.append(param.low - 1.0)
        if not param.low_inclusive:
            values.append(param.low)
    if param.high is not None:
        values.append(param.high + 1.0)
        if not param.high_inclusive:
            values.append(param.high)
    if not param.allows_none:
        values.append(None)
    return values


PARAM_CASES = [
    pytest.param(name, param, value, id=f"{name}-{param.name}={value!r}")
    for name, spec in LOSSES.items()
    for param in spec.params
    for value in _out_of_range_values(param)
]


@pytest.mark.parametrize(("name", "param", "value"), PARAM_CASES)
@BOTH
def test_parameter_out_of_range_is_rejected(name: str, param: Any, value: Any, use_grad: bool) -> None:
    y_true, y_pred = GOOD_INPUTS[name]
    with _raises(name, f"{param.name} must be .*{re.escape(param.range_text())}"):
        _function(name, use_grad)(y_true, y_pred, **{param.name: value})


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "problem"),
    [
        ("bce", [0.0, 1.0], [0.5, 1.5], "y_pred must be probabilities in \\[0, 1\\]"),
        ("bce", [-0.1, 1.0], [0.5, 0.5], "y_true must be probabilities"),
        ("bce_with_logits", [0.0, 2.0], [0.5, 0.5], "y_true must be probabilities"),
        ("dice", [0.0, 1.0], [-0.5, 0.5], "y_pred must be probabilities"),
        ("dice", [0.0, 1.1], [0.5, 0.5], "y_true must be probabilities"),
        ("cross_entropy", [[0.5, 1.5]], [[0.0, 1.0]], "y_true must be probabilities"),
        ("cross_entropy", [2], [[0.0, 1.0]], "class indices must be in \\[0, 1\\]"),
        ("cross_entropy", [0.5], [[0.0, 1.0]], "whole numbers"),
        ("cross_entropy", [0, 1, 2], [[0.0, 1.0]], "class indices of shape"),
        ("cross_entropy", np.zeros((1, 1)), np.zeros((1, 1, 2)), "logits of shape"),
        ("kl_div", [0.5, 1.5], [-0.5, -0.5], "y_true must be probabilities"),
        ("kl_div", [0.5, 0.5], [-0.5, 0.5], "y_pred must be log-probabilities"),
        ("hinge", [2.0, 1.0], [0.5, 0.5], "labels -1 or \\+1"),
        ("squared_hinge", [0.5, 1.0], [0.5, 0.5], "labels -1 or \\+1"),
        ("focal", [0.5, 1.0], [0.5, 0.5], "labels 0 or 1"),
        ("poisson_nll", [-1.0, 1.0], [0.5, 0.5], "counts >= 0"),
        ("mse", ["a", "b"], [0.5, 0.5], "y_true must be numeric"),
    ],
)
@BOTH
def test_bad_data_is_rejected(name: str, y_true: Any, y_pred: Any, problem: str, use_grad: bool) -> None:
    with _raises(name, problem):
        _function(name, use_grad)(y_true, y_pred)


def test_settings_dependent_data_checks() -> None:
    with _raises("poisson_nll", "rates >= 0 when log_input is False"):
        LOSSES["poisson_nll"].fn([1.0], [-0.5], log_input=False)
    assert LOSSES["poisson_nll"].fn([1.0], [-0.5]) > 0  # a log-rate may be negative
    with _raises("kl_div", "log-probabilities \\(<= 0\\) when log_target is True"):
        LOSSES["kl_div"].fn([0.5], [-0.5], log_target=True)
    with _raises("bce_with_logits", "pos_weight has 2 entries but y_pred's last axis has 3"):
        LOSSES["bce_with_logits"].fn(np.zeros((2, 3)), np.zeros((2, 3)), pos_weight=[1.0, 2.0])


def test_torchvision_alpha_convention() -> None:
    focal = LOSSES["focal"].fn
    y_true, y_pred = GOOD_INPUTS["focal"]
    assert focal(y_true, y_pred, alpha=-1) == focal(y_true, y_pred, alpha=None)
    assert focal(y_true, y_pred, alpha=0.5) == pytest.approx(0.5 * focal(y_true, y_pred, alpha=None))

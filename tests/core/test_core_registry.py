"""The registry: names, aliases in three scripts, parameters, and the shortcode parser."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import generator.core as core
from generator.core import LOSSES, LossSpec, Param, lookup, parse_loss_list
from generator.core.domains import Domain

CANONICAL = (
    "mse", "mae", "huber", "smooth_l1", "log_cosh", "pinball", "poisson_nll", "bce", "bce_with_logits",
    "cross_entropy", "hinge", "squared_hinge", "focal", "dice", "kl_div",
)


def test_registry_holds_every_loss_with_its_functions() -> None:
    assert tuple(LOSSES) == CANONICAL
    for name, spec in LOSSES.items():
        assert isinstance(spec, LossSpec)
        assert spec.name == name
        assert spec.fn is getattr(core, name)
        assert spec.grad is getattr(core, f"{name}_grad")
        assert spec.task in ("regression", "classification", "segmentation", "distribution")
        assert set(spec.axes) <= {"residual", "margin", "probability"}
        assert set(spec.display) == {"en", "zh-TW", "zh-CN"} and all(spec.display.values())
        assert spec.aliases
        assert "Reference:" in spec.fn.__doc__  # the formula and its source live in the docstring
        assert isinstance(spec.y_true, Domain) and isinstance(spec.y_pred, Domain)
        assert all(isinstance(param, Param) for param in spec.params)


@pytest.mark.parametrize("name", CANONICAL)
def test_signature_defaults_match_params(name: str) -> None:
    for function in (LOSSES[name].fn, LOSSES[name].grad):
        signature = inspect.signature(function)
        assert list(signature.parameters)[:2] == ["y_true", "y_pred"]
        assert signature.parameters["reduction"].default == "mean"
        keywords = {
            key: parameter.default
            for key, parameter in signature.parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY and key != "reduction"
        }
        assert keywords == {param.name: param.default for param in LOSSES[name].params}
        assert function.__doc__


def test_parameter_families_are_valid_values() -> None:
    families = {
        (name, param.name): param.family
        for name, spec in LOSSES.items()
        for param in spec.params
        if param.family is not None
    }
    assert set(families) == {("huber", "delta"), ("smooth_l1", "beta"), ("focal", "gamma"), ("pinball", "alpha")}
    assert families["huber", "delta"] == (0.25, 0.5, 1.0, 2.0, 4.0)
    assert families["focal", "gamma"] == (0.0, 0.5, 1.0, 2.0, 5.0)
    for (name, param_name), values in families.items():
        param = next(param for param in LOSSES[name].params if param.name == param_name)
        assert [param.validate(value, loss=name) for value in values] == list(values)
        assert param.default in values


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("mse", "mse"), ("MSE", "mse"), ("均方誤差", "mse"), ("均方误差", "mse"), ("Mean Squared Error", "mse"),
        ("L2 loss", "mse"), ("L2", "mse"), ("l2_loss", "mse"),
        ("平均絕對誤差", "mae"), ("平均绝对误差", "mae"), ("MAE", "mae"), ("L1 loss", "mae"), ("L1", "mae"),
        ("交叉熵", "cross_entropy"), ("Cross Entropy", "cross_entropy"), ("Cross-Entropy", "cross_entropy"),
        ("cross-entropy", "cross_entropy"), ("crossentropy", "cross_entropy"), ("CROSS_ENTROPY", "cross_entropy"),
        ("鉸鏈損失", "hinge"), ("铰链损失", "hinge"), ("Hinge loss", "hinge"), ("hinge", "hinge"),
        ("焦點損失", "focal"), ("焦点损失", "focal"), ("Focal loss", "focal"), ("focal-loss", "focal"),
        ("Dice loss", "dice"), ("Dice 損失", "dice"),
        ("Huber loss", "huber"), ("胡伯損失", "huber"), ("胡伯损失", "huber"),
        ("KL divergence", "kl_div"), ("KL散度", "kl_div"), ("KL 散度", "kl_div"), ("Kullback-Leibler divergence", "kl_div"),
        ("log loss", "bce"), ("Binary Cross Entropy", "bce"), ("二元交叉熵", "bce"),
        ("logistic loss", "bce_with_logits"), ("邏輯斯損失", "bce_with_logits"),
        ("Smooth L1", "smooth_l1"), ("平滑 L1 損失", "smooth_l1"),
        ("quantile loss", "pinball"), ("分位數損失", "pinball"), ("分位数损失", "pinball"),
        ("Poisson loss", "poisson_nll"), ("泊松负对数似然", "poisson_nll"),
        ("log-cosh", "log_cosh"), ("Squared hinge loss", "squared_hinge"), ("平方鉸鏈損失", "squared_hinge"),
    ],
)
def test_lookup_finds_aliases(alias: str, name: str) -> None:
    spec = lookup(alias)
    assert spec is not None and spec.name == name


def test_every_alias_and_display_name_finds_its_own_loss() -> None:
    for spec in LOSSES.values():
        for text in (spec.name, *spec.aliases, *spec.display.values()):
            assert lookup(text) is spec, text
            assert lookup(f"  {text.upper()}  ") is spec, text


@pytest.mark.parametrize("text", ["", "loss", "l3", "cross entropyy", "交叉"])
def test_lookup_returns_none_for_unknown_names(text: str) -> None:
    assert lookup(text) is None


def test_parse_loss_list_happy_path() -> None:
    parsed = parse_loss_list("mse, mae, huber(delta=1), focal(gamma=2, alpha=0.25)")
    assert [(spec.name, settings) for spec, settings in parsed] == [
        ("mse", {}), ("mae", {}), ("huber", {"delta": 1.0}), ("focal", {"gamma": 2.0, "alpha": 0.25}),
    ]
    assert all(isinstance(spec, LossSpec) for spec, _ in parsed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("focal(alpha=none)", [("focal", {"alpha": None})]),
        ("focal(alpha=None, gamma=0)", [("focal", {"alpha": None, "gamma": 0.0})]),
        ("focal(alpha=-1)", [("focal", {"alpha": None})]),
        ("Huber loss(delta=2.5), 交叉熵(label_smoothing=0.1)", [("huber", {"delta": 2.5}),
                                                               ("cross_entropy", {"label_smoothing": 0.1})]),
        ("  L1 ,\n  smooth_l1( beta = 1e-1 ) ", [("mae", {}), ("smooth_l1", {"beta": 0.1})]),
        ("poisson_nll(log_input=false, full=TRUE)", [("poisson_nll", {"log_input": False, "full": True})]),
        ("bce_with_logits(pos_weight=3), pinball(alpha=.9)", [("bce_with_logits", {"pos_weight": 3.0}),
                                                             ("pinball", {"alpha": 0.9})]),
        ("mse()", [("mse", {})]),
    ],
)
def test_parse_loss_list_forms(text: str, expected: list) -> None:
    assert [(spec.name, settings) for spec, settings in parse_loss_list(text)] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mse, nonsense", r"unknown loss 'nonsense'; valid losses: mse, mae, huber, .*, kl_div$"),
        ("huber(delta=-1)", r"^huber: delta must be > 0, got -1$"),
        ("huber(gamma=1)", r"^huber: unknown parameter 'gamma'; valid parameters: delta \(> 0\)$"),
        ("focal(gamma=2, beta=1)",
         r"^focal: unknown parameter 'beta'; valid parameters: gamma \(>= 0\), alpha \(in \[0, 1\]"),
        ("focal(alpha=1.5)", r"^focal: alpha must be in \[0, 1\], or none .*got 1.5$"),
        ("pinball(alpha=abc)", r"^pinball: alpha must be in \[0, 1\], got 'abc'$"),
        ("poisson_nll(full=1)", r"^poisson_nll: full must be true or false, got 1$"),
        ("huber(delta)", r"^huber: expected key=value, got 'delta'$"),
        ("huber(delta=1, delta=2)", r"^huber: parameter 'delta' given twice$"),
        ("huber(delta=1", r"unbalanced parentheses"),
        ("huber)delta=1(", r"unbalanced parentheses"),
        ("mse,, mae", r"cannot read loss entry ''"),
        ("   ", r"^empty loss list; valid losses: mse, "),
    ],
)
def test_parse_loss_list_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_loss_list(text)


def test_param_validate_and_range_text() -> None:
    delta = next(param for param in LOSSES["huber"].params if param.name == "delta")
    assert delta.range_text() == "> 0"
    assert delta.validate(2, loss="huber") == 2.0
    with pytest.raises(ValueError, match=r"^huber: delta must be > 0, got 0$"):
        delta.validate(0, loss="huber")
    with pytest.raises(ValueError, match=r"^huber: delta must be > 0, got True$"):
        delta.validate(True, loss="huber")
    smoothing = next(param for param in LOSSES["cross_entropy"].params if param.name == "label_smoothing")
    assert smoothing.range_text() == "in [0, 1]"
    pos_weight = LOSSES["bce_with_logits"].params[0]
    np.testing.assert_array_equal(pos_weight.validate([1, 2], loss="bce_with_logits"), [1.0, 2.0])
    with pytest.raises(ValueError, match="bce_with_logits: pos_weight must be"):
        pos_weight.validate([[1.0]], loss="bce_with_logits")


def test_check_settings_lists_valid_parameters() -> None:
    assert LOSSES["huber"].check_settings({"delta": 3}) == {"delta": 3.0}
    with pytest.raises(ValueError, match=r"^mse: unknown parameter 'delta'; valid parameters: none$"):
        LOSSES["mse"].check_settings({"delta": 1})

"""The loss registry: names, aliases in three scripts, input domains, and the shortcode parser.

Each loss's formula and reference are in its function's docstring (:mod:`generator.core.losses`).

:func:`lookup` ignores case, spaces, hyphens and underscores, so "Cross Entropy",
"cross-entropy", "crossentropy" and "交叉熵" all find ``cross_entropy``. Two aliases
need a choice: "log loss" is ``bce`` (scikit-learn's ``log_loss`` takes probabilities)
and "logistic loss" is ``bce_with_logits`` (the loss of a logistic model's score).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.languages import LANGUAGES

from . import losses
from .domains import DOMAINS, Domain
from .params import PARAMS, REDUCTIONS, Param, ParamValue, check_settings


@dataclass(frozen=True, eq=False)
class LossSpec:
    name: str
    fn: Callable[..., float | np.ndarray]
    grad: Callable[..., np.ndarray]
    task: str
    """One of regression, classification, segmentation, distribution."""
    axes: tuple[str, ...]
    """Curve axes (see :mod:`generator.core.curves`) it can be drawn on, preferred first."""
    params: tuple[Param, ...]
    display: Mapping[str, str]
    """Name to show in each language of :data:`generator.languages.LANGUAGES`."""
    aliases: tuple[str, ...]
    reductions: tuple[str, ...]
    y_true: Domain
    """What ``y_true`` may hold (under the default settings; see :meth:`input_domain`)."""
    y_pred: Domain
    """What ``y_pred`` may hold (under the default settings)."""

    def __repr__(self) -> str:
        return f"LossSpec({self.name!r})"

    def input_domain(self, role: str, settings: Mapping[str, object]) -> Domain:
        """What input ``role`` ("y_true" or "y_pred") may hold under ``settings``."""
        return DOMAINS[self.name].domain(role, settings)[0]

    def check_settings(self, settings: Mapping[str, object], *, curve: bool = False) -> dict[str, ParamValue]:
        """Validated settings; ValueError lists the valid parameters and their ranges. For a
        ``curve``, settings about whole batches (:attr:`Param.per_batch`) are refused too."""
        return check_settings(self.name, settings, curve=curve)


def _spec(
    name: str,
    task: str,
    axes: tuple[str, ...],
    display: tuple[str, ...],
    aliases: tuple[str, ...],
) -> LossSpec:
    return LossSpec(
        name=name,
        fn=getattr(losses, name),
        grad=getattr(losses, f"{name}_grad"),
        task=task,
        axes=axes,
        params=PARAMS[name],
        display=dict(zip(LANGUAGES, display, strict=True)),
        aliases=aliases,
        reductions=REDUCTIONS[name],
        y_true=DOMAINS[name].y_true,
        y_pred=DOMAINS[name].y_pred,
    )


_SPECS = (
    _spec(
        "mse", "regression", ("residual", "probability", "margin"),
        ("均方誤差", "均方误差", "Mean squared error"),
        ("MSE", "L2", "L2 loss", "Mean Squared Error", "squared error", "squared loss", "quadratic loss",
         "mse_loss", "均方誤差", "均方误差", "L2 損失", "L2 损失", "平方損失", "平方损失"),
    ),
    _spec(
        "mae", "regression", ("residual",),
        ("平均絕對誤差", "平均绝对误差", "Mean absolute error"),
        ("MAE", "L1", "L1 loss", "Mean Absolute Error", "absolute error", "absolute loss", "l1_loss",
         "平均絕對誤差", "平均绝对误差", "絕對誤差", "绝对误差", "L1 損失", "L1 损失"),
    ),
    _spec(
        "huber", "regression", ("residual",),
        ("胡伯損失", "胡伯损失", "Huber loss"),
        ("Huber", "Huber loss", "huber_loss", "胡伯損失", "胡伯损失", "Huber 損失", "Huber 损失"),
    ),
    _spec(
        "smooth_l1", "regression", ("residual",),
        ("平滑 L1 損失", "平滑 L1 损失", "Smooth L1 loss"),
        ("Smooth L1", "Smooth L1 loss", "smooth_l1_loss", "平滑 L1 損失", "平滑 L1 损失"),
    ),
    _spec(
        "log_cosh", "regression", ("residual",),
        ("對數雙曲餘弦損失", "对数双曲余弦损失", "Log-cosh loss"),
        ("log cosh", "logcosh", "Log-cosh loss", "對數雙曲餘弦損失", "对数双曲余弦损失", "log-cosh 損失", "log-cosh 损失"),
    ),
    _spec(
        "pinball", "regression", ("residual",),
        ("分位數損失", "分位数损失", "Pinball (quantile) loss"),
        ("Pinball", "Pinball loss", "quantile loss", "quantile", "mean_pinball_loss", "分位數損失", "分位数损失",
         "彈球損失", "弹球损失"),
    ),
    _spec(
        "poisson_nll", "regression", (),
        ("卜瓦松負對數概似", "泊松负对数似然", "Poisson negative log-likelihood"),
        ("Poisson", "Poisson loss", "Poisson NLL", "poisson_nll_loss", "卜瓦松負對數概似", "泊松负对数似然",
         "泊松損失", "泊松损失", "卜瓦松損失"),
    ),
    _spec(
        "bce", "classification", ("probability",),
        ("二元交叉熵", "二元交叉熵", "Binary cross-entropy"),
        ("BCE", "Binary cross-entropy", "binary cross entropy", "binary_cross_entropy", "log loss", "二元交叉熵",
         "二值交叉熵"),
    ),
    _spec(
        "bce_with_logits", "classification", ("margin", "probability"),
        ("邏輯斯損失", "逻辑损失", "Logistic loss (BCE with logits)"),
        ("logistic loss", "logistic", "Logistic loss (BCE with logits)", "BCE with logits", "BCEWithLogits",
         "binary_cross_entropy_with_logits", "sigmoid cross entropy", "邏輯斯損失", "逻辑损失", "邏輯損失", "逻辑斯蒂损失"),
    ),
    _spec(
        "cross_entropy", "classification", ("probability",),
        ("交叉熵", "交叉熵", "Cross-entropy"),
        ("CE", "Cross Entropy", "Cross-entropy loss", "categorical cross entropy", "softmax cross entropy",
         "softmax loss", "交叉熵", "交叉熵損失", "交叉熵损失", "類別交叉熵", "类别交叉熵"),
    ),
    _spec(
        "hinge", "classification", ("margin",),
        ("鉸鏈損失", "铰链损失", "Hinge loss"),
        ("Hinge", "Hinge loss", "SVM loss", "鉸鏈損失", "铰链损失", "合頁損失", "合页损失"),
    ),
    _spec(
        "squared_hinge", "classification", ("margin",),
        ("平方鉸鏈損失", "平方铰链损失", "Squared hinge loss"),
        ("Squared hinge", "Squared hinge loss", "L2 hinge", "平方鉸鏈損失", "平方铰链损失", "平方合頁損失",
         "平方合页损失"),
    ),
    _spec(
        "focal", "classification", ("probability", "margin"),
        ("焦點損失", "焦点损失", "Focal loss"),
        ("Focal", "Focal loss", "sigmoid focal loss", "sigmoid_focal_loss", "焦點損失", "焦点损失"),
    ),
    _spec(
        "dice", "segmentation", ("probability",),
        ("Dice 損失", "Dice 损失", "Dice loss"),
        ("Dice", "Dice loss", "soft Dice", "soft Dice loss", "Dice 損失", "Dice 损失", "Dice 係數損失", "Dice 系数损失"),
    ),
    _spec(
        "kl_div", "distribution", (),
        ("KL 散度", "KL 散度", "Kullback–Leibler divergence"),
        ("KL", "KL divergence", "KL散度", "Kullback-Leibler divergence", "Kullback–Leibler divergence", "kl_div",
         "KLDiv", "relative entropy", "相對熵", "相对熵"),
    ),
)

LOSSES: dict[str, LossSpec] = {spec.name: spec for spec in _SPECS}

_IGNORED = re.compile(r"[\s\-_]+")


def _key(text: str) -> str:
    return _IGNORED.sub("", text).casefold()


def _index() -> dict[str, LossSpec]:
    index: dict[str, LossSpec] = {}
    for spec in _SPECS:
        for text in (spec.name, *spec.aliases, *spec.display.values()):
            other = index.setdefault(_key(text), spec)
            if other is not spec:
                raise AssertionError(f"alias {text!r} names both {other.name} and {spec.name}")
    return index


_BY_KEY = _index()


def lookup(name_or_alias: str) -> LossSpec | None:
    """The loss a canonical name, alias or display name refers to, or None."""
    return _BY_KEY.get(_key(name_or_alias))


def _valid_losses() -> str:
    return ", ".join(LOSSES)


def _split_top_level(text: str, source: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for position, character in enumerate(text):
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth < 0:
                raise ValueError(f"unbalanced parentheses in loss list {source!r}")
        elif character == "," and depth == 0:
            parts.append(text[start:position])
            start = position + 1
    if depth:
        raise ValueError(f"unbalanced parentheses in loss list {source!r}")
    parts.append(text[start:])
    return parts


_ENTRY = re.compile(r"\s*(?P<name>[^()]*?)\s*(?:\((?P<arguments>[^()]*)\))?\s*", re.S)
_SETTING = re.compile(r"\s*(?P<key>[A-Za-z_]\w*)\s*=\s*(?P<value>\S+?)\s*", re.S)


def _parse_value(text: str) -> object:
    lowered = text.lower()
    if lowered == "none":
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text  # left for Param.validate to reject with the valid range


def parse_loss_list(text: str) -> list[tuple[LossSpec, dict[str, Any]]]:
    """Parse a shortcode's loss list: ``"mse, mae, huber(delta=1), focal(gamma=2, alpha=none)"``.

    Names are looked up as in :func:`lookup`; values are numbers, ``none`` or
    ``true``/``false``. Returns each loss with the settings written for it, validated.
    """
    if not text.strip():
        raise ValueError(f"empty loss list; valid losses: {_valid_losses()}")
    result = []
    for entry in _split_top_level(text, text):
        match = _ENTRY.fullmatch(entry)
        if match is None or not match["name"]:
            raise ValueError(
                f"cannot read loss entry {entry.strip()!r} in {text!r}; expected name or name(key=value, ...)"
            )
        spec = lookup(match["name"])
        if spec is None:
            raise ValueError(f"unknown loss {match['name']!r}; valid losses: {_valid_losses()}")
        settings: dict[str, object] = {}
        arguments = match["arguments"]
        for argument in arguments.split(",") if arguments and arguments.strip() else ():
            setting = _SETTING.fullmatch(argument)
            if setting is None:
                raise ValueError(f"{spec.name}: expected key=value, got {argument.strip()!r}")
            if setting["key"] in settings:
                raise ValueError(f"{spec.name}: parameter {setting['key']!r} given twice")
            settings[setting["key"]] = _parse_value(setting["value"])
        result.append((spec, spec.check_settings(settings)))
    return result

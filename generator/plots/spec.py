"""What a figure shows (:class:`FigureSpec`) and the stable name it is published under.

A :class:`FigureSpec` is a small frozen value that fully describes one image: which
losses with which settings, on which axis and range, with or without a gradient panel,
or which training run. Equal specs give identical SVG bytes, so :func:`figure_id`, a
hash of the spec, the numpy and matplotlib versions and :data:`DRAW_VERSION`, names the
drawn file. Nothing here imports matplotlib.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any

from generator.core import DATASETS, LOSSES, lookup

DRAW_VERSION = "1"
"""Bump whenever :mod:`generator.plots.draw` changes what an SVG looks like: it renames every figure."""

KINDS = ("loss_curve", "focal_family", "training_curve")

DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "residual": (-3.0, 3.0),
    "margin": (-3.0, 3.0),
    "probability": (0.0, 1.0),
}

DEFAULT_DATASET = next(iter(DATASETS))
"""What a training figure shows when it names no dataset."""

Settings = tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class FigureSpec:
    """Everything that decides one image; equal specs give identical SVG bytes."""

    kind: str
    """"loss_curve", "focal_family" or "training_curve"."""
    losses: tuple[tuple[str, Settings], ...] = ()
    """Canonical loss names, each with all its settings (defaults filled in), sorted by name."""
    axis: str | None = None
    """"residual", "margin" or "probability" (curves); None for training."""
    x_range: tuple[float, float] | None = None
    gradient: bool = False
    """Add a panel with each loss's gradient d loss / d x."""
    dataset: str | None = None
    """For training curves: "line-with-outliers" or "two-blobs"."""
    training: Settings = ()
    """For training curves: the epochs, lr and seed given (sorted); absent ones take the core's defaults."""
    title: str | None = None
    language: str = "en"
    """"zh-TW", "zh-CN" or "en"."""
    family: str | None = None
    """Loss curves: the parameter a slider varies (the first loss's), so that every variant
    gets the same axes. Focal family: "gamma"."""
    family_values: tuple[float, ...] = ()
    """The values of ``family``: the slider's stops, or the γ of each focal-family curve."""


def plain_setting(value: Any) -> Any:
    """A loss setting as a spec stores it: None, a bool, a string or a float."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return plain_setting(value.item())
    raise ValueError(f"plots take single numbers as loss settings, got {value!r}")


def canonical_loss(name: str, settings: Mapping[str, Any] | None = None) -> tuple[str, Settings]:
    """``(name, settings)`` as a spec stores it: canonical name, every parameter a curve
    takes with its default filled in, numbers as floats, sorted, so that "huber" and
    "huber(delta=1)" agree."""
    spec = LOSSES.get(name) or lookup(name)
    if spec is None:
        raise ValueError(f"unknown loss {name!r}; valid losses: {', '.join(LOSSES)}")
    checked = spec.check_settings(dict(settings or {}), curve=True)
    filled = {param.name: plain_setting(checked.get(param.name, param.default))
              for param in spec.params if not param.per_batch}
    return spec.name, tuple(sorted(filled.items()))


def with_setting(spec: FigureSpec, index: int, key: str, value: Any) -> FigureSpec:
    """``spec`` with one setting of its ``index``-th loss changed (a slider variant)."""
    losses = list(spec.losses)
    name, settings = losses[index]
    losses[index] = canonical_loss(name, {**dict(settings), key: value})
    return replace(spec, losses=tuple(losses))


@lru_cache(maxsize=None)
def _versions() -> tuple[str, str]:
    # Imported here: importlib.metadata costs a build without figures 20 ms for nothing.
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("numpy", "matplotlib"):
        try:
            found.append(version(package))
        except PackageNotFoundError:
            found.append("absent")
    return found[0], found[1]


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, float):
        return repr(value)  # exact and stable; json would print 1.0 and 1 alike anyway
    return value


@lru_cache(maxsize=8192)
def figure_id(spec: FigureSpec) -> str:
    """A short stable hex name for ``spec`` drawn by this code with these library versions."""
    payload = {
        "spec": {field.name: _jsonable(getattr(spec, field.name)) for field in fields(spec)},
        "draw": DRAW_VERSION,
        "versions": _versions(),
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

"""Timing of the hot losses against PyTorch, for ``make bench``.

Each row times one loss's value plus gradient on 10^6 float64 elements (best of
``repeat`` runs) and, when torch is installed, ``torch.nn.functional``'s forward plus
autograd backward on the same data on CPU. torch is imported here only, and lazily.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import losses

_ELEMENTS = 1_000_000
_CLASSES = 10


def _best_seconds(run: Callable[[], Any], repeat: int) -> float:
    run()  # warm-up: first-touch page faults and lazy initialisation are not the loss's cost
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _cases(rng: np.random.Generator) -> list[tuple[str, np.ndarray, np.ndarray]]:
    targets = rng.normal(size=_ELEMENTS)
    predictions = rng.normal(size=_ELEMENTS)
    labels = (rng.random(_ELEMENTS) < 0.5).astype(np.float64)
    classes = rng.integers(0, _CLASSES, _ELEMENTS // _CLASSES)
    logits = rng.normal(size=(_ELEMENTS // _CLASSES, _CLASSES))
    return [
        ("mse", targets, predictions),
        ("bce_with_logits", labels, predictions),
        ("cross_entropy", classes, logits),
    ]


def _torch_runner(name: str, y_true: np.ndarray, y_pred: np.ndarray) -> Callable[[], None]:
    import torch
    import torch.nn.functional as functional

    loss_function = {
        "mse": functional.mse_loss,
        "bce_with_logits": functional.binary_cross_entropy_with_logits,
        "cross_entropy": functional.cross_entropy,
    }[name]
    target = torch.from_numpy(y_true)
    prediction = torch.from_numpy(y_pred).requires_grad_(True)

    def run() -> None:
        prediction.grad = None
        loss_function(prediction, target).backward()

    return run


def time_losses(repeat: int = 5) -> list[dict[str, Any]]:
    """Rows ``{name, seconds, torch_seconds, ratio}``; the torch fields are None without torch.

    ``ratio`` is numpy's time over torch's (below 1 means numpy is faster).
    """
    have_torch = importlib.util.find_spec("torch") is not None
    rows = []
    for name, y_true, y_pred in _cases(np.random.default_rng(0)):
        value, grad = getattr(losses, name), getattr(losses, f"{name}_grad")

        def run_numpy(value=value, grad=grad, y_true=y_true, y_pred=y_pred) -> None:
            value(y_true, y_pred)
            grad(y_true, y_pred)

        seconds = _best_seconds(run_numpy, repeat)
        torch_seconds = _best_seconds(_torch_runner(name, y_true, y_pred), repeat) if have_torch else None
        rows.append({
            "name": name,
            "seconds": seconds,
            "torch_seconds": torch_seconds,
            "ratio": seconds / torch_seconds if torch_seconds else None,
        })
    return rows

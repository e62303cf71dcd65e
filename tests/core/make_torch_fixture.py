"""Freeze PyTorch's loss values and gradients for the cases of test_core_losses.py into
torch_reference.json, with the versions of PyTorch, NumPy and Python that computed them.

`make test` does not install PyTorch (from the package index it pulls gigabytes of GPU
libraries), so the tests compare the numpy core with these frozen values. Run this again
whenever a case is added or changed (the tests say so), in a throwaway environment:

    python3 -m venv /tmp/torch-venv
    /tmp/torch-venv/bin/pip install torch==2.13.0 numpy pytest scikit-learn
    /tmp/torch-venv/bin/python tests/core/make_torch_fixture.py

(pytest and scikit-learn because the cases live in the test module, which imports them.)
Each loss is PyTorch's own ``torch.nn.functional`` where it has one, and its formula in
torch operations otherwise; autograd gives the gradient.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the project's generator package


def _load_cases():
    spec = importlib.util.spec_from_file_location("test_core_losses", HERE / "test_core_losses.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _reduce(values: Any, reduction: str) -> Any:
    if reduction == "mean":
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def torch_loss(case: Any, prediction: Any, reduction: str) -> Any:
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
        return _reduce(torch.log(torch.cosh(prediction - target)), reduction)
    if name == "pinball":
        alpha = settings.get("alpha", 0.5)
        under = target - prediction
        return _reduce(torch.maximum(alpha * under, (alpha - 1.0) * under), reduction)
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
        return _reduce(slack if name == "hinge" else slack**2, reduction)
    if name == "focal":
        # torchvision.ops.sigmoid_focal_loss, written out.
        gamma, alpha = settings.get("gamma", 2.0), settings.get("alpha", 0.25)
        probability = torch.sigmoid(prediction)
        ce = functional.binary_cross_entropy_with_logits(prediction, target, reduction="none")
        p_t = probability * target + (1 - probability) * (1 - target)
        values = ce * (1 - p_t) ** gamma
        if alpha is not None and alpha >= 0:
            values = (alpha * target + (1 - alpha) * (1 - target)) * values
        return _reduce(values, reduction)
    if name == "dice":
        dims = tuple(range(1, prediction.dim())) if prediction.dim() >= 2 else tuple(range(prediction.dim()))
        eps = settings.get("eps", 1e-6)
        numerator = 2 * (prediction * target).sum(dim=dims) + eps
        denominator = prediction.sum(dim=dims) + target.sum(dim=dims) + eps
        return _reduce(1 - numerator / denominator, reduction)
    if name == "kl_div":
        with warnings.catch_warnings():
            # PyTorch warns that its "mean" is not "batchmean"; that "mean" is what is compared.
            warnings.filterwarnings("ignore", message="reduction: 'mean' divides", category=UserWarning)
            log_target = settings.get("log_target", False)
            return functional.kl_div(prediction, target, reduction=reduction, log_target=log_target)
    raise AssertionError(f"no torch reference for {name}")


def value_and_gradient(case: Any, reduction: str) -> tuple[np.ndarray, np.ndarray]:
    prediction = torch.tensor(np.asarray(case.y_pred, dtype=np.float64), requires_grad=True)
    value = torch_loss(case, prediction, reduction)
    value.backward(torch.ones_like(value))
    return value.detach().numpy(), prediction.grad.numpy()


def main() -> None:
    tests = _load_cases()
    lines = []
    for key, (case, reduction) in sorted(tests.torch_cases().items()):
        value, grad = value_and_gradient(case, reduction)
        entry = {"inputs": tests.fingerprint(case), "value": value.tolist(), "grad": grad.tolist()}
        lines.append(f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(entry)}")
    header = {
        "made by": "tests/core/make_torch_fixture.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    text = "{\n" + "".join(f" {json.dumps(k)}: {json.dumps(v)},\n" for k, v in header.items())
    text += ' "cases": {\n' + ",\n".join(lines) + "\n }\n}\n"
    json.loads(text)  # what the tests will read
    tests.TORCH_REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {len(lines)} cases computed by torch {torch.__version__} to {tests.TORCH_REFERENCE}")


if __name__ == "__main__":
    main()

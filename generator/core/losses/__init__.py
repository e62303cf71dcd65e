"""Loss functions and their gradients, one pure function each, by task as optax has them:
:mod:`.regression`, :mod:`.classification`, :mod:`.segmentation` and :mod:`.divergence`.

Every loss is called as ``name(y_true, y_pred, *, reduction="mean", **settings)`` and
its gradient with respect to ``y_pred`` as ``name_grad(...)`` with the same arguments.
Conventions follow ``torch.nn.functional`` where PyTorch has the loss, otherwise
scikit-learn's metrics; each docstring gives the formula and the reference.

Reductions: ``"mean"`` and ``"sum"`` return a Python float, ``"none"`` the per-element
(for ``cross_entropy`` and ``dice`` per-sample) values; ``kl_div`` also takes
``"batchmean"``. A gradient is that of the reduced loss; with ``"none"`` it is each
element's derivative of its own term. Gradients always have ``y_pred``'s shape. As in
PyTorch, an empty input sums to 0 and has an empty array of values (and of gradients);
only its ``"mean"`` (and ``"batchmean"``) is undefined, and raises.

Inputs are converted to float64 and checked: shapes must match exactly (no
broadcasting), arrays must be NaN-free, and values must lie in the loss's input domains
(:mod:`generator.core.domains`: probabilities in [0, 1], labels 0 or 1, counts >= 0, …);
settings must be known and in range (see :mod:`generator.core.params`). Every violation
raises ValueError whose message starts with the loss's name.

Numerical conventions, all chosen so that finite inputs never give NaN:

* values whose true result exceeds float64 (``mse`` and ``squared_hinge`` beyond
  about 1.3e154, ``poisson_nll``'s ``exp`` beyond 709.78) come out as ``inf``,
  without a warning, since that is the correctly rounded answer;
* ``bce`` floors each log at -100 and divides its gradient by
  ``max(p(1 - p), 1e-12)``, exactly as PyTorch does;
* ``poisson_nll`` adds ``eps`` inside the log for rates (PyTorch);
* ``dice`` adds ``eps`` to numerator and denominator;
* at a kink (``mae`` and ``pinball`` at zero residual, hinges at margin 1) the
  gradient is 0, which is always a valid subgradient.
"""

from .classification import (
    bce,
    bce_grad,
    bce_with_logits,
    bce_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    focal,
    focal_grad,
    hinge,
    hinge_grad,
    squared_hinge,
    squared_hinge_grad,
)
from .divergence import kl_div, kl_div_grad
from .regression import (
    huber,
    huber_grad,
    log_cosh,
    log_cosh_grad,
    mae,
    mae_grad,
    mse,
    mse_grad,
    pinball,
    pinball_grad,
    poisson_nll,
    poisson_nll_grad,
    smooth_l1,
    smooth_l1_grad,
)
from .segmentation import dice, dice_grad

__all__ = [
    "bce", "bce_grad", "bce_with_logits", "bce_with_logits_grad", "cross_entropy", "cross_entropy_grad",
    "dice", "dice_grad", "focal", "focal_grad", "hinge", "hinge_grad", "huber", "huber_grad",
    "kl_div", "kl_div_grad", "log_cosh", "log_cosh_grad", "mae", "mae_grad", "mse", "mse_grad",
    "pinball", "pinball_grad", "poisson_nll", "poisson_nll_grad", "smooth_l1", "smooth_l1_grad",
    "squared_hinge", "squared_hinge_grad",
]

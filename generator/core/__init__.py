"""Loss functions, their gradients, a registry of names, and plot-ready curves, in numpy only.

The plotting layer and the lesson shortcodes read this package; nothing in it
imports matplotlib, scipy, scikit-learn or torch (the tests check).

* :mod:`.losses`: one pure function per loss and its gradient, e.g. ``huber`` and ``huber_grad``,
  by task: regression, classification, segmentation, divergence.
* :mod:`.registry`: ``LOSSES``, ``lookup`` and ``parse_loss_list``.
* :mod:`.params`: each loss's settings with defaults, ranges and slider families.
* :mod:`.domains`: what each loss takes as ``y_true`` and ``y_pred`` (probabilities, logits, labels, …).
* :mod:`.stable`: the overflow-free primitives the losses are built from.
* :mod:`.curves`: ``loss_curve``, ``focal_family``, ``train`` and its ``DATASETS``.
* :mod:`.bench`: ``time_losses``, for ``make bench``.
"""

from .curves import AXES, DATASETS, Curve, Dataset, Series, Training, TrainingRun, focal_family, loss_curve, train
from .losses import (
    bce,
    bce_grad,
    bce_with_logits,
    bce_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    dice,
    dice_grad,
    focal,
    focal_grad,
    hinge,
    hinge_grad,
    huber,
    huber_grad,
    kl_div,
    kl_div_grad,
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
    squared_hinge,
    squared_hinge_grad,
)
from .params import FOCAL_GAMMAS, Param
from .registry import LOSSES, LossSpec, lookup, parse_loss_list
from .stable import log1pexp, log_sigmoid, log_softmax, logit, logsumexp, sigmoid, softmax

__all__ = [
    "AXES", "DATASETS", "FOCAL_GAMMAS", "LOSSES", "Curve", "Dataset", "LossSpec", "Param", "Series", "Training",
    "TrainingRun",
    "focal_family", "loss_curve", "lookup", "parse_loss_list", "train",
    "log1pexp", "log_sigmoid", "log_softmax", "logit", "logsumexp", "sigmoid", "softmax",
    "bce", "bce_grad", "bce_with_logits", "bce_with_logits_grad", "cross_entropy", "cross_entropy_grad",
    "dice", "dice_grad", "focal", "focal_grad", "hinge", "hinge_grad", "huber", "huber_grad",
    "kl_div", "kl_div_grad", "log_cosh", "log_cosh_grad", "mae", "mae_grad", "mse", "mse_grad",
    "pinball", "pinball_grad", "poisson_nll", "poisson_nll_grad", "smooth_l1", "smooth_l1_grad",
    "squared_hinge", "squared_hinge_grad",
]

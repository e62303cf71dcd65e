"""Input domains as data: every loss accepts what its domains say and rejects the rest."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from generator.core import LOSSES
from generator.core.domains import CLASS_TARGETS, Domain

BOTH = pytest.mark.parametrize("use_grad", [False, True], ids=["value", "grad"])


def inside(domain: Domain, size: int = 6) -> np.ndarray:
    """Values from all over ``domain``: every label, or a spread across the interval."""
    if domain.labels:
        return np.resize(np.array(domain.labels), size)
    low = domain.low if math.isfinite(domain.low) else -3.0
    high = domain.high if math.isfinite(domain.high) else 3.0
    return np.linspace(max(low, high - 6.0), min(high, low + 6.0), size)


def outside(domain: Domain) -> float | None:
    """A value just outside ``domain``, or None for all real numbers."""
    if domain.labels:
        return 0.5
    if math.isfinite(domain.low):
        return domain.low - 0.5
    if math.isfinite(domain.high):
        return domain.high + 0.5
    return None


def setting_variants(name: str) -> list[dict[str, Any]]:
    """The default settings, and each switch setting flipped (which may change a domain)."""
    return [{}] + [{param.name: not param.default} for param in LOSSES[name].params if param.kind == "bool"]


CASES = [
    pytest.param(name, settings, id=f"{name}{settings or ''}")
    for name, spec in LOSSES.items() if spec.y_true is not CLASS_TARGETS  # told apart by shape: own tests
    for settings in setting_variants(name)
]


@pytest.mark.parametrize(("name", "settings"), CASES)
@BOTH
def test_values_from_the_domains_are_accepted(name: str, settings: dict, use_grad: bool) -> None:
    spec = LOSSES[name]
    function = spec.grad if use_grad else spec.fn
    result = function(inside(spec.input_domain("y_true", settings)), inside(spec.input_domain("y_pred", settings)),
                      reduction="sum", **settings)
    assert np.all(np.isfinite(result))


BOUNDED = [
    pytest.param(*case.values, role, id=f"{case.id}-{role}")
    for case in CASES
    for role in ("y_true", "y_pred")
    if outside(LOSSES[case.values[0]].input_domain(role, case.values[1])) is not None
]


@pytest.mark.parametrize(("name", "settings", "role"), BOUNDED)
@BOTH
def test_a_value_outside_its_domain_is_rejected_with_the_domain_in_the_message(
    name: str, settings: dict, role: str, use_grad: bool
) -> None:
    spec = LOSSES[name]
    domain = spec.input_domain(role, settings)
    bad = outside(domain)
    values = {other: inside(spec.input_domain(other, settings)) for other in ("y_true", "y_pred")}
    values[role][2] = bad
    function = spec.grad if use_grad else spec.fn
    with pytest.raises(ValueError, match=f"^{name}: {role} must (?:be|hold) {re.escape(domain.text)}"):
        function(values["y_true"], values["y_pred"], **settings)


def test_the_switching_settings_and_their_domains() -> None:
    assert LOSSES["poisson_nll"].input_domain("y_pred", {"log_input": False}).name == "rates"
    assert LOSSES["poisson_nll"].input_domain("y_pred", {}).name == "log-rates"
    assert LOSSES["kl_div"].input_domain("y_true", {"log_target": True}).name == "log-probabilities"
    assert LOSSES["kl_div"].input_domain("y_true", {}).name == "probabilities"

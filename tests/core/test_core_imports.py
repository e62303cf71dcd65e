"""generator.core stays numpy-only: importing it must not pull in plotting or ML libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.core.bench import time_losses

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "scipy", "sklearn", "torch", "pandas")


@pytest.mark.parametrize("module", ["generator.core", "generator.core.bench"])
def test_import_loads_numpy_only(module: str) -> None:
    script = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, cwd=ROOT, check=True
    )
    loaded = {name.split(".")[0] for name in json.loads(completed.stdout)}
    assert "numpy" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_time_losses_reports_every_hot_loss() -> None:
    rows = time_losses(repeat=1)
    assert [row["name"] for row in rows] == ["mse", "bce_with_logits", "cross_entropy"]
    for row in rows:
        assert set(row) == {"name", "seconds", "torch_seconds", "ratio"}
        assert row["seconds"] > 0
        assert (row["torch_seconds"] is None) == (row["ratio"] is None)

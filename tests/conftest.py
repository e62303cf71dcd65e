"""Shared fixtures: the lesson corpus and throwaway sites."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import CORPUS, write_site


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the lesson corpus is not beside the project ({CORPUS} is missing)")
    return CORPUS


@pytest.fixture
def make_site(tmp_path):
    def make(files: dict[str, str | bytes], name: str = "site") -> Path:
        return write_site(tmp_path / name, files)

    return make

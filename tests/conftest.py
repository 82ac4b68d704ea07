"""Shared fixtures: a private copy of the data tables that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.data import DATA_DIR, Dataset, load_dataset


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return load_dataset()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of data/ in a temporary folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target

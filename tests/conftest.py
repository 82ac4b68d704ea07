"""Shared fixtures: a private copy of the data tables that a test may break."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis.data import DATA_DIR, Dataset, load_dataset

# Commands the tests start run on their own: no warm re-run process outlives a test (test_warm starts its own).
os.environ["GENAI_REPORT_WARM"] = "0"


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return load_dataset()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of data/ in a temporary folder."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real book, built once per test session into a temporary folder; returns its html folder."""
    from analysis.build import build_book

    out = tmp_path_factory.mktemp("build")
    result = build_book(output_dir=out)
    assert result.html_dir == out / "html"
    return result.html_dir

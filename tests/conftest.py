"""Shared fixtures: a private copy of the data tables that a test may break."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis.data import Dataset, load_dataset
from analysis.paths import DATA_DIR

# Smaller runs for the editions: enough for every sentence; the build runs each chapter's own defaults.
EDITION_OVERRIDES = {
    "survival": {"n_draws": 4000},
    "pricing": {"n_users": 20_000, "spread_seeds": 3, "spread_n_users": 5000},
}

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
    from analysis.pipeline.build import build_book

    out = tmp_path_factory.mktemp("build")
    result = build_book(output_dir=out)
    assert result.html_dir == out / "html"
    return result.html_dir


@pytest.fixture(scope="session")
def editions(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every chapter under every preset, executed once: (preset, chapter) -> executed notebook."""
    from analysis.parameters import CHAPTERS
    from analysis.paths import REPO_ROOT
    from analysis.pipeline.execution import execute_notebooks
    from analysis.reruns.scenarios import list_scenarios, load_scenario

    root = tmp_path_factory.mktemp("editions")
    tasks, paths = [], {}
    for name in list_scenarios():
        for chapter in CHAPTERS.values():
            parameters = {**load_scenario(name).chapters.get(chapter.name, {}), "edition": name,
                          **EDITION_OVERRIDES.get(chapter.name, {})}  # fmt: skip
            source = REPO_ROOT / chapter.notebook
            tasks.append((source, root / name / chapter.name, parameters))
            paths[(name, chapter.name)] = root / name / chapter.name / source.name
    execute_notebooks(tasks, REPO_ROOT, root / "failed", root / "cache")
    return paths

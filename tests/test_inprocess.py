"""A chapter executed in this process (re-runs) has exactly the outputs of one executed in a kernel (the book)."""

from __future__ import annotations

import nbformat
import pytest

from analysis.parameters import CHAPTERS
from analysis.paths import REPO_ROOT
from analysis.pipeline.execution import execute_one

pytestmark = pytest.mark.build

SMALL = {
    "business_models": {"cac_multiplier": 1.7},
    "pricing": {"n_users": 20_000, "spread_n_users": 2_000, "spread_seeds": 3},
    "survival": {"n_draws": 2_000},
}


def outputs(path) -> list:
    """Every cell's outputs, execution count and tags (timings in the metadata differ by nature)."""
    cells = nbformat.read(str(path), as_version=4).cells
    return [(c.get("outputs", []), c.get("execution_count"), c.metadata.get("tags")) for c in cells]


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_in_process_outputs_equal_a_kernels_cell_by_cell(tmp_path, chapter):
    """Twice in one process (so nothing leaks from one execution into the next), once in a kernel."""
    source = str(REPO_ROOT / CHAPTERS[chapter].notebook)
    params = {**CHAPTERS[chapter].defaults, **SMALL[chapter]}
    paths = {}
    for label, in_process in (("first", True), ("kernel", False), ("second", True)):
        paths[label] = tmp_path / label / f"{chapter}.ipynb"
        paths[label].parent.mkdir()
        error = execute_one((source, str(paths[label]), params, chapter, str(tmp_path / "failed"), in_process))
        assert error is None, error
    assert outputs(paths["first"]) == outputs(paths["kernel"])
    assert outputs(paths["second"]) == outputs(paths["kernel"])


def test_an_error_in_process_is_reported_like_a_kernels(tmp_path):
    """A bad value fails in the validation cell with the same message either way."""
    source = str(REPO_ROOT / "book" / "business_models.ipynb")
    params = {**CHAPTERS["business_models"].defaults, "annual_discount_rate": 2.0}
    messages = [
        execute_one((source, str(tmp_path / f"{mode}.ipynb"), params, "bm", str(tmp_path / f"failed-{mode}"), mode))
        for mode in (True, False)
    ]
    assert messages[0].replace("failed-True", "failed-X") == messages[1].replace("failed-False", "failed-X")
    assert "ParameterError: invalid parameters for chapter 'business_models'" in messages[0]
    assert "at line 'ch = BusinessModelsChapter.open(globals())'" in messages[0]

"""Notebook conventions: committed without outputs, one chapter notebook per declared chapter."""

from __future__ import annotations

import nbformat
import pytest

from analysis.build import REPO_ROOT
from analysis.parameters import CHAPTERS

NOTEBOOKS = sorted((REPO_ROOT / "book").rglob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name} cell {index} has outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name} cell {index} has an execution count"


def test_every_notebook_is_a_declared_chapter():
    declared = {REPO_ROOT / c.notebook for c in CHAPTERS.values()}
    assert set(NOTEBOOKS) == declared


def test_every_chapter_is_in_the_table_of_contents():
    toc = (REPO_ROOT / "_toc.yml").read_text()
    for chapter in CHAPTERS.values():
        assert chapter.notebook.removesuffix(".ipynb") in toc

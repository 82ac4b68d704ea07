"""The notebooks' ``parameters`` cells, generated from the declarations in :mod:`analysis.parameters`.

Parameters are declared once, in :mod:`analysis.parameters`; each chapter notebook's ``parameters``
cell (the one papermill injects values after) is written from them, and a test checks it byte for
byte. After changing a declaration, rewrite the cells with ``python -m analysis.pipeline.parameter_cells``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from analysis.data import Dataset, load_dataset
from analysis.parameters import CHAPTERS, Parameter
from analysis.paths import REPO_ROOT

HEADER = (
    "# Parameters of this chapter, generated from analysis/parameters/ (change them there and run\n"
    "# python -m analysis.pipeline.parameter_cells); list them with: python -m analysis params {chapter}\n"
)


def _literal(value: object) -> str:
    """A default as Python source: '0.1', '100_000', '"base"', '[20.0, 60.0]'.

    Examples
    --------
    >>> _literal(100000), _literal(0.35), _literal("base"), _literal([20.0, 60.0]), _literal(2026)
    ('100_000', '0.35', '"base"', '[20.0, 60.0]', '2026')
    """
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:_}"
    return repr(value)


def _origin(parameter: Parameter, dataset: Dataset) -> str:
    """Where the default comes from, in one word: reported, assumption or a modelling choice."""
    if not parameter.fact_ids:
        return "choice"
    return str(dataset["facts"].loc[parameter.fact_ids[0], "kind"])


def parameter_line(parameter: Parameter, dataset: Dataset) -> str:
    """One declaration: ``name: type = default  # origin: description (unit)``.

    What is allowed is left to ``python -m analysis params``: papermill reads a line with a second ``=``
    (as in '>= 0') as no parameter at all.
    """
    unit = f" ({parameter.unit})" if parameter.unit else ""
    return (
        f"{parameter.name}: {parameter.type.__name__} = {_literal(parameter.default)}"
        f"  # {_origin(parameter, dataset)}: {parameter.description}{unit}"
    )


def parameters_cell(chapter: str, dataset: Dataset) -> str:
    """The source of a chapter notebook's ``parameters`` cell."""
    lines = [parameter_line(p, dataset) for p in CHAPTERS[chapter].parameters]
    return HEADER.format(chapter=chapter) + "\n".join(lines)


def parameters_cell_index(notebook: nbformat.NotebookNode) -> int:
    """Index of the notebook's one cell tagged ``parameters``."""
    tagged = [i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])]
    if len(tagged) != 1:
        raise ValueError(f"a chapter notebook has exactly one cell tagged 'parameters', not {len(tagged)}")
    return tagged[0]


def write_parameter_cells(root: Path = REPO_ROOT) -> list[Path]:
    """Rewrite every chapter notebook's ``parameters`` cell from the declarations; return the notebooks changed."""
    dataset = load_dataset()
    changed = []
    for chapter in CHAPTERS.values():
        path = root / chapter.notebook
        notebook = nbformat.read(path, as_version=4)
        cell = notebook.cells[parameters_cell_index(notebook)]
        source = parameters_cell(chapter.name, dataset)
        if cell.source != source:
            cell.source = source
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


if __name__ == "__main__":
    for path in write_parameter_cells():
        print(f"rewrote the parameters cell of {path}", file=sys.stderr)

"""Notebook conventions: committed without outputs, one chapter notebook per declared chapter."""

from __future__ import annotations

import ast

import nbformat
import pytest

from analysis.parameters import CHAPTERS
from analysis.paths import REPO_ROOT
from analysis.pipeline.parameter_cells import parameter_line, parameters_cell, parameters_cell_index

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


# What a notebook's code may do (issue 14, item 1): import, open its chapter (the one validation call), call
# the chapter's section methods. Loops, definitions, comprehensions and arithmetic belong in the package.
FORBIDDEN = {
    ast.For: "a loop", ast.While: "a loop", ast.FunctionDef: "a function definition", ast.Lambda: "a lambda",
    ast.ClassDef: "a class definition", ast.ListComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.SetComp: "a comprehension", ast.GeneratorExp: "a comprehension", ast.BinOp: "arithmetic",
    ast.AugAssign: "arithmetic", ast.UnaryOp: "arithmetic", ast.Compare: "a comparison", ast.If: "a branch",
    ast.Subscript: "indexing into results", ast.IfExp: "a branch",
}  # fmt: skip


def logic_in_cell(source: str) -> list[str]:
    """What a notebook code cell does beyond imports, opening its chapter and calling into the package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        for kind, what in FORBIDDEN.items():
            if isinstance(node, kind):
                found.append(f"{what} on line {node.lineno}")
    return found


def test_the_logic_check_finds_loops_definitions_and_arithmetic():
    assert logic_in_cell("ch = Chapter.open(globals())\nch.models()") == []
    assert logic_in_cell("for x in y:\n    ch.glue(x)") == ["a loop on line 1"]
    assert logic_in_cell("def f():\n    pass") == ["a function definition on line 1"]
    assert logic_in_cell("share = need * 1e9 / revenue") == ["arithmetic on line 1", "arithmetic on line 1"]
    assert logic_in_cell("value = frame['revenue']") == ["indexing into results on line 1"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_code_cells_hold_no_logic(path):
    nb = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        problems += [f"cell {index}: {p}" for p in logic_in_cell(cell.source)]
    assert not problems, f"{path.name} computes in its cells; move it into analysis/: {problems}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_its_chapter_once(path):
    """One validation call: the chapter's ``open(globals())``, which validates the parameters."""
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert code.count(".open(globals())") == 1
    assert "validate_parameters" not in code and "glue(" not in code


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_parameters_cell_is_generated_from_the_declarations(chapter, dataset):
    """Issue 14, item 3: parameters are declared once, in analysis/parameters/; the notebook's cell is
    written from them (python -m analysis.pipeline.parameter_cells) and must match byte for byte."""
    notebook = nbformat.read(REPO_ROOT / CHAPTERS[chapter].notebook, as_version=4)
    cell = notebook.cells[parameters_cell_index(notebook)]
    assert cell.source == parameters_cell(chapter, dataset), "run: python -m analysis.pipeline.parameter_cells"


def test_a_parameter_line_says_where_its_default_comes_from(dataset):
    from analysis.parameters import PRICING

    by_name = {p.name: p for p in PRICING.parameters}
    assert parameter_line(by_name["conversion_rate"], dataset).startswith(
        "conversion_rate: float = 0.035  # reported: "
    )
    assert parameter_line(by_name["n_users"], dataset).startswith("n_users: int = 100_000  # ")
    assert parameter_line(by_name["tier_caps"], dataset).startswith(
        "tier_caps: list = [25.0, 75.0, 250.0]  # assumption: "
    )


def test_a_parameter_is_declared_once_across_chapters():
    """The same name in two chapters is the same declaration (one object), never two copies that can drift."""
    seen: dict[str, object] = {}
    for chapter in CHAPTERS.values():
        for parameter in chapter.parameters:
            assert seen.setdefault(parameter.name, parameter) is parameter, parameter.name


def test_a_key_figure_takes_its_unit_from_the_registry_and_formats_its_value_once(dataset):
    """Issue 14, items 1-2: the chapter context records key figures (no module state); the unit is the
    registry's, the sentence names the formatted value as {text}, and an unregistered id is refused."""
    from analysis.present.chapter import ChapterContext

    class Recording(ChapterContext):
        CHAPTER, PREFIX = "pricing", "pr"

        def glue(self, key, value):  # no kernel here: keep what would be glued
            self.glued = {**getattr(self, "glued", {}), key: value}

    context = Recording({"edition": "default"}, dataset)
    context.key_figure("pr_credit_margin", 0.6, "60%", "Credit pricing earns a {text} gross margin.")
    assert context.figures == [{"id": "pr_credit_margin", "value": 0.6, "unit": "share", "text": "60%",
                                "sentence": "Credit pricing earns a 60% gross margin.", "low": None, "high": None,
                                "interval": ""}]  # fmt: skip
    assert str(context.glued["pr_credit_margin"].data) == "60%"
    with pytest.raises(KeyError, match="key figure 'pr_made_up' is not declared in data/key_figures.csv"):
        context.key_figure("pr_made_up", 1.0, "1", "x")
    assert Recording({"edition": "default"}, dataset).figures == []  # a new chapter starts with none

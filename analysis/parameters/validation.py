"""Every chapter, by name; a notebook's values checked against the declarations; parameters applied to the data."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.data import Dataset, range_midpoint
from analysis.parameters.business_models import BUSINESS_MODELS
from analysis.parameters.pricing import PRICING
from analysis.parameters.spec import Chapter, ParameterError
from analysis.parameters.survival import SURVIVAL

CHAPTERS: dict[str, Chapter] = {c.name: c for c in (BUSINESS_MODELS, PRICING, SURVIVAL)}


def get_chapter(name: str) -> Chapter:
    """The chapter called ``name``; the error lists the chapters there are."""
    try:
        return CHAPTERS[name]
    except KeyError:
        raise ParameterError(f"unknown chapter {name!r}; chapters: {', '.join(CHAPTERS)}") from None


def validate_parameters(chapter: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Check a chapter's parameters and return them converted to their declared types.

    Parameters
    ----------
    chapter
        Chapter name, e.g. ``"business_models"``.
    namespace
        Where to find the values: a notebook passes ``globals()``; extra names are ignored.

    Raises
    ------
    ParameterError
        Naming the parameter, its value and what is allowed; every problem is listed.

    Examples
    --------
    >>> params = validate_parameters("business_models", BUSINESS_MODELS.defaults)
    >>> params["researcher_count"]
    50
    """
    spec = get_chapter(chapter)
    problems: list[str] = []
    declared = [p.name for p in spec.parameters]
    for name in injected_names(namespace):
        if name not in declared:
            close = difflib.get_close_matches(name, declared, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; parameters: {', '.join(declared)}"
            problems.append(f"unknown parameter {name!r} was passed to the notebook (papermill -p){hint}")
    values: dict[str, Any] = {}
    for parameter in spec.parameters:
        if parameter.name not in namespace:
            problems.append(f"parameter {parameter.name!r} is missing ({parameter.description})")
            continue
        try:
            values[parameter.name] = parameter.check(namespace[parameter.name])
        except ParameterError as error:
            problems.append(str(error))
    for low_name, high_name in spec.ordered_pairs:
        if low_name in values and high_name in values and values[low_name] > values[high_name]:
            problems.append(
                f"parameter {low_name!r} = {values[low_name]!r} is greater than "
                f"{high_name!r} = {values[high_name]!r}: the low end must not exceed the high end"
            )
    for low_name, high_name in spec.strict_pairs:
        if low_name in values and high_name in values and values[low_name] >= values[high_name]:
            problems.append(
                f"parameter {low_name!r} = {values[low_name]!r} is not below "
                f"{high_name!r} = {values[high_name]!r}: it must be smaller"
            )
    for budget in spec.budgets:
        try:
            size = budget.size(values)
        except KeyError:
            continue  # a parameter it needs is already reported
        if size > budget.limit:
            problems.append(
                f"{budget.formula} = {size:,.0f} {budget.what} is more than the chapter serves: at most "
                f"{budget.limit:,.0f} ({budget.cost} there); lower one of them"
            )
    for name in spec.increasing:
        seq = values.get(name)
        if seq is not None and any(b <= a for a, b in zip(seq, seq[1:], strict=False)):
            problems.append(f"parameter {name!r} = {seq!r} is not allowed: must increase strictly from tier to tier")
    for first, second in spec.same_length:
        if first in values and second in values and len(values[first]) != len(values[second]):
            problems.append(
                f"parameters {first!r} ({len(values[first])} values) and {second!r} "
                f"({len(values[second])} values) must have the same number of tiers"
            )
    if problems:
        raise ParameterError(f"invalid parameters for chapter {chapter!r}:" + "\n  ".join(["", *problems]))
    return values


# papermill writes the values it is given into a cell that starts with this line, after the parameters cell.
INJECTED_CELL_HEADER = "# Parameters"


def injected_names(namespace: Mapping[str, Any]) -> list[str]:
    r"""The names papermill injected into a notebook, read from IPython's input history (``In``).

    A notebook's ``globals()`` hold its imports and IPython's own names beside the parameters, so
    unknown injected names are found where papermill writes them: the cell starting with
    ``# Parameters``. Outside IPython there is no history and nothing is found.

    Examples
    --------
    >>> injected_names({"In": ["", "# Parameters\nfree_capp = 2\nseed = 1\n"]})
    ['free_capp', 'seed']
    >>> injected_names({"free_capp": 2})
    []
    """
    history = namespace.get("In")
    if not isinstance(history, list):
        return []
    names: list[str] = []
    for source in history:
        if not isinstance(source, str) or source.split("\n", 1)[0].strip() != INJECTED_CELL_HEADER:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
    return names


def apply_parameter_overrides(dataset: Dataset, chapter: str, params: Mapping[str, Any]) -> Dataset:
    """A copy of ``dataset`` whose facts carry the parameters' values where they differ.

    A fact whose central ``value`` falls outside a new low-high range has it reset to the
    new midpoint (the one rule of :func:`analysis.data.range_midpoint`), so the base case stays
    inside the range the reader asked for. Overridden facts are marked ``kind = "parameter"``
    so tables can show that the number is the reader's, not the source's.

    Examples
    --------
    >>> from analysis.data import load_dataset
    >>> ds = apply_parameter_overrides(load_dataset(), "business_models", {"freemium_conversion_low": 0.03})
    >>> float(ds.fact("freemium_conversion_rate")["low"]), ds.fact("freemium_conversion_rate")["kind"]
    (0.03, 'parameter')
    """
    spec = get_chapter(chapter)
    facts = dataset["facts"].copy()
    for name, value in params.items():
        parameter = spec.parameter(name)
        if not parameter.fact_ids or parameter.fact_field is None:
            continue
        values = list(value) if parameter.type is list else [value]
        if len(values) != len(parameter.fact_ids):
            continue  # a different number of tiers: the facts no longer describe it
        for fact_id, element in zip(parameter.fact_ids, values, strict=True):
            current = facts.at[fact_id, parameter.fact_field]
            if pd.notna(current) and float(current) == float(element):
                continue
            facts.at[fact_id, parameter.fact_field] = float(element)
            facts.at[fact_id, "kind"] = "parameter"
    for fact_id in facts.index[facts["kind"] == "parameter"]:
        low, value, high = facts.loc[fact_id, ["low", "value", "high"]]
        if pd.notna(value) and pd.notna(low) and pd.notna(high) and not low <= value <= high:
            facts.at[fact_id, "value"] = range_midpoint(low, high)
    tables = dict(dataset.tables, facts=facts)
    return Dataset(tables=tables, data_dir=dataset.data_dir)

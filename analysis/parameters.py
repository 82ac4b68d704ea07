"""Chapter parameters: one declaration per parameter.

Each :class:`Parameter` gives a chapter parameter its type, default, allowed range, unit,
description and provenance. A parameter whose default comes from the data names the fact
(``fact_id`` and ``fact_field``): a test checks the default equals that fact, and
:func:`apply_parameter_overrides` writes a user's value over it, so a re-run changes the
fact everywhere it is used. The same declarations check the values a notebook receives
(:func:`validate_parameters`), so a bad value fails in the first cells with a clear message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from analysis.data import Dataset


class ParameterError(ValueError):
    """A chapter parameter is missing, of the wrong type, or outside what is allowed."""


@dataclass(frozen=True)
class Parameter:
    """One chapter parameter.

    ``minimum``/``maximum`` are inclusive unless ``exclusive_minimum``/``exclusive_maximum``.
    ``fact_id``/``fact_field`` name the data the default comes from; without them the
    parameter is a modelling choice of the report, described by ``description``.
    """

    name: str
    type: type
    default: Any
    description: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    fact_id: str | None = None
    fact_field: Literal["value", "low", "high"] | None = None

    def allowed(self) -> str:
        """What is allowed, in words: 'a number > 0 and <= 1'."""
        kind = "a whole number" if self.type is int else "a number"
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive_minimum else '>='} {self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.exclusive_maximum else '<='} {self.maximum:g}")
        return kind + (" " + " and ".join(parts) if parts else "")

    def check(self, value: Any) -> Any:
        """Return ``value`` converted to the declared type, or raise :class:`ParameterError`.

        Examples
        --------
        >>> Parameter("rate", float, 0.1, "a rate", minimum=0, maximum=1).check(1)
        1.0
        >>> Parameter("r", float, 0.1, "a rate", minimum=0, maximum=1).check(1.5)
        Traceback (most recent call last):
        ...
        analysis.parameters.ParameterError: parameter 'r' = 1.5 is not allowed: must be a number >= 0 and <= 1 (a rate)
        """
        problem = f"parameter {self.name!r} = {value!r} is not allowed: must be {self.allowed()} ({self.description})"
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(problem)
        if self.type is int:
            if isinstance(value, float) and not value.is_integer():
                raise ParameterError(problem)
            value = int(value)
        else:
            value = float(value)
        if value != value:  # NaN
            raise ParameterError(problem)
        if self.minimum is not None and (value < self.minimum or (self.exclusive_minimum and value == self.minimum)):
            raise ParameterError(problem)
        if self.maximum is not None and (value > self.maximum or (self.exclusive_maximum and value == self.maximum)):
            raise ParameterError(problem)
        return value


@dataclass(frozen=True)
class Chapter:
    """A chapter: its notebook and its parameters; ``ordered_pairs`` must satisfy low <= high."""

    name: str
    notebook: str
    title: str
    parameters: tuple[Parameter, ...]
    ordered_pairs: tuple[tuple[str, str], ...] = ()

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


def _share(name: str, default: float, description: str, fact_id: str, fact_field: str) -> Parameter:
    return Parameter(
        name,
        float,
        default,
        description,
        unit="share",
        minimum=0,
        maximum=1,
        exclusive_minimum=True,
        exclusive_maximum=True,
        fact_id=fact_id,
        fact_field=fact_field,  # type: ignore[arg-type]
    )


BUSINESS_MODELS = Chapter(
    name="business_models",
    notebook="book/business_models.ipynb",
    title="How generative-AI companies make money",
    parameters=(
        Parameter(
            "annual_discount_rate",
            float,
            0.10,
            "annual rate at which future gross profit is discounted in lifetime value",
            unit="share per year",
            minimum=0,
            maximum=1,
            fact_id="annual_discount_rate",
            fact_field="value",
        ),
        _share(
            "freemium_conversion_low",
            0.02,
            "low end of the free-to-paid conversion rate",
            "freemium_conversion_rate",
            "low",
        ),
        _share(
            "freemium_conversion_high",
            0.05,
            "high end of the free-to-paid conversion rate",
            "freemium_conversion_rate",
            "high",
        ),
        _share(
            "enterprise_annual_retention_low",
            0.90,
            "low end of enterprise customers' annual retention",
            "enterprise_annual_retention_range",
            "low",
        ),
        _share(
            "enterprise_annual_retention_high",
            0.95,
            "high end of enterprise customers' annual retention",
            "enterprise_annual_retention_range",
            "high",
        ),
        _share(
            "marketplace_take_rate_low",
            0.15,
            "low end of the marketplace's take rate on transactions",
            "marketplace_take_rate",
            "low",
        ),
        _share(
            "marketplace_take_rate_high",
            0.30,
            "high end of the marketplace's take rate on transactions",
            "marketplace_take_rate",
            "high",
        ),
        Parameter(
            "enterprise_sales_cycle_months_low",
            float,
            3.0,
            "shortest enterprise sales cycle, added to the CAC payback",
            unit="months",
            minimum=0,
            maximum=60,
            fact_id="enterprise_sales_cycle_months",
            fact_field="low",
        ),
        Parameter(
            "enterprise_sales_cycle_months_high",
            float,
            12.0,
            "longest enterprise sales cycle, added to the CAC payback",
            unit="months",
            minimum=0,
            maximum=60,
            fact_id="enterprise_sales_cycle_months",
            fact_field="high",
        ),
        Parameter(
            "cac_multiplier",
            float,
            1.0,
            "stress test: every model's customer acquisition cost is multiplied by this",
            minimum=0.1,
            maximum=10,
        ),
        Parameter(
            "churn_multiplier",
            float,
            1.0,
            "stress test: every model's churn is multiplied by this (capped so churn stays below 100%)",
            minimum=0.1,
            maximum=5,
        ),
        Parameter(
            "researcher_count",
            int,
            50,
            "size of the research team whose compensation is costed",
            unit="people",
            minimum=1,
            maximum=100_000,
            fact_id="researcher_team_size",
            fact_field="value",
        ),
        Parameter(
            "researcher_compensation_low_usd",
            float,
            300_000.0,
            "low end of total compensation per researcher",
            unit="USD per year",
            minimum=0,
            maximum=100_000_000,
            fact_id="researcher_compensation_usd",
            fact_field="low",
        ),
        Parameter(
            "researcher_compensation_high_usd",
            float,
            1_000_000.0,
            "high end of total compensation per researcher",
            unit="USD per year",
            minimum=0,
            maximum=100_000_000,
            fact_id="researcher_compensation_usd",
            fact_field="high",
        ),
        Parameter(
            "image_generation_cost_usd",
            float,
            0.04,
            "cost of one image generation, from which video costs follow",
            unit="USD per generation",
            minimum=0,
            maximum=100,
            fact_id="image_generation_cost_usd",
            fact_field="value",
        ),
    ),
    ordered_pairs=(
        ("freemium_conversion_low", "freemium_conversion_high"),
        ("enterprise_annual_retention_low", "enterprise_annual_retention_high"),
        ("marketplace_take_rate_low", "marketplace_take_rate_high"),
        ("enterprise_sales_cycle_months_low", "enterprise_sales_cycle_months_high"),
        ("researcher_compensation_low_usd", "researcher_compensation_high_usd"),
    ),
)

CHAPTERS: dict[str, Chapter] = {c.name: c for c in (BUSINESS_MODELS,)}


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
    if problems:
        raise ParameterError(f"invalid parameters for chapter {chapter!r}:\n  " + "\n  ".join(problems))
    return values


def apply_parameter_overrides(dataset: Dataset, chapter: str, params: Mapping[str, Any]) -> Dataset:
    """A copy of ``dataset`` whose facts carry the parameters' values where they differ.

    A fact whose central ``value`` falls outside a new low-high range has it reset to the
    new midpoint, so the base case stays inside the range the reader asked for. Overridden
    facts are marked ``kind = "parameter"`` so tables can show that the number is the
    reader's, not the source's.

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
        if parameter.fact_id is None or parameter.fact_field is None:
            continue
        current = facts.at[parameter.fact_id, parameter.fact_field]
        if pd.notna(current) and float(current) == float(value):
            continue
        facts.at[parameter.fact_id, parameter.fact_field] = float(value)
        facts.at[parameter.fact_id, "kind"] = "parameter"
    for fact_id in facts.index[facts["kind"] == "parameter"]:
        low, value, high = facts.loc[fact_id, ["low", "value", "high"]]
        if pd.notna(value) and pd.notna(low) and pd.notna(high) and not low <= value <= high:
            facts.at[fact_id, "value"] = (low + high) / 2
    tables = dict(dataset.tables, facts=facts)
    return Dataset(tables=tables, data_dir=dataset.data_dir)

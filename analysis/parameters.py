"""Chapter parameters: one declaration per parameter.

Each :class:`Parameter` gives a chapter parameter its type, default, allowed range, unit,
description and provenance. A parameter whose default comes from the data names the fact
(``fact_id`` and ``fact_field``): a test checks the default equals that fact, and
:func:`apply_parameter_overrides` writes a user's value over it, so a re-run changes the
fact everywhere it is used. The same declarations check the values a notebook receives
(:func:`validate_parameters`), so a bad value fails in the first cells with a clear message.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from analysis.data import Dataset, range_midpoint

_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # matched whole, with fullmatch


def bounded_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)`` cut to about ``limit`` characters, without building the full repr of a huge value.

    Examples
    --------
    >>> bounded_repr("abc")
    "'abc'"
    >>> bounded_repr(list(range(1000)))
    '[0, 1, 2, 3, 4, 5, ...]'
    >>> bounded_repr(10**500)
    '1000000000000000000000000000...0000000000000000000000000000 (an integer of 501 digits)'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 200:
        digits = len(str(abs(value))) if abs(value).bit_length() < 14_000 else None
        count = f"{digits} digits" if digits else "more than 4,000 digits"
        text = str(value)[:28] + "..." + str(value)[-28:] if digits else "a huge integer"
        return f"{text} (an integer of {count})"
    shortener = reprlib.Repr()
    shortener.maxstring = shortener.maxother = limit
    shortener.maxlist = shortener.maxtuple = shortener.maxdict = 6
    shortener.maxlong = limit
    text = shortener.repr(value)
    return text if len(text) <= limit + 20 else text[:limit] + "..."


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
    fact_id: str | tuple[str, ...] | None = None
    fact_field: Literal["value", "low", "high"] | None = None
    choices: tuple[str, ...] = ()
    max_items: int = 8  # lists only: how many tiers the chapter serves
    # The chapter's in-page explorer: its slider for this parameter runs from start to stop in steps.
    explorer: tuple[float, float, float] | None = None

    def explorer_values(self) -> tuple[float, ...]:
        """The grid the explorer's slider moves over (start to stop by step), each value allowed.

        Examples
        --------
        >>> Parameter("s", float, 1.0, "a scale", minimum=0.5, maximum=1.5, explorer=(0.5, 1.5, 0.25)).explorer_values()
        (0.5, 0.75, 1.0, 1.25, 1.5)
        """
        if self.explorer is None:
            return ()
        start, stop, step = self.explorer
        count = int(round((stop - start) / step)) + 1
        return tuple(self.check(round(start + i * step, 9)) for i in range(count))

    @property
    def fact_ids(self) -> tuple[str, ...]:
        """The facts behind the default: one for a number, one per element for a list."""
        if self.fact_id is None:
            return ()
        return (self.fact_id,) if isinstance(self.fact_id, str) else tuple(self.fact_id)

    def allowed(self) -> str:
        """What is allowed, in words: 'a number > 0 and <= 1'."""
        if self.type is str:
            if not self.choices:
                return "a plain name: letters, digits, '-' or '_', at most 64 characters"
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.type is list:
            return f"a list of 1 to {self.max_items} numbers, each " + self._number_allowed("").strip()
        return self._number_allowed("a whole number" if self.type is int else "a number")

    def _number_allowed(self, kind: str) -> str:
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
        problem = (
            f"parameter {self.name!r} = {bounded_repr(value)} is not allowed: must be {self.allowed()} "
            f"({self.description})"
        )
        if self.type is str:
            allowed = value in self.choices if self.choices else isinstance(value, str) and _PLAIN_NAME.fullmatch(value)
            if not allowed:
                raise ParameterError(problem)
            return value
        if self.type is list:
            if not isinstance(value, list | tuple) or not 1 <= len(value) <= self.max_items:
                raise ParameterError(problem)
            element = Parameter(self.name, float, 0.0, self.description, minimum=self.minimum,
                                maximum=self.maximum, exclusive_minimum=self.exclusive_minimum,
                                exclusive_maximum=self.exclusive_maximum)  # fmt: skip
            try:
                return [element.check(v) for v in value]
            except ParameterError:
                raise ParameterError(problem) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(problem)
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise ParameterError(problem) from None
        if not math.isfinite(number):  # NaN or infinite
            raise ParameterError(problem)
        if self.type is int:
            if not number.is_integer():
                raise ParameterError(problem)
            value = int(value)
        else:
            value = number + 0.0  # -0.0 is 0
        if self.minimum is not None and (value < self.minimum or (self.exclusive_minimum and value == self.minimum)):
            raise ParameterError(problem)
        if self.maximum is not None and (value > self.maximum or (self.exclusive_maximum and value == self.maximum)):
            raise ParameterError(problem)
        return value


@dataclass(frozen=True)
class Budget:
    """How much work the chapter can serve: a product of parameters that sizes its time and memory.

    ``size`` computes it from the parameters; beyond ``limit`` the chapter is refused before it runs
    (measured on a 2-core machine: at the limit it runs in ``cost``).
    """

    what: str
    formula: str
    limit: float
    cost: str
    size: Callable[[Mapping[str, Any]], float]


@dataclass(frozen=True)
class Chapter:
    """A chapter: its notebook and its parameters.

    ``ordered_pairs`` must satisfy low <= high, ``strict_pairs`` low < high; each of ``budgets``
    bounds the work the parameters ask of the chapter together.
    """

    name: str
    notebook: str
    title: str
    parameters: tuple[Parameter, ...]
    ordered_pairs: tuple[tuple[str, str], ...] = ()
    strict_pairs: tuple[tuple[str, str], ...] = ()
    budgets: tuple[Budget, ...] = ()
    increasing: tuple[str, ...] = ()
    same_length: tuple[tuple[str, str], ...] = ()
    sources: tuple[str, ...] = ()

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.parameters}


EDITION = Parameter(
    "edition",
    str,
    "default",
    "name of the edition (a scenario preset or a run) shown in every caption",
)


def _share(
    name: str, default: float, description: str, fact_id: str, fact_field: Literal["value", "low", "high"]
) -> Parameter:
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
        fact_field=fact_field,
    )


_SALES_CYCLE_ENDS: tuple[tuple[Literal["low", "high"], float, str], ...] = (
    ("low", 3.0, "shortest"),
    ("high", 12.0, "longest"),
)
# The enterprise sales cycle: one fact, used by two chapters (the CAC payback and the enterprise licence).
SALES_CYCLE = tuple(
    Parameter(
        f"enterprise_sales_cycle_months_{field}",
        float,
        default,
        f"{word} enterprise sales cycle, before an account pays",
        unit="months",
        minimum=0,
        maximum=60,
        fact_id="enterprise_sales_cycle_months",
        fact_field=field,
    )
    for field, default, word in _SALES_CYCLE_ENDS
)


BUSINESS_MODELS = Chapter(
    name="business_models",
    notebook="book/business_models.ipynb",
    title="How generative-AI companies make money",
    sources=("genai_business_models_2026", "foundation_model_economics_2025"),
    parameters=(
        EDITION,
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
            explorer=(0.0, 0.2, 0.05),
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
        *SALES_CYCLE,
        Parameter(
            "cac_multiplier",
            float,
            1.0,
            "stress test: every model's customer acquisition cost is multiplied by this",
            minimum=0.1,
            maximum=10,
            explorer=(0.5, 2.0, 0.25),
        ),
        Parameter(
            "churn_multiplier",
            float,
            1.0,
            "stress test: every model's churn is multiplied by this (capped so churn stays below 100%)",
            minimum=0.1,
            maximum=5,
            explorer=(0.5, 2.0, 0.25),
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


def _scale(name: str, what: str, step: float) -> Parameter:
    """A survival input's scale (0.5-1.5, default 1): it multiplies the input's median and 90% interval; the
    explorer's slider moves over the same range in ``step``s."""
    return Parameter(name, float, 1.0, f"multiplies {what} (its median and its 90% interval)", minimum=0.5,
                     maximum=1.5, explorer=(0.5, 1.5, step))  # fmt: skip


def _number(
    name: str, type_: type, default: Any, description: str, unit: str, fact_id: str | None,
    minimum: float | None = 0, maximum: float | None = None, exclusive_minimum: bool = False,
    explorer: tuple[float, float, float] | None = None,
) -> Parameter:  # fmt: skip
    return Parameter(name, type_, default, description, unit=unit, minimum=minimum, maximum=maximum,
                     exclusive_minimum=exclusive_minimum, fact_id=fact_id,
                     fact_field="value" if fact_id else None, explorer=explorer)  # fmt: skip


# Both simulations (the pricing population and the survival Monte Carlo) start from the same seed.
SEED = _number("seed", int, 2026, "seed of the random number generator", "", "pricing_seed", maximum=2**32 - 1)

PRICING = Chapter(
    name="pricing",
    notebook="book/pricing.ipynb",
    title="Pricing strategies and their tradeoffs",
    sources=("genai_business_models_2026", "foundation_model_economics_2025"),
    parameters=(
        EDITION,
        _number(
            "n_users",
            int,
            100_000,
            "number of simulated users",
            "people",
            "pricing_users_simulated",
            minimum=1,
            maximum=2_000_000,
        ),
        _number("n_months", int, 24, "number of simulated months", "months", None, minimum=1, maximum=120),
        SEED,
        _number(
            "spread_seeds",
            int,
            20,
            "seeds over which each headline figure's spread is measured",
            "seeds",
            None,
            minimum=2,
            maximum=200,
        ),
        _number(
            "spread_n_users",
            int,
            20_000,
            "simulated users per seed in the spread over seeds",
            "people",
            None,
            minimum=100,
            maximum=2_000_000,
        ),
        _number(
            "median_generations_per_month",
            float,
            30.0,
            "median user's typical monthly generations",
            "generations per month",
            "pricing_median_generations_per_month",
            exclusive_minimum=True,
            maximum=1e6,
        ),
        _number(
            "usage_spread",
            float,
            1.2,
            "log-normal sigma of typical use across users",
            "",
            "pricing_usage_spread",
            maximum=5,
        ),
        _number(
            "monthly_shock_spread",
            float,
            0.4,
            "log-normal sigma of a user's month-to-month swing",
            "",
            "pricing_monthly_shock_spread",
            maximum=5,
        ),
        _number(
            "market_shock_spread",
            float,
            0.15,
            "log-normal sigma of the market-wide monthly swing",
            "",
            "pricing_market_shock_spread",
            maximum=5,
        ),
        _number(
            "median_value_per_generation_usd",
            float,
            1.5,
            "median value of a generation to a user",
            "USD per generation",
            "pricing_median_value_per_generation_usd",
            exclusive_minimum=True,
            maximum=1e4,
        ),
        _number(
            "value_spread",
            float,
            0.8,
            "log-normal sigma of the value of a generation across users",
            "",
            "pricing_value_spread",
            maximum=5,
        ),
        _number(
            "cost_per_generation_usd",
            float,
            0.40,
            "what the platform pays per generation (the credit example's API fees; an assumption)",
            "USD per generation",
            "pricing_cost_per_generation_usd",
            maximum=1e4,
            explorer=(0.0, 0.5, 0.05),
        ),
        _number(
            "credit_price_per_generation_usd",
            float,
            1.00,
            "credit price of one generation",
            "USD per generation",
            "credit_example_price_usd",
            exclusive_minimum=True,
            maximum=1e4,
        ),
        Parameter(
            "tier_prices_usd",
            list,
            [20.0, 60.0, 200.0],
            "monthly price of each subscription tier",
            unit="USD per month",
            minimum=0,
            exclusive_minimum=True,
            maximum=1e6,
            fact_id=("tier_1_price_usd", "tier_2_price_usd", "tier_3_price_usd"),
            fact_field="value",
        ),
        Parameter(
            "tier_caps",
            list,
            [25.0, 75.0, 250.0],
            "monthly generation cap of each subscription tier",
            unit="generations per month",
            minimum=0,
            exclusive_minimum=True,
            maximum=1e9,
            fact_id=("tier_1_cap", "tier_2_cap", "tier_3_cap"),
            fact_field="value",
        ),
        _number(
            "free_cap",
            float,
            5.0,
            "freemium: generations a month on the free tier",
            "generations per month",
            "freemium_free_cap",
            maximum=1e9,
            explorer=(0.0, 20.0, 5.0),
        ),
        _number(
            "freemium_paid_price_usd",
            float,
            20.0,
            "freemium: price of the paid plan",
            "USD per month",
            "freemium_paid_price_usd",
            exclusive_minimum=True,
            maximum=1e6,
        ),
        _number(
            "freemium_paid_cap",
            float,
            75.0,
            "freemium: generation cap of the paid plan",
            "generations per month",
            "freemium_paid_cap",
            exclusive_minimum=True,
            maximum=1e9,
        ),
        Parameter(
            "conversion_rate",
            float,
            0.035,
            "freemium: share of users who pay (reported 2-5%; midpoint)",
            unit="share",
            minimum=0,
            maximum=1,
            fact_id="freemium_conversion_rate",
            fact_field="value",
            explorer=(0.01, 0.1, 0.005),
        ),
        _number(
            "enterprise_contract_usd_per_year",
            float,
            1_000_000.0,
            "enterprise: annual contract per account",
            "USD per year",
            "enterprise_contract_usd_per_year",
            exclusive_minimum=True,
            maximum=1e10,
        ),
        _number(
            "enterprise_users_per_account",
            int,
            500,
            "enterprise: users per account",
            "people",
            "enterprise_users_per_account",
            minimum=1,
            maximum=1_000_000,
        ),
        *SALES_CYCLE,
        _number(
            "api_list_price_usd",
            float,
            0.70,
            "API: list price per generation",
            "USD per generation",
            "api_list_price_usd",
            exclusive_minimum=True,
            maximum=1e4,
        ),
        Parameter(
            "api_volume_thresholds",
            list,
            [100.0, 1000.0],
            "API: monthly generations that earn each discount",
            unit="generations per month",
            minimum=0,
            exclusive_minimum=True,
            maximum=1e12,
            fact_id=("api_volume_threshold_1", "api_volume_threshold_2"),
            fact_field="value",
        ),
        Parameter(
            "api_volume_discounts",
            list,
            [0.10, 0.25],
            "API: discount at each volume threshold",
            unit="share",
            minimum=0,
            maximum=1,
            exclusive_minimum=True,
            exclusive_maximum=True,
            fact_id=("api_volume_discount_1", "api_volume_discount_2"),
            fact_field="value",
        ),
        Parameter(
            "usage_price_decline_per_year",
            float,
            0.35,
            "annual decline of usage prices, credits and the API's list price (the book's central rate; below 100%, "
            "a usage price is never free)",
            unit="share per year",
            minimum=0,
            maximum=1,
            exclusive_maximum=True,
            fact_id="lab_api_price_decline_per_year",
            fact_field="value",
            explorer=(0.2, 0.5, 0.05),
        ),
        _number(
            "serving_cost_decline_per_year",
            float,
            0.35,
            "annual decline of the cost per generation (the book's central serving-cost decline)",
            "share per year",
            "lab_serving_cost_decline_per_year",
            maximum=1,
            explorer=(0.2, 0.5, 0.05),
        ),
        _number(
            "deflation_years",
            int,
            3,
            "years of price and cost decline projected",
            "years",
            "deflation_years",
            maximum=30,
        ),
    ),
    ordered_pairs=(("enterprise_sales_cycle_months_low", "enterprise_sales_cycle_months_high"),),
    strict_pairs=(("free_cap", "freemium_paid_cap"),),
    budgets=(
        Budget(
            "simulated user-months",
            "n_users x n_months",
            4_800_000,
            "about 20 s and 1.5 GB",
            lambda v: v["n_users"] * v["n_months"],
        ),
        Budget(
            "user-months per seed of the spread",
            "spread_n_users x n_months",
            4_800_000,
            "about 1.5 GB",
            lambda v: v["spread_n_users"] * v["n_months"],
        ),
        Budget(
            "user-months of the spread over seeds",
            "spread_seeds x spread_n_users x n_months",
            48_000_000,
            "about 20 s",
            lambda v: v["spread_seeds"] * v["spread_n_users"] * v["n_months"],
        ),
    ),  # fmt: skip
    increasing=("tier_prices_usd", "tier_caps", "api_volume_thresholds", "api_volume_discounts"),
    same_length=(("tier_prices_usd", "tier_caps"), ("api_volume_thresholds", "api_volume_discounts")),
)

SURVIVAL = Chapter(
    name="survival",
    notebook="book/survival.ipynb",
    title="Can the labs survive?",
    sources=(
        "foundation_model_economics_2025",
        "ai_labs_profit_2026",
        "openai_api_arr_2026",
        "genai_business_models_2026",
    ),
    parameters=(
        EDITION,
        Parameter(
            "archetype",
            str,
            "frontier_leader",
            "which lab archetype the chapter follows",
            choices=("frontier_leader", "enterprise_challenger", "subscale_lab", "bigtech_lab"),
        ),
        Parameter(
            "outlook",
            str,
            "base",
            "which outlook's input ranges to use: the sources' base, optimistic or pessimistic view of the lab",
            choices=("base", "optimistic", "pessimistic"),
        ),
        _number("start_year", int, 2025, "first year of the projection", "year", None, minimum=2025, maximum=2050),
        _number("end_year", int, 2032, "last year of the projection", "year", None, minimum=2025, maximum=2060),
        # Fewer than 1,000 draws leave a standard error above 1.6 points on the headline probabilities;
        # 200,000 is what the chapter serves in about 30 s and 1.2 GB (it keeps every draw for its downloads).
        _number("n_draws", int, 20_000, "Monte Carlo draws", "draws", None, minimum=1_000, maximum=200_000),
        SEED,
        Parameter(
            "price_cost_correlation",
            float,
            0.8,
            "correlation of the API price decline and the serving-cost decline",
            minimum=-1,
            maximum=1,
            fact_id="lab_price_cost_correlation",
            fact_field="value",
        ),
        _number(
            "headline_year",
            int,
            2030,
            "year at which headline probabilities are quoted",
            "year",
            None,
            minimum=2025,
            maximum=2060,
        ),
        _scale("growth_initial_scale", "the archetype's first-year revenue growth", 0.25),
        _scale("training_growth_scale", "the archetype's training-spend growth", 0.25),
        _scale("api_price_elasticity_scale", "the price elasticity of API volume", 0.5),
    ),
    ordered_pairs=(("start_year", "end_year"), ("start_year", "headline_year"), ("headline_year", "end_year")),
    budgets=(
        Budget(
            "draw-years",
            "n_draws x (end_year - start_year + 1)",
            1_600_000,
            "about 30 s and 1.2 GB",
            lambda v: v["n_draws"] * (v["end_year"] - v["start_year"] + 1),
        ),
    ),  # fmt: skip
)

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

"""The chapters' in-page explorers: grids computed by the models, shipped as Vega-Lite data with sliders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.data import Dataset
from analysis.parameters import get_chapter
from analysis.present import charts


@dataclass(frozen=True)
class Explorer:
    """An explorer's chart and what its caption states: grid points and the sliders' ranges."""

    chart: Any
    points: int
    grid_text: str


def explorer_sliders(
    chapter: str, names: Sequence[str], params: Mapping[str, Any]
) -> list[tuple[str, str, tuple[float, ...], float]]:
    """``(param_name, column, grid, start)`` per slider, from the parameters' declared explorer ranges; the
    start is this edition's value (the nearest grid point)."""
    sliders = []
    for name in names:
        grid = get_chapter(chapter).parameter(name).explorer_values()
        start = min(grid, key=lambda v: abs(v - float(params[name])))
        sliders.append((name, name, grid, start))
    return sliders


def _command(chapter: str, sliders: Sequence[tuple[str, str, tuple[float, ...], float]], digits: int = 2) -> str:
    """A Vega expression: the re-run command for the sliders' values."""
    parts = " + ".join(f"' \\\\\\n    -p {name}=' + format({name}, '.{digits}~f')" for name, _, _, _ in sliders)
    return f"'python -m analysis run {chapter}' + {parts} + ' \\\\\\n    --name explore'"


def _grid_text(sliders: Sequence[tuple[str, str, tuple[float, ...], float]]) -> str:
    def one(name: str, g: tuple[float, ...]) -> str:
        return (
            f"`{name}` from {g[0]:g} to {g[-1]:g} in steps of {g[1] - g[0]:g}" if len(g) > 1 else f"`{name}` {g[0]:g}"
        )

    return "; ".join(one(name, g) for name, _, g, _ in sliders)


# The d3 formats an explorer's readout may take for a key figure, by the unit the key-figure registry gives it.
READOUT_FORMATS = {"share": (".0%", ".1%", ".2%", ".3%")}


def readout_format(registry: pd.DataFrame, key: str, value: float | None, text: str) -> str:
    """The d3 format with which an explorer prints key figure ``key``, so that at the default position its
    readout is the chapter's own text for the figure.

    ``registry`` is the key-figure registry (``data/key_figures.csv``, ``dataset["key_figures"]``): the unit
    it gives ``key`` decides the kind of format (:data:`READOUT_FORMATS`: a share is a percentage); the
    decimals are those with which the chapter printed ``value`` as ``text`` (a simulated figure shows only
    the decimals its spread supports). The format is checked to print ``value`` as ``text``; a value that is
    not a number (a margin without revenue) has no decimals to match and takes the unit's first format.

    Examples
    --------
    >>> registry = pd.DataFrame({"unit": ["share"]}, index=pd.Index(["pr_x"], name="id"))
    >>> readout_format(registry, "pr_x", 0.25257, "25%"), readout_format(registry, "pr_x", 0.25257, "25.3%")
    ('.0%', '.1%')
    """
    if key not in registry.index:
        raise ValueError(f"key figure {key!r} is not in the key-figure registry (data/key_figures.csv)")
    unit = str(registry.at[key, "unit"])
    if unit not in READOUT_FORMATS:
        raise ValueError(
            f"key figure {key!r} has unit {unit!r} in data/key_figures.csv, for which no explorer readout is "
            f"defined; allowed units: {', '.join(READOUT_FORMATS)}"
        )
    # A key figure that is not a number (a margin without revenue) is recorded as None.
    if value is None or not np.isfinite(value):
        return READOUT_FORMATS[unit][0]
    for d3_format in READOUT_FORMATS[unit]:
        if charts.format_d3(value, d3_format) == text:
            return d3_format
    raise ValueError(
        f"key figure {key!r} = {value!r} is printed {text!r}, which none of the {unit} readout formats "
        f"({', '.join(READOUT_FORMATS[unit])}) gives: the readout could not match the chapter's text"
    )


def survival_explorer(dataset: Dataset, params: Mapping[str, Any], readout_formats: Mapping[str, str]) -> Explorer:
    """The survival chapter's explorer: both headline probabilities by year over the three scaled inputs.

    ``readout_formats`` gives the d3 format of each probability's readout (keys ``p_breakeven_by_year`` and
    ``p_cash_lasts``), from its key figure with :func:`readout_format`.
    """
    from analysis.models import survival as sv

    names = [f"{name}_scale" for name in sv.EXPLORER_INPUTS]
    sliders = explorer_sliders("survival", names, params)
    grid = sv.explorer_grid(
        dataset, params["archetype"], params["outlook"],
        {name.removesuffix("_scale"): g for name, _, g, _ in sliders},
        params["n_draws"], params["seed"], params["price_cost_correlation"], params["start_year"], params["end_year"],
    )  # fmt: skip
    lines = {"p_breakeven_by_year": "P(sustained break-even)", "p_cash_lasts": "P(cash lasts, no new capital)"}
    wide = grid.rename(columns=lines)
    labels = {
        "growth_initial_scale": "First-year revenue growth ×",
        "training_growth_scale": "Training-spend growth ×",
        "api_price_elasticity_scale": "API price elasticity ×",
    }
    chart = charts.chart_explorer_lines(
        wide, "year", list(lines.values()), sliders, labels,
        description="Explorer: probability of sustained break-even and of cash lasting without new capital, by year, "
        "for the chapter's lab with three of its inputs scaled by the sliders; dashed lines are the chapter's case.",
        x_title="Year", y_title="Probability", readout_at=params["headline_year"],
        command=_command("survival", sliders), y_format=readout_formats["p_breakeven_by_year"],
        readout_formats={label: readout_formats[column] for column, label in lines.items()},
    )  # fmt: skip
    return Explorer(chart, len(grid) // grid["year"].nunique(), _grid_text(sliders))


def business_models_explorer(dataset: Dataset, params: Mapping[str, Any]) -> Explorer:
    """The business-model chapter's explorer: LTV/CAC of the seven models and the four claims' verdicts."""
    from analysis.models import business_models as bm

    sliders_names = ["cac_multiplier", "churn_multiplier", "annual_discount_rate"]
    sliders = explorer_sliders("business_models", sliders_names, params)
    grids = {name: g for name, _, g, _ in sliders}
    models, claims = bm.explorer_grid(dataset, grids["cac_multiplier"], grids["churn_multiplier"],
                                      grids["annual_discount_rate"])  # fmt: skip
    starts = {name: start for name, _, _, start in sliders}
    at_start = claims
    for name, start in starts.items():
        at_start = at_start[(at_start[name] - start).abs() < 1e-9]
    chapter = dict(zip(at_start["claim_id"], at_start["agrees"], strict=True))
    names = dict(zip(dataset["business_models"].index, dataset["business_models"]["name"], strict=True))
    short = {row.Index: f"{names[row.favoured_model_id]} > {names[row.other_model_id]}"
             for row in dataset["ltv_cac_claims"].itertuples()}  # fmt: skip

    def verdict(agrees: bool) -> str:
        return "agrees" if agrees else "disagrees"

    def verdicts(group: pd.DataFrame) -> str:
        return " · ".join(
            f"{short[c]}: {verdict(a)}" + ("" if a == chapter[c] else f" (chapter: {verdict(chapter[c])})")
            for c, a in zip(group["claim_id"], group["agrees"], strict=True)
        )

    notes = claims.groupby(sliders_names, sort=False).apply(verdicts, include_groups=False).rename("note").reset_index()
    labels = {"cac_multiplier": "Acquisition cost ×", "churn_multiplier": "Churn ×",
              "annual_discount_rate": "Discount rate"}  # fmt: skip
    chart = charts.chart_explorer_intervals(
        models, notes, "business_model", "ltv_to_cac", "ltv_to_cac_low", "ltv_to_cac_high", sliders, labels,
        description="Explorer: base-case LTV/CAC of the seven business models with its interval, under the "
        "sliders' acquisition cost, churn and discount rate; grey ticks are the chapter's values; the four claims' "
        "verdicts below.",
        x_title="LTV/CAC (symmetric log scale)", note="note", command=_command("business_models", sliders),
    )  # fmt: skip
    return Explorer(chart, len(notes), _grid_text(sliders))


def pricing_explorer(
    population: Any, params: Mapping[str, Any], band: tuple[float, float], breakeven_format: str
) -> Explorer:  # fmt: skip
    """The pricing chapter's explorer: freemium break-even conversion by free tier and cost, against the
    reader's conversion rate and the typical band. ``breakeven_format`` is the d3 format of the break-even's
    readout, from its key figure with :func:`readout_format`."""
    from analysis.models import pricing as pr

    sliders = explorer_sliders("pricing", ["free_cap", "cost_per_generation_usd", "conversion_rate"], params)
    caps, costs = sliders[0][2], sliders[1][2]
    grid = pr.freemium_breakeven_grid(population, caps, costs, params["freemium_paid_price_usd"],
                                      params["freemium_paid_cap"])  # fmt: skip
    grid = grid.rename(columns={"free_cap": "free_cap", "cost_per_generation_usd": "cost_per_generation_usd"})
    start = grid[(grid["free_cap"] - sliders[0][3]).abs().lt(1e-9)
                 & (grid["cost_per_generation_usd"] - sliders[1][3]).abs().lt(1e-9)]  # fmt: skip
    chapter_value = float(start["breakeven_conversion"].iloc[0])
    chapter_text = charts.format_d3(chapter_value, breakeven_format) if np.isfinite(chapter_value) else "never"
    # A break-even no conversion reaches is infinite in the grid and null in the chart's data: it reads 'never' and
    # does not pay (in Vega, null <= x is true).
    reached = "isValid(datum.breakeven_conversion)"
    readout = (
        f"'Break-even conversion: ' + ({reached} ? format(datum.breakeven_conversion, '{breakeven_format}') : "
        f"'never') + ' (chapter {chapter_text})' + '   ' + "
        "'At ' + format(conversion_rate, '.1%') + "
        f"' conversion the free tier ' + ({reached} && datum.breakeven_conversion <= conversion_rate ? 'pays' : "
        "'does not pay')"
    )
    labels = {"free_cap": "Free generations a month", "cost_per_generation_usd": "Cost per generation $",
              "conversion_rate": "Your conversion rate"}  # fmt: skip
    chart = charts.chart_explorer_breakeven(
        grid, "cost_per_generation_usd", "breakeven_conversion", sliders[0], sliders[1], sliders[2], labels, band,
        description="Explorer: the conversion rate at which freemium breaks even, against the cost of a generation, "
        "for the free tier the slider sets; the dashed line is the reader's conversion rate, the band the typical "
        "2-5%.",
        x_title="Cost per generation (USD)", y_title="Break-even conversion", readout=readout,
        command=_command("pricing", sliders, digits=3),
    )  # fmt: skip
    return Explorer(chart, len(grid), _grid_text(sliders))


def deflation_explorer(
    population: Any,
    settings: Any,
    params: Mapping[str, Any],
    now: pd.DataFrame,
    names: Mapping[str, str],
    registry: pd.DataFrame,
    figures: Sequence[Mapping[str, Any]],
    totals: Any = None,
) -> Explorer:
    """The pricing chapter's second explorer: each strategy's gross margin after the chapter's years of decline,
    under the usage-price and serving-cost declines the sliders set.

    Every position is :func:`analysis.models.pricing.project_deflation` on the chapter's population (``now`` is its
    comparison table); ``figures`` are the chapter's ``pr_margin_later_<strategy>`` key figures
    (:func:`analysis.models.pricing.question_figures`), whose text each margin's readout takes (:func:`readout_format`);
    ``totals`` may pass the chapter's :class:`analysis.models.pricing.StrategyTotals` of the population, to share
    its sums.
    """
    from analysis.models import pricing as pr

    sliders = explorer_sliders("pricing", ["usage_price_decline_per_year", "serving_cost_decline_per_year"], params)
    years = int(params["deflation_years"])
    grid = pr.deflation_explorer_grid(population, settings, years, sliders[0][2], sliders[1][2], now, totals)
    recorded = {f["key"]: f for f in figures}
    strategies = list(dict.fromkeys(grid["strategy"]))
    missing = [s for s in strategies if f"pr_margin_later_{s}" not in recorded]
    if missing:
        raise ValueError(f"figures has no pr_margin_later_ key figure for {missing}: pass pricing.question_figures")
    formats = {}
    for strategy in strategies:
        figure = recorded[f"pr_margin_later_{strategy}"]
        formats[strategy] = readout_format(registry, figure["key"], figure["value"], figure["text"])
    columns = [name for name, _, _, _ in sliders]
    at_start = grid
    for name, _, _, start in sliders:
        at_start = at_start[(at_start[name] - start).abs() < 1e-9]
    chapter = dict(zip(at_start["strategy"], at_start["gross_margin_later"], strict=True))

    def readout(group: pd.DataFrame) -> str:
        return " · ".join(
            f"{names.get(s, s)}: {charts.format_d3(m, formats[s])} (chapter {charts.format_d3(chapter[s], formats[s])})"
            for s, m in zip(group["strategy"], group["gross_margin_later"], strict=True)
        )

    notes = grid.groupby(columns, sort=False).apply(readout, include_groups=False).rename("note").reset_index()
    frame = grid.assign(strategy_name=grid["strategy"].map(lambda s: names.get(s, s)))[
        ["strategy_name", "gross_margin_later", *columns]
    ]
    labels = {"usage_price_decline_per_year": "Usage prices fall, a year",
              "serving_cost_decline_per_year": "Serving cost falls, a year"}  # fmt: skip
    chart = charts.chart_explorer_bars(
        frame, notes, "strategy_name", "gross_margin_later", sliders, labels,
        description=f"Explorer: each pricing strategy's gross margin after {years} years of usage prices and the "
        "cost per generation falling at the sliders' rates; grey ticks are the chapter's central case; each "
        "margin written out below.",
        x_title=f"Gross margin after {years} years", x_format=".0%", note="note",
        command=_command("pricing", sliders),
    )  # fmt: skip
    return Explorer(chart, len(notes), _grid_text(sliders))

"""Figures the Questions page answers from, and the explorer's grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.data import Dataset
from analysis.formats import fmt_share_bounded, with_article
from analysis.models.survival.inputs import (
    ARCHETYPES,
    SCENARIOS,
    SurvivalInputError,
    lab_input_table,
    scaled_input_table,
)
from analysis.models.survival.montecarlo import simulate_probabilities
from analysis.models.survival.projection import Projection

# --- figures the Questions page answers from ---------------------------------------------------


def archetype_scenario_probabilities(
    dataset: Dataset,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    headline_year: int,
) -> pd.DataFrame:
    """P(sustained break-even by) and P(cash lasts through) ``headline_year`` for every archetype under every
    scenario, each from its own Monte Carlo with the same seed, with standard errors."""
    labs = [(archetype, scenario) for archetype in ARCHETYPES for scenario in SCENARIOS]
    tables = [lab_input_table(dataset, archetype, scenario) for archetype, scenario in labs]
    # One run for the twelve: an archetype's scenarios scale its ranges, so they share their scores.
    by_year = simulate_probabilities(tables, n_draws, seed, price_cost_correlation, start_year, end_year)
    rows = []
    for (archetype, scenario), probabilities in zip(labs, by_year, strict=True):
        row = probabilities.set_index("year").loc[headline_year]
        rows.append(
            {"archetype": archetype, "scenario": scenario, "p_breakeven_by_year": float(row["p_breakeven_by_year"]),
             "se_breakeven": float(row["se_breakeven"]), "p_cash_lasts": float(row["p_cash_lasts"]),
             "se_cash_lasts": float(row["se_cash_lasts"])}
        )  # fmt: skip
    return pd.DataFrame(rows)


COST_LINES = {"inference_cost": "inference", "training": "training", "talent": "talent", "data": "data",
              "infrastructure": "infrastructure", "other": "other operating"}  # fmt: skip


def question_figures(
    base: Projection,
    by_archetype: pd.DataFrame,
    headline_year: int,
    archetype_names: Mapping[str, str],
    decimals: int = 0,
) -> list[dict[str, object]]:
    """Key figures the Questions page answers from (see ``ChapterContext.record_key_figures``).

    From the base projection: the first year's operating cash flow, training's share of that year's costs,
    the cost lines growing faster than revenue in the second year, and the first profitable year; from
    ``by_archetype`` (:func:`archetype_scenario_probabilities`), each archetype's probabilities under each
    scenario, printed with ``decimals`` (the chapter's budget decides them).
    """
    years = base.years
    revenue = base.revenue[0]
    costs = {label: getattr(base, line)[0] for line, label in COST_LINES.items()}
    total = sum(costs.values())
    training_share = float(costs["training"][0] / total[0])
    figures: list[dict[str, object]] = [
        {"key": "sv_ocf_first_year", "value": float(base.operating_cash_flow[0, 0]), "unit": "usd_bn",
         "text": f"${base.operating_cash_flow[0, 0]:.1f}B".replace("$-", "-$"),
         "sentence": f"In the base case the lab's operating cash flow in {years[0]} is "
                     f"${base.operating_cash_flow[0, 0]:.1f}B.".replace("$-", "-$")},
        {"key": "sv_training_share_start", "value": training_share, "unit": "share", "text": f"{training_share:.0%}",
         "sentence": f"Training is {training_share:.0%} of the lab's costs in {years[0]} in the base case."},
    ]  # fmt: skip
    if years.size > 1:
        revenue_growth = revenue[1] / revenue[0] - 1
        # A tolerance, so that a cost that is a share of revenue does not "outgrow" it by a rounding error.
        faster = [
            label for label, line in costs.items() if line[0] > 0 and line[1] / line[0] - 1 > revenue_growth + 1e-9
        ]
        figures.append(
            {"key": "sv_costs_outgrowing_revenue", "value": float(len(faster)), "unit": "count",
             "text": ", ".join(faster) if faster else "none",
             "sentence": f"In {years[1]} the base case's {', '.join(faster) if faster else 'no'} cost "
                         f"line{'s' if len(faster) != 1 else ''} grow{'' if len(faster) != 1 else 's'} faster than "
                         f"revenue ({revenue_growth:.0%})."}
        )  # fmt: skip
    first = base.first_profitable_year()[0]
    figures.append(
        {"key": "sv_first_profitable_base", "value": float(first) if np.isfinite(first) else None, "unit": "year",
         "text": f"{first:.0f}" if np.isfinite(first) else f"not by {years[-1]}",
         "sentence": f"In the base case the lab's first profitable year is "
                     f"{f'{first:.0f}' if np.isfinite(first) else f'not reached by {years[-1]}'}."}
    )  # fmt: skip
    for row in by_archetype.itertuples(index=False):
        for measure, key, words in (
            ("p_cash_lasts", "cash", f"'s cash lasts through {headline_year} without new capital"),
            ("p_breakeven_by_year", "be", f" reaches sustained break-even by {headline_year}"),
        ):
            value = float(getattr(row, measure))
            text = fmt_share_bounded(value, decimals)  # a probability of zero is '0%', not '<1%'
            figures.append(
                {"key": f"sv_p_{key}_{row.archetype}_{row.scenario}", "value": value, "unit": "share", "text": text,
                 "sentence": f"The probability that {with_article(archetype_names[row.archetype])}{words} under the "
                             f"{row.scenario} scenario is {text}."}
            )  # fmt: skip
    return figures


# --- the explorer: headline probabilities over a grid of the inputs that decide them ---------------

EXPLORER_INPUTS = ("growth_initial", "training_growth", "api_price_elasticity")


def explorer_grid(
    dataset: Dataset,
    archetype: str,
    scenario: str,
    scales: Mapping[str, Sequence[float]],
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
) -> pd.DataFrame:
    """P(sustained break-even by) and P(cash lasts through) each year at every point of a grid of input scales.

    Each point is the chapter's own Monte Carlo with the named inputs' ranges scaled (as a re-run with those
    scales would run it): the same seed gives every point the same normal scores (common random numbers), so
    neighbouring points differ by the assumption, not by noise, and the point where every scale is 1 is the
    chapter's published result exactly.
    """
    names = list(scales)
    if not names:
        raise SurvivalInputError("scales is empty: name at least one input and its grid of scales")
    grids = [np.asarray(scales[name], dtype=float) for name in names]
    for name, grid in zip(names, grids, strict=True):
        if grid.size == 0:
            raise SurvivalInputError(f"the grid of {name!r} is empty: give at least one scale")
    unscaled = lab_input_table(dataset, archetype, scenario)  # read from the dataset once, scaled at each point
    points = np.array(np.meshgrid(*grids, indexing="ij")).reshape(len(names), -1).T
    tables = [scaled_input_table(unscaled, archetype, dict(zip(names, p.tolist(), strict=True))) for p in points]
    # Every point in one run: the scaled tables draw the same scores, and the inputs no scale touches are drawn once.
    by_point = simulate_probabilities(tables, n_draws, seed, price_cost_correlation, start_year, end_year)
    n_years = end_year - start_year + 1
    columns = {key: np.concatenate([frame[key].to_numpy() for frame in by_point])
               for key in ("year", "p_breakeven_by_year", "p_cash_lasts")}  # fmt: skip
    for name, values in zip(names, points.T, strict=True):
        columns[f"{name}_scale"] = np.repeat(values, n_years)
    return pd.DataFrame(columns)

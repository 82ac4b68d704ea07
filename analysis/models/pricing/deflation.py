"""Price and cost deflation: the declines the sources imply and each strategy's margin after years of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.models.pricing.population import Population, check_positive, check_share
from analysis.models.pricing.settings import PricingSettings, run_all_strategies
from analysis.models.pricing.strategies import compare_strategies, summarise_totals
from analysis.models.pricing.totals import StrategyTotals


def implied_annual_decline(start_price: float, end_price: float, years: float) -> float:
    """Constant annual rate of decline taking ``start_price`` to ``end_price`` in ``years``.

    Examples
    --------
    The article's $0.04 generation in 2023 costing $0.004 in 2026: 1 - 0.1**(1/3) = 53.6% a year.

    >>> round(implied_annual_decline(0.04, 0.004, 3), 4)
    0.5358
    """
    check_positive("start_price", start_price)
    check_positive("end_price", end_price)
    check_positive("years", years)
    return float(1.0 - (end_price / start_price) ** (1.0 / years))


def decline_from_total_fall(total_fall: float, years: float) -> float:
    """Annual rate of decline implied by a total fall (0.8 = prices fell 80%) over ``years``.

    Examples
    --------
    >>> round(decline_from_total_fall(0.80, 3), 4), round(decline_from_total_fall(0.90, 3), 4)
    (0.4152, 0.5358)
    """
    check_share("total_fall", total_fall)
    return float(1.0 - (1.0 - total_fall) ** (1.0 / years))


def project_deflation(
    population: Population,
    settings: PricingSettings,
    years: int,
    price_decline_per_year: float,
    cost_decline_per_year: float,
    now: pd.DataFrame | None = None,
    totals: StrategyTotals | None = None,
) -> pd.DataFrame:
    """Each strategy now and after ``years`` of usage-price and serving-cost declines.

    Demand is held at today's level, so the change isolates price and cost; users who find the
    cheaper usage prices worth paying join (the participation rule is re-applied). ``now`` may
    pass today's :func:`compare_strategies` table of the same population and settings, to save
    recomputing it; ``totals`` a :class:`StrategyTotals` of the same population, to share its sums
    with other projections. The later columns are :func:`compare_strategies`' numbers on the
    deflated settings, to the bit (:class:`StrategyTotals` computes only the totals they need).
    """
    check_share("price_decline_per_year", price_decline_per_year)
    check_share("cost_decline_per_year", cost_decline_per_year)
    if years < 0:
        raise ValueError(f"years = {years!r} is not allowed: must be >= 0")
    if now is None:
        now = compare_strategies(run_all_strategies(population, settings))
    totals = StrategyTotals.of(population, totals)
    later = totals.summaries(_deflated(settings, years, price_decline_per_year, cost_decline_per_year))
    return pd.DataFrame(
        {
            "strategy": now["strategy"],
            "revenue_now": now["revenue_per_user_month_usd"],
            "revenue_later": later["revenue_per_user_month_usd"],
            "gross_margin_now": now["gross_margin"],
            "gross_margin_later": later["gross_margin"],
            "gross_profit_now": now["gross_profit_per_user_month_usd"],
            "gross_profit_later": later["gross_profit_per_user_month_usd"],
        }
    )


def _deflated(
    settings: PricingSettings, years: int, price_decline_per_year: float, cost_decline_per_year: float
) -> PricingSettings:  # fmt: skip
    """The settings after ``years`` of usage-price and serving-cost declines (:func:`project_deflation`)."""
    return settings.scaled((1 - price_decline_per_year) ** years, (1 - cost_decline_per_year) ** years)


@dataclass(frozen=True)
class DeflationCase:
    """One assumption about how fast usage prices and the cost per generation fall, a year each."""

    name: str
    usage_price_decline_per_year: float
    cost_decline_per_year: float


def deflation_cases(
    central_price_decline: float, article_price_decline: float, cost_decline: float
) -> list[DeflationCase]:  # fmt: skip
    """The three declines the chapter shows, central first.

    * ``central``: usage prices fall at the book's central rate, costs at this edition's rate;
    * ``article_pace``: usage prices keep the article's 2023-2026 pace, costs as in central;
    * ``pass_through``: costs fall exactly as fast as usage prices (the central rate), so a
      usage price's margin does not move.

    Examples
    --------
    >>> [c.name for c in deflation_cases(0.42, 0.536, 0.42)]
    ['central', 'article_pace', 'pass_through']
    """
    check_share("central_price_decline", central_price_decline)
    check_share("article_price_decline", article_price_decline)
    check_share("cost_decline", cost_decline)
    return [
        DeflationCase("central", central_price_decline, cost_decline),
        DeflationCase("article_pace", article_price_decline, cost_decline),
        DeflationCase("pass_through", central_price_decline, central_price_decline),
    ]


def project_deflation_cases(
    population: Population,
    settings: PricingSettings,
    years: int,
    cases: Sequence[DeflationCase],
    now: pd.DataFrame | None = None,
    totals: StrategyTotals | None = None,
) -> pd.DataFrame:
    """:func:`project_deflation` under each case, stacked, with the case's name and rates as columns.

    ``totals`` (:class:`StrategyTotals` of the population) shares the per-user sums between the cases and with
    the caller; one is made for the cases if none is given."""
    frames = []
    if now is None:
        now = compare_strategies(run_all_strategies(population, settings))
    totals = StrategyTotals.of(population, totals)
    for case in cases:
        frame = project_deflation(
            population, settings, years, case.usage_price_decline_per_year, case.cost_decline_per_year, now, totals
        )
        frames.append(frame.assign(case=case.name, usage_price_decline_per_year=case.usage_price_decline_per_year,
                                   cost_decline_per_year=case.cost_decline_per_year))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


GRID_COLUMNS = (
    "strategy", "gross_margin_now", "gross_margin_later", "usage_price_decline_per_year",
    "serving_cost_decline_per_year",
)  # fmt: skip


def deflation_explorer_grid(
    population: Population,
    settings: PricingSettings,
    years: int,
    usage_price_declines: Sequence[float],
    cost_declines: Sequence[float],
    now: pd.DataFrame | None = None,
    totals: StrategyTotals | None = None,
) -> pd.DataFrame:
    """:func:`project_deflation` at every (usage-price decline, serving-cost decline) pair, for the explorer.

    One row per pair and strategy, in the order of the declines given, with the columns
    ``usage_price_decline_per_year`` and ``serving_cost_decline_per_year`` (shares a year, named as the
    chapter's parameters) and the projection's ``gross_margin_now``/``gross_margin_later``. Every row is
    :func:`project_deflation`'s arithmetic, to the bit (so the pair of the chapter's rates reproduces its deflation
    table exactly); :class:`StrategyTotals` shares the per-user sums between the pairs (``totals`` may pass the
    caller's, of the same population, to share them further). ``now`` may pass today's :func:`compare_strategies`
    table, to save recomputing it.

    Examples
    --------
    >>> from analysis.models.pricing import PricingSettings, simulate_population
    >>> population = simulate_population(200, 6, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=1)
    >>> settings = PricingSettings(0.4, 1.0, (20.0, 60.0), (25.0, 75.0), 5.0, 20.0, 75.0, 0.035, 1e6, 500, 3.0,
    ...                            12.0, 0.7, (100.0,), (0.1,))
    >>> grid = deflation_explorer_grid(population, settings, 3, [0.2, 0.35], [0.35])
    >>> grid.shape, grid["usage_price_decline_per_year"].unique().tolist()
    ((10, 5), [0.2, 0.35])
    """
    if len(usage_price_declines) == 0 or len(cost_declines) == 0:
        raise ValueError("usage_price_declines and cost_declines must each hold at least one decline a year")
    if years < 0:
        raise ValueError(f"years = {years!r} is not allowed: must be >= 0")
    if now is None:
        now = compare_strategies(run_all_strategies(population, settings))
    totals = StrategyTotals.of(population, totals)
    n_user_months = int(population.demand.size)
    columns: dict[str, list[Any]] = {name: [] for name in GRID_COLUMNS}
    for price_decline in usage_price_declines:
        for cost_decline in cost_declines:
            check_share("price_decline_per_year", float(price_decline))
            check_share("cost_decline_per_year", float(cost_decline))
            later = totals.totals(_deflated(settings, years, float(price_decline), float(cost_decline)))
            for (strategy, (revenue, cost)), margin_now in zip(later.items(), now["gross_margin"], strict=True):
                margin_later = summarise_totals(revenue, cost, n_user_months)["gross_margin"]
                for name, value in zip(GRID_COLUMNS, (strategy, margin_now, margin_later, float(price_decline),
                                                       float(cost_decline)), strict=True):  # fmt: skip
                    columns[name].append(value)
    return pd.DataFrame(columns)

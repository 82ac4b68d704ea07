"""The chapter's headline figures, their spread over seeds, the structural alternatives and the uncertainty budget."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from analysis.models.pricing.deflation import DeflationCase, project_deflation, project_deflation_cases
from analysis.models.pricing.freemium_and_caps import freemium_breakeven_grid, sweep_tier_caps
from analysis.models.pricing.population import FloatArray, Population, check_positive
from analysis.models.pricing.settings import PricingSettings, run_all_strategies
from analysis.models.pricing.strategies import StrategyResult, at_cost, compare_strategies
from analysis.models.pricing.totals import StrategyTotals

HEADLINE_FIGURES = (
    "credit_margin",
    "best_margin",
    "swingiest_cv",
    "tiered_capped",
    "free_cost_share",
    "breakeven_default",
    "breakeven_alt_cost",
    "best_cap_tier_1",
    "credits_margin_later",
    "tiered_margin_later",
)


def compute_headline_figures(
    population: Population,
    settings: PricingSettings,
    deflation: DeflationCase,
    years: int,
    alt_cost_per_generation_usd: float,
    cap_multipliers: Sequence[float] | FloatArray,
    totals: StrategyTotals | None = None,
    results: Sequence[StrategyResult] | None = None,
) -> dict[str, float]:
    """The chapter's headline figures on one population (keys: :data:`HEADLINE_FIGURES`).

    ``breakeven_alt_cost`` is the freemium break-even conversion at ``alt_cost_per_generation_usd``
    (the article's 2026 price in the chapter); ``best_cap_tier_1`` the entry tier's
    profit-maximising cap over ``cap_multipliers``; the two ``*_later`` margins are after
    ``years`` of the ``deflation`` case. ``totals`` may pass a :class:`StrategyTotals` of the
    population, to share its sums with the caller's projections; ``results`` ``run_all_strategies(population,
    settings)`` where the caller has them (re-costed with :func:`at_cost`, say).
    """
    check_positive("alt_cost_per_generation_usd", alt_cost_per_generation_usd, allow_zero=True)
    if len(cap_multipliers) == 0:
        raise ValueError("cap_multipliers is empty: give at least one multiple of the entry tier's cap")
    results = run_all_strategies(population, settings) if results is None else results
    now = compare_strategies(results)
    totals = StrategyTotals.of(population, totals)
    totals.record(settings, results)  # the projection re-costs these flat plans rather than pricing them again
    grid = freemium_breakeven_grid(
        population,
        [settings.free_cap],
        [settings.cost_per_generation_usd, alt_cost_per_generation_usd],
        settings.freemium_paid_price_usd,
        settings.freemium_paid_cap,
    )
    sweep = sweep_tier_caps(
        population, settings.tier_prices_usd, settings.tier_caps, settings.cost_per_generation_usd,
        cap_multipliers, tiers=[1],
    )  # fmt: skip
    later = project_deflation(
        population, settings, years, deflation.usage_price_decline_per_year, deflation.cost_decline_per_year, now,
        totals,
    )  # fmt: skip
    return headline_from_parts(results, now, grid, sweep, later, settings, alt_cost_per_generation_usd)


def headline_from_parts(
    results: Sequence[StrategyResult],
    comparison: pd.DataFrame,
    breakeven_grid: pd.DataFrame,
    cap_sweep: pd.DataFrame,
    deflation: pd.DataFrame,
    settings: PricingSettings,
    alt_cost_per_generation_usd: float,
) -> dict[str, float]:
    """The headline figures (keys: :data:`HEADLINE_FIGURES`) read from results already computed.

    ``breakeven_grid`` must hold the free-tier cap of ``settings`` at its cost and at
    ``alt_cost_per_generation_usd``; ``cap_sweep`` must sweep tier 1; ``deflation`` is one case of
    :func:`project_deflation`. The chapter computes these for its tables and reads its key
    figures from them here, so the figures and the tables cannot disagree.
    """

    # Plain lookups rather than indexed frames: the seed spread calls this for every seed, and pandas' indexing cost
    # more than the arithmetic. The values read are the same cells.
    def by_strategy(frame: pd.DataFrame, column: str) -> dict[str, float]:
        return dict(zip(frame["strategy"], frame[column].to_numpy(dtype=float), strict=True))

    freemium = next(r for r in results if r.strategy == "freemium")
    freemium_cost = float(freemium.cost_usd.sum())
    at = {(float(f), float(c)): float(x) for f, c, x in zip(breakeven_grid["free_cap"],
          breakeven_grid["cost_per_generation_usd"], breakeven_grid["breakeven_conversion"], strict=True)}  # fmt: skip
    for cost in (settings.cost_per_generation_usd, alt_cost_per_generation_usd):
        if (float(settings.free_cap), float(cost)) not in at:
            raise ValueError(f"breakeven_grid has no row for free_cap = {settings.free_cap!r} and cost = {cost!r}")
    tier_1 = cap_sweep[cap_sweep["tier"] == 1]
    if tier_1.empty:
        raise ValueError("cap_sweep has no row for tier 1: sweep the entry tier's cap")
    later = by_strategy(deflation, "gross_margin_later")
    return {
        "credit_margin": by_strategy(comparison, "gross_margin")["credits"],
        "best_margin": float(comparison["gross_margin"].max()),
        "swingiest_cv": float(comparison["revenue_cv"].max()),
        "tiered_capped": by_strategy(comparison, "share_capped")["tiered_subscription"],
        "free_cost_share": freemium.free_cost_usd / freemium_cost if freemium_cost > 0 else float("nan"),
        "breakeven_default": at[(float(settings.free_cap), float(settings.cost_per_generation_usd))],
        "breakeven_alt_cost": at[(float(settings.free_cap), float(alt_cost_per_generation_usd))],
        "best_cap_tier_1": float(tier_1.loc[tier_1["gross_profit_per_user_month_usd"].idxmax(), "cap"]),
        "credits_margin_later": later["credits"],
        "tiered_margin_later": later["tiered_subscription"],
    }


def structural_alternatives(
    population: Population,
    settings: PricingSettings,
    cases: Sequence[DeflationCase],
    years: int,
    alt_cost_per_generation_usd: float,
    cap_multipliers: Sequence[float] | FloatArray,
    now: pd.DataFrame | None = None,
    projected: pd.DataFrame | None = None,
    totals: StrategyTotals | None = None,
    results: Sequence[StrategyResult] | None = None,
) -> dict[str, list[dict[str, float]]]:
    """The headline figures under each structural choice's alternatives, for :func:`uncertainty_budget`.

    ``"cost"``: every figure with the cost per generation at ``alt_cost_per_generation_usd``;
    ``"deflation"``: the two later margins under each case after the first (the others do not move).
    ``projected`` may pass :func:`project_deflation_cases`' table of these cases (the chapter has it), so they are
    not projected again; ``totals`` a :class:`StrategyTotals` of the population, to share its sums; ``results``
    ``run_all_strategies(population, settings)``, re-costed at the alternative cost instead of priced again.
    """
    from dataclasses import replace

    totals = StrategyTotals.of(population, totals)
    cheap = replace(settings, cost_per_generation_usd=alt_cost_per_generation_usd)
    cheap_results = None if results is None else [at_cost(r, alt_cost_per_generation_usd) for r in results]
    cost = compute_headline_figures(population, cheap, cases[0], years, alt_cost_per_generation_usd, cap_multipliers,
                                    totals, cheap_results)  # fmt: skip
    if projected is None:
        projected = project_deflation_cases(population, settings, years, cases[1:], now, totals)
    deflation = []
    for case in cases[1:]:
        later = projected[projected["case"] == case.name].set_index("strategy")
        rates = later[["usage_price_decline_per_year", "cost_decline_per_year"]].drop_duplicates()
        if len(rates) != 1 or rates.iloc[0].tolist() != [case.usage_price_decline_per_year, case.cost_decline_per_year]:
            raise ValueError(f"projected has no rows of case {case.name!r} at its rates: pass project_deflation_cases' "
                             "table of these cases")  # fmt: skip
        deflation.append(
            {
                "credits_margin_later": float(later.at["credits", "gross_margin_later"]),
                "tiered_margin_later": float(later.at["tiered_subscription", "gross_margin_later"]),
            }
        )
    return {"cost": [cost], "deflation": deflation}


def seed_spread(
    simulate: Callable[[int], Population], seeds: Sequence[int], **figure_args: Any
) -> pd.DataFrame:  # fmt: skip
    """:func:`compute_headline_figures` on one population per seed: one row per seed.

    ``simulate(seed)`` draws a population; ``figure_args`` are passed on. The 24 monthly
    market shocks are common to every user, so a larger population does not average them
    out: only other seeds show how much a figure owes to one draw of them.
    """
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds = {list(seeds)!r} is not allowed: need at least 2 distinct seeds for a spread")

    def row(seed: int) -> dict[str, float]:
        return {"seed": int(seed), **compute_headline_figures(simulate(int(seed)), **figure_args)}

    # Seeds are independent and numpy releases the GIL in its loops: two threads take about 70% of the time,
    # with the same rows in the same order.
    with ThreadPoolExecutor(max_workers=2) as pool:
        rows = list(pool.map(row, seeds))
    return pd.DataFrame(rows)


def uncertainty_budget(
    values: Mapping[str, float], per_seed: pd.DataFrame, alternatives: Mapping[str, Sequence[Mapping[str, float]]]
) -> pd.DataFrame:
    """Each headline figure with its spread over seeds and its swing under each structural choice.

    ``alternatives`` maps a choice (e.g. ``"cost per generation"``) to the figures recomputed
    under each alternative of that choice; a figure an alternative leaves out is unaffected.
    The swing of a choice is the largest absolute move from ``values`` over its alternatives;
    the seed uncertainty is two standard deviations over the seeds (about 95% of draws lie
    within it). ``dominant`` names the largest of these.

    Examples
    --------
    >>> seeds = pd.DataFrame({"x": [0.10, 0.12, 0.14]})
    >>> b = uncertainty_budget({"x": 0.12}, seeds, {"cost": [{"x": 0.30}]})
    >>> round(float(b.at[0, "seed_sd"]), 3), round(float(b.at[0, "swing_cost"]), 2), b.at[0, "dominant"]
    (0.02, 0.18, 'cost')
    """
    rows = []
    for figure, value in values.items():
        if figure not in per_seed:
            raise ValueError(f"figure {figure!r} has no seed spread: per_seed has {list(per_seed.columns)!r}")
        draws = per_seed[figure].to_numpy(dtype=float)
        sd = float(np.std(draws, ddof=1)) if np.isfinite(draws).all() else float("nan")
        row: dict[str, Any] = {"figure": figure, "value": float(value), "seed_sd": sd,
                               "seed_low": float(np.min(draws)), "seed_high": float(np.max(draws))}  # fmt: skip
        sizes = {"seeds": 2 * sd if np.isfinite(sd) else 0.0}
        for choice, cases in alternatives.items():
            moves = [abs(float(case[figure]) - float(value)) for case in cases if figure in case]
            finite = [m for m in moves if np.isfinite(m)]
            row[f"swing_{choice}"] = max(finite, default=0.0)
            sizes[choice] = row[f"swing_{choice}"]
        row["dominant"] = max(sizes, key=lambda k: sizes[k]) if max(sizes.values()) > 0 else "none"
        rows.append(row)
    return pd.DataFrame(rows)

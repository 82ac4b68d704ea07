"""The freemium break-even conversion and the tier-cap sweep."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.models.pricing.population import FloatArray, Population, check_increasing, check_positive
from analysis.models.pricing.strategies import choose_tiers


def freemium_breakeven_conversion(
    mean_free_generations: float, cost_per_generation_usd: float, paid_price_usd: float, mean_paid_generations: float
) -> float:
    """Conversion rate at which paid users' gross profit exactly covers free users' compute.

    With conversion ``x``: ``x * (price - c * paid_use) = (1 - x) * c * free_use``, so
    ``x = c * free_use / (price - c * paid_use + c * free_use)``. Returns ``inf`` when a paid
    user does not even cover their own compute.

    Examples
    --------
    Free users use 5 generations at $0.40 ($2); a $20 plan used for 25 ($10 cost) leaves $10:
    x = 2 / (10 + 2) = 16.7%.

    >>> round(freemium_breakeven_conversion(5, 0.40, 20, 25), 4)
    0.1667
    """
    free_cost = cost_per_generation_usd * mean_free_generations
    paid_margin = paid_price_usd - cost_per_generation_usd * mean_paid_generations
    if paid_margin <= 0:
        return float("inf")
    return free_cost / (paid_margin + free_cost)


def freemium_breakeven_grid(
    population: Population,
    free_caps: Sequence[float],
    costs_per_generation_usd: Sequence[float],
    paid_price_usd: float,
    paid_cap: float,
) -> pd.DataFrame:
    """Break-even conversion for every (free-tier cap, cost per generation) pair, from simulated use."""
    demand = population.demand
    mean_paid = float(np.minimum(demand, paid_cap).mean())
    rows = []
    for free_cap in free_caps:
        mean_free = float(np.minimum(demand, free_cap).mean())
        for cost in costs_per_generation_usd:
            rows.append(
                {
                    "free_cap": float(free_cap),
                    "cost_per_generation_usd": float(cost),
                    "mean_free_generations": mean_free,
                    "breakeven_conversion": freemium_breakeven_conversion(mean_free, cost, paid_price_usd, mean_paid),
                }
            )
    return pd.DataFrame(rows)


def served_cost_by_user(demand: FloatArray, cap: float, cost_per_generation_usd: float) -> FloatArray:
    """Each row's cost over the months of the generations served under ``cap``, summed by month as ``summarise`` sums
    a strategy's cost (so a row's total is the same bits whichever rows are passed with it).

    Examples
    --------
    >>> served_cost_by_user(np.array([[10.0, 30.0], [5.0, 5.0]]), 20.0, 0.5).tolist()
    [15.0, 5.0]
    """
    served: FloatArray = np.minimum(demand, cap)
    np.multiply(served, cost_per_generation_usd, out=served)
    by_user: FloatArray = served.sum(axis=1)
    return by_user


def sweep_tier_caps(
    population: Population,
    prices_usd: Sequence[float],
    caps: Sequence[float],
    cost_per_generation_usd: float,
    multipliers: Sequence[float] | FloatArray,
    tiers: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Scale one tier's cap at a time; report profit, upgrades and capped users at each point.

    Points where the scaled cap would break the increasing order of caps are skipped.
    ``share_upgraded`` is the share of subscribers on a tier above the first. ``tiers``
    (1-based) limits the sweep to some tiers; all by default.

    The figures are :func:`price_tiered_subscription` and :func:`summarise`'s, to the bit: a user's cost and capped
    months depend only on their tier's cap, so each user's totals at a declared cap are computed once and shared by
    every point that has that cap (a point changes one cap), and at a swept cap only for the users on that tier,
    rather than pricing every user-month at every point.
    """
    check_increasing("tier_prices_usd", prices_usd)
    check_increasing("tier_caps", caps)
    if len(prices_usd) != len(caps):
        raise ValueError(f"tier_prices_usd has {len(prices_usd)} tiers but tier_caps has {len(caps)}")
    check_positive("cost_per_generation_usd", cost_per_generation_usd, allow_zero=True)
    demand = population.demand
    at_cap: dict[float, tuple[FloatArray, npt.NDArray[np.int64]]] = {}
    declared = {float(c) for c in caps}

    def on_tier(cap: float, users: npt.NDArray[np.bool_]) -> tuple[FloatArray, int]:
        """Cost over the horizon of each of ``users`` (summed by month as summarise sums it), and their capped months,
        at ``cap``.

        A declared cap serves every point that does not sweep its tier, so all users' totals at it are kept; a swept
        cap serves one point, so only the users on its tier there are computed (a row's sum is the same either way).
        """
        if cap in declared:
            if cap not in at_cap:
                at_cap[cap] = (served_cost_by_user(demand, cap, cost_per_generation_usd),
                               np.count_nonzero(demand > cap, axis=1))  # fmt: skip
            cost, capped_months = at_cap[cap]
            return cost[users], int(capped_months[users].sum())
        demand_on_tier = np.take(demand, np.flatnonzero(users), axis=0)  # the rows of demand[users], copied faster
        return (served_cost_by_user(demand_on_tier, cap, cost_per_generation_usd),
                int(np.count_nonzero(demand_on_tier > cap)))  # fmt: skip

    def paid(price: float) -> float:
        """A subscriber's revenue over the horizon: the monthly price summed by month, as summarise sums it."""
        return float(np.full((1, population.n_months), price).sum(axis=1)[0])

    rows = []
    for tier in range(len(caps)) if tiers is None else [t - 1 for t in tiers]:
        for multiplier in multipliers:
            trial = [float(c) for c in caps]
            trial[tier] = caps[tier] * multiplier
            if any(b <= a for a, b in zip(trial, trial[1:], strict=False)):
                continue
            check_increasing("tier_caps", trial)
            plan = choose_tiers(population.typical_demand, population.value_per_generation_usd, prices_usd, trial)
            cost_by_user = np.zeros(population.n_users)
            revenue_by_user = np.zeros(population.n_users)
            capped = 0
            for k, (price, cap) in enumerate(zip(prices_usd, trial, strict=True)):
                users = plan == k
                cost_by_user[users], capped_months = on_tier(cap, users)
                revenue_by_user[users] = paid(float(price))
                capped += capped_months
            subscribers = plan >= 0
            revenue, cost_total = float(revenue_by_user.sum()), float(cost_by_user.sum())
            rows.append(
                {
                    "tier": tier + 1,
                    "cap_multiplier": float(multiplier),
                    "cap": trial[tier],
                    "gross_profit_per_user_month_usd": (revenue - cost_total) / demand.size,
                    "share_subscribed": float(subscribers.mean()),
                    "share_upgraded": float((plan > 0).sum() / max(subscribers.sum(), 1)),
                    "share_capped": float(capped / max(int(subscribers.sum()) * population.n_months, 1)),
                }
            )
    return pd.DataFrame(rows)


# The tier-cap sweep: each tier's cap from a tenth to four times its declared value, evenly on a log scale.
CAP_MULTIPLIERS = np.geomspace(0.1, 4.0, 13)


def breakeven_axes(cost_usd: float, free_cap: float, alt_cost_usd: float) -> tuple[list[float], list[float]]:
    """Free-tier sizes and costs per generation of the freemium break-even grid.

    The costs span a tenth to two and a half times the chapter's cost, plus the alternative cost
    (the article's 2026 price); the free tiers span none to 50 generations a month, plus the chapter's.

    Examples
    --------
    >>> breakeven_axes(0.40, 5.0, 0.02)
    ([0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0], [0.02, 0.04, 0.1, 0.4, 1.0])
    """
    costs = sorted({round(cost_usd / 10, 6), round(cost_usd / 4, 6), cost_usd, round(cost_usd * 2.5, 6), alt_cost_usd})
    free_caps = sorted({0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, float(free_cap)})
    return free_caps, costs

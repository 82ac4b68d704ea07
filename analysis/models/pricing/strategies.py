"""The five pricing strategies priced on one population, and their summary per user-month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.models.pricing.population import (
    FloatArray,
    Population,
    check_increasing,
    check_positive,
    check_share,
)


@dataclass(frozen=True)
class StrategyResult:
    """Revenue and cost per (user, month) of one strategy, with its limit and plan bookkeeping.

    ``served`` is the generations served per (user, month): ``cost_usd`` is ``served`` times the cost per generation,
    the last step of every pricing, so the cost at another cost per generation follows from it to the bit.
    """

    strategy: str
    revenue_usd: FloatArray
    cost_usd: FloatArray
    capped: npt.NDArray[np.bool_]
    active: npt.NDArray[np.bool_]
    free_cost_usd: float = 0.0
    plan: npt.NDArray[np.int64] | None = None
    served: FloatArray | None = None


def at_cost(result: StrategyResult, cost_per_generation_usd: float) -> StrategyResult:
    """The same pricing at another cost per generation, to the bit: who buys, pays and is capped does not depend on
    the cost, so only the cost moves (``served`` times the new cost, as the pricing functions compute it).

    Examples
    --------
    >>> from analysis.models.pricing.population import simulate_population
    >>> population = simulate_population(50, 3, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=1)
    >>> cheaper = at_cost(price_credits(population, 1.0, 0.4), 0.1)
    >>> bool((cheaper.cost_usd == price_credits(population, 1.0, 0.1).cost_usd).all())
    True
    """
    check_positive("cost_per_generation_usd", cost_per_generation_usd, allow_zero=True)
    if result.served is None:
        raise ValueError(f"the {result.strategy} result has no served generations: price it again at the new cost")
    cost = result.served * cost_per_generation_usd
    # Freemium's free users are those on plan 0 (plan is who pays), summed in the same order as price_freemium.
    free = float(cost[result.plan == 0].sum()) if result.strategy == "freemium" and result.plan is not None else 0.0
    return replace(result, cost_usd=cost, free_cost_usd=free)


def _buyers_usage(population: Population, price_usd: float) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Who buys at a per-generation price (a generation is worth at least the price) and what they use."""
    buys = population.value_per_generation_usd >= price_usd
    return buys, population.demand * buys[:, None]


def price_credits(
    population: Population, price_per_generation_usd: float, cost_per_generation_usd: float
) -> StrategyResult:
    """Pay per use: users who value a generation at least at its price buy all they want."""
    check_positive("price_per_generation_usd", price_per_generation_usd)
    check_positive("cost_per_generation_usd", cost_per_generation_usd, allow_zero=True)
    buys, used = _buyers_usage(population, price_per_generation_usd)
    return StrategyResult(
        "credits",
        revenue_usd=used * price_per_generation_usd,
        cost_usd=used * cost_per_generation_usd,
        capped=np.zeros_like(used, dtype=bool),
        active=buys,
        served=used,
    )


def choose_tiers(
    typical_demand: FloatArray, value_per_generation_usd: FloatArray, prices_usd: Sequence[float], caps: Sequence[float]
) -> npt.NDArray[np.int64]:
    """Each user's tier (0-based) maximising ``value * min(demand, cap) - price``; -1 if none pays off.

    Examples
    --------
    A user wanting 50 generations worth $1 each picks the $30 tier with a cap of 60 over the
    $10 tier with a cap of 20 (surplus 20 against 10).

    >>> choose_tiers(np.array([50.0]), np.array([1.0]), [10, 30], [20, 60]).tolist()
    [1]
    """
    prices = np.asarray(prices_usd, dtype=float)
    caps_ = np.asarray(caps, dtype=float)
    # Tier by tier (a strictly larger surplus wins, so ties go to the first tier, as argmax does): the same surplus,
    # without argmax and max over rows of a few tiers, which numpy does slowly.
    best = np.zeros(typical_demand.shape[0], dtype=np.int64)
    best_surplus = value_per_generation_usd * np.minimum(typical_demand, caps_[0]) - prices[0]
    for k in range(1, caps_.size):
        surplus = value_per_generation_usd * np.minimum(typical_demand, caps_[k]) - prices[k]
        better = surplus > best_surplus
        best[better] = k
        np.copyto(best_surplus, surplus, where=better)
    if np.isnan(best_surplus).any():  # argmax would pick a NaN surplus; keep its rule for such input
        surplus = value_per_generation_usd[:, None] * np.minimum(typical_demand[:, None], caps_[None, :]) - prices
        return np.where(surplus.max(axis=1) > 0, surplus.argmax(axis=1), -1)
    return np.where(best_surplus > 0, best, -1)


def price_tiered_subscription(
    population: Population, prices_usd: Sequence[float], caps: Sequence[float], cost_per_generation_usd: float
) -> StrategyResult:
    """Tiered subscription: flat price per tier, use above the tier's cap not served."""
    check_increasing("tier_prices_usd", prices_usd)
    check_increasing("tier_caps", caps)
    if len(prices_usd) != len(caps):
        raise ValueError(f"tier_prices_usd has {len(prices_usd)} tiers but tier_caps has {len(caps)}")
    check_positive("cost_per_generation_usd", cost_per_generation_usd, allow_zero=True)
    plan = choose_tiers(population.typical_demand, population.value_per_generation_usd, prices_usd, caps)
    active = plan >= 0
    cap = np.where(active, np.asarray(caps, dtype=float)[np.maximum(plan, 0)], 0.0)
    price = np.where(active, np.asarray(prices_usd, dtype=float)[np.maximum(plan, 0)], 0.0)
    served = np.minimum(population.demand, cap[:, None])
    revenue = np.broadcast_to(price[:, None], population.demand.shape).astype(float)
    return StrategyResult(
        "tiered_subscription",
        revenue_usd=revenue,
        cost_usd=served * cost_per_generation_usd,
        capped=(population.demand > cap[:, None]) & active[:, None],
        active=active,
        plan=plan,
        served=served,
    )


def price_freemium(
    population: Population,
    free_cap: float,
    paid_price_usd: float,
    paid_cap: float,
    conversion_rate: float,
    cost_per_generation_usd: float,
    seed: int,
) -> StrategyResult:
    """Freemium: a random ``conversion_rate`` share pays; everyone else uses the free tier at the company's cost."""
    check_positive("free_cap", free_cap, allow_zero=True)
    check_positive("paid_price_usd", paid_price_usd)
    check_positive("paid_cap", paid_cap)
    check_share("conversion_rate", conversion_rate)
    if paid_cap <= free_cap:
        raise ValueError(f"paid_cap = {paid_cap!r} is not allowed: must be greater than free_cap = {free_cap!r}")
    rng = np.random.default_rng([seed, 1])
    paid = rng.random(population.n_users) < conversion_rate
    cap = np.where(paid, paid_cap, free_cap)
    served = np.minimum(population.demand, cap[:, None])
    cost = served * cost_per_generation_usd
    revenue = np.where(paid, paid_price_usd, 0.0)[:, None] * np.ones(population.n_months)
    return StrategyResult(
        "freemium",
        revenue_usd=revenue,
        cost_usd=cost,
        capped=population.demand > cap[:, None],
        active=np.ones(population.n_users, dtype=bool),
        free_cost_usd=float(cost[~paid].sum()),
        plan=paid.astype(np.int64),
        served=served,
    )


def price_enterprise_license(
    population: Population,
    contract_usd_per_year: float,
    users_per_account: int,
    sales_cycle_months_low: float,
    sales_cycle_months_high: float,
    cost_per_generation_usd: float,
    seed: int,
) -> StrategyResult:
    """Enterprise licence: accounts of ``users_per_account`` users pay a flat contract once signed.

    Each account's sales cycle is uniform between the low and high months; before it closes the
    account neither pays nor uses the product.
    """
    check_positive("contract_usd_per_year", contract_usd_per_year)
    if users_per_account < 1:
        raise ValueError(f"users_per_account = {users_per_account!r} is not allowed: must be a whole number >= 1")
    if not 0 <= sales_cycle_months_low <= sales_cycle_months_high:
        raise ValueError(
            f"sales cycle {sales_cycle_months_low!r}-{sales_cycle_months_high!r} months is not allowed: "
            "need 0 <= low <= high"
        )
    rng = np.random.default_rng([seed, 2])
    account = np.arange(population.n_users) // users_per_account
    n_accounts = int(account[-1]) + 1
    signed_month = rng.uniform(sales_cycle_months_low, sales_cycle_months_high, n_accounts)[account]
    live = np.arange(population.n_months)[None, :] >= np.ceil(signed_month)[:, None]
    per_user_month = contract_usd_per_year / 12.0 / users_per_account
    served = population.demand * live
    return StrategyResult(
        "enterprise_license",
        revenue_usd=live.astype(np.float64) * per_user_month,
        cost_usd=served * cost_per_generation_usd,
        capped=np.zeros_like(live),
        active=np.ones(population.n_users, dtype=bool),
        served=served,
    )


def volume_price_per_generation(
    monthly_generations: FloatArray, list_price_usd: float, thresholds: Sequence[float], discounts: Sequence[float]
) -> FloatArray:
    """Price per generation after the volume discount that the month's usage reaches.

    Examples
    --------
    >>> volume_price_per_generation(np.array([50.0, 500.0, 5000.0]), 1.0, [100, 1000], [0.1, 0.25]).tolist()
    [1.0, 0.9, 0.75]
    """
    price = np.full_like(monthly_generations, list_price_usd, dtype=float)
    for threshold, discount in zip(thresholds, discounts, strict=True):
        price = np.where(monthly_generations >= threshold, list_price_usd * (1 - discount), price)
    return price


def check_api_terms(
    list_price_usd: float, volume_thresholds: Sequence[float], volume_discounts: Sequence[float]
) -> None:
    """Refuse API terms :func:`price_usage_based_api` cannot price, with a message naming the setting."""
    check_positive("api_list_price_usd", list_price_usd)
    check_increasing("api_volume_thresholds", volume_thresholds)
    check_increasing("api_volume_discounts", volume_discounts)
    if len(volume_thresholds) != len(volume_discounts):
        raise ValueError("api_volume_thresholds and api_volume_discounts must have the same length")
    for d in volume_discounts:
        if not 0 < d < 1:
            raise ValueError(f"api_volume_discounts element {d!r} is not allowed: must be between 0 and 1")


def price_usage_based_api(
    population: Population,
    list_price_usd: float,
    volume_thresholds: Sequence[float],
    volume_discounts: Sequence[float],
    cost_per_generation_usd: float,
) -> StrategyResult:
    """Usage-based API: per-generation price with volume discounts; users buy if the list price pays off."""
    check_api_terms(list_price_usd, volume_thresholds, volume_discounts)
    buys, used = _buyers_usage(population, list_price_usd)
    price = volume_price_per_generation(used, list_price_usd, volume_thresholds, volume_discounts)
    return StrategyResult(
        "usage_based_api",
        revenue_usd=used * price,
        cost_usd=used * cost_per_generation_usd,
        capped=np.zeros_like(used, dtype=bool),
        active=buys,
        served=used,
    )


def _totals(result: StrategyResult) -> tuple[FloatArray, FloatArray, float, float]:
    """Revenue and cost by user over the months, and in total."""
    # Each user's totals are summed once: the seed spread calls :func:`summarise` a few thousand times per build.
    revenue_by_user = result.revenue_usd.sum(axis=1)
    cost_by_user = result.cost_usd.sum(axis=1)
    return revenue_by_user, cost_by_user, float(revenue_by_user.sum()), float(cost_by_user.sum())


def _margin(revenue: float, cost: float) -> float:
    return (revenue - cost) / revenue if revenue > 0 else float("nan")


def summarise_totals(revenue_usd: float, cost_usd: float, n_user_months: int) -> dict[str, float]:
    """The metrics of :func:`summarise` that follow from total revenue and cost over ``n_user_months`` alone.

    :func:`summarise` takes them from here, so a caller with only the totals gets the same numbers.

    Examples
    --------
    >>> summarise_totals(100.0, 40.0, 20)
    {'revenue_per_user_month_usd': 5.0, 'cost_per_user_month_usd': 2.0, 'gross_profit_per_user_month_usd': 3.0, \
'gross_margin': 0.6}
    """
    return {
        "revenue_per_user_month_usd": revenue_usd / n_user_months,
        "cost_per_user_month_usd": cost_usd / n_user_months,
        "gross_profit_per_user_month_usd": (revenue_usd - cost_usd) / n_user_months,
        "gross_margin": _margin(revenue_usd, cost_usd),
    }


def summarise(result: StrategyResult) -> dict[str, float]:
    """Per-strategy metrics: revenue, cost and profit per user-month, gross margin, predictability, losers, limits.

    ``revenue_cv`` is the coefficient of variation, over the months, of monthly revenue per paying
    user (so a ramp of new enterprise accounts does not count as volatility, a market swing in usage does);
    ``share_unprofitable_users`` the share of users (among those who use the product) whose cost
    over the horizon exceeds what they paid; ``share_capped`` the share of active user-months
    in which demand exceeded the plan's cap.
    """
    paying_per_month = np.count_nonzero(result.revenue_usd > 0, axis=0)  # counts as .sum() would, faster
    has_payers = paying_per_month > 0
    monthly_revenue = result.revenue_usd.sum(axis=0)[has_payers] / paying_per_month[has_payers]
    revenue_by_user, cost_by_user, revenue, cost = _totals(result)
    users_using = result.active & (cost_by_user > 0)
    losers = (cost_by_user > revenue_by_user) & users_using
    active_months = int(result.active.sum()) * result.capped.shape[1]
    n_user_months = result.revenue_usd.size
    return {
        **summarise_totals(revenue, cost, n_user_months),
        "revenue_cv": float(monthly_revenue.std() / monthly_revenue.mean()) if monthly_revenue.size else float("nan"),
        "share_paying": float((revenue_by_user > 0).mean()),
        "share_unprofitable_users": float(losers.sum() / max(users_using.sum(), 1)),
        "share_capped": float(np.count_nonzero(result.capped) / max(active_months, 1)),
        "free_user_cost_usd": result.free_cost_usd,
    }


def compare_strategies(results: Sequence[StrategyResult]) -> pd.DataFrame:
    """One row of :func:`summarise` metrics per strategy, in the order given."""
    return pd.DataFrame([{"strategy": r.strategy, **summarise(r)} for r in results])

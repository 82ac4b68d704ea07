"""Pricing strategies simulated on a population of users.

A population of ``n_users`` has heavy-tailed monthly demand for generations: each user's
typical demand is log-normal (median and spread are parameters); each month it is scaled by
an individual shock and by a market-wide shock common to all users (both log-normal with
mean 1), so usage-priced revenue moves with the market while subscriptions do not. Each user
also values a generation at a log-normal amount, which decides whether and what they buy.

Five strategies are priced on the same simulated demand:

* **credits** (pay per use): a user buys if a generation is worth at least its price;
* **tiered subscription**: a user picks the tier with the largest surplus
  ``value * min(demand, cap) - price`` (or none if every surplus is negative); use above the
  cap is not served;
* **freemium**: a share of users (the conversion rate) pays for the paid plan, the rest use
  a free tier up to its cap, at the company's cost;
* **enterprise licence**: users come in accounts of a fixed size; each account signs a flat
  contract once its sales cycle (uniform within the reported range) has run;
* **usage-based API**: pay per generation with volume discounts on the month's usage.

All computation is vectorised with numpy over the (user, month) matrix; the same seed gives
the same numbers to the last digit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

STRATEGIES = ("credits", "tiered_subscription", "freemium", "enterprise_license", "usage_based_api")


@dataclass(frozen=True)
class Population:
    """Simulated demand: ``demand[user, month]`` generations wanted, ``value[user]`` USD per generation."""

    demand: FloatArray
    typical_demand: FloatArray
    value_per_generation_usd: FloatArray
    seed: int

    @property
    def n_users(self) -> int:
        return int(self.demand.shape[0])

    @property
    def n_months(self) -> int:
        return int(self.demand.shape[1])


def _check_positive(name: str, value: float, allow_zero: bool = False) -> None:
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        allowed = "a number >= 0" if allow_zero else "a number > 0"
        raise ValueError(f"{name} = {value!r} is not allowed: must be {allowed}")


def _check_share(name: str, value: float) -> None:
    if not np.isfinite(value) or not 0 <= value <= 1:
        raise ValueError(f"{name} = {value!r} is not allowed: must be a share between 0 and 1")


def _check_increasing(name: str, values: Sequence[float]) -> None:
    if len(values) == 0:
        raise ValueError(f"{name} is empty: give at least one tier")
    for v in values:
        _check_positive(f"{name} element", float(v))
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(f"{name} = {list(values)!r} is not allowed: must increase strictly from tier to tier")


def simulate_population(
    n_users: int,
    n_months: int,
    median_generations_per_month: float,
    usage_spread: float,
    monthly_shock_spread: float,
    market_shock_spread: float,
    median_value_per_generation_usd: float,
    value_spread: float,
    seed: int,
) -> Population:
    """Draw a population's demand and willingness to pay.

    Parameters
    ----------
    n_users, n_months
        Size of the simulation (at least 1 each).
    median_generations_per_month
        Median of users' typical monthly demand.
    usage_spread
        Log-normal sigma of typical demand across users (heavier tail when larger).
    monthly_shock_spread, market_shock_spread
        Log-normal sigmas of the individual and the market-wide monthly shocks (mean 1).
    median_value_per_generation_usd, value_spread
        Median and log-normal sigma of what a generation is worth to a user.
    seed
        Seed of ``numpy.random.default_rng``.

    Examples
    --------
    >>> p = simulate_population(1000, 12, 30, 1.0, 0.3, 0.1, 1.5, 0.5, seed=1)
    >>> p.demand.shape
    (1000, 12)
    """
    if not isinstance(n_users, int | np.integer) or n_users < 1:
        raise ValueError(f"n_users = {n_users!r} is not allowed: must be a whole number >= 1")
    if not isinstance(n_months, int | np.integer) or n_months < 1:
        raise ValueError(f"n_months = {n_months!r} is not allowed: must be a whole number >= 1")
    _check_positive("median_generations_per_month", median_generations_per_month)
    _check_positive("median_value_per_generation_usd", median_value_per_generation_usd)
    for name, spread in (
        ("usage_spread", usage_spread),
        ("monthly_shock_spread", monthly_shock_spread),
        ("market_shock_spread", market_shock_spread),
        ("value_spread", value_spread),
    ):
        _check_positive(name, spread, allow_zero=True)
    rng = np.random.default_rng(seed)
    typical = median_generations_per_month * np.exp(usage_spread * rng.standard_normal(n_users))
    # Shocks are log-normal with mean 1 (mu = -sigma^2 / 2), so they do not shift average demand.
    individual = np.exp(monthly_shock_spread * rng.standard_normal((n_users, n_months)) - monthly_shock_spread**2 / 2)
    market = np.exp(market_shock_spread * rng.standard_normal(n_months) - market_shock_spread**2 / 2)
    value = median_value_per_generation_usd * np.exp(value_spread * rng.standard_normal(n_users))
    demand = typical[:, None] * individual * market[None, :]
    return Population(demand=demand, typical_demand=typical, value_per_generation_usd=value, seed=seed)


@dataclass(frozen=True)
class StrategyResult:
    """Revenue and cost per (user, month) of one strategy, with its limit and plan bookkeeping."""

    strategy: str
    revenue_usd: FloatArray
    cost_usd: FloatArray
    capped: npt.NDArray[np.bool_]
    active: npt.NDArray[np.bool_]
    free_cost_usd: float = 0.0
    plan: npt.NDArray[np.int64] | None = None


def _buyers_usage(population: Population, price_usd: float) -> tuple[npt.NDArray[np.bool_], FloatArray]:
    """Who buys at a per-generation price (a generation is worth at least the price) and what they use."""
    buys = population.value_per_generation_usd >= price_usd
    return buys, population.demand * buys[:, None]


def price_credits(
    population: Population, price_per_generation_usd: float, cost_per_generation_usd: float
) -> StrategyResult:
    """Pay per use: users who value a generation at least at its price buy all they want."""
    _check_positive("price_per_generation_usd", price_per_generation_usd)
    _check_positive("cost_per_generation_usd", cost_per_generation_usd, allow_zero=True)
    buys, used = _buyers_usage(population, price_per_generation_usd)
    return StrategyResult(
        "credits",
        revenue_usd=used * price_per_generation_usd,
        cost_usd=used * cost_per_generation_usd,
        capped=np.zeros_like(used, dtype=bool),
        active=buys,
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
    _check_increasing("tier_prices_usd", prices_usd)
    _check_increasing("tier_caps", caps)
    if len(prices_usd) != len(caps):
        raise ValueError(f"tier_prices_usd has {len(prices_usd)} tiers but tier_caps has {len(caps)}")
    _check_positive("cost_per_generation_usd", cost_per_generation_usd, allow_zero=True)
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
    _check_positive("free_cap", free_cap, allow_zero=True)
    _check_positive("paid_price_usd", paid_price_usd)
    _check_positive("paid_cap", paid_cap)
    _check_share("conversion_rate", conversion_rate)
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
    _check_positive("contract_usd_per_year", contract_usd_per_year)
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
    return StrategyResult(
        "enterprise_license",
        revenue_usd=live.astype(np.float64) * per_user_month,
        cost_usd=population.demand * live * cost_per_generation_usd,
        capped=np.zeros_like(live),
        active=np.ones(population.n_users, dtype=bool),
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


def price_usage_based_api(
    population: Population,
    list_price_usd: float,
    volume_thresholds: Sequence[float],
    volume_discounts: Sequence[float],
    cost_per_generation_usd: float,
) -> StrategyResult:
    """Usage-based API: per-generation price with volume discounts; users buy if the list price pays off."""
    _check_positive("api_list_price_usd", list_price_usd)
    _check_increasing("api_volume_thresholds", volume_thresholds)
    _check_increasing("api_volume_discounts", volume_discounts)
    if len(volume_thresholds) != len(volume_discounts):
        raise ValueError("api_volume_thresholds and api_volume_discounts must have the same length")
    for d in volume_discounts:
        if not 0 < d < 1:
            raise ValueError(f"api_volume_discounts element {d!r} is not allowed: must be between 0 and 1")
    buys, used = _buyers_usage(population, list_price_usd)
    price = volume_price_per_generation(used, list_price_usd, volume_thresholds, volume_discounts)
    return StrategyResult(
        "usage_based_api",
        revenue_usd=used * price,
        cost_usd=used * cost_per_generation_usd,
        capped=np.zeros_like(used, dtype=bool),
        active=buys,
    )


def summarise(result: StrategyResult) -> dict[str, float]:
    """Per-strategy metrics: revenue, cost and profit per user-month, gross margin, predictability, losers, limits.

    ``revenue_cv`` is the coefficient of variation, over the months, of monthly revenue per paying
    user (so a ramp of new enterprise accounts does not count as volatility, a market swing in usage does);
    ``share_unprofitable_users`` the share of users (among those who use the product) whose cost
    over the horizon exceeds what they paid; ``share_capped`` the share of active user-months
    in which demand exceeded the plan's cap.
    """
    paying_per_month = (result.revenue_usd > 0).sum(axis=0)
    has_payers = paying_per_month > 0
    monthly_revenue = result.revenue_usd.sum(axis=0)[has_payers] / paying_per_month[has_payers]
    # Each user's totals are summed once: the seed spread calls this a few thousand times per build.
    revenue_by_user = result.revenue_usd.sum(axis=1)
    cost_by_user = result.cost_usd.sum(axis=1)
    revenue = float(revenue_by_user.sum())
    cost = float(cost_by_user.sum())
    users_using = result.active & (cost_by_user > 0)
    losers = (cost_by_user > revenue_by_user) & users_using
    active_months = int(result.active.sum()) * result.capped.shape[1]
    n_user_months = result.revenue_usd.size
    return {
        "revenue_per_user_month_usd": revenue / n_user_months,
        "cost_per_user_month_usd": cost / n_user_months,
        "gross_profit_per_user_month_usd": (revenue - cost) / n_user_months,
        "gross_margin": (revenue - cost) / revenue if revenue > 0 else float("nan"),
        "revenue_cv": float(monthly_revenue.std() / monthly_revenue.mean()) if monthly_revenue.size else float("nan"),
        "share_paying": float((revenue_by_user > 0).mean()),
        "share_unprofitable_users": float(losers.sum() / max(users_using.sum(), 1)),
        "share_capped": float(result.capped.sum() / max(active_months, 1)),
        "free_user_cost_usd": result.free_cost_usd,
    }


def compare_strategies(results: Sequence[StrategyResult]) -> pd.DataFrame:
    """One row of :func:`summarise` metrics per strategy, in the order given."""
    return pd.DataFrame([{"strategy": r.strategy, **summarise(r)} for r in results])


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
    months depend only on their tier's cap, so each user's totals at a cap are computed once and shared by every
    point that has that cap (a point changes one cap), rather than pricing every user-month at every point.
    """
    _check_increasing("tier_prices_usd", prices_usd)
    _check_increasing("tier_caps", caps)
    if len(prices_usd) != len(caps):
        raise ValueError(f"tier_prices_usd has {len(prices_usd)} tiers but tier_caps has {len(caps)}")
    _check_positive("cost_per_generation_usd", cost_per_generation_usd, allow_zero=True)
    demand = population.demand
    at_cap: dict[float, tuple[FloatArray, npt.NDArray[np.int64]]] = {}
    served = np.empty_like(demand)

    def user_totals(cap: float) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """Each user's cost over the horizon (summed by month as summarise sums it) and capped months, at ``cap``."""
        if cap not in at_cap:
            np.minimum(demand, cap, out=served)
            np.multiply(served, cost_per_generation_usd, out=served)
            at_cap[cap] = (served.sum(axis=1), (demand > cap).sum(axis=1))
        return at_cap[cap]

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
            _check_increasing("tier_caps", trial)
            plan = choose_tiers(population.typical_demand, population.value_per_generation_usd, prices_usd, trial)
            cost_by_user = np.zeros(population.n_users)
            revenue_by_user = np.zeros(population.n_users)
            capped = 0
            for k, (price, cap) in enumerate(zip(prices_usd, trial, strict=True)):
                users = plan == k
                cost, capped_months = user_totals(cap)
                cost_by_user[users] = cost[users]
                revenue_by_user[users] = paid(float(price))
                capped += int(capped_months[users].sum())
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


def implied_annual_decline(start_price: float, end_price: float, years: float) -> float:
    """Constant annual rate of decline taking ``start_price`` to ``end_price`` in ``years``.

    Examples
    --------
    The article's $0.04 generation in 2023 costing $0.004 in 2026: 1 - 0.1**(1/3) = 53.6% a year.

    >>> round(implied_annual_decline(0.04, 0.004, 3), 4)
    0.5358
    """
    _check_positive("start_price", start_price)
    _check_positive("end_price", end_price)
    _check_positive("years", years)
    return float(1.0 - (end_price / start_price) ** (1.0 / years))


def decline_from_total_fall(total_fall: float, years: float) -> float:
    """Annual rate of decline implied by a total fall (0.8 = prices fell 80%) over ``years``.

    Examples
    --------
    >>> round(decline_from_total_fall(0.80, 3), 4), round(decline_from_total_fall(0.90, 3), 4)
    (0.4152, 0.5358)
    """
    _check_share("total_fall", total_fall)
    return float(1.0 - (1.0 - total_fall) ** (1.0 / years))


@dataclass(frozen=True)
class PricingSettings:
    """Every strategy's prices and limits, and the cost per generation they share."""

    cost_per_generation_usd: float
    credit_price_per_generation_usd: float
    tier_prices_usd: tuple[float, ...]
    tier_caps: tuple[float, ...]
    free_cap: float
    freemium_paid_price_usd: float
    freemium_paid_cap: float
    freemium_conversion_rate: float
    enterprise_contract_usd_per_year: float
    enterprise_users_per_account: int
    enterprise_sales_cycle_months_low: float
    enterprise_sales_cycle_months_high: float
    api_list_price_usd: float
    api_volume_thresholds: tuple[float, ...]
    api_volume_discounts: tuple[float, ...]

    def scaled(self, usage_price_factor: float, cost_factor: float) -> PricingSettings:
        """Settings after usage-based prices are multiplied by one factor and serving cost by another.

        Flat prices (tiers, the freemium plan, contracts) are held: they are the strategies'
        list prices, which the sources show unchanged (ChatGPT Plus at $20 a month).
        """
        from dataclasses import replace

        return replace(
            self,
            cost_per_generation_usd=self.cost_per_generation_usd * cost_factor,
            credit_price_per_generation_usd=self.credit_price_per_generation_usd * usage_price_factor,
            api_list_price_usd=self.api_list_price_usd * usage_price_factor,
        )


def settings_from_params(params: Mapping[str, Any]) -> PricingSettings:
    """The chapter's validated parameters (``analysis.parameters``) as :class:`PricingSettings`."""
    return PricingSettings(
        cost_per_generation_usd=params["cost_per_generation_usd"],
        credit_price_per_generation_usd=params["credit_price_per_generation_usd"],
        tier_prices_usd=tuple(params["tier_prices_usd"]),
        tier_caps=tuple(params["tier_caps"]),
        free_cap=params["free_cap"],
        freemium_paid_price_usd=params["freemium_paid_price_usd"],
        freemium_paid_cap=params["freemium_paid_cap"],
        freemium_conversion_rate=params["conversion_rate"],
        enterprise_contract_usd_per_year=params["enterprise_contract_usd_per_year"],
        enterprise_users_per_account=params["enterprise_users_per_account"],
        enterprise_sales_cycle_months_low=params["enterprise_sales_cycle_months_low"],
        enterprise_sales_cycle_months_high=params["enterprise_sales_cycle_months_high"],
        api_list_price_usd=params["api_list_price_usd"],
        api_volume_thresholds=tuple(params["api_volume_thresholds"]),
        api_volume_discounts=tuple(params["api_volume_discounts"]),
    )


def simulate_from_params(params: Mapping[str, Any], seed: int, n_users: int) -> Population:
    """:func:`simulate_population` with the chapter's demand parameters, a given seed and size."""
    return simulate_population(
        n_users, params["n_months"], params["median_generations_per_month"], params["usage_spread"],
        params["monthly_shock_spread"], params["market_shock_spread"], params["median_value_per_generation_usd"],
        params["value_spread"], seed,
    )  # fmt: skip


def run_all_strategies(population: Population, settings: PricingSettings) -> list[StrategyResult]:
    """Price the population under all five strategies."""
    s = settings
    return [
        price_credits(population, s.credit_price_per_generation_usd, s.cost_per_generation_usd),
        price_tiered_subscription(population, s.tier_prices_usd, s.tier_caps, s.cost_per_generation_usd),
        price_freemium(
            population,
            s.free_cap,
            s.freemium_paid_price_usd,
            s.freemium_paid_cap,
            s.freemium_conversion_rate,
            s.cost_per_generation_usd,
            population.seed,
        ),
        price_enterprise_license(
            population,
            s.enterprise_contract_usd_per_year,
            s.enterprise_users_per_account,
            s.enterprise_sales_cycle_months_low,
            s.enterprise_sales_cycle_months_high,
            s.cost_per_generation_usd,
            population.seed,
        ),
        price_usage_based_api(
            population, s.api_list_price_usd, s.api_volume_thresholds, s.api_volume_discounts, s.cost_per_generation_usd
        ),
    ]


def project_deflation(
    population: Population,
    settings: PricingSettings,
    years: int,
    price_decline_per_year: float,
    cost_decline_per_year: float,
    now: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each strategy now and after ``years`` of usage-price and serving-cost declines.

    Demand is held at today's level, so the change isolates price and cost; users who find the
    cheaper usage prices worth paying join (the participation rule is re-applied). ``now`` may
    pass today's :func:`compare_strategies` table of the same population and settings, to save
    recomputing it.
    """
    _check_share("price_decline_per_year", price_decline_per_year)
    _check_share("cost_decline_per_year", cost_decline_per_year)
    if years < 0:
        raise ValueError(f"years = {years!r} is not allowed: must be >= 0")
    if now is None:
        now = compare_strategies(run_all_strategies(population, settings))
    later_settings = settings.scaled((1 - price_decline_per_year) ** years, (1 - cost_decline_per_year) ** years)
    later = compare_strategies(run_all_strategies(population, later_settings))
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
    _check_share("central_price_decline", central_price_decline)
    _check_share("article_price_decline", article_price_decline)
    _check_share("cost_decline", cost_decline)
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
) -> pd.DataFrame:
    """:func:`project_deflation` under each case, stacked, with the case's name and rates as columns."""
    frames = []
    if now is None:
        now = compare_strategies(run_all_strategies(population, settings))
    for case in cases:
        frame = project_deflation(
            population, settings, years, case.usage_price_decline_per_year, case.cost_decline_per_year, now
        )
        frames.append(frame.assign(case=case.name, usage_price_decline_per_year=case.usage_price_decline_per_year,
                                   cost_decline_per_year=case.cost_decline_per_year))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def deflation_explorer_grid(
    population: Population,
    settings: PricingSettings,
    years: int,
    usage_price_declines: Sequence[float],
    cost_declines: Sequence[float],
    now: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`project_deflation` at every (usage-price decline, serving-cost decline) pair, for the explorer.

    One row per pair and strategy, in the order of the declines given, with the columns
    ``usage_price_decline_per_year`` and ``serving_cost_decline_per_year`` (shares a year, named as the
    chapter's parameters) and the projection's ``gross_margin_now``/``gross_margin_later``. Every row is
    :func:`project_deflation` itself, so the pair of the chapter's rates reproduces its deflation table exactly.
    ``now`` may pass today's :func:`compare_strategies` table, to save recomputing it at every pair.

    Examples
    --------
    >>> population = simulate_population(200, 6, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=1)
    >>> settings = PricingSettings(0.4, 1.0, (20.0, 60.0), (25.0, 75.0), 5.0, 20.0, 75.0, 0.035, 1e6, 500, 3.0,
    ...                            12.0, 0.7, (100.0,), (0.1,))
    >>> grid = deflation_explorer_grid(population, settings, 3, [0.2, 0.35], [0.35])
    >>> grid.shape, grid["usage_price_decline_per_year"].unique().tolist()
    ((10, 5), [0.2, 0.35])
    """
    if len(usage_price_declines) == 0 or len(cost_declines) == 0:
        raise ValueError("usage_price_declines and cost_declines must each hold at least one decline a year")
    if now is None:
        now = compare_strategies(run_all_strategies(population, settings))
    frames = []
    for price_decline in usage_price_declines:
        for cost_decline in cost_declines:
            frame = project_deflation(population, settings, years, float(price_decline), float(cost_decline), now)
            frames.append(
                frame[["strategy", "gross_margin_now", "gross_margin_later"]].assign(
                    usage_price_decline_per_year=float(price_decline), serving_cost_decline_per_year=float(cost_decline)
                )
            )
    return pd.concat(frames, ignore_index=True)


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
) -> dict[str, float]:
    """The chapter's headline figures on one population (keys: :data:`HEADLINE_FIGURES`).

    ``breakeven_alt_cost`` is the freemium break-even conversion at ``alt_cost_per_generation_usd``
    (the article's 2026 price in the chapter); ``best_cap_tier_1`` the entry tier's
    profit-maximising cap over ``cap_multipliers``; the two ``*_later`` margins are after
    ``years`` of the ``deflation`` case.
    """
    _check_positive("alt_cost_per_generation_usd", alt_cost_per_generation_usd, allow_zero=True)
    if len(cap_multipliers) == 0:
        raise ValueError("cap_multipliers is empty: give at least one multiple of the entry tier's cap")
    results = run_all_strategies(population, settings)
    now = compare_strategies(results)
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
        population, settings, years, deflation.usage_price_decline_per_year, deflation.cost_decline_per_year, now
    )
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
    by_strategy = comparison.set_index("strategy")
    freemium = next(r for r in results if r.strategy == "freemium")
    freemium_cost = float(freemium.cost_usd.sum())
    at = breakeven_grid.set_index(["free_cap", "cost_per_generation_usd"])["breakeven_conversion"]
    for cost in (settings.cost_per_generation_usd, alt_cost_per_generation_usd):
        if (float(settings.free_cap), float(cost)) not in at.index:
            raise ValueError(f"breakeven_grid has no row for free_cap = {settings.free_cap!r} and cost = {cost!r}")
    tier_1 = cap_sweep[cap_sweep["tier"] == 1]
    if tier_1.empty:
        raise ValueError("cap_sweep has no row for tier 1: sweep the entry tier's cap")
    later = deflation.set_index("strategy")
    return {
        "credit_margin": float(by_strategy.at["credits", "gross_margin"]),
        "best_margin": float(by_strategy["gross_margin"].max()),
        "swingiest_cv": float(by_strategy["revenue_cv"].max()),
        "tiered_capped": float(by_strategy.at["tiered_subscription", "share_capped"]),
        "free_cost_share": freemium.free_cost_usd / freemium_cost if freemium_cost > 0 else float("nan"),
        "breakeven_default": float(
            at.loc[[(float(settings.free_cap), float(settings.cost_per_generation_usd))]].iloc[0]
        ),
        "breakeven_alt_cost": float(at.loc[[(float(settings.free_cap), float(alt_cost_per_generation_usd))]].iloc[0]),
        "best_cap_tier_1": float(tier_1.loc[tier_1["gross_profit_per_user_month_usd"].idxmax(), "cap"]),
        "credits_margin_later": float(later.at["credits", "gross_margin_later"]),
        "tiered_margin_later": float(later.at["tiered_subscription", "gross_margin_later"]),
    }


def structural_alternatives(
    population: Population,
    settings: PricingSettings,
    cases: Sequence[DeflationCase],
    years: int,
    alt_cost_per_generation_usd: float,
    cap_multipliers: Sequence[float] | FloatArray,
    now: pd.DataFrame | None = None,
) -> dict[str, list[dict[str, float]]]:
    """The headline figures under each structural choice's alternatives, for :func:`uncertainty_budget`.

    ``"cost"``: every figure with the cost per generation at ``alt_cost_per_generation_usd``;
    ``"deflation"``: the two later margins under each case after the first (the others do not move).
    """
    from dataclasses import replace

    cheap = replace(settings, cost_per_generation_usd=alt_cost_per_generation_usd)
    cost = compute_headline_figures(population, cheap, cases[0], years, alt_cost_per_generation_usd, cap_multipliers)
    deflation = []
    if now is None:
        now = compare_strategies(run_all_strategies(population, settings))
    for case in cases[1:]:
        later = project_deflation(
            population, settings, years, case.usage_price_decline_per_year, case.cost_decline_per_year, now
        ).set_index("strategy")
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


CRITERIA = (
    # (column, label, higher is better)
    ("gross_margin", "gross margin", True),
    ("gross_profit_per_user_month_usd", "gross profit per user", True),
    ("revenue_cv", "revenue predictability", False),
    ("share_unprofitable_users", "users who cost more than they pay", False),
    ("share_capped", "users hitting a limit", False),
    ("gross_margin_later", "margin after the price decline", True),
)


TIE_TOLERANCE = 1e-9
"""Two metric values closer than this are tied: a flat plan's CV comes out as 7e-13, not 0, in floating point."""


def rank_with_tolerance(
    values: pd.Series, higher_is_better: bool, abs_tol: float = TIE_TOLERANCE
) -> pd.Series:  # fmt: skip
    """Rank 1 = best, ties sharing the lowest rank ('min'), values within ``abs_tol`` tied; NaN ranks last.

    A value is tied with the first value of its group in sorted order (ties do not chain).

    Examples
    --------
    A flat plan's CV of 7.4e-13 is tied with the two exact zeros:

    >>> rank_with_tolerance(pd.Series([0.0, 7.4e-13, 0.13, 0.0]), higher_is_better=False).tolist()
    [1, 1, 4, 1]
    """
    _check_positive("abs_tol", abs_tol, allow_zero=True)
    clean = values.dropna().sort_values(ascending=not higher_is_better, kind="stable")
    ranks = pd.Series(len(clean) + 1, index=values.index, dtype=int)
    anchor_value, anchor_rank = None, 0
    for position, (label, value) in enumerate(clean.items(), start=1):
        if anchor_value is None or abs(value - anchor_value) > abs_tol:
            anchor_value, anchor_rank = value, position
        ranks[label] = anchor_rank
    return ranks


def tied_best(values: pd.Series, higher_is_better: bool, abs_tol: float = TIE_TOLERANCE) -> list[str]:
    """The labels ranked first, ties (within ``abs_tol``) included, in the order given.

    Examples
    --------
    >>> tied_best(pd.Series({"a": 0.1, "b": 0.0, "c": 7.4e-13}), higher_is_better=False)
    ['b', 'c']
    """
    ranks = rank_with_tolerance(values, higher_is_better, abs_tol)
    return [str(label) for label in ranks.index[ranks == 1]]


def rank_strategies(comparison: pd.DataFrame, deflation: pd.DataFrame) -> pd.DataFrame:
    """Each strategy's best and worst criterion: the rank among the five on each, best first.

    Returns one row per strategy with ``wins_on``/``loses_on`` (criterion labels), their ranks
    (1 = best of five) and the metric values, so a conclusion can be written from numbers.
    """
    table = comparison.merge(deflation[["strategy", "gross_margin_later"]], on="strategy")
    ranks = pd.DataFrame({"strategy": table["strategy"]})
    for column, _, higher in CRITERIA:
        ranks[column] = rank_with_tolerance(table[column], higher)
    rows = []
    for i, strategy in enumerate(table["strategy"]):
        order = sorted(CRITERIA, key=lambda c: (ranks.at[i, c[0]], CRITERIA.index(c)))
        best, worst = order[0], order[-1]
        rows.append(
            {
                "strategy": strategy,
                "wins_on": best[1],
                "wins_rank": int(ranks.at[i, best[0]]),
                "wins_column": best[0],
                "wins_value": float(table.at[i, best[0]]),
                "wins_tied": int((ranks[best[0]] == ranks.at[i, best[0]]).sum()),
                "loses_on": worst[1],
                "loses_rank": int(ranks.at[i, worst[0]]),
                "loses_column": worst[0],
                "loses_value": float(table.at[i, worst[0]]),
                "loses_tied": int((ranks[worst[0]] == ranks.at[i, worst[0]]).sum()),
            }
        )
    return pd.DataFrame(rows)


def modelling_choices(dataset: Any, defaults: Mapping[str, Any]) -> pd.DataFrame:
    """The pricing chapter's modelling choices with their computed effect, for the Methods page.

    Computed at the chapter's default parameters on the population of the seed spread
    (``spread_n_users`` users), so it runs in about a second.
    """
    settings = settings_from_params(defaults)
    population = simulate_from_params(defaults, int(defaults["seed"]), int(defaults["spread_n_users"]))
    price_2023 = float(dataset.fact("generation_price_2023_usd")["value"])
    price_2026 = float(dataset.fact("generation_price_2026_usd")["value"])
    years_observed = int(
        dataset.fact("generation_price_2026_usd")["year"] - dataset.fact("generation_price_2023_usd")["year"]
    )
    central = float(defaults["usage_price_decline_per_year"])
    article = implied_annual_decline(price_2023, price_2026, years_observed)
    cases = deflation_cases(central, article, float(defaults["serving_cost_decline_per_year"]))
    multipliers = np.geomspace(0.1, 4.0, 13)
    years = int(defaults["deflation_years"])
    headline = compute_headline_figures(population, settings, cases[0], years, price_2026, multipliers)
    alternatives = structural_alternatives(population, settings, cases, years, price_2026, multipliers)
    cheap = alternatives["cost"][0]
    article_case, pass_through = alternatives["deflation"]
    cost = float(defaults["cost_per_generation_usd"])
    rows = [
        ("Cost per generation", f"${cost:g}, the API fees an aggregator pays in the credit example (an assumption)",
         f"the article's 2026 price, ${price_2026:g}",
         f"freemium break-even conversion {headline['breakeven_default']:.0%} -> {cheap['breakeven_default']:.1%}; "
         f"credit margin {headline['credit_margin']:.0%} -> {cheap['credit_margin']:.1%}"),
        ("Usage-price decline", f"the book's central rate, {central:.0%} a year (the survival chapter's)",
         f"the article's 2023-2026 pace, {article:.1%} a year",
         f"credit margin after {years} years {headline['credits_margin_later']:.0%} -> "
         f"{article_case['credits_margin_later']:.0%}"),
        ("Serving cost against price", f"costs fall at {cases[0].cost_decline_per_year:.0%} a year",
         "pass-through: costs fall exactly as fast as usage prices",
         f"credit margin after {years} years {headline['credits_margin_later']:.0%} -> "
         f"{pass_through['credits_margin_later']:.0%} (it keeps its starting margin)"),
        ("Seed", "one population, with each headline's spread over other seeds beside it",
         f"{int(defaults['spread_seeds'])} other seeds", "the market shocks are common to all users, so more users "
         "do not average them out; the pricing chapter's uncertainty table gives each figure's spread"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Choice", "What the report does", "Alternative", "Effect on the headline"])


def question_figures(
    deflation_cases_frame: pd.DataFrame, names: Mapping[str, str], central_decline: float, years: int
) -> list[dict[str, Any]]:
    """Key figures the Questions page answers from: each strategy's margin now and after ``years`` of the
    central decline, and the central rate itself (see ``ChapterContext.record_key_figures``).

    Examples
    --------
    >>> frame = pd.DataFrame({"case": ["central"], "strategy": ["credits"], "gross_margin_now": [0.6],
    ...                       "gross_margin_later": [0.6]})
    >>> [f["key"] for f in question_figures(frame, {"credits": "Credits"}, 0.35, 3)]
    ['pr_central_price_decline', 'pr_margin_now_credits', 'pr_margin_later_credits']
    """
    central = deflation_cases_frame[deflation_cases_frame["case"] == "central"]
    figures: list[dict[str, Any]] = [
        {"key": "pr_central_price_decline", "value": float(central_decline), "unit": "share",
         "text": f"{central_decline:.0%}",
         "sentence": f"The report's central assumption is that usage prices fall {central_decline:.0%} a year."},
    ]  # fmt: skip
    for row in central.itertuples(index=False):
        name = names.get(row.strategy, row.strategy)
        figures.append(
            {"key": f"pr_margin_now_{row.strategy}", "value": float(row.gross_margin_now), "unit": "share",
             "text": f"{row.gross_margin_now:.0%}",
             "sentence": f"On the report's simulated users, {name} earns a {row.gross_margin_now:.0%} gross margin."}
        )  # fmt: skip
        figures.append(
            {"key": f"pr_margin_later_{row.strategy}", "value": float(row.gross_margin_later), "unit": "share",
             "text": f"{row.gross_margin_later:.0%}",
             "sentence": f"After {years} more years of falling prices and costs at the central rates, {name} would "
                         f"earn a {row.gross_margin_later:.0%} gross margin."}
        )  # fmt: skip
    return figures

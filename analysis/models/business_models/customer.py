"""A customer's economics: gross margin, churn, lifetime value, CAC payback and the free tier it carries."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | FloatArray

MAX_MONTHLY_CHURN = 0.999
SHARE_INPUTS = frozenset({"gross_margin", "monthly_churn", "freemium_conversion", "take_rate", "annual_retention"})
DISCOUNT_INPUT = "annual_discount_rate"
FREE_TIER_INPUTS = ("free_cost_per_generation_usd", "free_generations_month")
# The pricing chapter's parameters whose facts describe the free tier: one assumption serves both chapters.
PRICING_FREE_TIER_PARAMETERS = (
    "cost_per_generation_usd",
    "free_cap",
    "median_generations_per_month",
    "usage_spread",
    "monthly_shock_spread",
    "market_shock_spread",
)


def check_settings(annual_discount_rate: float, cac_multiplier: float = 1.0, churn_multiplier: float = 1.0) -> None:
    """Raise a ValueError naming the setting, its value and what is allowed.

    Examples
    --------
    >>> check_settings(-0.1)
    Traceback (most recent call last):
    ...
    ValueError: annual_discount_rate = -0.1 is not allowed: must be a number >= 0 and <= 1
    """
    for name, value, low, high in (
        ("annual_discount_rate", annual_discount_rate, 0.0, 1.0),
        ("cac_multiplier", cac_multiplier, 0.1, 10.0),
        ("churn_multiplier", churn_multiplier, 0.1, 5.0),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ValueError(f"{name} = {value!r} is not allowed: must be a number >= {low:g} and <= {high:g}")


def free_users_per_payer(conversion: float) -> float:
    """Free users carried by each paying user at a free-to-paid ``conversion`` share.

    Examples
    --------
    At the reported midpoint of 2-5% conversion, 3.5%, each payer carries about 27.6 free users.

    >>> round(free_users_per_payer(0.035), 1)
    27.6
    """
    if not 0 < conversion <= 1:
        raise ValueError(f"conversion = {conversion!r} is not allowed: must be in (0, 1]")
    return (1 - conversion) / conversion


def gross_margin(price_usd: ArrayLike, cost_usd: ArrayLike) -> ArrayLike:
    """Gross margin of a sale: (price - cost) / price.

    Examples
    --------
    The first article's credit example: 200 credits (about $1.00) for a generation that
    costs the platform $0.40 is a 60% gross margin.

    >>> round(gross_margin(1.00, 0.40), 10)
    0.6
    """
    price = np.asarray(price_usd, dtype=float)
    if np.any(price <= 0):
        raise ValueError(f"price_usd must be positive to define a gross margin, got {price_usd!r}")
    result = (price - np.asarray(cost_usd, dtype=float)) / price
    return float(result) if np.ndim(result) == 0 else result


def monthly_churn_from_annual_retention(annual_retention: ArrayLike) -> ArrayLike:
    """Monthly churn that compounds to a given annual retention: 1 - retention**(1/12).

    Examples
    --------
    90% annual retention is 0.874% monthly churn.

    >>> round(monthly_churn_from_annual_retention(0.90), 5)
    0.00874
    """
    result = 1.0 - np.asarray(annual_retention, dtype=float) ** (1.0 / 12.0)
    return float(result) if np.ndim(result) == 0 else result


def lifetime_value_usd(
    arpu_month_usd: ArrayLike,
    gross_margin: ArrayLike,
    monthly_churn: ArrayLike,
    annual_discount_rate: float = 0.0,
    free_tier_cost_month_usd: ArrayLike = 0.0,
) -> ArrayLike:
    """Discounted lifetime gross profit of one customer, in USD (negative if it loses money monthly).

    Parameters
    ----------
    arpu_month_usd
        Revenue per customer per month (USD).
    gross_margin
        Share of revenue left after the cost of serving it (0-1).
    monthly_churn
        Probability the customer leaves in a month (0-1, exclusive of 0 when undiscounted).
    annual_discount_rate
        Annual discount rate of future gross profit; 0 gives ``arpu * margin / churn``.
    free_tier_cost_month_usd
        Compute of the free users each paying customer carries, USD per month.

    Examples
    --------
    $100 a month at 70% margin with 5% monthly churn, undiscounted: 100 * 0.7 / 0.05.

    >>> round(lifetime_value_usd(100, 0.7, 0.05), 6)
    1400.0
    >>> round(lifetime_value_usd(100, 0.7, 0.05, free_tier_cost_month_usd=80), 6)
    -200.0
    """
    monthly_discount = (1.0 + annual_discount_rate) ** (-1.0 / 12.0)
    survival = 1.0 - np.asarray(monthly_churn, dtype=float)
    denominator = 1.0 - survival * monthly_discount
    if np.any(denominator <= 0):
        raise ValueError("lifetime value is infinite when churn and the discount rate are both zero")
    profit = np.asarray(arpu_month_usd, dtype=float) * np.asarray(gross_margin, dtype=float) - np.asarray(
        free_tier_cost_month_usd, dtype=float
    )
    result = profit / denominator
    return float(result) if np.ndim(result) == 0 else result


def cac_payback_months(
    cac_usd: ArrayLike,
    arpu_month_usd: ArrayLike,
    gross_margin: ArrayLike,
    sales_cycle_months: ArrayLike = 0.0,
    free_tier_cost_month_usd: ArrayLike = 0.0,
) -> ArrayLike:
    """Months from the start of the sale until gross profit has repaid the acquisition cost.

    Infinite when the monthly gross profit (after the free tier's compute) is not positive.

    Examples
    --------
    CAC $1,200 repaid by $100 a month at 60% margin takes 20 months, plus a 3-month sales cycle.

    >>> round(cac_payback_months(1200, 100, 0.6, 3), 6)
    23.0
    >>> cac_payback_months(1200, 100, 0.6, 3, free_tier_cost_month_usd=60)
    inf
    """
    profit = np.asarray(arpu_month_usd, dtype=float) * np.asarray(gross_margin, dtype=float) - np.asarray(
        free_tier_cost_month_usd, dtype=float
    )
    with np.errstate(divide="ignore"):
        months = np.asarray(cac_usd, dtype=float) / np.where(profit > 0, profit, 0.0)
    result = np.asarray(sales_cycle_months, dtype=float) + np.where(profit > 0, months, np.inf)
    return float(result) if np.ndim(result) == 0 else result


def expected_capped_generations(
    median_generations_per_month: float,
    usage_spread: float,
    monthly_shock_spread: float,
    market_shock_spread: float,
    cap: float,
) -> float:
    """Mean monthly generations of a user held to ``cap``, under the pricing chapter's usage model.

    Demand is log-normal: a user's typical use (median ``median_generations_per_month``, sigma
    ``usage_spread``) times individual and market-wide monthly shocks with mean 1. With
    ``mu`` and ``sigma`` of the product, ``E[min(X, c)] = E[X] Phi((ln c - mu - sigma^2) / sigma)
    + c (1 - Phi((ln c - mu) / sigma))``.

    Examples
    --------
    The pricing chapter's defaults (median 30, sigmas 1.2, 0.4, 0.15) and a free cap of 5: most
    users want more than 5, so a free user uses 4.83 generations a month on average.

    >>> round(expected_capped_generations(30, 1.2, 0.4, 0.15, 5), 3)
    4.825
    """
    if not (math.isfinite(median_generations_per_month) and median_generations_per_month > 0):
        raise ValueError(
            f"median_generations_per_month = {median_generations_per_month!r} is not allowed: must be a number > 0"
        )
    for name, value in (
        ("usage_spread", usage_spread),
        ("monthly_shock_spread", monthly_shock_spread),
        ("market_shock_spread", market_shock_spread),
        ("cap", cap),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} = {value!r} is not allowed: must be a number >= 0")
    if cap == 0:
        return 0.0
    mu = math.log(median_generations_per_month) - (monthly_shock_spread**2 + market_shock_spread**2) / 2
    sigma = math.sqrt(usage_spread**2 + monthly_shock_spread**2 + market_shock_spread**2)
    if sigma == 0:
        return float(min(math.exp(mu), cap))
    z = (math.log(cap) - mu) / sigma
    return float(math.exp(mu + sigma**2 / 2) * ndtr(z - sigma) + cap * (1 - ndtr(z)))


def free_tier_compute_per_payer_usd(
    freemium_conversion: ArrayLike, cost_per_generation_usd: ArrayLike, free_generations_month: ArrayLike
) -> ArrayLike:
    """Monthly compute of the free users one paying customer carries: ``(1 - c) / c * cost * use``.

    Examples
    --------
    At 3.5% conversion each payer carries 27.6 free users; at $0.40 a generation and 4.83
    generations each that is $53 a month.

    >>> round(free_tier_compute_per_payer_usd(0.035, 0.40, 4.825), 2)
    53.21
    """
    c = np.asarray(freemium_conversion, dtype=float)
    cost = np.asarray(cost_per_generation_usd, dtype=float)
    use = np.asarray(free_generations_month, dtype=float)
    if np.any(~np.isfinite(c)) or np.any(c <= 0) or np.any(c > 1):
        raise ValueError(f"freemium_conversion = {freemium_conversion!r} is not allowed: must be a share > 0 and <= 1")
    for name, value, raw in (
        ("cost_per_generation_usd", cost, cost_per_generation_usd),
        ("free_generations_month", use, free_generations_month),
    ):
        if np.any(~np.isfinite(value)) or np.any(value < 0):
            raise ValueError(f"{name} = {raw!r} is not allowed: must be a number >= 0")
    result = (1.0 - c) / c * cost * use
    return float(result) if np.ndim(result) == 0 else result


def derive_customer_economics(
    primitives: Mapping[str, ArrayLike], cac_multiplier: float = 1.0, churn_multiplier: float = 1.0
) -> dict[str, FloatArray]:
    """Turn a model's primitive inputs into ARPU, gross margin, churn, CAC and sales cycle.

    ARPU is ``arpu_month_usd``, or ``annual_contract_usd / 12``, or ``gmv_month_usd * take_rate``;
    churn is ``monthly_churn`` or follows from ``annual_retention``; CAC is ``cac_usd``, or
    ``cost_per_signup_usd / freemium_conversion``, or ``cac_to_acv`` years of contract value.
    With ``free_cost_per_generation_usd`` and ``free_generations_month`` the free tier's compute
    per paying customer (:func:`free_tier_compute_per_payer_usd`) is returned as
    ``free_tier_cost_month_usd`` (zero otherwise). The stress multipliers scale CAC and churn
    (churn capped just below 100%).

    Examples
    --------
    Freemium acquisition: $1.50 per sign-up at 3% conversion is $50 per paying customer.

    >>> e = derive_customer_economics({"arpu_month_usd": 20, "gross_margin": 0.7, "monthly_churn": 0.04,
    ...                                "cost_per_signup_usd": 1.5, "freemium_conversion": 0.03})
    >>> round(float(e["cac_usd"]), 6)
    50.0
    """
    p = {k: np.asarray(v, dtype=float) for k, v in primitives.items()}
    if "arpu_month_usd" in p:
        arpu = p["arpu_month_usd"]
    elif "annual_contract_usd" in p:
        arpu = p["annual_contract_usd"] / 12.0
    elif "gmv_month_usd" in p and "take_rate" in p:
        arpu = p["gmv_month_usd"] * p["take_rate"]
    else:
        raise ValueError(f"no way to derive revenue per customer from inputs {sorted(p)}")
    if "monthly_churn" in p:
        churn = p["monthly_churn"]
    elif "annual_retention" in p:
        churn = np.asarray(monthly_churn_from_annual_retention(p["annual_retention"]))
    else:
        raise ValueError(f"no way to derive churn from inputs {sorted(p)}")
    if "cac_usd" in p:
        cac = p["cac_usd"]
    elif "cost_per_signup_usd" in p and "freemium_conversion" in p:
        cac = p["cost_per_signup_usd"] / p["freemium_conversion"]
    elif "cac_to_acv" in p:
        cac = p["cac_to_acv"] * arpu * 12.0
    else:
        raise ValueError(f"no way to derive acquisition cost from inputs {sorted(p)}")
    if "gross_margin" not in p:
        raise ValueError(f"inputs {sorted(p)} have no gross_margin")
    if all(name in p for name in FREE_TIER_INPUTS):
        if "freemium_conversion" not in p:
            raise ValueError(f"inputs {sorted(p)} have a free tier but no freemium_conversion")
        free = np.asarray(
            free_tier_compute_per_payer_usd(
                p["freemium_conversion"], p["free_cost_per_generation_usd"], p["free_generations_month"]
            )
        )
    else:
        free = np.zeros_like(arpu)
    return {
        "arpu_month_usd": arpu,
        "gross_margin": p["gross_margin"],
        "free_tier_cost_month_usd": free * np.ones_like(arpu),
        "monthly_churn": np.minimum(churn * churn_multiplier, MAX_MONTHLY_CHURN),
        "cac_usd": cac * cac_multiplier,
        "sales_cycle_months": p.get("sales_cycle_months", np.zeros_like(arpu)),
    }


def customer_metrics(
    primitives: Mapping[str, ArrayLike],
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
) -> dict[str, FloatArray]:
    """LTV, LTV/CAC, CAC payback and monthly gross profit for arrays of primitive inputs."""
    e = derive_customer_economics(primitives, cac_multiplier, churn_multiplier)
    free = e["free_tier_cost_month_usd"]
    ltv = np.asarray(
        lifetime_value_usd(e["arpu_month_usd"], e["gross_margin"], e["monthly_churn"], annual_discount_rate, free)
    )
    payback = np.asarray(
        cac_payback_months(e["cac_usd"], e["arpu_month_usd"], e["gross_margin"], e["sales_cycle_months"], free)
    )
    profit = e["arpu_month_usd"] * e["gross_margin"] - free
    return {
        **e,
        "gross_profit_month_usd": profit,
        "ltv_usd": ltv,
        "ltv_to_cac": ltv / e["cac_usd"],
        "payback_months": payback,
    }

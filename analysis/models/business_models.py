"""Business models: margins, unit economics (LTV, LTV/CAC, CAC payback) and the article's claims.

Unit economics follow the standard subscription arithmetic. A customer paying
``arpu_month_usd`` a month at ``gross_margin`` who leaves with probability ``monthly_churn``
each month is worth, with future months discounted at ``annual_discount_rate``::

    LTV = arpu * margin * sum_t ((1 - churn) / (1 + d_month))**t = arpu * margin / (1 - (1 - churn) / (1 + d_month))

which is ``arpu * margin / churn`` when nothing is discounted. A model that acquires its
customers through a free tier (the SaaS subscription) also pays, every month, for the compute
of the free users each paying customer carries: ``(1 - conversion) / conversion`` free users
at the pricing chapter's cost per generation and free-tier use, taken from the same facts the
pricing chapter uses. That cost is subtracted from the monthly gross profit. CAC payback is
the sales cycle plus the months of gross profit that repay the acquisition cost (never, when
the monthly gross profit is not positive).

Each business model describes its customer with *primitive* inputs taken from the data
(``data/unit_economics_inputs.csv`` maps each to a fact): some give ARPU directly, others
derive it (a contract value, or purchases times a take rate); churn may come from an annual
retention; CAC may come from a cost per sign-up and a conversion rate, or a multiple of the
contract value. Every metric here is monotone in every primitive (with the others held), so
evaluating it at every corner of the low-high box gives its exact interval.

Three structural choices are made once and their effect is measured
(:func:`uncertainty_budget`): the discount rate (default against 0%), the midpoint rule for
ranges spanning 10x or more (:func:`analysis.data.range_midpoint`), and whether the free
tier's compute is carried.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import brentq
from scipy.special import ndtr

from analysis.data import WIDE_RANGE_RATIO, Dataset, MidpointRule, central_value, fact_range
from analysis.parameters import get_chapter
from analysis.present.tables import fmt_number, fmt_share, fmt_usd

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


class FreeTier(TypedDict):
    """The free tier a paying SaaS customer carries (see :func:`free_tier_inputs`)."""

    cost_per_generation_usd: float
    free_cap: float
    free_generations_month: float
    fact_ids: dict[str, str]


def free_tier_inputs(dataset: Dataset) -> FreeTier:
    """The free tier as the pricing chapter sets it: cost per generation and a free user's use.

    The facts are found through the pricing chapter's parameter declarations, so one
    assumption serves both chapters. Returns the cost per generation, the free cap, the mean
    generations a free user uses (:func:`expected_capped_generations`) and the facts behind them.
    """
    pricing = get_chapter("pricing")
    fact_ids = {name: pricing.parameter(name).fact_ids[0] for name in PRICING_FREE_TIER_PARAMETERS}
    values = {name: float(central_value(dataset.fact(fact_id))) for name, fact_id in fact_ids.items()}
    use = expected_capped_generations(
        values["median_generations_per_month"],
        values["usage_spread"],
        values["monthly_shock_spread"],
        values["market_shock_spread"],
        values["free_cap"],
    )
    return {
        "cost_per_generation_usd": values["cost_per_generation_usd"],
        "free_cap": values["free_cap"],
        "free_generations_month": float(use),
        "fact_ids": fact_ids,
    }


def unit_economics_inputs(
    dataset: Dataset, *, free_tier_compute: bool = True, midpoint_rule: MidpointRule = "geometric_if_wide"
) -> pd.DataFrame:
    """The primitive inputs of every business model, with low, base, high and provenance.

    One row per (business model, input), joined to its fact: ``base`` is the fact's value or
    the midpoint of its range (``midpoint_rule``, see :func:`analysis.data.range_midpoint`);
    ``kind`` says whether it is reported, assumed, or a parameter. A model with a
    ``freemium_conversion`` input also gets the free tier's two inputs (cost per generation
    and a free user's monthly use, from :func:`free_tier_inputs`) unless ``free_tier_compute``
    is false.
    """
    mapping = dataset["unit_economics_inputs"]
    rows = []
    for record in mapping.itertuples(index=False):
        fact = dataset.fact(record.fact_id)
        low, base, high = fact_range(fact, midpoint_rule)
        rows.append(
            {
                "business_model_id": record.business_model_id,
                "input": record.input,
                "low": low,
                "base": base,
                "high": high,
                "unit": fact["unit"],
                "kind": fact["kind"],
                "fact_id": record.fact_id,
                "source_id": fact["source_id"],
            }
        )
    if free_tier_compute:
        free = free_tier_inputs(dataset)
        fact_ids = free["fact_ids"]
        assert isinstance(fact_ids, dict)
        freemium_models = [r["business_model_id"] for r in rows if r["input"] == "freemium_conversion"]
        for model_id in freemium_models:
            for name, value, unit, fact_id in (
                ("free_cost_per_generation_usd", free["cost_per_generation_usd"], "usd_per_generation",
                 fact_ids["cost_per_generation_usd"]),
                ("free_generations_month", free["free_generations_month"], "count_per_month", fact_ids["free_cap"]),
            ):  # fmt: skip
                fact = dataset.fact(fact_id)
                rows.append(
                    {
                        "business_model_id": model_id,
                        "input": name,
                        "low": value,
                        "base": value,
                        "high": value,
                        "unit": unit,
                        "kind": fact["kind"],
                        "fact_id": fact_id,
                        "source_id": fact["source_id"],
                    }
                )
    frame = pd.DataFrame(rows)
    order = {m: i for i, m in enumerate(dict.fromkeys(mapping["business_model_id"]))}
    return frame.sort_values("business_model_id", key=lambda c: c.map(order), kind="stable").reset_index(drop=True)


def _model_primitives(inputs: pd.DataFrame, model_id: str) -> pd.DataFrame:
    rows = inputs[inputs["business_model_id"] == model_id].set_index("input")
    if rows.empty:
        raise KeyError(f"no unit-economics inputs for business model {model_id!r}")
    return rows


METRICS = (
    "arpu_month_usd",
    "gross_margin",
    "free_tier_cost_month_usd",
    "gross_profit_month_usd",
    "monthly_churn",
    "cac_usd",
    "ltv_usd",
    "ltv_to_cac",
    "payback_months",
)


def model_metric_range(
    inputs: pd.DataFrame,
    model_id: str,
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
) -> dict[str, tuple[float, float, float]]:
    """(low, base, high) of LTV, LTV/CAC and payback for one model over its input box.

    Every corner of the low-high box of the primitive inputs is evaluated at once; each metric
    is monotone in each input with the others held, so the corners' minimum and maximum are the
    exact interval.
    """
    rows = _model_primitives(inputs, model_id)
    names = list(rows.index)
    corners = np.array(list(itertools.product((0, 1), repeat=len(names))), dtype=float)
    grid = {
        name: rows.at[name, "low"] + corners[:, i] * (rows.at[name, "high"] - rows.at[name, "low"])
        for i, name in enumerate(names)
    }
    at_corners = customer_metrics(grid, annual_discount_rate, cac_multiplier, churn_multiplier)
    at_base = customer_metrics(
        {name: rows.at[name, "base"] for name in names},
        annual_discount_rate,
        cac_multiplier,
        churn_multiplier,
    )
    return {
        metric: (float(at_corners[metric].min()), float(at_base[metric]), float(at_corners[metric].max()))
        for metric in METRICS
    }


def compute_unit_economics(
    dataset: Dataset,
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
    *,
    free_tier_compute: bool = True,
    midpoint_rule: MidpointRule = "geometric_if_wide",
) -> pd.DataFrame:
    """Unit economics of the seven business models, each metric as low, base and high.

    Returns one row per model (in the article's order) with columns ``<metric>_low``,
    ``<metric>`` (the base case) and ``<metric>_high`` for ARPU, gross margin, the free tier's
    compute per paying customer, monthly gross profit after it, churn, CAC, LTV (USD),
    LTV/CAC and CAC payback (months).

    Raises
    ------
    ValueError
        Naming a setting outside what is allowed (see :func:`check_settings`).
    """
    check_settings(annual_discount_rate, cac_multiplier, churn_multiplier)
    inputs = unit_economics_inputs(dataset, free_tier_compute=free_tier_compute, midpoint_rule=midpoint_rule)
    models = dataset["business_models"].sort_values("order")
    records = []
    for model_id, name in zip(models["id"], models["name"], strict=True):
        ranges = model_metric_range(inputs, model_id, annual_discount_rate, cac_multiplier, churn_multiplier)
        record: dict[str, object] = {"business_model_id": model_id, "business_model": name}
        for metric, (low, base, high) in ranges.items():
            record[f"{metric}_low"], record[metric], record[f"{metric}_high"] = low, base, high
        records.append(record)
    return pd.DataFrame(records)


def _base_ltv_to_cac(
    inputs: pd.DataFrame | Mapping[str, float],
    model_id: str,
    settings: Mapping[str, float],
    replace: Mapping[str, float] = {},
) -> float:
    """LTV/CAC of a model at its base inputs, some replaced; ``inputs`` may be the base values already."""
    if isinstance(inputs, pd.DataFrame):
        inputs = _model_primitives(inputs, model_id)["base"].to_dict()
    primitives = {name: replace.get(name, value) for name, value in inputs.items()}
    return float(customer_metrics(primitives, **settings)["ltv_to_cac"])


def _claims_inputs(
    dataset: Dataset,
    annual_discount_rate: float,
    cac_multiplier: float,
    churn_multiplier: float,
    free_tier_compute: bool,
    midpoint_rule: MidpointRule,
) -> tuple[pd.DataFrame, dict[str, float], pd.Series]:
    """What testing the claims starts from: the checked settings' inputs, the stress multipliers and the
    models' names."""
    check_settings(annual_discount_rate, cac_multiplier, churn_multiplier)
    inputs = unit_economics_inputs(dataset, free_tier_compute=free_tier_compute, midpoint_rule=midpoint_rule)
    multipliers = {"cac_multiplier": cac_multiplier, "churn_multiplier": churn_multiplier}
    return inputs, multipliers, dataset["business_models"]["name"]


def evaluate_claims(
    dataset: Dataset,
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
    *,
    free_tier_compute: bool = True,
    midpoint_rule: MidpointRule = "geometric_if_wide",
) -> pd.DataFrame:
    """For each LTV/CAC claim of the article, whether the base case agrees, and by how much.

    ``ratio`` is the favoured model's LTV/CAC over the other's: above 1 the model agrees.
    ``robust`` is true when the favoured model's whole LTV/CAC interval lies above the other's.
    The ``*_undiscounted`` columns give the same comparison at a 0% discount rate, so the
    verdict can be read at both.
    """
    inputs, settings, names = _claims_inputs(
        dataset, annual_discount_rate, cac_multiplier, churn_multiplier, free_tier_compute, midpoint_rule
    )
    rows = []
    for claim in dataset["ltv_cac_claims"].itertuples(index=False):
        favoured = model_metric_range(inputs, claim.favoured_model_id, annual_discount_rate, **settings)["ltv_to_cac"]
        other = model_metric_range(inputs, claim.other_model_id, annual_discount_rate, **settings)["ltv_to_cac"]
        undiscounted = {"annual_discount_rate": 0.0, **settings}
        favoured_0 = _base_ltv_to_cac(inputs, claim.favoured_model_id, undiscounted)
        other_0 = _base_ltv_to_cac(inputs, claim.other_model_id, undiscounted)
        rows.append(
            {
                "claim_id": claim.id,
                "claim": claim.quote,
                "favoured_model": names[claim.favoured_model_id],
                "other_model": names[claim.other_model_id],
                "favoured_ltv_to_cac": favoured[1],
                "other_ltv_to_cac": other[1],
                "ratio": favoured[1] / other[1],
                "agrees": favoured[1] > other[1],
                "robust": favoured[0] > other[2],
                "possible": favoured[2] > other[0],
                "favoured_ltv_to_cac_undiscounted": favoured_0,
                "other_ltv_to_cac_undiscounted": other_0,
                "agrees_undiscounted": favoured_0 > other_0,
            }
        )
    return pd.DataFrame(rows)


def _search_bracket(input_name: str, base: float) -> tuple[float, float]:
    if input_name in SHARE_INPUTS:
        return 1e-6, 1 - 1e-6
    if input_name == DISCOUNT_INPUT:
        return 0.0, 1.0
    return base / 1000.0, base * 1000.0


def move_in_ranges(base: float, value: float, low: float, high: float) -> float:
    """How far ``value`` is from ``base`` in units of the stated low-high range (NaN without a range).

    A range spanning 10x or more is measured on a log scale, as its midpoint is geometric
    (:func:`analysis.data.range_midpoint`).

    Examples
    --------
    >>> round(move_in_ranges(1.0, 0.64, 0.5, 1.5), 2)
    -0.36
    >>> round(move_in_ranges(1_000, 10_000, 100, 100_000), 2)
    0.33
    """
    if not high > low:
        return math.nan
    if low > 0 and value > 0 and base > 0 and high >= WIDE_RANGE_RATIO * low:
        return math.log(value / base) / math.log(high / low)
    return (value - base) / (high - low)


def _relative_change(input_name: str, base: float, flip: float) -> float:
    """How far the flip is from the base, relative; for annual retention measured on monthly churn."""
    if input_name == "annual_retention":
        return float(monthly_churn_from_annual_retention(flip)) / float(monthly_churn_from_annual_retention(base)) - 1
    if base == 0:
        return math.inf if flip != 0 else 0.0
    return flip / base - 1.0


def claim_flip_points(
    dataset: Dataset,
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
    *,
    free_tier_compute: bool = True,
    midpoint_rule: MidpointRule = "geometric_if_wide",
) -> pd.DataFrame:
    """Where each claim flips: every input of either model, and the discount rate, that equalises LTV/CAC.

    Holding everything else at its base, each input of the favoured and of the other model is
    moved until the two models' LTV/CAC are equal (Brent's method); so is the discount rate,
    which moves both models at once (``side`` "both"). Moves are measured in units of the
    input's stated low-high range (``move_in_ranges``: -0.36 is 36% of the range downwards,
    see :func:`move_in_ranges`);
    the discount rate's range is the report's two structural choices, 0% to the rate in use.
    ``relative_change`` is the move relative to the base, measured on monthly churn for
    annual retention (a retention of 92% -> 98% is a 78% cut in churn). ``within_stated_range``
    says whether the flip value lies inside that range, i.e. whether the data alone could
    reverse the verdict. Inputs that cannot flip the claim within their meaningful range are
    left out.
    """
    inputs, multipliers, names = _claims_inputs(
        dataset, annual_discount_rate, cac_multiplier, churn_multiplier, free_tier_compute, midpoint_rule
    )
    settings = {"annual_discount_rate": annual_discount_rate, **multipliers}
    discount_kind = str(dataset.fact(DISCOUNT_INPUT)["kind"]) if DISCOUNT_INPUT in dataset["facts"].index else ""
    rows = []

    def record(claim_id: str, side: str, model: str, input_name: str, kind: str, base: float, flip: float,
               low: float, high: float) -> None:  # fmt: skip
        rows.append(
            {
                "claim_id": claim_id,
                "side": side,
                "business_model": model,
                "input": input_name,
                "kind": kind,
                "base": base,
                "flip_value": flip,
                "relative_change": _relative_change(input_name, base, flip),
                "move_in_ranges": move_in_ranges(base, flip, low, high),
                "within_stated_range": bool(low <= flip <= high) and high > low,
                "low": low,
                "high": high,
            }
        )

    for claim in dataset["ltv_cac_claims"].itertuples(index=False):
        base_f = _base_ltv_to_cac(inputs, claim.favoured_model_id, settings)
        base_o = _base_ltv_to_cac(inputs, claim.other_model_id, settings)
        for side, model_id in (("favoured", claim.favoured_model_id), ("other", claim.other_model_id)):
            primitives = _model_primitives(inputs, model_id)
            # Root-finding calls the model dozens of times: give it plain base values, not the table.
            base_values = primitives["base"].to_dict()
            for input_name, row in primitives.iterrows():
                if input_name == "sales_cycle_months":
                    continue  # the sales cycle delays payback but does not change LTV/CAC

                def gap(
                    x: float,
                    _m: str = model_id,
                    _n: str = str(input_name),
                    _s: str = side,
                    _f: float = base_f,
                    _o: float = base_o,
                    _b: Mapping[str, float] = base_values,
                ) -> float:
                    moved = _base_ltv_to_cac(_b, _m, settings, {_n: x})
                    return (moved - _o) if _s == "favoured" else (_f - moved)

                lo, hi = _search_bracket(str(input_name), row["base"])
                if np.sign(gap(lo)) == np.sign(gap(hi)):
                    continue
                flip = float(brentq(gap, lo, hi, xtol=1e-12, rtol=1e-10))
                record(claim.id, side, names[model_id], str(input_name), row["kind"], row["base"], flip,
                       row["low"], row["high"])  # fmt: skip
        base_values_f = _model_primitives(inputs, claim.favoured_model_id)["base"].to_dict()
        base_values_o = _model_primitives(inputs, claim.other_model_id)["base"].to_dict()

        def discount_gap(
            rate: float,
            _fm: str = claim.favoured_model_id,
            _om: str = claim.other_model_id,
            _fb: Mapping[str, float] = base_values_f,
            _ob: Mapping[str, float] = base_values_o,
        ) -> float:
            at = {"annual_discount_rate": rate, **multipliers}
            return _base_ltv_to_cac(_fb, _fm, at) - _base_ltv_to_cac(_ob, _om, at)

        lo, hi = _search_bracket(DISCOUNT_INPUT, annual_discount_rate)
        if np.sign(discount_gap(lo)) != np.sign(discount_gap(hi)):
            flip = float(brentq(discount_gap, lo, hi, xtol=1e-12, rtol=1e-10))
            record(claim.id, "both", "both models", DISCOUNT_INPUT, discount_kind, annual_discount_rate, flip,
                   0.0, annual_discount_rate)  # fmt: skip
    return pd.DataFrame(rows)


def nearest_flips(flips: pd.DataFrame) -> pd.DataFrame:
    """Per claim, the flip to show first: in-range flips before others, then the smallest move in range units.

    A flip inside its input's stated range is one the data alone allow, so it is preferred to
    a smaller-looking move outside it; among equals the move is compared in units of each
    input's range (inputs without a range come last), then relative to the base.
    """
    order = flips.assign(
        _outside=~flips["within_stated_range"].astype(bool),
        _ranges=flips["move_in_ranges"].abs().fillna(math.inf),
        _relative=flips["relative_change"].abs(),
    ).sort_values(["claim_id", "_outside", "_ranges", "_relative"], kind="stable")
    head = order.groupby("claim_id", sort=False).head(1)
    return head.drop(columns=["_outside", "_ranges", "_relative"]).reset_index(drop=True)


def gross_margin_ranges(dataset: Dataset) -> pd.DataFrame:
    """Gross-margin range of each business model as the report uses it, with the table's figure.

    ``table_low``/``table_high`` are what the article's table says; they differ from the
    report's range only where a declared correction applies (the marketplace).
    """
    models = dataset["business_models"].sort_values("order")
    table_facts = dataset["facts"][
        (dataset["facts"]["metric"] == "gross_margin") & dataset["facts"]["quote"].str.startswith("|", na=False)
    ].set_index("entity")
    rows = []
    for model in models.itertuples(index=False):
        fact = dataset.fact(model.gross_margin_fact_id)
        low, base, high = fact_range(fact)
        table = table_facts.loc[model.id] if model.id in table_facts.index else fact
        rows.append(
            {
                "business_model_id": model.id,
                "business_model": model.name,
                "gross_margin_low": low,
                "gross_margin_mid": base,
                "gross_margin_high": high,
                "table_low": float(table["low"]),
                "table_high": float(table["high"]),
                "fact_id": model.gross_margin_fact_id,
                "quote": fact["quote"],
            }
        )
    return pd.DataFrame(rows)


def team_compensation_usd(
    headcount: int, compensation_low_usd: float, compensation_high_usd: float
) -> tuple[float, float]:
    """Annual compensation of a team, low and high, in USD.

    Examples
    --------
    The first article: 50 AI researchers at $300K-1M each cost $15M-50M a year.

    >>> team_compensation_usd(50, 300_000, 1_000_000)
    (15000000.0, 50000000.0)
    """
    if headcount < 1:
        raise ValueError(f"headcount must be at least 1, got {headcount}")
    if compensation_low_usd > compensation_high_usd:
        raise ValueError(
            f"compensation_low_usd {compensation_low_usd} is greater than compensation_high_usd {compensation_high_usd}"
        )
    return float(headcount * compensation_low_usd), float(headcount * compensation_high_usd)


def revenue_per_employee_usd(annual_revenue_usd: float, headcount: float) -> float:
    """Annual revenue divided by headcount, in USD per employee.

    Examples
    --------
    Midjourney: $200M+ with about 40 people is $5M+ per employee.

    >>> revenue_per_employee_usd(200e6, 40)
    5000000.0
    """
    if headcount <= 0:
        raise ValueError(f"headcount must be positive, got {headcount}")
    return float(annual_revenue_usd / headcount)


def generation_cost_by_media(dataset: Dataset, image_generation_cost_usd: float) -> pd.DataFrame:
    """Inference cost per generation: the reported overall range and image against video.

    Video costs ``image_generation_cost_usd`` times the reported 10-100x multiple.
    """
    overall = dataset.fact("inference_cost_per_generation_usd")
    multiple = dataset.fact("video_to_image_cost_multiple")
    return pd.DataFrame(
        [
            {
                "output": "Any generation (reported range)",
                "cost_low_usd": float(overall["low"]),
                "cost_high_usd": float(overall["high"]),
                "basis": "reported: " + str(overall["quote"]),
            },
            {
                "output": "Image",
                "cost_low_usd": image_generation_cost_usd,
                "cost_high_usd": image_generation_cost_usd,
                "basis": "assumption: cost of one image generation (parameter)",
            },
            {
                "output": "Video",
                "cost_low_usd": image_generation_cost_usd * float(multiple["low"]),
                "cost_high_usd": image_generation_cost_usd * float(multiple["high"]),
                "basis": "image cost x reported multiple: " + str(multiple["quote"]),
            },
        ]
    )


def who_makes_money(dataset: Dataset) -> pd.DataFrame:
    """The profitable few and the cash burners as the first article reports them."""
    outcomes = dataset["company_outcomes"]
    return pd.DataFrame(
        {
            "company": outcomes["name"].to_numpy(),
            "group": outcomes["group"].map({"profitable": "Profitable", "cash_burner": "Cash burner"}).to_numpy(),
            "what the article says": outcomes["quote"].to_numpy(),
        }
    )


def figure_bound(value: float | None, low: float | None, high: float | None) -> str:
    """What kind of figure a fact is: "exact", "range", "at least" (a minimum) or "at most" (a maximum).

    Examples
    --------
    "$5B+" is stored as low = 5e9 with no value and no high: a minimum.

    >>> figure_bound(None, 5e9, None), figure_bound(None, 0.3, 0.6), figure_bound(4.0, None, None)
    ('at least', 'range', 'exact')
    """

    def given(x: float | None) -> bool:
        return x is not None and x == x

    if given(value):
        return "exact"
    if given(low) and given(high):
        return "range"
    return "at least" if given(low) else "at most"


def source_disagreements(dataset: Dataset) -> pd.DataFrame:
    """Facts about the same entity and metric whose sources give different figures.

    Both figures are kept; this lists them side by side so the report never picks silently.
    ``bound`` says what kind of figure each is, and ``relation`` what the group amounts to: when
    every figure is a minimum ("surpassed", "+") they are two lower bounds, not a disagreement, and
    the larger binds.
    """
    facts = dataset["facts"][dataset["facts"]["kind"] == "reported"]
    rows = []
    for (entity, metric), group in facts.groupby(["entity", "metric"], sort=True):
        if group["source_id"].nunique() < 2:
            continue
        bounds = [figure_bound(f.value, f.low, f.high) for f in group.itertuples(index=False)]
        if all(b == "at least" for b in bounds):
            relation = "both are lower bounds: they do not contradict each other, and the larger binds"
        elif all(b == "at most" for b in bounds):
            relation = "both are upper bounds: they do not contradict each other, and the smaller binds"
        else:
            relation = "the figures differ"
        for fact, bound in zip(group.itertuples(index=False), bounds, strict=True):
            rows.append(
                {
                    "entity": entity,
                    "metric": metric,
                    "fact_id": fact.id,
                    "central_value": central_value(pd.Series(fact._asdict())),
                    "bound": bound,
                    "relation": relation,
                    "year": fact.year,
                    "source_id": fact.source_id,
                    "quote": fact.quote,
                }
            )
    return pd.DataFrame(rows)


# --- Honest precision and the uncertainty budget -------------------------------------------

HEADLINES = {
    "best_ltv_to_cac": ("highest LTV/CAC of the seven", "multiple"),
    "worst_ltv_to_cac": ("lowest LTV/CAC of the seven", "multiple"),
    "saas_ltv_to_cac": ("SaaS subscription LTV/CAC", "multiple"),
    "enterprise_ltv_usd": ("enterprise licence LTV", "usd"),
    "enterprise_payback_months": ("enterprise licence CAC payback, months", "months"),
    "claims_agree": ("claims the base case agrees with", "count"),
}
BUDGET_SOURCES = {
    "discount_rate": "discount rate 0% instead of the rate in use",
    "midpoint_rule": "arithmetic midpoint for ranges spanning 10x or more",
    "free_tier": "free tier's compute left out",
    "intervals": "input intervals, low to high",
}
BUDGET_SOURCE_NOUNS = {
    "discount_rate": "the discount rate",
    "midpoint_rule": "the midpoint rule",
    "free_tier": "the free tier's compute",
    "intervals": "the input intervals",
}


def significant_figures_supported(relative_swing: float) -> int:
    """How many significant figures a figure can carry when it may move by ``relative_swing``.

    One more than the swing's order of magnitude below 1, between 1 and 3: a swing of tens of
    percent supports 2 figures, one of a few percent 3, a swing of 100% or more only 1.

    Examples
    --------
    >>> [significant_figures_supported(s) for s in (0.0, 0.02, 0.3, 1.0, 25.0)]
    [3, 3, 2, 1, 1]
    """
    if not relative_swing >= 0:
        raise ValueError(f"relative_swing = {relative_swing!r} is not allowed: must be a number >= 0")
    if relative_swing == 0:
        return 3
    if not math.isfinite(relative_swing) or relative_swing >= 1:
        return 1
    return int(min(3, max(1, 1 + math.ceil(-math.log10(relative_swing) - 1e-12))))


def round_significant(value: float, figures: int) -> float:
    """``value`` rounded to ``figures`` significant figures (infinite and zero values unchanged).

    Examples
    --------
    >>> round_significant(8.667, 2), round_significant(-19.23, 1), round_significant(22.98, 2)
    (8.7, -20.0, 23.0)
    """
    if figures < 1:
        raise ValueError(f"figures = {figures!r} is not allowed: must be a whole number >= 1")
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(round(value, figures - 1 - math.floor(math.log10(abs(value)))))


def fmt_significant(value: float, figures: int, unit: str = "multiple") -> str:
    """A number to ``figures`` significant figures: '8.7', '-20', '$4M', 'never' for an infinite payback.

    Examples
    --------
    >>> fmt_significant(8.667, 2), fmt_significant(-19.23, 1), fmt_significant(4_369_449, 2, "usd")
    ('8.7', '-20', '$4.4M')
    >>> fmt_significant(float("inf"), 2, "months")
    'never'
    """
    if not math.isfinite(value):
        return "never" if value > 0 else "–"
    rounded = round_significant(value, figures)
    if unit == "usd":
        return fmt_usd(rounded, digits=max(0, figures - 1))
    if unit == "count":
        return fmt_number(value, 0)
    digits = 0 if rounded == 0 else max(0, figures - 1 - math.floor(math.log10(abs(rounded))))
    return fmt_number(rounded, digits)


def headline_figures(unit_economics: pd.DataFrame, claims: pd.DataFrame, suffix: str = "") -> dict[str, float]:
    """The chapter's headline figures from its unit economics and claims (``suffix`` "_low"/"_high" for bounds)."""
    by_id = unit_economics.set_index("business_model_id")
    ltv_to_cac = unit_economics[f"ltv_to_cac{suffix}"]
    if suffix == "":
        best, worst = ltv_to_cac.max(), ltv_to_cac.min()
        agree = float(claims["agrees"].sum())
    else:  # the interval of the model that is best (worst) in the base case
        ids = unit_economics["business_model_id"]
        best = by_id.at[ids[unit_economics["ltv_to_cac"].idxmax()], f"ltv_to_cac{suffix}"]
        worst = by_id.at[ids[unit_economics["ltv_to_cac"].idxmin()], f"ltv_to_cac{suffix}"]
        agree = float(claims["robust"].sum() if suffix == "_low" else claims["possible"].sum())
    return {
        "best_ltv_to_cac": float(best),
        "worst_ltv_to_cac": float(worst),
        "saas_ltv_to_cac": float(by_id.at["saas_subscription", f"ltv_to_cac{suffix}"]),
        "enterprise_ltv_usd": float(by_id.at["enterprise_license", f"ltv_usd{suffix}"]),
        "enterprise_payback_months": float(by_id.at["enterprise_license", f"payback_months{suffix}"]),
        "claims_agree": agree,
    }


def _relative_swing(base: float, *others: float) -> float:
    gaps = [abs(o - base) for o in others]
    if not all(math.isfinite(g) for g in gaps):
        return math.inf
    largest = max(gaps, default=0.0)
    if largest == 0:
        return 0.0
    return largest / abs(base) if base != 0 else math.inf


def uncertainty_budget(
    dataset: Dataset, annual_discount_rate: float, cac_multiplier: float = 1.0, churn_multiplier: float = 1.0
) -> pd.DataFrame:
    """How far each headline figure moves under each structural choice and across the input intervals.

    One row per (headline figure, source): ``base`` is the figure as the chapter states it,
    ``low``/``high`` the figure under the alternative (both equal for a structural choice; the
    interval's ends for the inputs), ``swing`` the largest move relative to the base. Each
    figure's ``dominant`` source has the largest swing, and ``figures`` is how many significant
    figures the largest swing supports (:func:`significant_figures_supported`).
    """
    check_settings(annual_discount_rate, cac_multiplier, churn_multiplier)
    multipliers = (cac_multiplier, churn_multiplier)

    def run(rate: float, **choices: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        return (
            compute_unit_economics(dataset, rate, *multipliers, **choices),
            evaluate_claims(dataset, rate, *multipliers, **choices),
        )

    default = run(annual_discount_rate)
    base = headline_figures(*default)
    alternatives = {
        "discount_rate": headline_figures(*run(0.0)),
        "midpoint_rule": headline_figures(*run(annual_discount_rate, midpoint_rule="arithmetic")),
        "free_tier": headline_figures(*run(annual_discount_rate, free_tier_compute=False)),
    }
    low, high = headline_figures(*default, suffix="_low"), headline_figures(*default, suffix="_high")
    rows = []
    for figure, (label, unit) in HEADLINES.items():
        for source, description in BUDGET_SOURCES.items():
            if source == "intervals":
                lo, hi = low[figure], high[figure]
            else:
                lo = hi = alternatives[source][figure]
            rows.append(
                {
                    "figure": figure,
                    "label": label,
                    "unit": unit,
                    "source": source,
                    "source_label": description,
                    "base": base[figure],
                    "low": lo,
                    "high": hi,
                    "swing": _relative_swing(base[figure], lo, hi),
                }
            )
    frame = pd.DataFrame(rows)
    largest = frame.groupby("figure", sort=False)["swing"].transform("max")
    frame["dominant"] = frame["swing"].eq(largest) & largest.gt(0)
    frame["figures"] = largest.map(significant_figures_supported)
    return frame


def headline_text(budget: pd.DataFrame, figure: str, value: float | None = None) -> str:
    """A headline figure formatted to the precision its uncertainty budget supports."""
    rows = budget[budget["figure"] == figure]
    if rows.empty:
        raise KeyError(f"no headline figure {figure!r} in the budget; figures: {', '.join(budget['figure'].unique())}")
    row = rows.iloc[0]
    return fmt_significant(float(row["base"] if value is None else value), int(row["figures"]), str(row["unit"]))


# --- Sentences chosen by the numbers --------------------------------------------------------


def join_names(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'.

    Examples
    --------
    >>> join_names(["API Provider"]), join_names(["A", "B", "C"])
    ('API Provider', 'A, B and C')
    """
    names = list(names)
    if not names:
        raise ValueError("join_names needs at least one name")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _tied(values: pd.Series, target: float) -> pd.Series:
    return pd.Series(np.isclose(values.to_numpy(dtype=float), target, rtol=1e-9, atol=1e-12), index=values.index)


def describe_widest_margins(margins: pd.DataFrame) -> str:
    """Which models have the widest gross-margin range, every one of them when several tie.

    Examples
    --------
    >>> m = pd.DataFrame({"business_model": ["A", "B", "C"], "gross_margin_low": [0.3, 0.4, 0.7],
    ...                   "gross_margin_high": [0.6, 0.7, 0.85]})
    >>> describe_widest_margins(m)
    'The widest ranges, 30 percentage points each, belong to A (30%–60%) and B (40%–70%).'
    """
    width = margins["gross_margin_high"] - margins["gross_margin_low"]
    widest = margins[_tied(width, float(width.max()))]
    points = fmt_number(float(width.max()) * 100, 0)
    parts = [
        f"{r.business_model} ({fmt_share(r.gross_margin_low)}–{fmt_share(r.gross_margin_high)})"
        for r in widest.itertuples(index=False)
    ]
    if len(parts) == 1:
        return f"The widest range, {points} percentage points, belongs to {parts[0]}."
    return f"The widest ranges, {points} percentage points each, belong to {join_names(parts)}."


def describe_highest_floor(margins: pd.DataFrame) -> str:
    """Which model has the highest gross-margin floor, naming every model that ties.

    Examples
    --------
    >>> m = pd.DataFrame({"business_model": ["Marketplace", "Enterprise"], "gross_margin_low": [0.7, 0.7]})
    >>> describe_highest_floor(m)
    'Marketplace and Enterprise share the highest floor, 70%.'
    """
    floor = float(margins["gross_margin_low"].max())
    names = list(margins.loc[_tied(margins["gross_margin_low"], floor), "business_model"])
    verb = "has" if len(names) == 1 else "share"
    return f"{join_names(names)} {verb} the highest floor, {fmt_share(floor)}."


def describe_extremes(unit_economics: pd.DataFrame, budget: pd.DataFrame) -> str:
    """The models with the highest and lowest base-case LTV/CAC, ties named, at the budget's precision."""
    best, worst = models_at(unit_economics, "ltv_to_cac", "max"), models_at(unit_economics, "ltv_to_cac", "min")
    if len(best) == len(unit_economics):
        return f"In the base case every model has the same LTV/CAC, {headline_text(budget, 'best_ltv_to_cac')}."

    def who(names: list[str]) -> str:
        return f"{names[0]}'s" if len(names) == 1 else f"shared by {join_names(names)}"

    return (
        f"In the base case the highest LTV/CAC is {who(best)} ({headline_text(budget, 'best_ltv_to_cac')}) "
        f"and the lowest {who(worst)} ({headline_text(budget, 'worst_ltv_to_cac')})."
    )


def models_at(unit_economics: pd.DataFrame, metric: str, which: str) -> list[str]:
    """The models at the maximum (``which="max"``) or minimum of a metric, every one when several tie.

    Examples
    --------
    >>> ue = pd.DataFrame({"business_model": ["A", "B", "C"], "ltv_to_cac": [2.0, 5.0, 5.0]})
    >>> models_at(ue, "ltv_to_cac", "max"), models_at(ue, "ltv_to_cac", "min")
    (['B', 'C'], ['A'])
    """
    if which not in ("max", "min"):
        raise ValueError(f"which = {which!r} is not allowed: must be 'max' or 'min'")
    values = unit_economics[metric]
    target = float(values.max() if which == "max" else values.min())
    return list(unit_economics.loc[_tied(values, target), "business_model"])


def describe_input_provenance(inputs: pd.DataFrame) -> tuple[str, str]:
    """Whether most inputs come from the sources, and how many are reported, assumed or the reader's.

    Examples
    --------
    >>> describe_input_provenance(pd.DataFrame({"kind": ["reported", "assumption", "assumption"]}))
    ('Most of these inputs are not in the sources', '3 inputs 1 is reported and 2 are our labelled assumptions')
    """
    kinds = inputs["kind"].value_counts()
    total, reported = len(inputs), int(kinds.get("reported", 0))
    assumed, readers = int(kinds.get("assumption", 0)), int(kinds.get("parameter", 0))
    lead = (
        "Most of these inputs are not in the sources" if 2 * reported < total else "Most of these inputs are reported"
    )

    def are(n: int) -> str:
        return f"{n} is" if n == 1 else f"{n} are"

    parts = [f"{are(reported)} reported", f"{are(assumed)} our labelled assumptions"]
    if readers:
        parts.append(f"{are(readers)} your parameters")
    return lead, f"{total} inputs {join_names(parts)}"


def describe_intervals_spanning_one(unit_economics: pd.DataFrame) -> str:
    """How many models' LTV/CAC intervals straddle 1, and what that means, in words chosen by the count."""
    low, high = unit_economics["ltv_to_cac_low"], unit_economics["ltv_to_cac_high"]
    spanning = int(((low < 1) & (high > 1)).sum())
    total = len(unit_economics)
    above = int((low >= 1).sum())
    if spanning == 0:
        return (
            f"Every model's interval lies on one side of 1 ({above} of the {total} above it): within the ranges "
            "the sources and our assumptions allow, the choice of business model decides whether a customer repays."
        )
    subject = "interval" if spanning == 1 else "intervals"
    verb = "runs" if spanning == 1 else "run"
    head = (
        f"But the {subject} of {spanning} of the {total} models {verb} from below 1 "
        "(a customer never repays its acquisition) to above it"
    )
    if 2 * spanning >= total:
        return head + (
            ": within the ranges the sources and our assumptions allow, "
            "the inputs decide more than the choice of business model does."
        )
    return head + f"; the other {total - spanning} stay on one side of 1 across their ranges."


def fmt_rate(rate: float) -> str:
    """A rate as a percentage with a decimal only when it needs one: '10%', '1.5%'.

    Examples
    --------
    >>> fmt_rate(0.10), fmt_rate(0.015)
    ('10%', '1.5%')
    """
    return fmt_share(rate, 1 if round(rate * 100, 9) % 1 else 0)


def _hold(count: int) -> str:
    return "holds" if count == 1 else "hold"


def describe_claims(claims: pd.DataFrame, annual_discount_rate: float) -> str:
    """How many of the claims hold at the rate in use and undiscounted, with the verb agreeing."""
    total = len(claims)
    agree, robust = int(claims["agrees"].sum()), int(claims["robust"].sum())
    agree_0 = int(claims["agrees_undiscounted"].sum())
    text = (
        f"At a discount rate of {fmt_rate(annual_discount_rate)}, "
        f"{agree} of the {total} claims {_hold(agree)} under the base case and {robust} {_hold(robust)} "
        "across the whole of both intervals"
    )
    if annual_discount_rate == 0:
        return text + " (this edition does not discount)."
    if agree_0 == agree:
        return text + f"; undiscounted (0%), the same number {_hold(agree_0)}."
    return text + f"; undiscounted (0%), {agree_0} {_hold(agree_0)}."


def describe_discount_effect(
    unit_economics: pd.DataFrame, undiscounted: pd.DataFrame, annual_discount_rate: float
) -> str:
    """Which model discounting weighs on most (the largest undiscounted/discounted LTV/CAC ratio), with its size."""
    if annual_discount_rate == 0:
        return "This edition does not discount: lifetime value is the undiscounted textbook formula."
    positive = unit_economics["ltv_to_cac"] > 0
    if not positive.any():
        return "No model has a positive lifetime value, so discounting changes no verdict."
    ratio = (undiscounted["ltv_to_cac"] / unit_economics["ltv_to_cac"]).where(positive)
    i = ratio.idxmax()
    name = unit_economics.at[i, "business_model"]
    at_rate, at_zero = unit_economics.at[i, "ltv_to_cac"], undiscounted.at[i, "ltv_to_cac"]
    share = at_rate / at_zero
    size = "less than half of" if share < 0.5 else "about half of" if share < 0.6 else f"{fmt_share(share)} of"
    return (
        f"Discounting weighs most on the customers who stay longest: at {fmt_rate(annual_discount_rate)} "
        f"the {name} model's LTV/CAC is {fmt_significant(at_rate, 2)}, {size} the {fmt_significant(at_zero, 2)} "
        "it has undiscounted."
    )


def _whole_usd(value: float) -> str:
    return fmt_usd(float(round(value))) if abs(value) >= 1 else fmt_usd(value)


def describe_free_tier(unit_economics: pd.DataFrame) -> str:
    """What the free tier's compute does to each freemium model's monthly gross profit, in words chosen by it."""
    carried = unit_economics[unit_economics["free_tier_cost_month_usd"] > 0]
    if carried.empty:
        return "No model in this run carries a free tier's compute."
    sentences = []
    for r in carried.itertuples(index=False):
        before = r.arpu_month_usd * r.gross_margin
        free = r.free_tier_cost_month_usd
        head = (
            f"Free users' compute costs the {r.business_model} model {_whole_usd(free)} a month for each paying "
            f"customer, against the {_whole_usd(before)} of gross profit that customer brings"
        )
        if free > before:
            sentences.append(
                head + f": each paying customer loses {_whole_usd(free - before)} a month, so its lifetime value is "
                "negative and its acquisition cost is never repaid."
            )
        else:
            sentences.append(head + f", leaving {_whole_usd(before - free)} a month.")
    return " ".join(sentences)


def describe_budget(budget: pd.DataFrame) -> str:
    """Which source of uncertainty moves the headline figures most, and which structural choice does."""
    dominant = budget[budget["dominant"]]
    counts = dominant["source"].value_counts()
    if counts.empty:
        return "Neither the structural choices nor the input intervals move any headline figure."
    top, n_top = str(counts.index[0]), int(counts.iloc[0])
    n_figures = budget["figure"].nunique()
    which = "every headline figure" if n_top == n_figures else f"{n_top} of the {n_figures} headline figures"
    text = f"{BUDGET_SOURCE_NOUNS[top].capitalize()} move {which} most"
    structural = budget[budget["source"] != "intervals"]
    biggest = structural.loc[structural["swing"].replace(math.inf, 1e300).idxmax()]
    if biggest["swing"] == 0:
        return text + "; no structural choice moves any of them."
    unit = str(biggest["unit"])
    return (
        text + f"; of the structural choices, {BUDGET_SOURCE_NOUNS[str(biggest['source'])]} moves one most: "
        f"the {biggest['label']} goes from {fmt_significant(biggest['base'], 2, unit)} "
        f"to {fmt_significant(biggest['low'], 2, unit)}."
    )


def modelling_choices(dataset: Dataset, defaults: Mapping[str, Any]) -> pd.DataFrame:
    """The business-model chapter's modelling choices with their computed effect, for the Methods page."""
    rate = float(defaults["annual_discount_rate"])
    budget = uncertainty_budget(
        dataset, rate, float(defaults.get("cac_multiplier", 1.0)), float(defaults.get("churn_multiplier", 1.0))
    ).set_index(["figure", "source"])

    def move(figure: str, source: str, fmt: Callable[[float], str]) -> str:
        row = budget.loc[(figure, source)]
        return f"{row['label']} {fmt(row['base'])} -> {fmt(row['low'])}"

    def multiple(x: float) -> str:
        return fmt_significant(x, 2)

    def usd_m(x: float) -> str:
        return f"${x / 1e6:.1f}M"

    def count(x: float) -> str:
        return f"{x:.0f} of 4"

    rows = [
        ("Discount rate", f"future gross profit discounted at {rate:.0%} a year", "0% (the undiscounted formula)",
         "; ".join([move("enterprise_ltv_usd", "discount_rate", usd_m),
                    move("saas_ltv_to_cac", "discount_rate", multiple)])),
        ("Midpoint of wide ranges", f"geometric for ranges spanning {WIDE_RANGE_RATIO:g}x or more, arithmetic "
         "otherwise, in every chapter", "arithmetic everywhere", move("enterprise_ltv_usd", "midpoint_rule", usd_m)),
        ("Free tier's compute", "carried into the SaaS model's cost of a paying customer", "left out",
         "; ".join([move("saas_ltv_to_cac", "free_tier", multiple), move("claims_agree", "free_tier", count)])),
        ("Flip sizes", "moves measured in units of each input's stated range (on churn for retention); flips "
         "inside the range preferred", "relative moves on the input itself",
         "the nearest flip of each claim is one a reader can find inside the stated ranges where one exists"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Choice", "What the report does", "Alternative", "Effect on the headline"])


# --- figures the Questions page answers from ---------------------------------------------------


def question_figures(margins: pd.DataFrame, unit_economics: pd.DataFrame, claims: pd.DataFrame) -> list[dict[str, Any]]:
    """Key figures that the readers' questions are answered from: names as text, numbers as values.

    Returns dictionaries for ``ChapterContext.record_key_figures``: ``key``, ``value``, ``unit``,
    ``text`` and a memo ``sentence``.

    Examples
    --------
    >>> m = pd.DataFrame({"business_model": ["A", "B"], "gross_margin_low": [0.3, 0.7],
    ...                   "gross_margin_high": [0.6, 0.9]})
    >>> ue = pd.DataFrame({"business_model": ["A", "B"], "ltv_to_cac": [5.0, 4.0],
    ...                    "ltv_to_cac_low": [0.2, 2.0], "ltv_to_cac_high": [90.0, 11.0]})
    >>> c = pd.DataFrame({"claim_id": ["b_beats_a"], "claim": ["B over A"], "agrees": [False]})
    >>> {f["key"]: f["text"] for f in question_figures(m, ue, c)}["bm_models_above_one"]
    'B'
    """
    best = models_at(unit_economics, "ltv_to_cac", "max")
    best_row = unit_economics.loc[unit_economics["business_model"] == best[0]].iloc[0]
    above = list(unit_economics.loc[unit_economics["ltv_to_cac_low"] > 1, "business_model"])
    floor = float(margins["gross_margin_low"].max())
    floor_names = list(margins.loc[_tied(margins["gross_margin_low"], floor), "business_model"])
    thin = float(margins["gross_margin_low"].min())
    thin_names = list(margins.loc[_tied(margins["gross_margin_low"], thin), "business_model"])
    low, high = (fmt_significant(float(best_row[f"ltv_to_cac_{end}"]), 1) for end in ("low", "high"))
    best_names = join_names(best)

    def share_verb(names: list[str]) -> str:
        return f"{join_names(names)} {'has' if len(names) == 1 else 'share'}"

    figures = [
        {"key": "bm_best_ltv_to_cac_model", "value": float(best_row["ltv_to_cac"]), "unit": "multiple",
         "text": best_names,
         "sentence": f"In the report's base case {best_names} has the highest LTV/CAC of the seven business models."},
        {"key": "bm_best_ltv_to_cac_low", "value": float(best_row["ltv_to_cac_low"]), "unit": "multiple",
         "text": low, "sentence": f"The low end of {best[0]}'s LTV/CAC interval is {low}."},
        {"key": "bm_best_ltv_to_cac_high", "value": float(best_row["ltv_to_cac_high"]), "unit": "multiple",
         "text": high, "sentence": f"The high end of {best[0]}'s LTV/CAC interval is {high}."},
        {"key": "bm_models_above_one", "value": float(len(above)), "unit": "count",
         "text": join_names(above) if above else "none",
         "sentence": f"{len(above)} of the seven business models keep LTV/CAC above 1 across their whole interval"
                     + (f": {join_names(above)}." if above else ".")},
        {"key": "bm_highest_floor_model", "value": floor, "unit": "share", "text": join_names(floor_names),
         "sentence": f"{share_verb(floor_names)} the highest gross-margin floor of the models, {fmt_share(floor)}."},
        {"key": "bm_highest_margin_floor", "value": floor, "unit": "share", "text": fmt_share(floor),
         "sentence": f"The highest gross-margin floor of the seven business models is {fmt_share(floor)}."},
        {"key": "bm_lowest_margin_floor", "value": thin, "unit": "share", "text": fmt_share(thin),
         "sentence": f"The lowest gross-margin floor of the seven business models is {fmt_share(thin)}."},
        {"key": "bm_thinnest_margin_model", "value": thin, "unit": "share", "text": join_names(thin_names),
         "sentence": f"{share_verb(thin_names)} the lowest gross-margin floor of the seven models, {fmt_share(thin)}."},
    ]  # fmt: skip
    for claim in claims.itertuples(index=False):
        verdict = "agrees" if claim.agrees else "disagrees"
        figures.append(
            {"key": f"bm_claim_{claim.claim_id}", "value": float(bool(claim.agrees)), "unit": "count",
             "text": verdict, "sentence": f"The report's base case {verdict} with the claim '{claim.claim}'."}
        )  # fmt: skip
    return figures


# --- the explorer: LTV/CAC and the claims over a grid of the inputs that decide them ---------------


def explorer_grid(
    dataset: Dataset,
    cac_multipliers: Sequence[float],
    churn_multipliers: Sequence[float],
    annual_discount_rates: Sequence[float],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Base-case LTV/CAC of every model, and every claim's verdict, at each point of the grid.

    Returns ``(models, claims)``: one row per (point, model) with ``ltv_to_cac`` and its interval, and
    one row per (point, claim) with ``agrees``. Computed by the chapter's own functions, so the point at
    the chapter's parameters is its published table.
    """
    for name, grid in (("cac_multipliers", cac_multipliers), ("churn_multipliers", churn_multipliers),
                       ("annual_discount_rates", annual_discount_rates)):  # fmt: skip
        if len(grid) == 0:
            raise ValueError(f"{name} is empty: give at least one value")
    models = []
    for cac in cac_multipliers:
        for churn in churn_multipliers:
            for rate in annual_discount_rates:
                point = {"cac_multiplier": float(cac), "churn_multiplier": float(churn),
                         "annual_discount_rate": float(rate)}  # fmt: skip
                economics = compute_unit_economics(dataset, rate, cac, churn)
                models.append(
                    economics[
                        ["business_model_id", "business_model", "ltv_to_cac", "ltv_to_cac_low", "ltv_to_cac_high"]
                    ].assign(**point)  # fmt: skip
                )
    frame = pd.concat(models, ignore_index=True)
    keys = ["cac_multiplier", "churn_multiplier", "annual_discount_rate"]
    wide = frame.pivot_table(index=keys, columns="business_model_id", values="ltv_to_cac").reset_index()
    claims = []
    # A claim agrees where the favoured model's base-case LTV/CAC exceeds the other's (as in evaluate_claims).
    for claim in dataset["ltv_cac_claims"].itertuples(index=False):
        verdict = wide[keys].assign(
            claim_id=claim.id, claim=claim.quote, agrees=wide[claim.favoured_model_id] > wide[claim.other_model_id]
        )
        claims.append(verdict)
    return frame, pd.concat(claims, ignore_index=True)

"""Unit economics of the seven models: their inputs from the data, metric intervals over every corner."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TypedDict

import numpy as np
import pandas as pd

from analysis.data import Dataset, MidpointRule, central_value, fact_range
from analysis.models.business_models.customer import (
    PRICING_FREE_TIER_PARAMETERS,
    FloatArray,
    check_settings,
    customer_metrics,
    expected_capped_generations,
)
from analysis.parameters import get_chapter


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


def model_primitives(inputs: pd.DataFrame, model_id: str) -> pd.DataFrame:
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
    return metric_range_at(model_box(inputs, model_id), annual_discount_rate, cac_multiplier, churn_multiplier)


ModelBox = tuple[dict[str, FloatArray], dict[str, float]]


def model_box(inputs: pd.DataFrame, model_id: str) -> ModelBox:
    """One model's primitive inputs at every corner of their low-high box, and at their base."""
    rows = model_primitives(inputs, model_id)
    names = list(rows.index)
    corners = np.array(list(itertools.product((0, 1), repeat=len(names))), dtype=float)
    grid = {
        name: rows.at[name, "low"] + corners[:, i] * (rows.at[name, "high"] - rows.at[name, "low"])
        for i, name in enumerate(names)
    }
    return grid, {name: rows.at[name, "base"] for name in names}


def metric_range_at(
    box: ModelBox, annual_discount_rate: float, cac_multiplier: float = 1.0, churn_multiplier: float = 1.0
) -> dict[str, tuple[float, float, float]]:
    """(low, base, high) of every metric over a model's input box (see :func:`model_box`) at these settings."""
    grid, base = box
    at_corners = customer_metrics(grid, annual_discount_rate, cac_multiplier, churn_multiplier)
    at_base = customer_metrics(base, annual_discount_rate, cac_multiplier, churn_multiplier)
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


def base_ltv_to_cac(
    inputs: pd.DataFrame | Mapping[str, float],
    model_id: str,
    settings: Mapping[str, float],
    replace: Mapping[str, float] = {},
) -> float:
    """LTV/CAC of a model at its base inputs, some replaced; ``inputs`` may be the base values already."""
    if isinstance(inputs, pd.DataFrame):
        inputs = model_primitives(inputs, model_id)["base"].to_dict()
    primitives = {name: replace.get(name, value) for name, value in inputs.items()}
    return float(customer_metrics(primitives, **settings)["ltv_to_cac"])


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
    return list(unit_economics.loc[tied(values, target), "business_model"])


def tied(values: pd.Series, target: float) -> pd.Series:
    return pd.Series(np.isclose(values.to_numpy(dtype=float), target, rtol=1e-9, atol=1e-12), index=values.index)

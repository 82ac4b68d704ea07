"""The first article's LTV/CAC claims tested on the base case, and the inputs at which each verdict flips."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from analysis.data import WIDE_RANGE_RATIO, Dataset, MidpointRule
from analysis.models.business_models.customer import (
    DISCOUNT_INPUT,
    SHARE_INPUTS,
    check_settings,
    monthly_churn_from_annual_retention,
)
from analysis.models.business_models.unit_economics import (
    base_ltv_to_cac,
    model_metric_range,
    model_primitives,
    unit_economics_inputs,
)


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
        favoured_0 = base_ltv_to_cac(inputs, claim.favoured_model_id, undiscounted)
        other_0 = base_ltv_to_cac(inputs, claim.other_model_id, undiscounted)
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
        base_f = base_ltv_to_cac(inputs, claim.favoured_model_id, settings)
        base_o = base_ltv_to_cac(inputs, claim.other_model_id, settings)
        for side, model_id in (("favoured", claim.favoured_model_id), ("other", claim.other_model_id)):
            primitives = model_primitives(inputs, model_id)
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
                    moved = base_ltv_to_cac(_b, _m, settings, {_n: x})
                    return (moved - _o) if _s == "favoured" else (_f - moved)

                lo, hi = _search_bracket(str(input_name), row["base"])
                if np.sign(gap(lo)) == np.sign(gap(hi)):
                    continue
                flip = float(brentq(gap, lo, hi, xtol=1e-12, rtol=1e-10))
                record(claim.id, side, names[model_id], str(input_name), row["kind"], row["base"], flip,
                       row["low"], row["high"])  # fmt: skip
        base_values_f = model_primitives(inputs, claim.favoured_model_id)["base"].to_dict()
        base_values_o = model_primitives(inputs, claim.other_model_id)["base"].to_dict()

        def discount_gap(
            rate: float,
            _fm: str = claim.favoured_model_id,
            _om: str = claim.other_model_id,
            _fb: Mapping[str, float] = base_values_f,
            _ob: Mapping[str, float] = base_values_o,
        ) -> float:
            at = {"annual_discount_rate": rate, **multipliers}
            return base_ltv_to_cac(_fb, _fm, at) - base_ltv_to_cac(_ob, _om, at)

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

"""Honest precision: the significant figures each headline supports and the uncertainty budget behind it."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.data import Dataset
from analysis.models.business_models.claims import evaluate_claims
from analysis.models.business_models.customer import check_settings
from analysis.models.business_models.unit_economics import compute_unit_economics

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

"""The chapter's modelling choices for the Methods page, the Questions page's figures, and the explorer's grid."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.data import WIDE_RANGE_RATIO, Dataset
from analysis.formats import fmt_share, fmt_significant, join_names
from analysis.models.business_models.customer import check_settings
from analysis.models.business_models.precision import uncertainty_budget
from analysis.models.business_models.unit_economics import (
    metric_range_at,
    model_box,
    models_at,
    tied,
    unit_economics_inputs,
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
    floor_names = list(margins.loc[tied(margins["gross_margin_low"], floor), "business_model"])
    thin = float(margins["gross_margin_low"].min())
    thin_names = list(margins.loc[tied(margins["gross_margin_low"], thin), "business_model"])
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
    # Each model's input box is read from the data once; every point evaluates it as compute_unit_economics does.
    inputs = unit_economics_inputs(dataset)
    names = dataset["business_models"].sort_values("order")[["id", "name"]].to_numpy()
    boxes = {model_id: model_box(inputs, model_id) for model_id, _ in names}
    rows = []
    for cac in cac_multipliers:
        for churn in churn_multipliers:
            for rate in annual_discount_rates:
                check_settings(rate, cac, churn)
                for model_id, name in names:
                    low, base, high = metric_range_at(boxes[model_id], rate, cac, churn)["ltv_to_cac"]
                    rows.append({"business_model_id": model_id, "business_model": name, "ltv_to_cac": base,
                                 "ltv_to_cac_low": low, "ltv_to_cac_high": high, "cac_multiplier": float(cac),
                                 "churn_multiplier": float(churn), "annual_discount_rate": float(rate)})  # fmt: skip
    frame = pd.DataFrame(rows)
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

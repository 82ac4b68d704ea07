"""The business-models chapter's words chosen by the numbers: sentences, names and figures as printed."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.formats import fmt_number, fmt_share, fmt_significant, fmt_usd, join_names
from analysis.models.business_models.precision import BUDGET_SOURCE_NOUNS
from analysis.models.business_models.unit_economics import models_at, tied

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | FloatArray


def headline_text(budget: pd.DataFrame, figure: str, value: float | None = None) -> str:
    """A headline figure formatted to the precision its uncertainty budget supports."""
    rows = budget[budget["figure"] == figure]
    if rows.empty:
        raise KeyError(f"no headline figure {figure!r} in the budget; figures: {', '.join(budget['figure'].unique())}")
    row = rows.iloc[0]
    return fmt_significant(float(row["base"] if value is None else value), int(row["figures"]), str(row["unit"]))


# --- Sentences chosen by the numbers --------------------------------------------------------


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
    widest = margins[tied(width, float(width.max()))]
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
    names = list(margins.loc[tied(margins["gross_margin_low"], floor), "business_model"])
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

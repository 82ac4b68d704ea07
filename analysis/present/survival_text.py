"""The lab-survival chapter's sentences, chosen by the numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.formats import fmt_number, fmt_share
from analysis.present.common import ARCHETYPE_NAMES


def growth_ratio_sentence(first: float, last: float, first_year: int, last_year: int) -> str:
    """The essay's first thing to watch, with the reading that its values support.

    Examples
    --------
    >>> growth_ratio_sentence(1.5, 0.9, 2026, 2032).split(": ")[1]
    'it falls below 1 along the way, so costs come to outgrow revenue and the runway shortens'
    >>> growth_ratio_sentence(1.4, 1.2, 2026, 2032).split(": ")[1]
    "above 1 throughout the horizon's ends, revenue outgrows costs"
    """
    if not (np.isfinite(first) and np.isfinite(last)):
        return f"is not defined for every year to {last_year} (a year with no change in costs)"
    head = f"is {fmt_number(first, 2)} in {first_year} and {fmt_number(last, 2)} by {last_year}: "
    if first >= 1 and last >= 1:
        return head + "above 1 throughout the horizon's ends, revenue outgrows costs"
    if first < 1 and last < 1:
        return head + "below 1 at both ends, costs outgrow revenue and the runway shortens"
    if first >= 1 > last:
        return head + "it falls below 1 along the way, so costs come to outgrow revenue and the runway shortens"
    return head + "it rises above 1 along the way, so revenue comes to outgrow costs"


def api_margin_sentence(
    start: float, end: float, price_decline: float, cost_decline: float, end_year: int, floor: float, cap: float
) -> str:
    """What happens to the API's gross margin, and why, in words the numbers support.

    Examples
    --------
    >>> api_margin_sentence(0.45, 0.45, 0.42, 0.42, 2032, 0.0, 0.95)[:58]
    'stays at 45% in 2032 because its price and its serving cos'
    >>> api_margin_sentence(0.45, 0.0, 0.55, 0.42, 2032, 0.0, 0.95).endswith("at its serving cost")
    True
    """
    rates = f"{fmt_share(price_decline)} against {fmt_share(cost_decline)} a year"
    if abs(end - start) < 0.005:
        return (
            f"stays at {fmt_share(end)} in {end_year} because its price and its serving cost fall at the same rate "
            f"({fmt_share(price_decline)} a year): the essay's point that cost cuts are competed away"
        )
    if end > start:
        text = f"rises from {fmt_share(start)} to {fmt_share(end)} by {end_year} because its serving cost falls faster "
        text += f"than its price ({rates} for the price and the cost)"
        return text + (", up to the cap where competition holds it" if end >= cap - 1e-9 else "")
    text = f"falls from {fmt_share(start)} to {fmt_share(end)} by {end_year} because its price falls faster than its "
    text += f"serving cost ({rates})"
    return text + (", until the lab stops cutting the price at its serving cost" if end <= floor + 1e-9 else "")


def edge_sentence(capture_share: float, execution_discount: float) -> str:
    """When selling access beats using an edge in-house, for the assumed capture share and discount.

    Selling to n firms earns ``capture / n`` of V; in-house earns ``1 - discount`` of V.

    Examples
    --------
    >>> edge_sentence(0.3, 0.5)
    'never: even sold to a single firm, the lab captures 30% of the edge against the 50% it keeps in-house'
    >>> edge_sentence(0.6, 0.8)
    'it is held by at most 3 firms'
    """
    kept = 1 - execution_discount
    if capture_share < kept:
        return (
            f"never: even sold to a single firm, the lab captures {fmt_share(capture_share)} of the edge against "
            f"the {fmt_share(kept)} it keeps in-house"
        )
    firms = int(np.floor(capture_share / kept + 1e-12))
    return f"it is held by at most {firms} firm{'s' if firms != 1 else ''}"


def calibration_sentence(calibration: pd.DataFrame) -> str:
    """How many of the sources' data points the model's 90% interval reaches, and which it misses.

    Examples
    --------
    >>> frame = pd.DataFrame({"verdict": ["within", "model below"], "quantity": ["a", "b"],
    ...                       "archetype": ["frontier_leader", "subscale_lab"]})
    >>> calibration_sentence(frame).split("; ")[1]
    'the model falls below the source on b (sub-scale independent lab)'
    """
    n, within = len(calibration), int((calibration["verdict"] == "within").sum())
    text = f"{within} of the {n} data points lie within the model's 90% interval"
    for verdict, words in (("model below", "falls below"), ("model above", "lies above")):
        missed = calibration[calibration["verdict"] == verdict]
        if not missed.empty:
            names = "; ".join(
                f"{q} ({ARCHETYPE_NAMES[a]})" for q, a in zip(missed["quantity"], missed["archetype"], strict=True)
            )
            text += f"; the model {words} the source on {names}"
    return text


def budget_sentence(budget: pd.DataFrame, column: str) -> str:
    """Which source of uncertainty dominates a headline probability, and how much sampling adds.

    Examples
    --------
    >>> b = pd.DataFrame({"source": ["Monte Carlo standard error", "spread", "elasticity"],
    ...                   "kind": ["sampling", "sampling", "structural"], "p": [0.004, 0.003, 0.14]})
    >>> budget_sentence(b, "p")
    'elasticity moves it most (14 pp); sampling error is 0.4 pp'
    """
    largest = budget.loc[budget[column].idxmax()]
    sampling = float(budget.loc[budget["kind"] == "sampling", column].max())
    return (
        f"{largest['source']} moves it most ({largest[column] * 100:.2g} pp); sampling error is {sampling * 100:.1g} pp"
    )


def choices_move(move: float, what: str = "it", points: str = "points") -> str:
    """How far the modelling choices move a probability, in whole percentage points, never 'up to 0 points'.

    Examples
    --------
    >>> choices_move(0.2)
    'modelling choices move it by up to 20 points'
    >>> choices_move(0.0015, points="percentage points"), choices_move(0.0, "the probability")
    ('modelling choices move it by less than 1 percentage point', 'modelling choices do not move the probability')
    """
    if move == 0:
        return f"modelling choices do not move {what}"
    if round(move * 100) == 0:
        return f"modelling choices move {what} by less than 1 {points.removesuffix('s')}"
    return f"modelling choices move {what} by up to {move * 100:.0f} {points}"


def points_text(move: float) -> str:
    """A move in percentage points as the key figure prints it: '20 pp', '<1 pp', '0 pp'.

    Examples
    --------
    >>> points_text(0.2), points_text(0.0015), points_text(0.0)
    ('20 pp', '<1 pp', '0 pp')
    """
    return "<1 pp" if move > 0 and round(move * 100) == 0 else f"{move * 100:.0f} pp"

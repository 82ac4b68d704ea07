"""Where each strategy wins and loses, the chapter's modelling choices, and the figures the Questions page answers
from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.formats import fmt_share, with_article
from analysis.models.pricing.deflation import deflation_cases, implied_annual_decline
from analysis.models.pricing.headline import compute_headline_figures, structural_alternatives
from analysis.models.pricing.population import check_positive
from analysis.models.pricing.settings import settings_from_params, simulate_from_params

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
    check_positive("abs_tol", abs_tol, allow_zero=True)
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
         f"freemium break-even conversion {fmt_share(headline['breakeven_default'])} -> "
         f"{fmt_share(cheap['breakeven_default'], 1)}; "
         f"credit margin {fmt_share(headline['credit_margin'])} -> {fmt_share(cheap['credit_margin'], 1)}"),
        ("Usage-price decline", f"the book's central rate, {fmt_share(central)} a year (the survival chapter's)",
         f"the article's 2023-2026 pace, {fmt_share(article, 1)} a year",
         f"credit margin after {years} years {fmt_share(headline['credits_margin_later'])} -> "
         f"{fmt_share(article_case['credits_margin_later'])}"),
        ("Serving cost against price", f"costs fall at {fmt_share(cases[0].cost_decline_per_year)} a year",
         "pass-through: costs fall exactly as fast as usage prices",
         f"credit margin after {years} years {fmt_share(headline['credits_margin_later'])} -> "
         f"{fmt_share(pass_through['credits_margin_later'])} (it keeps its starting margin)"),
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
         "text": fmt_share(central_decline),
         "sentence": f"The report's central assumption is that usage prices fall {fmt_share(central_decline)} a year."},
    ]  # fmt: skip
    for row in central.itertuples(index=False):
        name = names.get(row.strategy, row.strategy)
        now, later = fmt_share(row.gross_margin_now), fmt_share(row.gross_margin_later)
        figures.append(
            {"key": f"pr_margin_now_{row.strategy}", "value": float(row.gross_margin_now), "unit": "share",
             "text": now,
             "sentence": f"On the report's simulated users, {name} earns {with_article(now)} gross margin."}
        )  # fmt: skip
        figures.append(
            {"key": f"pr_margin_later_{row.strategy}", "value": float(row.gross_margin_later), "unit": "share",
             "text": later,
             "sentence": f"After {years} more years of falling prices and costs at the central rates, {name} would "
                         f"earn {with_article(later)} gross margin."}
        )  # fmt: skip
    return figures

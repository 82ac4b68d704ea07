"""Presentation of the pricing chapter: its tables, charts and sentences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis.data import Dataset
from analysis.formats import fmt_number, fmt_range, fmt_share, fmt_usd, is_missing, join_names
from analysis.present import charts
from analysis.present.common import EXACT_SD, fmt_share_supported, fmt_spread

PRICING_METRIC_FORMATS = {
    "gross_margin": lambda x: fmt_share(x),
    "gross_margin_later": lambda x: fmt_share(x),
    "gross_profit_per_user_month_usd": lambda x: fmt_usd(x),
    "revenue_cv": lambda x: f"CV {fmt_share(x)}",
    "share_unprofitable_users": lambda x: fmt_share(x, 1),
    "share_capped": lambda x: fmt_share(x, 1),
}


def strategy_names(dataset: Dataset) -> dict[str, str]:
    return dict(zip(dataset["pricing_strategies"]["id"], dataset["pricing_strategies"]["name"], strict=True))


def pricing_table(dataset: Dataset) -> pd.DataFrame:
    """The article's pricing table, realigned: best for, pros, cons."""
    s = dataset["pricing_strategies"].sort_values("order")
    return pd.DataFrame({"Pricing model": s["name"], "Best for": s["best_for"], "Pros": s["pros"], "Cons": s["cons"]})


def strategy_comparison_table(comparison: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    c = comparison
    return pd.DataFrame(
        {
            "Strategy": c["strategy"].map(names),
            "Revenue / user-month": c["revenue_per_user_month_usd"].map(fmt_usd),
            "Cost / user-month": c["cost_per_user_month_usd"].map(fmt_usd),
            "Gross margin": c["gross_margin"].map(fmt_share),
            "Revenue CV": c["revenue_cv"].map(fmt_share),
            "Users paying": c["share_paying"].map(lambda x: fmt_share(x, 1)),
            "Users costing more than they pay": c["share_unprofitable_users"].map(lambda x: fmt_share(x, 1)),
            "User-months at a limit": c["share_capped"].map(lambda x: fmt_share(x, 1)),
            "Free users' compute": c["free_user_cost_usd"].map(lambda x: fmt_usd(x) if x else "–"),
        }
    )


def margin_predictability_chart(comparison: pd.DataFrame, names: Mapping[str, str]) -> charts.ReportChart:
    frame = comparison.assign(name=comparison["strategy"].map(names))
    return charts.chart_scatter(
        frame,
        "revenue_cv",
        "gross_margin",
        "name",
        x_title="Month-to-month variation of revenue per paying user (CV)",
        y_title="Gross margin",
        x_format=".1%",
        description="Scatter of five pricing strategies: gross margin against the coefficient of variation "
        "of monthly revenue per paying user.",
    )


def breakeven_chart(grid: pd.DataFrame, band: tuple[float, float]) -> charts.ReportChart:
    frame = grid[np.isfinite(grid["breakeven_conversion"])].assign(
        cost=grid["cost_per_generation_usd"].map(lambda c: f"{fmt_usd(c)} per generation")
    )
    return charts.chart_lines(
        frame,
        "free_cap",
        "breakeven_conversion",
        "cost",
        x_title="Free tier (generations a month)",
        y_title="Break-even conversion rate",
        x_format=",.0f",
        band=band,
        band_label="typical conversion (reported)",
        description="Lines of the freemium break-even conversion rate against the size of the free tier, one "
        f"per cost per generation, with the reported {fmt_range(band[0], band[1], fmt_share)} typical conversion "
        "shaded.",
    )


def cap_sweep_chart(sweep: pd.DataFrame) -> charts.ReportChart:
    frame = sweep.assign(tier=sweep["tier"].map(lambda t: f"tier {t} cap scaled"))
    return charts.chart_lines(
        frame,
        "cap_multiplier",
        "gross_profit_per_user_month_usd",
        "tier",
        x_title="Cap as a multiple of its default (log scale)",
        y_title="Gross profit per user-month (USD)",
        x_format=".2~f",
        y_format="$.2f",
        x_log=True,
        description="Lines of gross profit per user-month as each tier's cap is scaled from a tenth to four "
        "times its default, the other caps held.",
    )


def cap_sweep_table(sweep: pd.DataFrame) -> pd.DataFrame:
    """Per tier: the profit-maximising cap, and what happens at the ends of the sweep."""
    rows = []
    for tier, group in sweep.groupby("tier"):
        best = group.loc[group["gross_profit_per_user_month_usd"].idxmax()]
        low = group.loc[group["cap_multiplier"].idxmin()]
        high = group.loc[group["cap_multiplier"].idxmax()]
        rows.append(
            {
                "Tier": int(tier),
                "Best cap": f"{fmt_number(best['cap'], 0)} ({fmt_number(best['cap_multiplier'], 2)}x)",
                "Profit at best": fmt_usd(best["gross_profit_per_user_month_usd"]),
                "Tightest cap: profit, subscribed, at limit": f"{fmt_usd(low['gross_profit_per_user_month_usd'])}, "
                f"{fmt_share(low['share_subscribed'])}, {fmt_share(low['share_capped'])}",
                "Loosest cap: profit, upgraded, at limit": f"{fmt_usd(high['gross_profit_per_user_month_usd'])}, "
                f"{fmt_share(high['share_upgraded'])}, {fmt_share(high['share_capped'])}",
            }
        )
    return pd.DataFrame(rows)


def deflation_table(deflation: pd.DataFrame, names: Mapping[str, str], years: int) -> pd.DataFrame:
    d = deflation
    return pd.DataFrame(
        {
            "Strategy": d["strategy"].map(names),
            "Revenue / user-month now": d["revenue_now"].map(fmt_usd),
            f"Revenue after {years} years": d["revenue_later"].map(fmt_usd),
            "Gross margin now": d["gross_margin_now"].map(fmt_share),
            f"Gross margin after {years} years": d["gross_margin_later"].map(fmt_share),
        }
    )


def conclusions_table(ranking: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """'Wins on ... / loses on ...' per strategy, each with its computed value and rank of five."""
    ordinal = {1: "best", 2: "2nd", 3: "3rd", 4: "4th", 5: "worst"}
    fmt = PRICING_METRIC_FORMATS

    def rank(position: int, tied: int) -> str:
        return f"{ordinal[position]} of 5" + (
            f", tied with {tied - 1} other" + ("s" if tied > 2 else "") if tied > 1 else ""
        )

    return pd.DataFrame(
        {
            "Strategy": ranking["strategy"].map(names),
            "Wins on": [
                f"{r.wins_on}: {fmt[r.wins_column](r.wins_value)} ({rank(r.wins_rank, r.wins_tied)})"
                for r in ranking.itertuples(index=False)
            ],
            "Loses on": [
                f"{r.loses_on}: {fmt[r.loses_column](r.loses_value)} ({rank(r.loses_rank, r.loses_tied)})"
                for r in ranking.itertuples(index=False)
            ],
        }
    )


def steadiness_sentence(comparison: pd.DataFrame, names: Mapping[str, str], swingiest_cv_text: str) -> str:
    """Which strategies' revenue per paying user is steadiest and which swings most, ties named together.

    A CV within :data:`analysis.models.pricing.TIE_TOLERANCE` of zero is flat by construction: the model
    has no churn or plan switching, so a flat price earns the same every month.
    """
    from analysis.models.pricing import TIE_TOLERANCE, tied_best

    cv = comparison.set_index("strategy")["revenue_cv"]
    steadiest = tied_best(cv, higher_is_better=False)
    swingiest = tied_best(cv, higher_is_better=True)
    steady_names = join_names([names[s] for s in steadiest])
    if abs(cv[steadiest[0]]) <= TIE_TOLERANCE:
        plural = len(steadiest) > 1
        first = (
            f"Revenue per paying user does not move at all under {steady_names}: "
            f"{'their' if plural else 'its'} flat price{'s' if plural else ''}, with no churn or plan switching "
            "modelled, make predictability perfect by construction, not a finding"
        )
    else:
        first = f"Revenue per paying user is steadiest under {steady_names} (a coefficient of variation of " + (
            f"{fmt_share(cv[steadiest[0]], 1)})"
        )
    if set(swingiest) == set(steadiest):
        return first + "; every strategy's revenue moves alike."
    return (
        f"{first}; it swings most under {join_names([names[s] for s in swingiest])} "
        f"(a coefficient of variation of {swingiest_cv_text})."
    )


def band_position(value: float, band: tuple[float, float]) -> str:
    """'below', 'within' or 'above' a low-high band (ends included in 'within').

    Examples
    --------
    >>> band_position(0.253, (0.02, 0.05)), band_position(0.001, (0.02, 0.05)), band_position(0.05, (0.02, 0.05))
    ('above', 'below', 'within')
    """
    low, high = band
    if not low <= high:
        raise ValueError(f"band = {band!r} is not allowed: need low <= high")
    return "below" if value < low else "above" if value > high else "within"


def breakeven_phrase(breakeven: float, text: str, band: tuple[float, float]) -> str:
    """'breaks even at a conversion rate of 25%, above the typical 2–5%' (or never, when a payer loses money)."""
    if not np.isfinite(breakeven):
        return "never breaks even: a paying user does not cover their own compute"
    band_text = fmt_range(band[0], band[1], fmt_share)
    position = band_position(breakeven, band)
    return f"breaks even at a conversion rate of {text}, {position} the typical {band_text}"


def change_phrase(now: float, later: float, fmt: Any, abs_tol: float = 1e-9) -> str:
    """'stays at 60%', 'falls from 60% to 14%' or 'rises from 61% to 92%', by the numbers.

    A move too small to show in ``fmt`` stays; a margin without revenue (NaN) is said to be undefined.

    Examples
    --------
    >>> change_phrase(0.6, 0.6 + 1e-15, fmt_share), change_phrase(0.6, 0.14, fmt_share)
    ('stays at 60%', 'falls from 60% to 14%')
    >>> change_phrase(0.99997, 0.99999, fmt_share), change_phrase(float("nan"), float("nan"), fmt_share)
    ('stays at 100%', 'is undefined: there is no revenue')
    >>> change_phrase(float("nan"), 0.2, fmt_share)
    'goes from undefined (no revenue) to 20%'
    """
    now_missing, later_missing = is_missing(now), is_missing(later)
    if now_missing and later_missing:
        return "is undefined: there is no revenue"
    if now_missing or later_missing:
        before = "undefined (no revenue)" if now_missing else fmt(now)
        after = "undefined (no revenue)" if later_missing else fmt(later)
        return f"goes from {before} to {after}"
    if abs(later - now) <= abs_tol or fmt(now) == fmt(later):
        return f"stays at {fmt(now)}"
    return f"{'falls' if later < now else 'rises'} from {fmt(now)} to {fmt(later)}"


def cost_basis_sentence(cost: float, example_cost: float, example_price: float, example_margin: float) -> str:
    """Where the chapter's cost per generation comes from, true for the default and any other value."""
    example = (
        f"the article's credit example, in which a generation sold for {fmt_usd(example_price)} leaves "
        f"{fmt_share(example_margin)}"
    )
    if abs(cost - example_cost) <= 1e-12:
        return (
            f"Every strategy pays the same {fmt_usd(cost)} a generation: what the platform pays in API fees in "
            f"{example}. It is an aggregator's cost, the model provider's margin included, not a cost of serving, "
            "and an assumption of ours for every strategy"
        )
    return (
        f"Every strategy pays the same {fmt_usd(cost)} a generation, this edition's value (the platform in "
        f"{example}, pays {fmt_usd(example_cost)} in API fees)"
    )


def deflation_sentence(cases: pd.DataFrame, years: int, pace_label: str) -> str:
    """Credit pricing's margin under the three deflation cases, worded by the numbers.

    ``cases`` is :func:`analysis.models.pricing.project_deflation_cases` output; the central case's
    rates are compared with a tolerance so equal rates read as pass-through. ``pace_label``
    names the article's pace ("the article's 2023–2026 pace"), from the facts' years.
    """
    credits = cases[cases["strategy"] == "credits"].set_index("case")
    central, pace, passing = (credits.loc[c] for c in ("central", "article_pace", "pass_through"))
    price, cost = central["usage_price_decline_per_year"], central["cost_decline_per_year"]
    if abs(price - cost) <= 1e-12:
        rates = f"usage prices and the cost per generation both fall {fmt_share(price)} a year, the pass-through case"
    else:
        rates = f"usage prices fall {fmt_share(price)} a year and the cost per generation {fmt_share(cost)}"
    text = (
        f"At the book's central rates {rates}: over {years} years credit pricing's margin "
        f"{change_phrase(central['gross_margin_now'], central['gross_margin_later'], fmt_share)}. "
        f"If usage prices kept {pace_label}, {fmt_share(pace['usage_price_decline_per_year'], 1)} "
        f"a year it {change_phrase(pace['gross_margin_now'], pace['gross_margin_later'], fmt_share)}"
    )
    if abs(price - cost) > 1e-12:
        text += (
            f"; if the cost per generation fell as fast as usage prices (pass-through) it "
            f"{change_phrase(passing['gross_margin_now'], passing['gross_margin_later'], fmt_share)}"
        )
    return text + "."


DEFLATION_CASE_LABELS = {
    "central": "Central: the book's rates",
    "article_pace": "Usage prices at {pace_label}",
    "pass_through": "Pass-through: cost falls as fast as usage prices",
}


def deflation_cases_table(
    cases: pd.DataFrame, names: Mapping[str, str], years: int, pace_label: str
) -> pd.DataFrame:  # fmt: skip
    """One row per deflation case: its rates and each usage-priced or flat strategy's margin after ``years``."""
    wide = cases.pivot(index="case", columns="strategy", values="gross_margin_later")
    rates = cases.drop_duplicates("case").set_index("case")
    order = [c for c in DEFLATION_CASE_LABELS if c in wide.index]
    frame = pd.DataFrame(
        {
            "Case": [DEFLATION_CASE_LABELS[c].format(pace_label=pace_label) for c in order],
            "Usage prices fall, a year": [fmt_share(rates.at[c, "usage_price_decline_per_year"], 1) for c in order],
            "Cost per generation falls, a year": [fmt_share(rates.at[c, "cost_decline_per_year"], 1) for c in order],
        }
    )
    for strategy in ("credits", "usage_based_api", "tiered_subscription"):
        frame[f"{names[strategy]}: margin after {years} years"] = [fmt_share(wide.at[c, strategy]) for c in order]
    return frame


def uncertainty_budget_table(
    budget: pd.DataFrame, labels: Mapping[str, str], choices: Mapping[str, str], n_seeds: int
) -> pd.DataFrame:
    """The headline figures with their spread over seeds and the swing from each structural choice.

    ``labels`` names each figure (by ``budget['figure']``); ``choices`` maps each ``swing_*``
    column's choice to its label. Shares only; the value is shown with the decimals its spread supports.
    """
    frame = pd.DataFrame(
        {
            "Figure": budget["figure"].map(labels),
            "Value": [fmt_share_supported(v, sd) for v, sd in zip(budget["value"], budget["seed_sd"], strict=True)],
            f"Spread over {n_seeds} seeds (± 1 sd; range)": [
                fmt_spread(r.seed_sd, n_seeds)
                if np.isnan(r.seed_sd) or r.seed_sd <= EXACT_SD
                else f"{fmt_spread(r.seed_sd, n_seeds).replace(f' over {n_seeds} seeds', '')}; "
                f"{fmt_share_supported(r.seed_low, r.seed_sd)}–{fmt_share_supported(r.seed_high, r.seed_sd)}"
                for r in budget.itertuples(index=False)
            ],
        }
    )
    for choice, label in choices.items():
        frame[f"Swing: {label}"] = budget[f"swing_{choice}"].map(lambda x: "–" if x == 0 else f"{x * 100:.1f} pp")
    frame["Largest"] = budget["dominant"].map(lambda d: {"seeds": "seeds", "none": "–", **choices}[d])
    return frame


def budget_summary_sentence(budget: pd.DataFrame, labels: Mapping[str, str], choices: Mapping[str, str]) -> str:
    """Which uncertainty is largest for which figures, from :func:`analysis.models.pricing.uncertainty_budget`.

    Examples
    --------
    >>> b = pd.DataFrame({"figure": ["a", "b", "c"], "dominant": ["cost", "seeds", "cost"]})
    >>> budget_summary_sentence(b, {"a": "A", "b": "B", "c": "C"}, {"cost": "cost per generation"})
    'The largest uncertainty is the cost per generation for A and C; the seed for B.'
    """
    sources = {
        "seeds": "the seed",
        "none": "nothing (the figure does not move)",
        **{k: f"the {v}" for k, v in choices.items()},
    }
    parts = []
    for source in [*choices, "seeds", "none"]:
        figures = [labels[f] for f in budget.loc[budget["dominant"] == source, "figure"]]
        if figures:
            parts.append(f"{sources[source]} for {join_names(figures)}")
    unknown = set(budget["dominant"]) - set(sources)
    if unknown:
        raise ValueError(f"dominant = {sorted(unknown)!r} is not allowed: must be one of {sorted(sources)!r}")
    return "The largest uncertainty is " + "; ".join(parts) + "."


# --- survival chapter ------------------------------------------------------------------------


def budget_labels(alt_cost_text: str) -> dict[str, str]:
    """The headline figures of the pricing uncertainty budget, in words; ``alt_cost_text`` is the alternative
    cost per generation as printed ('$0.02')."""
    return {
        "credit_margin": "credit pricing's gross margin",
        "best_margin": "highest gross margin",
        "swingiest_cv": "largest revenue CV",
        "tiered_capped": "subscriber-months at the cap",
        "free_cost_share": "free users' share of freemium compute",
        "breakeven_default": "freemium break-even conversion",
        "breakeven_alt_cost": f"freemium break-even at {alt_cost_text}",
        "credits_margin_later": "credit margin after the decline",
        "tiered_margin_later": "tiered margin after the decline",
    }

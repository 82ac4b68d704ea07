"""The model against the sources' own data points, the scenarios' direction, and the chapter's modelling choices."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.data import Dataset
from analysis.models.survival.inputs import (
    ARCHETYPES,
    GOOD_DIRECTION,
    MARGIN_CAP,
    MARGIN_FLOOR,
    FloatArray,
    base_inputs,
    lab_input_table,
)
from analysis.models.survival.montecarlo import simulate
from analysis.models.survival.projection import Projection, project_lab
from analysis.models.survival.robustness import headline_probabilities, uncertainty_budget

# --- calibration against the sources' own data points ------------------------------------------


@dataclass(frozen=True)
class CalibrationTarget:
    """A quantity the model outputs that a source also states.

    ``low``/``high`` bound the reported value (``high`` is None for "at least" figures, ``low`` for "at most");
    ``measure`` picks the model's value from a projection (one array per draw).
    """

    quantity: str
    archetype: str
    scenario: str
    low: float | None
    high: float | None
    reported_text: str
    source_id: str
    note: str
    measure: Callable[[Projection], FloatArray]


def calibration_targets(dataset: Dataset, start_year: int = 2025) -> list[CalibrationTarget]:
    """The sources' data points that the projection also produces, with how to read each off the model."""

    def year(projection: Projection, y: int) -> int:
        return int(np.searchsorted(projection.years, y))

    openai_essay = dataset.fact("openai_revenue_usd_essay")
    openai_vendor = dataset.fact("openai_revenue_usd_oakgen")
    arr_month = dataset.fact("openai_api_arr_added_in_month_usd")
    anthropic = dataset.fact("anthropic_annualized_revenue_usd")
    compute_gw = dataset.fact("anthropic_current_compute_gw")
    own_inference_gw = dataset.fact("anthropic_first_party_inference_gw")
    gw_cost = dataset.fact("gw_year_cost_usd")
    gross_profit = dataset.fact("anthropic_gross_profit_usd")
    optimistic = dataset.fact("optimistic_profitability_year")
    commitments = dataset.fact("openai_spending_commitments_usd")
    round_size = dataset.fact("next_round_size_usd")
    outcomes = dataset["company_outcomes"].set_index("id")
    rd_low = (compute_gw["low"] - own_inference_gw["value"]) * gw_cost["low"] / 1e9
    rd_high = (compute_gw["high"] - own_inference_gw["value"]) * gw_cost["high"] / 1e9
    return [
        CalibrationTarget(
            "revenue in 2025 (USD bn)", "frontier_leader", "base", openai_essay["low"] / 1e9, None,
            f"at least {openai_essay['low'] / 1e9:g} (annualized, late 2025)", openai_essay["source_id"],
            "a minimum ('surpassed')", lambda p: p.revenue[:, year(p, 2025)]),
        CalibrationTarget(
            "revenue in 2025 (USD bn)", "frontier_leader", "base", openai_vendor["low"] / 1e9, None,
            f"at least {openai_vendor['low'] / 1e9:g} a year", openai_vendor["source_id"], "a minimum ('$5B+')",
            lambda p: p.revenue[:, year(p, 2025)]),
        CalibrationTarget(
            "operating cash flow in 2025 (USD bn)", "frontier_leader", "base", None, 0.0,
            f"below 0: “{outcomes.at['openai', 'quote']}”", str(outcomes.at["openai", "source_id"]),
            "a cash burner; the share of draws with a loss is in the next column",
            lambda p: p.operating_cash_flow[:, year(p, 2025)]),
        CalibrationTarget(
            "API revenue added 2025 to 2026 (USD bn a year)", "frontier_leader", "base", 12 * arr_month["low"] / 1e9,
            None, f"at least {12 * arr_month['low'] / 1e9:g} (over $1B of ARR in one month, x 12)",
            arr_month["source_id"], "one month's pace carried over a year: an upper reading of a minimum",
            lambda p: p.revenue_by_stream["api"][:, year(p, 2026)] - p.revenue_by_stream["api"][:, year(p, 2025)]),
        CalibrationTarget(
            "revenue in 2026 (USD bn)", "enterprise_challenger", "base", anthropic["value"] / 1e9,
            anthropic["value"] / 1e9, f"{anthropic['value'] / 1e9:g} annualized, 'if'", anthropic["source_id"],
            "hypothetical ('if ... in some sense'), a run-rate rather than a year's revenue",
            lambda p: p.revenue[:, year(p, 2026)]),
        CalibrationTarget(
            "gross margin in 2026", "enterprise_challenger", "base", gross_profit["value"] / anthropic["value"],
            gross_profit["value"] / anthropic["value"],
            f"{gross_profit['value'] / anthropic['value']:.0%} ($22bn of $44bn)", gross_profit["source_id"],
            "the comment's half own compute at 72%, half clouds at 30%",
            lambda p: p.gross_profit[:, year(p, 2026)] / p.revenue[:, year(p, 2026)]),
        CalibrationTarget(
            "R&D (training) compute in 2026 (USD bn)", "enterprise_challenger", "base", rd_low, rd_high,
            f"{rd_low:g}-{rd_high:g}: 1-1.5 GW less 0.5 GW of own inference, at $12-15bn per GW-year",
            compute_gw["source_id"], "derived from the comment's GW arithmetic",
            lambda p: p.training[:, year(p, 2026)]),
        CalibrationTarget(
            "first profitable year, optimistic scenario", "frontier_leader", "optimistic", optimistic["low"],
            optimistic["high"], f"{optimistic['low']:.0f}-{optimistic['high']:.0f}", optimistic["source_id"],
            "the essay's most optimistic scenario", lambda p: p.first_profitable_year()),
        CalibrationTarget(
            "first profitable year, optimistic scenario", "enterprise_challenger", "optimistic", optimistic["low"],
            optimistic["high"], f"{optimistic['low']:.0f}-{optimistic['high']:.0f}", optimistic["source_id"],
            "the essay's most optimistic scenario", lambda p: p.first_profitable_year()),
        CalibrationTarget(
            "new round in 2026 (USD bn)", "frontier_leader", "base", round_size["low"] / 1e9, round_size["high"] / 1e9,
            f"{round_size['low'] / 1e9:g}-{round_size['high'] / 1e9:g}", round_size["source_id"],
            "'perhaps OpenAI/Anthropic could raise'; the model sizes the round from revenue",
            lambda p: p.new_round if p.new_round is not None else np.full(p.revenue.shape[0], np.nan)),
        CalibrationTarget(
            "compute spend (inference + training) from 2026 to the horizon (USD bn)", "frontier_leader", "base",
            commitments["value"] / 1e9, commitments["value"] / 1e9,
            f"about {commitments['value'] / 1e12:g} trillion of commitments 'over the coming years'",
            commitments["source_id"], "commitments run past the horizon, so the model should fall short of them",
            lambda p: (p.inference_cost + p.training)[:, year(p, 2026):].sum(axis=1)),
    ]  # fmt: skip


def calibration_table(
    dataset: Dataset,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    targets: Sequence[CalibrationTarget] | None = None,
) -> pd.DataFrame:
    """Model against reported for every target: base case, the draws' 90% interval, and the gap.

    ``verdict`` is "within" when the reported figure (or range) overlaps the model's 90% interval
    (for a minimum: when the interval reaches it), else "model below" or "model above";
    ``base_to_reported`` is the base case over the reported value (its low for a minimum);
    ``share_of_draws_within`` is the share of draws inside the reported range.
    """
    rows = []
    # Targets of the same lab read the same projections: each lab is projected once (4 labs for 11 targets).
    projected: dict[tuple[str, str], tuple[Projection, Projection]] = {}
    for target in targets if targets is not None else calibration_targets(dataset, start_year):
        lab = (target.archetype, target.scenario)
        if lab not in projected:
            table = lab_input_table(dataset, *lab)
            _, drawn = simulate(table, n_draws, seed, price_cost_correlation, start_year, end_year)
            projected[lab] = (project_lab(base_inputs(table), start_year, end_year), drawn)
        base, drawn = projected[lab]
        base_value = float(np.asarray(target.measure(base), dtype=np.float64)[0])
        values = np.asarray(target.measure(drawn), dtype=np.float64)
        finite = values[np.isfinite(values)]
        p05, p95 = np.quantile(finite, [0.05, 0.95]) if finite.size else (np.nan, np.nan)
        if finite.size < values.size / 2:  # a year that most draws never reach
            p95 = np.inf
        low = -np.inf if target.low is None else target.low
        high = np.inf if target.high is None else target.high
        if p95 < low:
            verdict = "model below"
        elif p05 > high:
            verdict = "model above"
        else:
            verdict = "within"
        rows.append(
            {"archetype": target.archetype, "scenario": target.scenario, "quantity": target.quantity,
             "reported": target.reported_text, "reported_low": target.low, "reported_high": target.high,
             "source_id": target.source_id, "model_base": base_value, "model_p05": float(p05),
             "model_p95": float(p95), "base_to_reported": base_value / target.low if target.low else np.nan,
             "share_of_draws_within": float(np.mean((values >= low) & (values <= high))),
             "verdict": verdict, "note": target.note}
        )  # fmt: skip
    return pd.DataFrame(rows)


def scenario_direction_problems(dataset: Dataset) -> list[str]:
    """Inputs on which the optimistic scenario is worse than base, or the pessimistic better, for any archetype."""
    problems = []
    for archetype in ARCHETYPES:
        base = lab_input_table(dataset, archetype, "base")
        for scenario, sign in (("optimistic", 1), ("pessimistic", -1)):
            table = lab_input_table(dataset, archetype, scenario)
            for name in table.index:
                for column in ("low", "base", "high"):
                    change = float(table.at[name, column]) - float(base.at[name, column])
                    helps = GOOD_DIRECTION.get(name, 0) * change
                    if sign * helps < 0 or (name not in GOOD_DIRECTION and change != 0):
                        problems.append(f"{archetype} {scenario}: {name} {column} {base.at[name, column]:g} -> "
                                        f"{table.at[name, column]:g}")  # fmt: skip
    return problems


def modelling_choices(dataset: Dataset, defaults: Mapping[str, Any]) -> pd.DataFrame:
    """Each modelling choice of the survival chapter, what the report does, and its effect on the headline.

    Computed at the chapter's default parameters (``defaults``), so the Methods page states effects that the
    tested functions produce, not typed numbers.
    """
    archetype, scenario = str(defaults["archetype"]), str(defaults["outlook"])
    n, seed, rho = int(defaults["n_draws"]), int(defaults["seed"]), float(defaults["price_cost_correlation"])
    start, end, year = int(defaults["start_year"]), int(defaults["end_year"]), int(defaults["headline_year"])
    table = lab_input_table(dataset, archetype, scenario)
    budget = uncertainty_budget(table, n, seed, rho, start, end, year, n_seeds=2).set_index("source")
    published = headline_probabilities(table, n, seed, rho, start, end, year)

    def moves(source_prefix: str) -> str:
        row = budget[budget.index.str.startswith(source_prefix)].iloc[0]
        return (f"moves P(sustained break-even by {year}) by up to {row['p_breakeven_by_year'] * 100:.0f} pp and "
                f"P(cash lasts) by up to {row['p_cash_lasts'] * 100:.0f} pp (published: "
                f"{published['p_breakeven_by_year']:.0%} and {published['p_cash_lasts']:.0%})")  # fmt: skip

    pessimistic = lab_input_table(dataset, archetype, "pessimistic")
    price, cost = (float(pessimistic.at[k, "base"]) for k in ("api_price_decline", "serving_cost_decline"))
    unfloored = 1 - (1 - float(pessimistic.at["api_margin", "base"])) * ((1 - cost) / (1 - price)) ** (end - start)
    revenue_floor = float(table.at["revenue_start_usd_bn", "low"])
    base_round = project_lab(base_inputs(table), start, end).new_round
    round_usd_bn = float(base_round[0]) if base_round is not None else float("nan")
    calibration = calibration_table(dataset, n, seed, rho, 2025, max(end, 2030))
    rows = [
        ("Centring of the draws", "each input's median is its base and its 5th/95th percentiles its low/high "
         "(two-piece distributions)", "draws centred on the middle of each range (the first edition)",
         moves("inputs centred")),
        ("Where 'sustained' break-even is measured to", f"to the end of the horizon ({end}); training and hiring "
         "growth decay like revenue growth, and the chapter shows later horizons", "measured to 2040",
         moves("'sustained'")),
        ("API price response", "constant elasticity: revenue moves with price^(1 - e), e drawn across 1",
         "elasticity fixed at 0.5, 1 or 1.3", moves("API price elasticity")),
        ("Price-cost correlation", f"{rho:g}", "0 or 0.95", moves("price-cost")),
        ("Revenue and training spend", "drawn with a correlation (a lab that earns more trains bigger runs)",
         "drawn independently", moves("revenue and training")),
        ("Calibration", "starting revenue, API share and run cost set against the sources' data points",
         "the first edition's inputs",
         f"{int((calibration['verdict'] == 'within').sum())} of {len(calibration)} data points lie within the "
         "model's 90% interval (the survival chapter's model-against-sources table)"),
        ("One-sided figures", "'surpassed four billion' and '$5B+' are minimums: the range starts at the larger",
         "a 4-5 range with 5 at its top", f"the starting revenue is at least ${revenue_floor:g}bn in 95% of draws"),
        ("Scenarios", "scale each archetype's own inputs by a factor", "replace them with one value for all labs",
         "the optimistic scenario is never worse than base on any input of any archetype (tested)"),
        ("Margins", f"follow serving cost against each stream's price, kept between {MARGIN_FLOOR:.0%} and "
         f"{MARGIN_CAP:.0%} (a lab stops cutting a price at its cost)", "frozen or unbounded margins",
         f"the pessimistic API margin in {end} is {MARGIN_FLOOR:.0%} instead of {unfloored:.0%}"),
        ("Size of the new round", "a multiple of the lab's own 2026 revenue (the essay's round over the "
         "comment's revenue)", "the essay's $250-500B for every lab",
         f"the {archetype.replace('_', ' ')}'s round is ${round_usd_bn:.0f}bn in the base case"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Choice", "What the report does", "Alternative", "Effect on the headline"])

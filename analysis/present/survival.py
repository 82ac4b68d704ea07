"""Presentation of the lab-survival chapter: its tables and charts (its sentences: survival_text)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from analysis.data import Dataset
from analysis.formats import fmt_number, fmt_range, fmt_share, fmt_share_bounded
from analysis.present import charts
from analysis.present.common import ARCHETYPE_NAMES, KIND_LABELS, source_cell

SURVIVAL_INPUT_LABELS = {
    "revenue_start_usd_bn": "revenue in the first year (USD bn)",
    "growth_initial": "revenue growth, first year",
    "growth_decay": "yearly decay of growth",
    "api_price_decline": "API price decline a year",
    "serving_cost_decline": "serving-cost decline a year",
    "api_margin": "API gross margin at the start",
    "consumer_margin": "consumer gross margin",
    "enterprise_margin": "enterprise gross margin",
    "cloud_margin": "cloud-partnership gross margin",
    "ads_margin": "advertising gross margin",
    "outcome_margin": "outcome-licensing gross margin",
    "final_run_cost_usd_bn": "final training run cost (USD bn)",
    "compute_multiple": "total training compute / final run",
    "training_growth": "training spend growth a year",
    "headcount": "headcount",
    "headcount_growth": "headcount growth a year",
    "compensation_usd_m": "compensation per head (USD m)",
    "other_opex_share": "sales, support and administration / revenue",
    "data_to_training": "data costs / training compute",
    "infrastructure_to_inference": "infrastructure beyond compute / first-year serving cost",
    "infrastructure_scaling": "growth of infrastructure with serving volume (exponent)",
    "cash_start_usd_bn": "cash at the start (USD bn)",
    "new_round_revenue_multiple": "new round in 2026 / that year's revenue",
    "flat_usage_growth": "usage growth per flat-plan customer a year",
    "revenue_spend_correlation": "correlation of starting revenue and run cost",
    "new_stream_growth": "growth of new streams, first year",
    "share_api": "share of revenue: API",
    "share_consumer": "share of revenue: consumer",
    "share_enterprise": "share of revenue: enterprise",
    "share_cloud": "share of revenue: cloud partners",
    "ads_start_usd_bn": "advertising in its first year (USD bn)",
    "ads_start_year": "advertising starts",
    "outcome_start_usd_bn": "outcome licensing in its first year (USD bn)",
    "outcome_start_year": "outcome licensing starts",
    "api_growth_multiple": "API volume growth / lab growth",
    "api_price_elasticity": "price elasticity of API volume",
    "enterprise_growth_multiple": "enterprise growth / lab growth",
    "consumer_growth_multiple": "consumer growth / lab growth",
    "cloud_growth_multiple": "cloud growth / lab growth",
}


def _fmt_lab_value(value: float, unit: str) -> str:
    if unit in ("share",):
        return fmt_share(value)
    if unit == "rate_per_year":
        return fmt_share(value)
    if unit == "year":
        return f"{value:.0f}"
    return fmt_number(value, 2)


def lab_inputs_table(dataset: Dataset, table: pd.DataFrame) -> pd.DataFrame:
    """The inputs of the chosen lab: median (base), 90% interval, distribution, kind and the quote or rationale."""
    from analysis.models.survival import LOGNORMAL_INPUTS

    facts = dataset["facts"]

    def provenance(fact_id: str, factor_id: str) -> str:
        text = (
            f"“{facts.at[fact_id, 'quote']}”"
            if facts.at[fact_id, "kind"] == "reported"
            else facts.at[fact_id, "rationale"]
        )
        if factor_id:
            text += f" Scenario: × {facts.at[factor_id, 'value']:g}. {facts.at[factor_id, 'rationale']}"
        return str(text)

    factor_ids = table["scenario_fact_id"] if "scenario_fact_id" in table else pd.Series("", index=table.index)
    return pd.DataFrame(
        {
            "Input": [SURVIVAL_INPUT_LABELS.get(i, i) for i in table["input"]],
            "Base (median)": [_fmt_lab_value(v, u) for v, u in zip(table["base"], table["unit"], strict=True)],
            "90% interval": [
                fmt_range(lo, hi, functools.partial(_fmt_lab_value, unit=u)) if hi > lo else "fixed"
                for lo, hi, u in zip(table["low"], table["high"], table["unit"], strict=True)
            ],
            "Drawn as": [
                ("two-piece log-normal" if i in LOGNORMAL_INPUTS else "two-piece normal, clipped") if unc else "–"
                for i, unc in zip(table["input"], table["uncertain"], strict=True)
            ],
            "Kind": table["kind"].map(KIND_LABELS),
            "Quote or rationale": [provenance(f, g) for f, g in zip(table["fact_id"], factor_ids, strict=True)],
            "Source": [source_cell(dataset, s) for s in table["source_id"]],
        }
    )


def projection_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The base-case projection, one column per year (USD bn unless stated)."""
    rows = {
        "Revenue": frame["revenue"],
        "… API": frame["revenue_api"],
        "… consumer": frame["revenue_consumer"],
        "… enterprise": frame["revenue_enterprise"],
        "… cloud partners": frame["revenue_cloud"],
        "… advertising": frame["revenue_advertising"],
        "… outcome licensing": frame["revenue_outcome_licensing"],
        "Inference (cost of revenue)": frame["inference_cost"],
        "Training": frame["training"],
        "Talent": frame["talent"],
        "Data": frame["data"],
        "Infrastructure beyond compute": frame["infrastructure"],
        "Sales, support, administration": frame["other"],
        "Operating cash flow": frame["operating_cash_flow"],
        "Cash, no new capital": frame["cash_without_new_capital"],
        "Cash, with the new round": frame["cash_with_new_round"],
    }
    out = {"Line": list(rows)}
    for j, year in enumerate(frame["year"]):
        out[str(year)] = [fmt_number(float(v.iloc[j]), 1) for v in rows.values()]
    out_frame = pd.DataFrame(out)
    ratio = ["Revenue growth / cost growth"] + [
        "–" if pd.isna(v) else fmt_number(float(v), 2) for v in frame["revenue_growth_to_cost_growth"]
    ]
    margin = ["API gross margin"] + [fmt_share(float(v)) for v in frame["api_gross_margin"]]
    return pd.concat([out_frame, pd.DataFrame([ratio, margin], columns=out_frame.columns)], ignore_index=True)


def _with_se(p: float, se: float, digits: int) -> str:
    """'45.5% ± 0.4%'; a probability or error that rounds to zero but is not prints as '<0.1%'.

    Examples
    --------
    >>> _with_se(0.4554, 0.0041, 1), _with_se(0.0002, 0.0001, 1), _with_se(0.0, 0.0, 1)
    ('45.5% ± 0.4%', '<0.1% ± <0.1%', '0% ± 0%')
    """
    return f"{fmt_share_bounded(p, digits)} ± {fmt_share_bounded(se, 1)}"


def probabilities_table(probabilities: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """Per year: sustained break-even, first profitable year and cash lasting, each with its standard error."""
    frame = pd.DataFrame({"Year": probabilities["year"]})
    frame["P(sustained break-even by then)"] = [
        _with_se(p, se, digits)
        for p, se in zip(probabilities["p_breakeven_by_year"], probabilities["se_breakeven"], strict=True)
    ]
    if "p_profitable_by_year" in probabilities:
        frame["P(a first profitable year by then)"] = [
            _with_se(p, se, digits)
            for p, se in zip(probabilities["p_profitable_by_year"], probabilities["se_profitable"], strict=True)
        ]
    frame["P(cash lasts, no new capital)"] = [
        _with_se(p, se, digits)
        for p, se in zip(probabilities["p_cash_lasts"], probabilities["se_cash_lasts"], strict=True)
    ]
    return frame


def horizon_table(horizons: pd.DataFrame, year: int) -> pd.DataFrame:
    """The headline probabilities when "sustained" is measured to each horizon."""
    return pd.DataFrame(
        {
            "Sustained measured to": horizons["horizon"].astype(int).astype(str),
            f"P(sustained break-even by {year})": [
                _with_se(p, se, 1)
                for p, se in zip(horizons["p_breakeven_by_year"], horizons["se_breakeven"], strict=True)
            ],
            f"P(a first profitable year by {year})": horizons["p_profitable_by_year"].map(lambda p: fmt_share(p, 1)),
            f"P(cash lasts through {year})": horizons["p_cash_lasts"].map(lambda p: fmt_share(p, 1)),
        }
    )


def survival_budget_table(budget: pd.DataFrame) -> pd.DataFrame:
    """Each source of uncertainty and how many percentage points it moves each headline probability."""

    def points(x: float) -> str:
        return f"{x * 100:.1f} pp"

    return pd.DataFrame(
        {
            "Source of uncertainty": budget["source"],
            "Kind": budget["kind"],
            "P(sustained break-even)": budget["p_breakeven_by_year"].map(points),
            "P(cash lasts)": budget["p_cash_lasts"].map(points),
        }
    )


CALIBRATION_VERDICTS = {"within": "within", "model below": "model below", "model above": "model above"}


def calibration_table(calibration: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Model against reported: each source data point, the model's base and 90% interval, and the verdict."""

    def value(x: float, quantity: str) -> str:
        if not np.isfinite(x):
            return "beyond the horizon"
        if "year" in quantity and "USD" not in quantity:
            return f"{x:.0f}"
        if "margin" in quantity:
            return fmt_share(x)
        return fmt_number(x, 1)

    return pd.DataFrame(
        {
            "Lab (scenario)": [
                f"{ARCHETYPE_NAMES[a]} ({s})"
                for a, s in zip(calibration["archetype"], calibration["scenario"], strict=True)
            ],
            "Quantity": calibration["quantity"],
            "Reported": calibration["reported"],
            "Model, base": [
                value(x, q) for x, q in zip(calibration["model_base"], calibration["quantity"], strict=True)
            ],
            "Model, 90% of draws": [
                f"{value(lo, q)} to {value(hi, q)}"
                for lo, hi, q in zip(
                    calibration["model_p05"], calibration["model_p95"], calibration["quantity"], strict=True
                )
            ],
            "Verdict": calibration["verdict"],
            "Draws inside the reported range": [
                "–" if lo == hi else fmt_share(share)
                for lo, hi, share in zip(
                    calibration["reported_low"],
                    calibration["reported_high"],
                    calibration["share_of_draws_within"],
                    strict=True,
                )
            ],
            "Note": calibration["note"],
            "Source": [source_cell(dataset, s) for s in calibration["source_id"]],
        }
    )


def archetype_probabilities_table(by_archetype: pd.DataFrame, year: int, decimals: int) -> pd.DataFrame:
    """Each archetype's headline probabilities under each scenario, printed with the budget's decimals."""

    def share(p: float) -> str:
        return fmt_share_bounded(p, decimals)  # never '<1%' for a probability of zero, nor '100%' for one below it

    return pd.DataFrame(
        {
            "Archetype": by_archetype["archetype"].map(ARCHETYPE_NAMES),
            "Scenario": by_archetype["scenario"],
            f"P(sustained break-even by {year})": by_archetype["p_breakeven_by_year"].map(share),
            f"P(cash lasts through {year}, no new capital)": by_archetype["p_cash_lasts"].map(share),
        }
    )


def archetype_scenario_table(dataset: Dataset, start_year: int, end_year: int) -> pd.DataFrame:
    """The base case of every archetype under every scenario: break-even, run-out, the round and the cost cover."""
    from analysis.models import survival as sv

    rows = []
    for archetype in sv.ARCHETYPES:
        for scenario in sv.SCENARIOS:
            p = sv.project_lab(sv.base_inputs(sv.lab_input_table(dataset, archetype, scenario)), start_year, end_year)
            be, first, runout = p.breakeven_year()[0], p.first_profitable_year()[0], p.runout_year()[0]
            rows.append(
                {
                    "Archetype": ARCHETYPE_NAMES[archetype],
                    "Scenario": scenario,
                    "First profitable year": f"{first:.0f}" if np.isfinite(first) else f"not by {end_year}",
                    "Sustained break-even": f"{be:.0f}" if np.isfinite(be) else f"not by {end_year}",
                    "Cash runs out (no new capital)": f"{runout:.0f}"
                    if np.isfinite(runout)
                    else f"lasts to {end_year}",
                    "New round (USD bn)": fmt_number(float(p.new_round[0]), 0) if p.new_round is not None else "–",
                    f"Cash {end_year}, with the round (USD bn)": fmt_number(p.cash_with_new_round[0, -1], 0),
                    f"Cumulative revenue / cumulative cost to {end_year}": fmt_number(
                        p.revenue[0].sum() / p.total_cost[0].sum(), 2
                    ),
                }
            )
    return pd.DataFrame(rows)


def probabilities_chart(probabilities: pd.DataFrame) -> charts.ReportChart:
    long = pd.concat(
        [
            pd.DataFrame({"year": probabilities["year"], "probability": probabilities["p_breakeven_by_year"],
                          "measure": "has broken even (sustained)"}),
            *([pd.DataFrame({"year": probabilities["year"], "probability": probabilities["p_profitable_by_year"],
                             "measure": "has had a first profitable year"})]
              if "p_profitable_by_year" in probabilities else []),
            pd.DataFrame({"year": probabilities["year"], "probability": probabilities["p_cash_lasts"],
                          "measure": "cash lasts without new capital"}),
        ]
    )  # fmt: skip
    return charts.chart_lines(
        long,
        "year",
        "probability",
        "measure",
        x_title="Year",
        y_title="Probability",
        x_format="d",
        description="Lines of the probability, by year, that the lab has reached sustained break-even, that it "
        "has had a first profitable year, and that its cash lasts without new capital.",
    )


def fan_chart(fan: pd.DataFrame) -> charts.ReportChart:
    return charts.chart_fan(
        fan,
        "year",
        [("q05", "q95"), ("q25", "q75")],
        "q50",
        x_title="Year",
        y_title="Cash without new capital (USD bn)",
        description="Fan chart of the lab's cash without new capital by year: 5-95% and 25-75% bands of the "
        "Monte Carlo draws around the median, with a dashed line at zero.",
    )


def tornado_chart(tornado: pd.DataFrame, end_year: int) -> charts.ReportChart:
    frame = tornado.head(10).assign(label=lambda d: d["input"].map(lambda i: SURVIVAL_INPUT_LABELS.get(i, i)))
    return charts.chart_tornado(
        frame,
        "label",
        "cash_at_low",
        "cash_at_high",
        float(tornado["base_cash"].iloc[0]),
        x_title=f"Cash at the end of {end_year} without new capital (USD bn)",
        description="Tornado chart: for the ten most influential inputs, the lab's end-of-horizon cash with the "
        "input at its low and at its high, the rest at base.",
    )


def sensitivity_table(tornado: pd.DataFrame, correlations: pd.DataFrame) -> pd.DataFrame:
    merged = tornado.merge(correlations, on="input", how="left")
    return pd.DataFrame(
        {
            "Input": merged["input"].map(lambda i: SURVIVAL_INPUT_LABELS.get(i, i)),
            "End cash, input low (USD bn)": merged["cash_at_low"].map(lambda x: fmt_number(x, 1)),
            "End cash, input high (USD bn)": merged["cash_at_high"].map(lambda x: fmt_number(x, 1)),
            "Swing (USD bn)": merged["swing"].map(lambda x: fmt_number(x, 1)),
            "Rank correlation with end cash": merged["rank_correlation"].map(
                lambda x: "–" if pd.isna(x) else fmt_number(x, 2)
            ),
        }
    )


def correlation_effect_table(effect: pd.DataFrame, year: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Price-cost correlation": effect["price_cost_correlation"].map(lambda x: fmt_number(x, 2)),
            f"P(broken even by {year})": [
                _with_se(p, se, 1) for p, se in zip(effect["p_breakeven_by_year"], effect["se_breakeven"], strict=True)
            ],
            f"P(cash lasts to {year})": [
                _with_se(p, se, 1) for p, se in zip(effect["p_cash_lasts"], effect["se_cash_lasts"], strict=True)
            ],
        }
    )


def first_party_chart(frame: pd.DataFrame) -> charts.ReportChart:
    return charts.chart_lines(
        frame.assign(series="gross profit"),
        "first_party_share",
        "gross_profit_usd_bn",
        "series",
        x_title="Share of serving compute that is the lab's own",
        y_title="Gross profit (USD bn a year)",
        x_format=".0%",
        y_format="$,.0f",
        description="Line of annual gross profit against the share of inference served on the lab's own compute "
        "rather than through clouds.",
    )


def edge_chart(frame: pd.DataFrame) -> charts.ReportChart:
    long = pd.concat(
        [
            pd.DataFrame({"firms": frame["firms"], "value": frame["selling_usd_bn"], "path": "sell access"}),
            pd.DataFrame({"firms": frame["firms"], "value": frame["in_house_usd_bn"], "path": "use in-house"}),
        ]
    )
    return charts.chart_lines(
        long,
        "firms",
        "value",
        "path",
        x_title="Firms holding the edge",
        y_title="Value to the lab (USD bn a year)",
        x_format="d",
        y_format="$,.1f",
        description="Lines of the value to a lab of selling access to an edge against using it in-house, as the "
        "number of firms holding the edge rises. Illustrative.",
    )


# --- survival: sentences chosen by the numbers ---------------------------------------------------

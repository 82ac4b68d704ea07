"""Presentation of the business-models chapter: its tables, charts and sentences."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from analysis.data import Dataset
from analysis.formats import (
    fmt_number,
    fmt_range,
    fmt_share,
    fmt_significant,
    fmt_usd,
    fmt_usd_approx,
    is_missing,
)
from analysis.present import charts
from analysis.present.common import KIND_LABELS, entity_name, fmt_interval, metric_label, source_cell


def business_model_table(dataset: Dataset) -> pd.DataFrame:
    """The seven business models: how each works, revenue, margin, moat, examples, main risk."""
    models = dataset["business_models"].sort_values("order")
    margins = {
        mid: fmt_range(float(f["low"]), float(f["high"]), fmt_share)
        for mid, f in ((m.id, dataset.fact(m.gross_margin_fact_id)) for m in models.itertuples(index=False))
    }
    table_margin = dataset.fact("marketplace_table_gross_margin")
    margins["marketplace"] += (
        f" on the take (table: {fmt_range(float(table_margin['low']), float(table_margin['high']), fmt_share)},"
        " the take rate)"
    )
    frame = pd.DataFrame(
        {
            "Business model": models["name"].to_numpy(),
            "How it works": models["how_it_works"].to_numpy(),
            "Revenue source": models["revenue_source"].to_numpy(),
            "Gross margin": [margins[m] for m in models["id"]],
            "What makes it defensible": models["defensibility"].to_numpy(),
            "Examples": models["examples"].to_numpy(),
            "Main risk": [f"{r}: “{q}”" for r, q in zip(models["main_risk"], models["main_risk_quote"], strict=True)],
        }
    )
    return frame


def gross_margin_chart(margins: pd.DataFrame) -> charts.ReportChart:
    """Range chart of the models' gross margins (from :func:`business_models.gross_margin_ranges`)."""
    return charts.chart_ranges(
        margins,
        "business_model",
        "gross_margin_low",
        "gross_margin_high",
        point="gross_margin_mid",
        x_title="Gross margin",
        description="Horizontal range bars of typical gross margin, low to high, for seven generative-AI "
        "business models, with the midpoint marked.",
    )


def ltv_to_cac_chart(unit_economics: pd.DataFrame) -> charts.ReportChart:
    """Range chart of LTV/CAC intervals on a log axis (symmetric log when a value is not positive),
    with the break-even line at 1."""
    negative = bool((unit_economics["ltv_to_cac_low"] <= 0).any())
    return charts.chart_ranges(
        unit_economics,
        "business_model",
        "ltv_to_cac_low",
        "ltv_to_cac_high",
        point="ltv_to_cac",
        x_title="LTV / CAC (symmetric log scale)" if negative else "LTV / CAC (log scale)",
        x_format=".2~f",
        log_scale=not negative,
        symlog_scale=negative,
        reference_value=1.0,
        description="Horizontal range bars of lifetime value over acquisition cost for seven business "
        f"models on a {'symmetric ' if negative else ''}log axis, base case marked, with a dashed line at 1.",
    )


def unit_economics_table(unit_economics: pd.DataFrame, ltv_to_cac_figures: int = 2) -> pd.DataFrame:
    """Base case and interval of every unit-economics metric per model; LTV/CAC base cases to the significant
    figures the chapter's headlines support (``ltv_to_cac_figures``), so the table and the prose agree."""
    u = unit_economics

    def col(metric: str, fmt: Any) -> list[str]:
        return [
            fmt_interval(b, lo, hi, fmt)
            for b, lo, hi in zip(u[metric], u[f"{metric}_low"], u[f"{metric}_high"], strict=True)
        ]

    frame = pd.DataFrame(
        {
            "Business model": u["business_model"],
            "ARPU / month": col("arpu_month_usd", fmt_usd_approx),
            "Gross margin": col("gross_margin", fmt_share),
            "Monthly churn": col("monthly_churn", lambda x: fmt_share(x, 1)),
            "Free-tier compute / payer / month": [
                "none" if hi == 0 else fmt_interval(b, lo, hi, fmt_usd_approx)
                for b, lo, hi in zip(
                    u["free_tier_cost_month_usd"],
                    u["free_tier_cost_month_usd_low"],
                    u["free_tier_cost_month_usd_high"],
                    strict=True,
                )
            ],
            "CAC": col("cac_usd", fmt_usd_approx),
            "LTV": col("ltv_usd", fmt_usd_approx),
            "LTV / CAC": [
                f"{fmt_significant(b, ltv_to_cac_figures)} ({fmt_significant(lo, 2)}–{fmt_significant(hi, 2)})"
                for b, lo, hi in zip(u["ltv_to_cac"], u["ltv_to_cac_low"], u["ltv_to_cac_high"], strict=True)
            ],
            "CAC payback (months)": col("payback_months", lambda x: fmt_significant(x, 2, "months")),
        }
    )
    if not (u["free_tier_cost_month_usd_high"] > 0).any():
        frame = frame.drop(columns="Free-tier compute / payer / month")
    return frame


INPUT_LABELS = {
    "gross_margin": "gross margin",
    "arpu_month_usd": "revenue per customer per month",
    "monthly_churn": "monthly churn",
    "cac_usd": "acquisition cost per customer",
    "cost_per_signup_usd": "marketing cost per free sign-up",
    "freemium_conversion": "free-to-paid conversion",
    "gmv_month_usd": "purchases per buyer per month",
    "take_rate": "take rate",
    "annual_contract_usd": "annual contract value",
    "annual_retention": "annual retention",
    "cac_to_acv": "acquisition cost, in years of contract value",
    "sales_cycle_months": "sales cycle",
    "free_cost_per_generation_usd": "compute cost of a free generation (pricing chapter)",
    "free_generations_month": "generations a free user uses a month (pricing chapter's free cap and usage)",
    "annual_discount_rate": "annual discount rate",
}


def _fmt_input(value: float, unit: str) -> str:
    if unit == "share":
        return fmt_share(value, 1 if value < 0.1 else 0)
    if unit.startswith("usd"):
        return fmt_usd(value)
    if unit == "months":
        return f"{fmt_number(value, 1)} months"
    return fmt_number(value, 2)


def _provenance(facts: pd.DataFrame, fact_id: str) -> str:
    """The fact's quote, or its rationale for an assumption: a fact the reader overrode (kind 'parameter') has
    whichever of the two its source gave, so an overridden assumption keeps its rationale."""
    quote, rationale = facts.at[fact_id, "quote"], facts.at[fact_id, "rationale"]
    if facts.at[fact_id, "kind"] != "assumption" and not is_missing(quote):
        return f"“{quote}”"
    return "–" if is_missing(rationale) else str(rationale)


def unit_economics_inputs_table(dataset: Dataset, inputs: pd.DataFrame) -> pd.DataFrame:
    """Every unit-economics input with its range and provenance (quote or rationale)."""
    names = dataset["business_models"]["name"]
    facts = dataset["facts"]
    frame = pd.DataFrame(
        {
            "Business model": [names[m] for m in inputs["business_model_id"]],
            "Input": [INPUT_LABELS[i] for i in inputs["input"]],
            "Low–high (base)": [
                f"{fmt_range(lo, hi, functools.partial(_fmt_input, unit=u))} ({_fmt_input(b, u)})"
                for lo, b, hi, u in zip(inputs["low"], inputs["base"], inputs["high"], inputs["unit"], strict=True)
            ],
            "Kind": [KIND_LABELS[k] for k in inputs["kind"]],
            "Quote or rationale": [_provenance(facts, f) for f in inputs["fact_id"]],
            "Source": [source_cell(dataset, s) for s in inputs["source_id"]],
        }
    )
    return frame


def _fmt_move(flip: pd.Series) -> str:
    """'-36% of its range (-36%)'; the relative move alone for an input without a range; churn for retention."""
    on = " in churn" if flip["input"] == "annual_retention" else ""
    relative = f"{flip['relative_change']:+.0%}{on}"
    if pd.isna(flip["move_in_ranges"]):
        return relative
    return f"{flip['move_in_ranges']:+.0%} of its range ({relative})"


def claims_table(claims: pd.DataFrame, nearest: pd.DataFrame, ltv_to_cac_figures: int = 2) -> pd.DataFrame:
    """Each claim: the two models' base LTV/CAC, the verdict at the rate in use and at 0%, and the nearest flip."""
    nearest = nearest.set_index("claim_id")
    flips = []
    for claim_id in claims["claim_id"]:
        if claim_id not in nearest.index:
            flips.append("no single input reverses it")
            continue
        f = nearest.loc[claim_id]
        where = "" if f["side"] == "both" else f"{f['business_model']} "
        flips.append(
            f"{where}{INPUT_LABELS[f['input']]} from {_fmt_input(f['base'], _unit_of(f['input']))} "
            f"to {_fmt_input(f['flip_value'], _unit_of(f['input']))}: {_fmt_move(f)}, "
            f"{'inside' if f['within_stated_range'] else 'outside'} its stated range"
        )
    frame = pd.DataFrame(
        {
            "Claim (quoted)": [f"“{c}”" for c in claims["claim"]],
            "Favoured model": claims["favoured_model"],
            "Its LTV/CAC": claims["favoured_ltv_to_cac"].map(lambda x: fmt_significant(x, ltv_to_cac_figures)),
            "Other model": claims["other_model"],
            "Other model's LTV/CAC": claims["other_ltv_to_cac"].map(lambda x: fmt_significant(x, ltv_to_cac_figures)),
            "Base case": [
                ("agrees" if a else "disagrees") + (" (whole interval)" if r else "")
                for a, r in zip(claims["agrees"], claims["robust"], strict=True)
            ],
            "Undiscounted (0%)": [
                f"{'agrees' if a else 'disagrees'} "
                f"({fmt_significant(f, ltv_to_cac_figures)} vs {fmt_significant(o, ltv_to_cac_figures)})"
                for a, f, o in zip(
                    claims["agrees_undiscounted"],
                    claims["favoured_ltv_to_cac_undiscounted"],
                    claims["other_ltv_to_cac_undiscounted"],
                    strict=True,
                )
            ],
            "Flips when": flips,
        }
    )
    return frame


def _unit_of(input_name: str) -> str:
    if input_name in {
        "gross_margin",
        "monthly_churn",
        "freemium_conversion",
        "take_rate",
        "annual_retention",
        "annual_discount_rate",
    }:
        return "share"
    if input_name in {"cac_to_acv", "free_generations_month"}:
        return "multiple"
    return "usd"


def claim_label(quote: str) -> str:
    """A claim in the article's words, without its parenthesis: 'Subscription models over pure API models'.

    Examples
    --------
    >>> claim_label("Subscription models over pure API models (predictable revenue, lower churn)")
    'Subscription models over pure API models'
    """
    return quote.split(" (")[0].strip()


def flips_table(flips: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Every input that can reverse a claim, with the flip value, the move and whether it is in range."""
    labels = {c: claim_label(q) for c, q in zip(claims["claim_id"], claims["claim"], strict=True)}
    frame = pd.DataFrame(
        {
            "Claim": flips["claim_id"].map(labels),
            "Model": flips["business_model"],
            "Input": flips["input"].map(INPUT_LABELS),
            "Base": [_fmt_input(b, _unit_of(i)) for b, i in zip(flips["base"], flips["input"], strict=True)],
            "Flips at": [_fmt_input(v, _unit_of(i)) for v, i in zip(flips["flip_value"], flips["input"], strict=True)],
            "Move": [_fmt_move(f) for _, f in flips.iterrows()],
            "In stated range": flips["within_stated_range"].map({True: "in range", False: "outside"}),
            "Kind": flips["kind"].map(KIND_LABELS),
        }
    )
    return frame


def budget_table(budget: pd.DataFrame) -> pd.DataFrame:
    """Each headline figure beside what each structural choice and the input intervals make of it."""
    rows = []
    for _, group in budget.groupby("figure", sort=False):
        first = group.iloc[0]
        unit, figures = str(first["unit"]), int(first["figures"])

        def fmt(x: float, _u: str = unit, _f: int = figures) -> str:
            return fmt_significant(x, max(_f, 2), _u)

        row = {"Headline figure": first["label"], "As stated": fmt_significant(first["base"], figures, unit)}
        for source in group.itertuples(index=False):
            value = fmt_range(source.low, source.high, fmt)
            swing = "no change" if source.swing == 0 else f"{source.swing:.0%}" if np.isfinite(source.swing) else "sign"
            row[source.source_label] = f"{value} ({swing})" + (" ◀ largest" if source.dominant else "")
        row["Significant figures"] = "a count" if unit == "count" else str(figures)
        rows.append(row)
    return pd.DataFrame(rows)


def who_makes_money_table(dataset: Dataset) -> pd.DataFrame:
    from analysis.models.business_models import who_makes_money

    return who_makes_money(dataset)


def disagreements_table(disagreements: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "Company": [entity_name(dataset, e) for e in disagreements["entity"]],
            "Quantity": disagreements["metric"].map(metric_label),
            "Figure": [
                ("at least " if b == "at least" else "at most " if b == "at most" else "") + fmt_usd(v)
                for v, b in zip(disagreements["central_value"], disagreements["bound"], strict=True)
            ],
            "What the figures amount to": disagreements["relation"],
            "Year": disagreements["year"],
            "Source": [source_cell(dataset, s) for s in disagreements["source_id"]],
            "Quote": disagreements["quote"].map(lambda q: f"“{q}”"),
        }
    )
    return frame


def generation_costs_table(costs: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "Output": costs["output"],
            "Cost per generation": [
                fmt_range(lo, hi, fmt_usd) for lo, hi in zip(costs["cost_low_usd"], costs["cost_high_usd"], strict=True)
            ],
            "Basis": costs["basis"],
        }
    )
    return frame

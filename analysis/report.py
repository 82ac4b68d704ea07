"""Presentation: the tables, charts and glued text of the chapters, built from computed results.

Computation lives in the topic modules (:mod:`analysis.business_models`, ...); this module
only arranges and formats their results, with the formatters of :mod:`analysis.tables`
and the chart functions of :mod:`analysis.charts`, so that the notebooks hold no logic.
Text for prose is returned as ``IPython.display.Markdown`` so myst-nb's ``{glue:md}``
inserts it as it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from IPython.display import Markdown

from analysis import charts
from analysis.business_models import fmt_significant
from analysis.data import Dataset
from analysis.parameters import get_chapter
from analysis.tables import (
    MystCell,
    cite_cell,
    code_cell,
    escape_markdown,
    fmt_number,
    fmt_range,
    fmt_share,
    fmt_share_bounded,
    fmt_usd,
    fmt_usd_approx,
    myst_table,
)

TABLE_MIME = "application/vnd.genai-report.table+json"
KEY_FIGURES_MIME = "application/vnd.genai-report.key-figures+json"


class TableBlock:
    """A numbered, captioned table: MyST for the book (``{glue:md}`` with ``:format: myst``), plus
    the table's own cells and caption under :data:`TABLE_MIME`, from which re-runs write CSV files."""

    def __init__(self, frame: pd.DataFrame, name: str, caption: str):
        self.frame, self.name, self.caption = frame, name, caption

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/markdown": myst_table(self.frame, self.name, self.caption),
            "text/plain": f"<table {self.name}>",
            TABLE_MIME: {
                "name": self.name,
                "caption": self.caption,
                "columns": [str(c) for c in self.frame.columns],
                "rows": [[str(v) for v in row] for row in self.frame.astype(object).itertuples(index=False)],
            },
        }


def table_block(frame: pd.DataFrame, name: str, caption: str) -> TableBlock:
    """A numbered, captioned table for ``{glue:md}`` with ``:format: myst``; the caption names the edition."""
    return TableBlock(frame, name, f"{caption.rstrip('.')}. ({_EDITION['label']})")


_KEY_FIGURES: list[dict[str, Any]] = []
_EDITION = {"label": "default edition"}


def edition_label(edition: str) -> str:
    """How an edition is named in captions: 'default edition' or 'edition: price_war'."""
    return "default edition" if edition == "default" else f"edition: {edition}"


def start_chapter(prefix: str, params: Mapping[str, Any]) -> None:
    """Set the edition named in this chapter's captions and glue it as ``{prefix}_edition``."""
    from myst_nb import glue

    _EDITION["label"] = edition_label(params["edition"])
    _KEY_FIGURES.clear()
    glue(f"{prefix}_edition", Markdown(_EDITION["label"]), display=False)


def key_figure(
    key: str, value: float | None, unit: str, text: str, sentence: str, interval: tuple[float, float, str] | None = None
) -> None:
    """Glue ``text`` under ``key`` for the prose, and record ``value`` as a citable key figure.

    ``sentence`` is a ready sentence for a memo, with the formatted value in it. ``interval`` is
    ``(low, high, what it is, in words)`` where the figure has one (input ranges, spread over seeds,
    the modelling choices). The chapter's figures are written to the notebook by
    :func:`emit_key_figures`, where re-runs and the key-figures page read them.
    """
    from myst_nb import glue

    glue(key, Markdown(text), display=False)
    _KEY_FIGURES[:] = [f for f in _KEY_FIGURES if f["id"] != key]
    low, high, described = interval if interval is not None else (None, None, "")
    _KEY_FIGURES.append({"id": key, "value": _finite(value), "unit": unit, "text": text, "sentence": sentence,
                         "low": _finite(low), "high": _finite(high), "interval": described})  # fmt: skip


def _finite(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(float(value)) else float(value)


def spread_interval(value: float, sd: float, n_seeds: int) -> tuple[float, float, str]:
    """A simulated figure's interval: one standard deviation either side, over the other seeds.

    Examples
    --------
    >>> spread_interval(0.25, 0.008, 20)
    (0.242, 0.258, '± 0.8 pp over 20 seeds (one standard deviation)')
    """
    return (round(value - sd, 12), round(value + sd, 12), f"{fmt_spread(sd, n_seeds)} (one standard deviation)")


def record_key_figures(figures: Iterable[Mapping[str, Any]]) -> None:
    """Record several key figures at once (each a mapping with key, value, unit, text and sentence)."""
    for figure in figures:
        key_figure(figure["key"], figure["value"], figure["unit"], figure["text"], figure["sentence"])


def key_findings(prefix: str, findings: Sequence[tuple[str, str]], lead: int = 1) -> list[dict[str, Any]]:
    """Glue ``{prefix}_key_findings``: the chapter's findings, each a key figure's ready sentence and a link
    to the figure or table that shows it, for the Key findings box at the top of the chapter.

    ``findings`` are ``(key figure id, anchor)`` pairs, most important first; the first ``lead`` also open
    the report's introduction. Every number comes from a key figure already recorded with :func:`key_figure`.
    Returns the findings for :func:`emit_key_figures`.
    """
    from myst_nb import glue

    recorded = {f["id"]: f for f in _KEY_FIGURES}
    missing = [key for key, _ in findings if key not in recorded]
    if missing or not 3 <= len(findings) <= 5:
        raise ValueError(f"key findings need 3-5 recorded key figures; not recorded: {missing}")
    chosen = [
        {"id": key, "anchor": anchor, "sentence": recorded[key]["sentence"], "lead": i < lead}
        for i, (key, anchor) in enumerate(findings)
    ]
    glue(f"{prefix}_key_findings", Markdown(findings_markdown(chosen)), display=False)
    return chosen


def findings_markdown(findings: Sequence[Mapping[str, Any]]) -> str:
    """Findings as a MyST list: each sentence, then a numbered link to its figure or table.

    Examples
    --------
    >>> print(findings_markdown([{"sentence": "Margins are 60% at $1.", "anchor": "tbl-x"}]))
    - Margins are 60% at \\$1. ({numref}`tbl-x`)
    """
    for finding in findings:
        if not str(finding["anchor"]).startswith(("fig-", "tbl-")):
            raise ValueError(f"a finding links to a figure or a table, not {finding['anchor']!r}")
    return "\n".join(f"- {escape_markdown(f['sentence'])} ({{numref}}`{f['anchor']}`)" for f in findings)


def emit_key_figures(chapter: str, params: Mapping[str, Any], findings: Sequence[Mapping[str, Any]] = ()) -> None:
    """Display the chapter's key figures, parameters and key findings as one JSON output of the notebook."""
    from IPython.display import display

    payload = {"chapter": chapter, "edition": params.get("edition", "default"), "parameters": dict(params),
               "figures": list(_KEY_FIGURES), "findings": list(findings)}  # fmt: skip
    display({KEY_FIGURES_MIME: payload,
             "text/plain": f"{len(_KEY_FIGURES)} key figures"}, raw=True)  # fmt: skip


def md_text(text: str) -> Markdown:
    """Plain text for ``{glue:md}``."""
    return Markdown(str(text))


def md_quote(text: str) -> Markdown:
    """A quotation for ``{glue:md}``, with Markdown's special characters (``$``, ``*``) escaped."""
    return Markdown(escape_markdown(text))


def md_share(value: float, digits: int = 0) -> Markdown:
    return Markdown(fmt_share(float(value), digits))


def md_share_range(low: float, high: float) -> Markdown:
    return Markdown(fmt_range(float(low), float(high), fmt_share))


def md_usd(value: float, plus: bool = False) -> Markdown:
    """USD with one decimal at most ('$54.8B'), and '+' when the source gives only a lower bound ('$200M+')."""
    return Markdown(fmt_usd(float(value), digits=1) + ("+" if plus else ""))


def md_usd_range(low: float, high: float, plus: bool = False) -> Markdown:
    return Markdown(fmt_range(float(low), float(high), fmt_usd) + ("+" if plus else ""))


def md_count(value: float) -> Markdown:
    return Markdown(fmt_number(float(value), 0))


def md_count_of(part: int, whole: int) -> Markdown:
    return Markdown(f"{part} of the {whole}")


def md_ratio(value: float) -> Markdown:
    return Markdown(fmt_number(float(value), 1))


def md_multiple_range(low: float, high: float) -> Markdown:
    return Markdown(f"{fmt_number(float(low), 0)}–{fmt_number(float(high), 0)} times")


KIND_LABELS = {"reported": "reported", "assumption": "assumption", "parameter": "your parameter"}


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


def gross_margin_chart(margins: pd.DataFrame) -> alt.LayerChart:
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


def ltv_to_cac_chart(unit_economics: pd.DataFrame) -> alt.LayerChart:
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


def _interval(base: float, low: float, high: float, fmt: Any) -> str:
    """'$142 ($37–$609)': the base case, then its interval in parentheses."""
    return f"{fmt(base)} ({fmt(low)}–{fmt(high)})"


def source_title(dataset: Dataset, source_id: str) -> str:
    """A source's title in quotes, the part before any colon: '“The Seven Business Models of Generative AI”'."""
    return "“" + str(dataset["sources"].set_index("source_id").at[source_id, "title"]).split(":")[0] + "”"


def source_cell(dataset: Dataset, source_id: str, prefix: str = "") -> MystCell:
    """A source named by its title (the part before any colon), linked to the bibliography."""
    title = str(dataset["sources"].set_index("source_id").at[source_id, "title"]).split(":")[0]
    return cite_cell(title, source_id, prefix)


ENTITY_NAMES = {"openai": "OpenAI", "anthropic": "Anthropic", "alphabet": "Alphabet", "midjourney": "Midjourney",
                "mistral": "Mistral", "openai_anthropic": "OpenAI and Anthropic"}  # fmt: skip
UNIT_WORDS = {"usd": "USD", "bn": "bn", "gw": "GW"}


def entity_name(dataset: Dataset, entity: str) -> str:
    """A company, business model or lab archetype as readers name it: 'openai' -> 'OpenAI'."""
    models = dataset["business_models"]
    if entity in set(models["id"]):
        return str(models.set_index("id").at[entity, "name"])
    if entity in ARCHETYPE_NAMES:
        return ARCHETYPE_NAMES[entity]
    return ENTITY_NAMES.get(entity, entity.replace("_", " ").capitalize())


def metric_label(metric: str) -> str:
    """A metric id in words, its unit in parentheses: 'annual_revenue_usd' -> 'annual revenue (USD)'.

    Examples
    --------
    >>> metric_label("annual_revenue_usd"), metric_label("gross_margin"), metric_label("cash_start_usd_bn")
    ('annual revenue (USD)', 'gross margin', 'cash start (USD bn)')
    """
    words = metric.split("_")
    unit = []
    while words and words[-1] in UNIT_WORDS:
        unit.insert(0, UNIT_WORDS[words.pop()])
    return " ".join(words) + (f" ({' '.join(unit)})" if unit else "")


def unit_economics_table(unit_economics: pd.DataFrame) -> pd.DataFrame:
    """Base case and interval of every unit-economics metric per model."""
    u = unit_economics

    def col(metric: str, fmt: Any) -> list[str]:
        return [
            _interval(b, lo, hi, fmt)
            for b, lo, hi in zip(u[metric], u[f"{metric}_low"], u[f"{metric}_high"], strict=True)
        ]

    frame = pd.DataFrame(
        {
            "Business model": u["business_model"],
            "ARPU / month": col("arpu_month_usd", fmt_usd_approx),
            "Gross margin": col("gross_margin", fmt_share),
            "Monthly churn": col("monthly_churn", lambda x: fmt_share(x, 1)),
            "Free-tier compute / payer / month": [
                "none" if hi == 0 else _interval(b, lo, hi, fmt_usd_approx)
                for b, lo, hi in zip(
                    u["free_tier_cost_month_usd"],
                    u["free_tier_cost_month_usd_low"],
                    u["free_tier_cost_month_usd_high"],
                    strict=True,
                )
            ],
            "CAC": col("cac_usd", fmt_usd_approx),
            "LTV": col("ltv_usd", fmt_usd_approx),
            "LTV / CAC": col("ltv_to_cac", lambda x: fmt_significant(x, 2)),
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


def unit_economics_inputs_table(dataset: Dataset, inputs: pd.DataFrame) -> pd.DataFrame:
    """Every unit-economics input with its range and provenance (quote or rationale)."""
    names = dataset["business_models"]["name"]
    facts = dataset["facts"]
    frame = pd.DataFrame(
        {
            "Business model": [names[m] for m in inputs["business_model_id"]],
            "Input": [INPUT_LABELS[i] for i in inputs["input"]],
            "Low–high (base)": [
                f"{fmt_range(lo, hi, lambda x, u=u: _fmt_input(x, u))} ({_fmt_input(b, u)})"
                for lo, b, hi, u in zip(inputs["low"], inputs["base"], inputs["high"], inputs["unit"], strict=True)
            ],
            "Kind": [KIND_LABELS[k] for k in inputs["kind"]],
            "Quote or rationale": [
                f"“{facts.at[f, 'quote']}”" if facts.at[f, "kind"] != "assumption" else facts.at[f, "rationale"]
                for f in inputs["fact_id"]
            ],
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


def claims_table(claims: pd.DataFrame, nearest: pd.DataFrame) -> pd.DataFrame:
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
            "Its LTV/CAC": claims["favoured_ltv_to_cac"].map(lambda x: fmt_significant(x, 2)),
            "Other model": claims["other_model"],
            "Other model's LTV/CAC": claims["other_ltv_to_cac"].map(lambda x: fmt_significant(x, 2)),
            "Base case": [
                ("agrees" if a else "disagrees") + (" (whole interval)" if r else "")
                for a, r in zip(claims["agrees"], claims["robust"], strict=True)
            ],
            "Undiscounted (0%)": [
                f"{'agrees' if a else 'disagrees'} ({fmt_significant(f, 2)} vs {fmt_significant(o, 2)})"
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
    from analysis.business_models import who_makes_money

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


def parameters_table(chapter: str, params: Mapping[str, Any], dataset: Dataset) -> pd.DataFrame:
    """The parameters a chapter ran with, beside their defaults and the defaults' provenance, in words:
    what each is, the name to re-run it with, values in their units, where the default comes from."""
    spec = get_chapter(chapter)
    facts = dataset["facts"]

    def origin(p: Any) -> str | MystCell:
        if not p.fact_ids:
            return "modelling choice of the report"
        fact = facts.loc[p.fact_ids[0]]
        if fact["kind"] == "assumption":
            return source_cell(dataset, str(fact["source_id"]), "assumption of ours, on ")
        return source_cell(dataset, str(fact["source_id"]), "reported in ")

    frame = pd.DataFrame(
        {
            "Parameter": [p.description[:1].upper() + p.description[1:] for p in spec.parameters],
            "Name": [code_cell(p.name) for p in spec.parameters],
            "Value": [_typed(fmt_parameter(params[p.name], p), p) for p in spec.parameters],
            "Default": [_typed(fmt_parameter(p.default, p), p) for p in spec.parameters],
            "Allowed": [parameter_allowed(p) for p in spec.parameters],
            "Default from": [origin(p) for p in spec.parameters],
        }
    )
    return frame


def _typed(text: str, p: Any) -> str | MystCell:
    """A named choice (an archetype, a scenario) is shown as code: it is typed as it reads."""
    return code_cell(text) if p.type is str and p.choices else text


def fmt_parameter(value: Any, p: Any) -> str:
    """A parameter value in its unit: $300K, $100M, 3.5%, 20,000, [$20, $60, $200]; names and years as typed.

    Examples
    --------
    >>> from analysis.parameters import Parameter
    >>> fmt_parameter(300_000.0, Parameter("c", float, 1.0, "pay", unit="USD per year"))
    '$300K'
    >>> fmt_parameter(0.035, Parameter("r", float, 0.1, "rate", unit="share"))
    '3.5%'
    >>> fmt_parameter([20.0, 60.0], Parameter("t", list, [1.0], "tiers", unit="USD per month"))
    '$20, $60'
    >>> fmt_parameter(2026, Parameter("seed", int, 1, "seed")), fmt_parameter(20_000, Parameter("n", int, 1, "n"))
    ('2026', '20,000')
    """
    if isinstance(value, list):
        return ", ".join(fmt_parameter(v, p) for v in value)
    if isinstance(value, str | bool):
        return str(value)
    unit = str(getattr(p, "unit", "") or "")
    if unit.startswith("USD"):
        return fmt_usd(float(value))
    if unit.startswith("share"):
        digits = next((d for d in (0, 1, 2) if abs(round(value * 100, d) - value * 100) < 1e-9), 3)
        return fmt_share(float(value), digits)
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value)) if abs(value) < 10_000 else fmt_number(float(value), 0)
    return fmt_number(float(value), 3)


def parameter_allowed(p: Any) -> str | MystCell:
    """What a parameter may be, in its unit: '≥ $0 and ≤ $100M', 'whole number ≥ 1', one of named choices."""
    if p.type is str:
        return code_cell(", ".join(p.choices)) if p.choices else "a plain name (letters, digits, - or _)"
    bounds = []
    if p.minimum is not None:
        bounds.append(f"{'>' if p.exclusive_minimum else '≥'} {fmt_parameter(p.minimum, p)}")
    if p.maximum is not None:
        bounds.append(f"{'<' if p.exclusive_maximum else '≤'} {fmt_parameter(p.maximum, p)}")
    kind = "whole number" if p.type is int else "each" if p.type is list else "number"
    return f"{kind} {' and '.join(bounds)}".strip()


# --- pricing chapter -------------------------------------------------------------------------

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


def margin_predictability_chart(comparison: pd.DataFrame, names: Mapping[str, str]) -> alt.LayerChart:
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


def breakeven_chart(grid: pd.DataFrame, band: tuple[float, float]) -> alt.LayerChart:
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


def cap_sweep_chart(sweep: pd.DataFrame) -> alt.LayerChart:
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


EXACT_SD = 1e-12
"""A spread below this is floating-point noise: the figure is the same on every seed."""


def supported_share_decimals(sd: float, max_decimals: int = 2, exact_decimals: int = 1) -> int:
    """Decimals of a percentage that a spread of ``sd`` (a share) supports.

    The last digit shown is the one where the spread's first significant digit falls, so a
    figure that moves by 2.7 points from seed to seed is shown in whole points; a figure that
    does not move (``sd`` 0 or NaN) gets ``exact_decimals``.

    Examples
    --------
    >>> [supported_share_decimals(sd) for sd in (0.027, 0.0075, 0.0009, 0.00003, 0.0)]
    [0, 0, 1, 2, 1]
    """
    if not (sd >= 0) and not np.isnan(sd):
        raise ValueError(f"sd = {sd!r} is not allowed: must be a number >= 0 (a standard deviation)")
    if np.isnan(sd) or sd <= EXACT_SD:
        return exact_decimals
    return int(min(max(np.floor(-np.log10(sd * 100)), 0), max_decimals))


def fmt_share_supported(value: float, sd: float) -> str:
    """A share with only the decimals its spread over seeds supports: (0.130, sd 0.027) -> '13%'.

    Examples
    --------
    >>> fmt_share_supported(0.1302, 0.027), fmt_share_supported(0.000941, 0.00003), fmt_share_supported(0.6, 0.0)
    ('13%', '0.09%', '60%')
    """
    text = fmt_share(value, supported_share_decimals(sd))
    exact = np.isnan(sd) or sd <= EXACT_SD
    return text.replace(".0%", "%") if exact else text


def fmt_spread(sd: float, n_seeds: int) -> str:
    """'± 2.7 pp over 20 seeds' (one significant digit at least), or 'the same on every seed'.

    Examples
    --------
    >>> fmt_spread(0.027, 20), fmt_spread(0.0075, 20), fmt_spread(0.0, 20)
    ('± 3 pp over 20 seeds', '± 0.8 pp over 20 seeds', 'the same on every seed')
    """
    if np.isnan(sd) or sd <= EXACT_SD:
        return "the same on every seed"
    digits = max(0, -int(np.floor(np.log10(sd * 100))))
    return f"± {sd * 100:.{digits}f} pp over {n_seeds} seeds"


def fmt_seed_range(low: float, high: float, n_seeds: int, fmt: Any) -> str:
    """'12 on all 20 seeds' or '10–14 over 20 seeds'.

    Examples
    --------
    >>> fmt_seed_range(12, 12, 20, str), fmt_seed_range(10, 14, 20, str)
    ('12 on all 20 seeds', '10–14 over 20 seeds')
    """
    if fmt(low) == fmt(high):
        return f"{fmt(low)} on all {n_seeds} seeds"
    return f"{fmt_range(low, high, fmt)} over {n_seeds} seeds"


def join_names(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'.

    Examples
    --------
    >>> join_names(["a"]), join_names(["a", "b"]), join_names(["a", "b", "c"])
    ('a', 'a and b', 'a, b and c')
    """
    if not items:
        raise ValueError("items is empty: nothing to name")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def steadiness_sentence(comparison: pd.DataFrame, names: Mapping[str, str], swingiest_cv_text: str) -> str:
    """Which strategies' revenue per paying user is steadiest and which swings most, ties named together.

    A CV within :data:`analysis.pricing.TIE_TOLERANCE` of zero is flat by construction: the model
    has no churn or plan switching, so a flat price earns the same every month.
    """
    from analysis.pricing import TIE_TOLERANCE, tied_best

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

    Examples
    --------
    >>> change_phrase(0.6, 0.6 + 1e-15, fmt_share), change_phrase(0.6, 0.14, fmt_share)
    ('stays at 60%', 'falls from 60% to 14%')
    """
    if abs(later - now) <= abs_tol:
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

    ``cases`` is :func:`analysis.pricing.project_deflation_cases` output; the central case's
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
    """Which uncertainty is largest for which figures, from :func:`analysis.pricing.uncertainty_budget`.

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

ARCHETYPE_NAMES = {
    "frontier_leader": "frontier leader",
    "enterprise_challenger": "enterprise-focused challenger",
    "subscale_lab": "sub-scale independent lab",
    "bigtech_lab": "lab inside a big-tech parent",
}

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
    from analysis.survival import LOGNORMAL_INPUTS

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
                fmt_range(lo, hi, lambda x, u=u: _fmt_lab_value(x, u)) if hi > lo else "fixed"
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
        return fmt_share(p, decimals) if p >= 0.5 * 10 ** -(decimals + 2) else f"<{10**-decimals:g}%"

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
    from analysis import survival as sv

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


def probabilities_chart(probabilities: pd.DataFrame) -> alt.LayerChart:
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


def fan_chart(fan: pd.DataFrame) -> alt.LayerChart:
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


def tornado_chart(tornado: pd.DataFrame, end_year: int) -> alt.LayerChart:
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


def first_party_chart(frame: pd.DataFrame) -> alt.LayerChart:
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


def edge_chart(frame: pd.DataFrame) -> alt.LayerChart:
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


def share_supported(value: float, uncertainty: float) -> str:
    """A probability printed with the decimals its uncertainty supports (see :func:`survival.decimals_supported`).

    Examples
    --------
    >>> share_supported(0.4554, 0.14), share_supported(0.4554, 0.004)
    ('46%', '45.5%')
    """
    from analysis.survival import decimals_supported

    return fmt_share(value, decimals_supported(uncertainty))


# --- explorers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explorer:
    """An explorer's chart and what its caption states: grid points and the sliders' ranges."""

    chart: Any
    points: int
    grid_text: str


def explorer_sliders(
    chapter: str, names: Sequence[str], params: Mapping[str, Any]
) -> list[tuple[str, str, tuple[float, ...], float]]:
    """``(param_name, column, grid, start)`` per slider, from the parameters' declared explorer ranges; the
    start is this edition's value (the nearest grid point)."""
    sliders = []
    for name in names:
        grid = get_chapter(chapter).parameter(name).explorer_values()
        start = min(grid, key=lambda v: abs(v - float(params[name])))
        sliders.append((name, name, grid, start))
    return sliders


def _command(chapter: str, sliders: Sequence[tuple[str, str, tuple[float, ...], float]], digits: int = 2) -> str:
    """A Vega expression: the re-run command for the sliders' values."""
    parts = " + ".join(f"' \\\\\\n    -p {name}=' + format({name}, '.{digits}~f')" for name, _, _, _ in sliders)
    return f"'python -m analysis run {chapter}' + {parts} + ' \\\\\\n    --name explore'"


def _grid_text(sliders: Sequence[tuple[str, str, tuple[float, ...], float]]) -> str:
    def one(name: str, g: tuple[float, ...]) -> str:
        return (
            f"`{name}` from {g[0]:g} to {g[-1]:g} in steps of {g[1] - g[0]:g}" if len(g) > 1 else f"`{name}` {g[0]:g}"
        )

    return "; ".join(one(name, g) for name, _, g, _ in sliders)


# The d3 formats an explorer's readout may take for a key figure, by the unit the key-figure registry gives it.
READOUT_FORMATS = {"share": (".0%", ".1%", ".2%", ".3%")}


def readout_format(registry: pd.DataFrame, key: str, value: float, text: str) -> str:
    """The d3 format with which an explorer prints key figure ``key``, so that at the default position its
    readout is the chapter's own text for the figure.

    ``registry`` is the key-figure registry (``data/key_figures.csv``, ``dataset["key_figures"]``): the unit
    it gives ``key`` decides the kind of format (:data:`READOUT_FORMATS`: a share is a percentage); the
    decimals are those with which the chapter printed ``value`` as ``text`` (a simulated figure shows only
    the decimals its spread supports). The format is checked to print ``value`` as ``text``; a value that is
    not a number (a margin without revenue) has no decimals to match and takes the unit's first format.

    Examples
    --------
    >>> registry = pd.DataFrame({"unit": ["share"]}, index=pd.Index(["pr_x"], name="id"))
    >>> readout_format(registry, "pr_x", 0.25257, "25%"), readout_format(registry, "pr_x", 0.25257, "25.3%")
    ('.0%', '.1%')
    """
    if key not in registry.index:
        raise ValueError(f"key figure {key!r} is not in the key-figure registry (data/key_figures.csv)")
    unit = str(registry.at[key, "unit"])
    if unit not in READOUT_FORMATS:
        raise ValueError(
            f"key figure {key!r} has unit {unit!r} in data/key_figures.csv, for which no explorer readout is "
            f"defined; allowed units: {', '.join(READOUT_FORMATS)}"
        )
    if not np.isfinite(value):
        return READOUT_FORMATS[unit][0]
    for d3_format in READOUT_FORMATS[unit]:
        if charts.format_d3(value, d3_format) == text:
            return d3_format
    raise ValueError(
        f"key figure {key!r} = {value!r} is printed {text!r}, which none of the {unit} readout formats "
        f"({', '.join(READOUT_FORMATS[unit])}) gives: the readout could not match the chapter's text"
    )


def survival_explorer(dataset: Dataset, params: Mapping[str, Any], readout_formats: Mapping[str, str]) -> Explorer:
    """The survival chapter's explorer: both headline probabilities by year over the three scaled inputs.

    ``readout_formats`` gives the d3 format of each probability's readout (keys ``p_breakeven_by_year`` and
    ``p_cash_lasts``), from its key figure with :func:`readout_format`.
    """
    from analysis import survival as sv

    names = [f"{name}_scale" for name in sv.EXPLORER_INPUTS]
    sliders = explorer_sliders("survival", names, params)
    grid = sv.explorer_grid(
        dataset, params["archetype"], params["scenario"],
        {name.removesuffix("_scale"): g for name, _, g, _ in sliders},
        params["n_draws"], params["seed"], params["price_cost_correlation"], params["start_year"], params["end_year"],
    )  # fmt: skip
    lines = {"p_breakeven_by_year": "P(sustained break-even)", "p_cash_lasts": "P(cash lasts, no new capital)"}
    wide = grid.rename(columns=lines)
    labels = {
        "growth_initial_scale": "First-year revenue growth ×",
        "training_growth_scale": "Training-spend growth ×",
        "api_price_elasticity_scale": "API price elasticity ×",
    }
    chart = charts.chart_explorer_lines(
        wide, "year", list(lines.values()), sliders, labels,
        description="Explorer: probability of sustained break-even and of cash lasting without new capital, by year, "
        "for the chapter's lab with three of its inputs scaled by the sliders; dashed lines are the chapter's case.",
        x_title="Year", y_title="Probability", readout_at=params["headline_year"],
        command=_command("survival", sliders), y_format=readout_formats["p_breakeven_by_year"],
        readout_formats={label: readout_formats[column] for column, label in lines.items()},
    )  # fmt: skip
    return Explorer(chart, len(grid) // grid["year"].nunique(), _grid_text(sliders))


def business_models_explorer(dataset: Dataset, params: Mapping[str, Any]) -> Explorer:
    """The business-model chapter's explorer: LTV/CAC of the seven models and the four claims' verdicts."""
    from analysis import business_models as bm

    sliders_names = ["cac_multiplier", "churn_multiplier", "annual_discount_rate"]
    sliders = explorer_sliders("business_models", sliders_names, params)
    grids = {name: g for name, _, g, _ in sliders}
    models, claims = bm.explorer_grid(dataset, grids["cac_multiplier"], grids["churn_multiplier"],
                                      grids["annual_discount_rate"])  # fmt: skip
    starts = {name: start for name, _, _, start in sliders}
    at_start = claims
    for name, start in starts.items():
        at_start = at_start[(at_start[name] - start).abs() < 1e-9]
    chapter = dict(zip(at_start["claim_id"], at_start["agrees"], strict=True))
    names = dict(zip(dataset["business_models"].index, dataset["business_models"]["name"], strict=True))
    short = {row.Index: f"{names[row.favoured_model_id]} > {names[row.other_model_id]}"
             for row in dataset["ltv_cac_claims"].itertuples()}  # fmt: skip

    def verdict(agrees: bool) -> str:
        return "agrees" if agrees else "disagrees"

    def verdicts(group: pd.DataFrame) -> str:
        return " · ".join(
            f"{short[c]}: {verdict(a)}" + ("" if a == chapter[c] else f" (chapter: {verdict(chapter[c])})")
            for c, a in zip(group["claim_id"], group["agrees"], strict=True)
        )

    notes = claims.groupby(sliders_names, sort=False).apply(verdicts, include_groups=False).rename("note").reset_index()
    labels = {"cac_multiplier": "Acquisition cost ×", "churn_multiplier": "Churn ×",
              "annual_discount_rate": "Discount rate"}  # fmt: skip
    chart = charts.chart_explorer_intervals(
        models, notes, "business_model", "ltv_to_cac", "ltv_to_cac_low", "ltv_to_cac_high", sliders, labels,
        description="Explorer: base-case LTV/CAC of the seven business models with its interval, under the "
        "sliders' acquisition cost, churn and discount rate; grey ticks are the chapter's values; the four claims' "
        "verdicts below.",
        x_title="LTV/CAC (symmetric log scale)", note="note", command=_command("business_models", sliders),
    )  # fmt: skip
    return Explorer(chart, len(notes), _grid_text(sliders))


def pricing_explorer(
    population: Any, params: Mapping[str, Any], band: tuple[float, float], breakeven_format: str
) -> Explorer:  # fmt: skip
    """The pricing chapter's explorer: freemium break-even conversion by free tier and cost, against the
    reader's conversion rate and the typical band. ``breakeven_format`` is the d3 format of the break-even's
    readout, from its key figure with :func:`readout_format`."""
    from analysis import pricing as pr

    sliders = explorer_sliders("pricing", ["free_cap", "cost_per_generation_usd", "conversion_rate"], params)
    caps, costs = sliders[0][2], sliders[1][2]
    grid = pr.freemium_breakeven_grid(population, caps, costs, params["freemium_paid_price_usd"],
                                      params["freemium_paid_cap"])  # fmt: skip
    grid = grid.rename(columns={"free_cap": "free_cap", "cost_per_generation_usd": "cost_per_generation_usd"})
    start = grid[(grid["free_cap"] - sliders[0][3]).abs().lt(1e-9)
                 & (grid["cost_per_generation_usd"] - sliders[1][3]).abs().lt(1e-9)]  # fmt: skip
    chapter_value = float(start["breakeven_conversion"].iloc[0])
    readout = (
        f"'Break-even conversion: ' + format(datum.breakeven_conversion, '{breakeven_format}') + "
        f"' (chapter {charts.format_d3(chapter_value, breakeven_format)})' + '   ' + "
        "'At ' + format(conversion_rate, '.1%') + "
        "' conversion the free tier ' + (datum.breakeven_conversion <= conversion_rate ? 'pays' : 'does not pay')"
    )
    labels = {"free_cap": "Free generations a month", "cost_per_generation_usd": "Cost per generation $",
              "conversion_rate": "Your conversion rate"}  # fmt: skip
    chart = charts.chart_explorer_breakeven(
        grid, "cost_per_generation_usd", "breakeven_conversion", sliders[0], sliders[1], sliders[2], labels, band,
        description="Explorer: the conversion rate at which freemium breaks even, against the cost of a generation, "
        "for the free tier the slider sets; the dashed line is the reader's conversion rate, the band the typical "
        "2-5%.",
        x_title="Cost per generation (USD)", y_title="Break-even conversion", readout=readout,
        command=_command("pricing", sliders, digits=3),
    )  # fmt: skip
    return Explorer(chart, len(grid), _grid_text(sliders))


def deflation_explorer(
    population: Any,
    settings: Any,
    params: Mapping[str, Any],
    now: pd.DataFrame,
    names: Mapping[str, str],
    registry: pd.DataFrame,
    figures: Sequence[Mapping[str, Any]],
) -> Explorer:
    """The pricing chapter's second explorer: each strategy's gross margin after the chapter's years of decline,
    under the usage-price and serving-cost declines the sliders set.

    Every position is :func:`analysis.pricing.project_deflation` on the chapter's population (``now`` is its
    comparison table); ``figures`` are the chapter's ``pr_margin_later_<strategy>`` key figures
    (:func:`analysis.pricing.question_figures`), whose text each margin's readout takes (:func:`readout_format`).
    """
    from analysis import pricing as pr

    sliders = explorer_sliders("pricing", ["usage_price_decline_per_year", "serving_cost_decline_per_year"], params)
    years = int(params["deflation_years"])
    grid = pr.deflation_explorer_grid(population, settings, years, sliders[0][2], sliders[1][2], now)
    recorded = {f["key"]: f for f in figures}
    strategies = list(dict.fromkeys(grid["strategy"]))
    missing = [s for s in strategies if f"pr_margin_later_{s}" not in recorded]
    if missing:
        raise ValueError(f"figures has no pr_margin_later_ key figure for {missing}: pass pricing.question_figures")
    formats = {}
    for strategy in strategies:
        figure = recorded[f"pr_margin_later_{strategy}"]
        formats[strategy] = readout_format(registry, figure["key"], figure["value"], figure["text"])
    columns = [name for name, _, _, _ in sliders]
    at_start = grid
    for name, _, _, start in sliders:
        at_start = at_start[(at_start[name] - start).abs() < 1e-9]
    chapter = dict(zip(at_start["strategy"], at_start["gross_margin_later"], strict=True))

    def readout(group: pd.DataFrame) -> str:
        return " · ".join(
            f"{names.get(s, s)}: {charts.format_d3(m, formats[s])} (chapter {charts.format_d3(chapter[s], formats[s])})"
            for s, m in zip(group["strategy"], group["gross_margin_later"], strict=True)
        )

    notes = grid.groupby(columns, sort=False).apply(readout, include_groups=False).rename("note").reset_index()
    frame = grid.assign(strategy_name=grid["strategy"].map(lambda s: names.get(s, s)))[
        ["strategy_name", "gross_margin_later", *columns]
    ]
    labels = {"usage_price_decline_per_year": "Usage prices fall, a year",
              "serving_cost_decline_per_year": "Serving cost falls, a year"}  # fmt: skip
    chart = charts.chart_explorer_bars(
        frame, notes, "strategy_name", "gross_margin_later", sliders, labels,
        description=f"Explorer: each pricing strategy's gross margin after {years} years of usage prices and the "
        "cost per generation falling at the sliders' rates; grey ticks are the chapter's central case; each "
        "margin written out below.",
        x_title=f"Gross margin after {years} years", x_format=".0%", note="note",
        command=_command("pricing", sliders),
    )  # fmt: skip
    return Explorer(chart, len(notes), _grid_text(sliders))

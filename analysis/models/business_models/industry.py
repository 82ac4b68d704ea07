"""Margins by model, the research team's cost, revenue per employee, generation costs, who makes money, and
where the sources disagree."""

from __future__ import annotations

import pandas as pd

from analysis.data import Dataset, central_value, fact_range


def gross_margin_ranges(dataset: Dataset) -> pd.DataFrame:
    """Gross-margin range of each business model as the report uses it, with the table's figure.

    ``table_low``/``table_high`` are what the article's table says; they differ from the
    report's range only where a declared correction applies (the marketplace).
    """
    models = dataset["business_models"].sort_values("order")
    table_facts = dataset["facts"][
        (dataset["facts"]["metric"] == "gross_margin") & dataset["facts"]["quote"].str.startswith("|", na=False)
    ].set_index("entity")
    rows = []
    for model in models.itertuples(index=False):
        fact = dataset.fact(model.gross_margin_fact_id)
        low, base, high = fact_range(fact)
        table = table_facts.loc[model.id] if model.id in table_facts.index else fact
        rows.append(
            {
                "business_model_id": model.id,
                "business_model": model.name,
                "gross_margin_low": low,
                "gross_margin_mid": base,
                "gross_margin_high": high,
                "table_low": float(table["low"]),
                "table_high": float(table["high"]),
                "fact_id": model.gross_margin_fact_id,
                "quote": fact["quote"],
            }
        )
    return pd.DataFrame(rows)


def team_compensation_usd(
    headcount: int, compensation_low_usd: float, compensation_high_usd: float
) -> tuple[float, float]:
    """Annual compensation of a team, low and high, in USD.

    Examples
    --------
    The first article: 50 AI researchers at $300K-1M each cost $15M-50M a year.

    >>> team_compensation_usd(50, 300_000, 1_000_000)
    (15000000.0, 50000000.0)
    """
    if headcount < 1:
        raise ValueError(f"headcount must be at least 1, got {headcount}")
    if compensation_low_usd > compensation_high_usd:
        raise ValueError(
            f"compensation_low_usd {compensation_low_usd} is greater than compensation_high_usd {compensation_high_usd}"
        )
    return float(headcount * compensation_low_usd), float(headcount * compensation_high_usd)


def revenue_per_employee_usd(annual_revenue_usd: float, headcount: float) -> float:
    """Annual revenue divided by headcount, in USD per employee.

    Examples
    --------
    Midjourney: $200M+ with about 40 people is $5M+ per employee.

    >>> revenue_per_employee_usd(200e6, 40)
    5000000.0
    """
    if headcount <= 0:
        raise ValueError(f"headcount must be positive, got {headcount}")
    return float(annual_revenue_usd / headcount)


def generation_cost_by_media(dataset: Dataset, image_generation_cost_usd: float) -> pd.DataFrame:
    """Inference cost per generation: the reported overall range and image against video.

    Video costs ``image_generation_cost_usd`` times the reported 10-100x multiple.
    """
    overall = dataset.fact("inference_cost_per_generation_usd")
    multiple = dataset.fact("video_to_image_cost_multiple")
    return pd.DataFrame(
        [
            {
                "output": "Any generation (reported range)",
                "cost_low_usd": float(overall["low"]),
                "cost_high_usd": float(overall["high"]),
                "basis": "reported: " + str(overall["quote"]),
            },
            {
                "output": "Image",
                "cost_low_usd": image_generation_cost_usd,
                "cost_high_usd": image_generation_cost_usd,
                "basis": "assumption: cost of one image generation (parameter)",
            },
            {
                "output": "Video",
                "cost_low_usd": image_generation_cost_usd * float(multiple["low"]),
                "cost_high_usd": image_generation_cost_usd * float(multiple["high"]),
                "basis": "image cost x reported multiple: " + str(multiple["quote"]),
            },
        ]
    )


def who_makes_money(dataset: Dataset) -> pd.DataFrame:
    """The profitable few and the cash burners as the first article reports them."""
    outcomes = dataset["company_outcomes"]
    return pd.DataFrame(
        {
            "company": outcomes["name"].to_numpy(),
            "group": outcomes["group"].map({"profitable": "Profitable", "cash_burner": "Cash burner"}).to_numpy(),
            "what the article says": outcomes["quote"].to_numpy(),
        }
    )


def figure_bound(value: float | None, low: float | None, high: float | None) -> str:
    """What kind of figure a fact is: "exact", "range", "at least" (a minimum) or "at most" (a maximum).

    Examples
    --------
    "$5B+" is stored as low = 5e9 with no value and no high: a minimum.

    >>> figure_bound(None, 5e9, None), figure_bound(None, 0.3, 0.6), figure_bound(4.0, None, None)
    ('at least', 'range', 'exact')
    """

    def given(x: float | None) -> bool:
        return x is not None and x == x

    if given(value):
        return "exact"
    if given(low) and given(high):
        return "range"
    return "at least" if given(low) else "at most"


def source_disagreements(dataset: Dataset) -> pd.DataFrame:
    """Facts about the same entity and metric whose sources give different figures.

    Both figures are kept; this lists them side by side so the report never picks silently.
    ``bound`` says what kind of figure each is, and ``relation`` what the group amounts to: when
    every figure is a minimum ("surpassed", "+") they are two lower bounds, not a disagreement, and
    the larger binds.
    """
    facts = dataset["facts"][dataset["facts"]["kind"] == "reported"]
    rows = []
    for (entity, metric), group in facts.groupby(["entity", "metric"], sort=True):
        if group["source_id"].nunique() < 2:
            continue
        bounds = [figure_bound(f.value, f.low, f.high) for f in group.itertuples(index=False)]
        if all(b == "at least" for b in bounds):
            relation = "both are lower bounds: they do not contradict each other, and the larger binds"
        elif all(b == "at most" for b in bounds):
            relation = "both are upper bounds: they do not contradict each other, and the smaller binds"
        else:
            relation = "the figures differ"
        for fact, bound in zip(group.itertuples(index=False), bounds, strict=True):
            rows.append(
                {
                    "entity": entity,
                    "metric": metric,
                    "fact_id": fact.id,
                    "central_value": central_value(pd.Series(fact._asdict())),
                    "bound": bound,
                    "relation": relation,
                    "year": fact.year,
                    "source_id": fact.source_id,
                    "quote": fact.quote,
                }
            )
    return pd.DataFrame(rows)

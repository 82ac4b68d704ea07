"""Business models: margins, unit economics (LTV, LTV/CAC, CAC payback) and the article's claims.

Unit economics follow the standard subscription arithmetic. A customer paying
``arpu_month_usd`` a month at ``gross_margin`` who leaves with probability ``monthly_churn``
each month is worth, with future months discounted at ``annual_discount_rate``::

    LTV = arpu * margin * sum_t ((1 - churn) / (1 + d_month))**t = arpu * margin / (1 - (1 - churn) / (1 + d_month))

which is ``arpu * margin / churn`` when nothing is discounted. CAC payback is the sales cycle
plus the months of gross profit that repay the acquisition cost.

Each business model describes its customer with *primitive* inputs taken from the data
(``data/unit_economics_inputs.csv`` maps each to a fact): some give ARPU directly, others
derive it (a contract value, or purchases times a take rate); churn may come from an annual
retention; CAC may come from a cost per sign-up and a conversion rate, or a multiple of the
contract value. Every metric here is monotone in every primitive, so evaluating it at every
corner of the low-high box gives its exact interval.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.optimize import brentq

from analysis.data import Dataset, central_value, fact_range

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | FloatArray

MAX_MONTHLY_CHURN = 0.999
SHARE_INPUTS = frozenset({"gross_margin", "monthly_churn", "freemium_conversion", "take_rate", "annual_retention"})


def gross_margin(price_usd: ArrayLike, cost_usd: ArrayLike) -> ArrayLike:
    """Gross margin of a sale: (price - cost) / price.

    Examples
    --------
    The first article's credit example: 200 credits (about $1.00) for a generation that
    costs the platform $0.40 is a 60% gross margin.

    >>> round(gross_margin(1.00, 0.40), 10)
    0.6
    """
    price = np.asarray(price_usd, dtype=float)
    if np.any(price <= 0):
        raise ValueError(f"price_usd must be positive to define a gross margin, got {price_usd!r}")
    result = (price - np.asarray(cost_usd, dtype=float)) / price
    return float(result) if np.ndim(result) == 0 else result


def monthly_churn_from_annual_retention(annual_retention: ArrayLike) -> ArrayLike:
    """Monthly churn that compounds to a given annual retention: 1 - retention**(1/12).

    Examples
    --------
    90% annual retention is 0.874% monthly churn.

    >>> round(monthly_churn_from_annual_retention(0.90), 5)
    0.00874
    """
    result = 1.0 - np.asarray(annual_retention, dtype=float) ** (1.0 / 12.0)
    return float(result) if np.ndim(result) == 0 else result


def lifetime_value_usd(
    arpu_month_usd: ArrayLike,
    gross_margin: ArrayLike,
    monthly_churn: ArrayLike,
    annual_discount_rate: float = 0.0,
) -> ArrayLike:
    """Discounted lifetime gross profit of one customer, in USD.

    Parameters
    ----------
    arpu_month_usd
        Revenue per customer per month (USD).
    gross_margin
        Share of revenue left after the cost of serving it (0-1).
    monthly_churn
        Probability the customer leaves in a month (0-1, exclusive of 0 when undiscounted).
    annual_discount_rate
        Annual discount rate of future gross profit; 0 gives ``arpu * margin / churn``.

    Examples
    --------
    $100 a month at 70% margin with 5% monthly churn, undiscounted: 100 * 0.7 / 0.05.

    >>> round(lifetime_value_usd(100, 0.7, 0.05), 6)
    1400.0
    """
    monthly_discount = (1.0 + annual_discount_rate) ** (-1.0 / 12.0)
    survival = 1.0 - np.asarray(monthly_churn, dtype=float)
    denominator = 1.0 - survival * monthly_discount
    if np.any(denominator <= 0):
        raise ValueError("lifetime value is infinite when churn and the discount rate are both zero")
    result = np.asarray(arpu_month_usd, dtype=float) * np.asarray(gross_margin, dtype=float) / denominator
    return float(result) if np.ndim(result) == 0 else result


def cac_payback_months(
    cac_usd: ArrayLike,
    arpu_month_usd: ArrayLike,
    gross_margin: ArrayLike,
    sales_cycle_months: ArrayLike = 0.0,
) -> ArrayLike:
    """Months from the start of the sale until gross profit has repaid the acquisition cost.

    Examples
    --------
    CAC $1,200 repaid by $100 a month at 60% margin takes 20 months, plus a 3-month sales cycle.

    >>> round(cac_payback_months(1200, 100, 0.6, 3), 6)
    23.0
    """
    result = np.asarray(sales_cycle_months, dtype=float) + np.asarray(cac_usd, dtype=float) / (
        np.asarray(arpu_month_usd, dtype=float) * np.asarray(gross_margin, dtype=float)
    )
    return float(result) if np.ndim(result) == 0 else result


def derive_customer_economics(
    primitives: Mapping[str, ArrayLike], cac_multiplier: float = 1.0, churn_multiplier: float = 1.0
) -> dict[str, FloatArray]:
    """Turn a model's primitive inputs into ARPU, gross margin, churn, CAC and sales cycle.

    ARPU is ``arpu_month_usd``, or ``annual_contract_usd / 12``, or ``gmv_month_usd * take_rate``;
    churn is ``monthly_churn`` or follows from ``annual_retention``; CAC is ``cac_usd``, or
    ``cost_per_signup_usd / freemium_conversion``, or ``cac_to_acv`` years of contract value.
    The stress multipliers scale CAC and churn (churn capped just below 100%).

    Examples
    --------
    Freemium acquisition: $1.50 per sign-up at 3% conversion is $50 per paying customer.

    >>> e = derive_customer_economics({"arpu_month_usd": 20, "gross_margin": 0.7, "monthly_churn": 0.04,
    ...                                "cost_per_signup_usd": 1.5, "freemium_conversion": 0.03})
    >>> round(float(e["cac_usd"]), 6)
    50.0
    """
    p = {k: np.asarray(v, dtype=float) for k, v in primitives.items()}
    if "arpu_month_usd" in p:
        arpu = p["arpu_month_usd"]
    elif "annual_contract_usd" in p:
        arpu = p["annual_contract_usd"] / 12.0
    elif "gmv_month_usd" in p and "take_rate" in p:
        arpu = p["gmv_month_usd"] * p["take_rate"]
    else:
        raise ValueError(f"no way to derive revenue per customer from inputs {sorted(p)}")
    if "monthly_churn" in p:
        churn = p["monthly_churn"]
    elif "annual_retention" in p:
        churn = np.asarray(monthly_churn_from_annual_retention(p["annual_retention"]))
    else:
        raise ValueError(f"no way to derive churn from inputs {sorted(p)}")
    if "cac_usd" in p:
        cac = p["cac_usd"]
    elif "cost_per_signup_usd" in p and "freemium_conversion" in p:
        cac = p["cost_per_signup_usd"] / p["freemium_conversion"]
    elif "cac_to_acv" in p:
        cac = p["cac_to_acv"] * arpu * 12.0
    else:
        raise ValueError(f"no way to derive acquisition cost from inputs {sorted(p)}")
    if "gross_margin" not in p:
        raise ValueError(f"inputs {sorted(p)} have no gross_margin")
    return {
        "arpu_month_usd": arpu,
        "gross_margin": p["gross_margin"],
        "monthly_churn": np.minimum(churn * churn_multiplier, MAX_MONTHLY_CHURN),
        "cac_usd": cac * cac_multiplier,
        "sales_cycle_months": p.get("sales_cycle_months", np.zeros_like(arpu)),
    }


def customer_metrics(
    primitives: Mapping[str, ArrayLike],
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
) -> dict[str, FloatArray]:
    """LTV, LTV/CAC and CAC payback (with the derived inputs) for arrays of primitive inputs."""
    e = derive_customer_economics(primitives, cac_multiplier, churn_multiplier)
    ltv = np.asarray(
        lifetime_value_usd(e["arpu_month_usd"], e["gross_margin"], e["monthly_churn"], annual_discount_rate)
    )
    payback = np.asarray(
        cac_payback_months(e["cac_usd"], e["arpu_month_usd"], e["gross_margin"], e["sales_cycle_months"])
    )
    return {**e, "ltv_usd": ltv, "ltv_to_cac": ltv / e["cac_usd"], "payback_months": payback}


def unit_economics_inputs(dataset: Dataset) -> pd.DataFrame:
    """The primitive inputs of every business model, with low, base, high and provenance.

    One row per (business model, input), joined to its fact: ``base`` is the fact's value or
    the midpoint of its range; ``kind`` says whether it is reported, assumed, or a parameter.
    """
    mapping = dataset["unit_economics_inputs"]
    rows = []
    for record in mapping.itertuples(index=False):
        fact = dataset.fact(record.fact_id)
        low, base, high = fact_range(fact)
        rows.append(
            {
                "business_model_id": record.business_model_id,
                "input": record.input,
                "low": low,
                "base": base,
                "high": high,
                "unit": fact["unit"],
                "kind": fact["kind"],
                "fact_id": record.fact_id,
                "source_id": fact["source_id"],
            }
        )
    return pd.DataFrame(rows)


def _model_primitives(inputs: pd.DataFrame, model_id: str) -> pd.DataFrame:
    rows = inputs[inputs["business_model_id"] == model_id].set_index("input")
    if rows.empty:
        raise KeyError(f"no unit-economics inputs for business model {model_id!r}")
    return rows


def model_metric_range(
    inputs: pd.DataFrame,
    model_id: str,
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
) -> dict[str, tuple[float, float, float]]:
    """(low, base, high) of LTV, LTV/CAC and payback for one model over its input box.

    Every corner of the low-high box of the primitive inputs is evaluated at once; the metrics
    are monotone in each input, so the corners' minimum and maximum are the exact interval.
    """
    rows = _model_primitives(inputs, model_id)
    names = list(rows.index)
    corners = np.array(list(itertools.product((0, 1), repeat=len(names))), dtype=float)
    grid = {
        name: rows.at[name, "low"] + corners[:, i] * (rows.at[name, "high"] - rows.at[name, "low"])
        for i, name in enumerate(names)
    }
    at_corners = customer_metrics(grid, annual_discount_rate, cac_multiplier, churn_multiplier)
    at_base = customer_metrics(
        {name: rows.at[name, "base"] for name in names},
        annual_discount_rate,
        cac_multiplier,
        churn_multiplier,
    )
    return {
        metric: (float(at_corners[metric].min()), float(at_base[metric]), float(at_corners[metric].max()))
        for metric in (
            "arpu_month_usd",
            "gross_margin",
            "monthly_churn",
            "cac_usd",
            "ltv_usd",
            "ltv_to_cac",
            "payback_months",
        )
    }


def compute_unit_economics(
    dataset: Dataset,
    annual_discount_rate: float,
    cac_multiplier: float = 1.0,
    churn_multiplier: float = 1.0,
) -> pd.DataFrame:
    """Unit economics of the seven business models, each metric as low, base and high.

    Returns one row per model (in the article's order) with columns ``<metric>_low``,
    ``<metric>`` (the base case) and ``<metric>_high`` for ARPU, gross margin, churn, CAC,
    LTV (USD), LTV/CAC and CAC payback (months).
    """
    inputs = unit_economics_inputs(dataset)
    models = dataset["business_models"].sort_values("order")
    records = []
    for model_id, name in zip(models["id"], models["name"], strict=True):
        ranges = model_metric_range(inputs, model_id, annual_discount_rate, cac_multiplier, churn_multiplier)
        record: dict[str, object] = {"business_model_id": model_id, "business_model": name}
        for metric, (low, base, high) in ranges.items():
            record[f"{metric}_low"], record[metric], record[f"{metric}_high"] = low, base, high
        records.append(record)
    return pd.DataFrame(records)


def _base_ltv_to_cac(
    inputs: pd.DataFrame | Mapping[str, float],
    model_id: str,
    settings: Mapping[str, float],
    replace: Mapping[str, float] = {},
) -> float:
    """LTV/CAC of a model at its base inputs, some replaced; ``inputs`` may be the base values already."""
    if isinstance(inputs, pd.DataFrame):
        inputs = _model_primitives(inputs, model_id)["base"].to_dict()
    primitives = {name: replace.get(name, value) for name, value in inputs.items()}
    return float(customer_metrics(primitives, **settings)["ltv_to_cac"])


def evaluate_claims(
    dataset: Dataset, annual_discount_rate: float, cac_multiplier: float = 1.0, churn_multiplier: float = 1.0
) -> pd.DataFrame:
    """For each LTV/CAC claim of the article, whether the base case agrees, and by how much.

    ``ratio`` is the favoured model's LTV/CAC over the other's: above 1 the model agrees.
    ``robust`` is true when the favoured model's whole LTV/CAC interval lies above the other's.
    """
    inputs = unit_economics_inputs(dataset)
    settings = {
        "annual_discount_rate": annual_discount_rate,
        "cac_multiplier": cac_multiplier,
        "churn_multiplier": churn_multiplier,
    }
    names = dataset["business_models"]["name"]
    rows = []
    for claim in dataset["ltv_cac_claims"].itertuples(index=False):
        favoured = model_metric_range(inputs, claim.favoured_model_id, **settings)["ltv_to_cac"]
        other = model_metric_range(inputs, claim.other_model_id, **settings)["ltv_to_cac"]
        rows.append(
            {
                "claim_id": claim.id,
                "claim": claim.quote,
                "favoured_model": names[claim.favoured_model_id],
                "other_model": names[claim.other_model_id],
                "favoured_ltv_to_cac": favoured[1],
                "other_ltv_to_cac": other[1],
                "ratio": favoured[1] / other[1],
                "agrees": favoured[1] > other[1],
                "robust": favoured[0] > other[2],
            }
        )
    return pd.DataFrame(rows)


def _search_bracket(input_name: str, base: float) -> tuple[float, float]:
    if input_name in SHARE_INPUTS:
        return 1e-6, 1 - 1e-6
    return base / 1000.0, base * 1000.0


def claim_flip_points(
    dataset: Dataset, annual_discount_rate: float, cac_multiplier: float = 1.0, churn_multiplier: float = 1.0
) -> pd.DataFrame:
    """Where each claim flips: for every input of either model, the value that equalises LTV/CAC.

    Holding everything else at its base, each input of the favoured and of the other model is
    moved until the two models' LTV/CAC are equal (Brent's method). ``relative_change`` is how
    far that is from the base (0.5 = +50%); ``within_stated_range`` says whether the flip value
    lies inside the input's own low-high range, i.e. whether the data alone could reverse the
    verdict. Inputs that cannot flip the claim within their meaningful range are left out.
    """
    inputs = unit_economics_inputs(dataset)
    settings = {
        "annual_discount_rate": annual_discount_rate,
        "cac_multiplier": cac_multiplier,
        "churn_multiplier": churn_multiplier,
    }
    names = dataset["business_models"]["name"]
    rows = []
    for claim in dataset["ltv_cac_claims"].itertuples(index=False):
        base_f = _base_ltv_to_cac(inputs, claim.favoured_model_id, settings)
        base_o = _base_ltv_to_cac(inputs, claim.other_model_id, settings)
        for side, model_id in (("favoured", claim.favoured_model_id), ("other", claim.other_model_id)):
            primitives = _model_primitives(inputs, model_id)
            # Root-finding calls the model dozens of times: give it plain base values, not the table.
            base_values = primitives["base"].to_dict()
            for input_name, row in primitives.iterrows():
                if input_name == "sales_cycle_months":
                    continue  # the sales cycle delays payback but does not change LTV/CAC

                def gap(
                    x: float,
                    _m: str = model_id,
                    _n: str = str(input_name),
                    _s: str = side,
                    _f: float = base_f,
                    _o: float = base_o,
                    _b: Mapping[str, float] = base_values,
                ) -> float:
                    moved = _base_ltv_to_cac(_b, _m, settings, {_n: x})
                    return (moved - _o) if _s == "favoured" else (_f - moved)

                lo, hi = _search_bracket(str(input_name), row["base"])
                if np.sign(gap(lo)) == np.sign(gap(hi)):
                    continue
                flip = float(brentq(gap, lo, hi, xtol=1e-12, rtol=1e-10))
                rows.append(
                    {
                        "claim_id": claim.id,
                        "side": side,
                        "business_model": names[model_id],
                        "input": input_name,
                        "kind": row["kind"],
                        "base": row["base"],
                        "flip_value": flip,
                        "relative_change": flip / row["base"] - 1.0,
                        "within_stated_range": bool(row["low"] <= flip <= row["high"]),
                        "low": row["low"],
                        "high": row["high"],
                    }
                )
    return pd.DataFrame(rows)


def nearest_flips(flips: pd.DataFrame) -> pd.DataFrame:
    """Per claim, the single input whose smallest relative move flips it."""
    order = flips.assign(distance=flips["relative_change"].abs()).sort_values(["claim_id", "distance"])
    return order.groupby("claim_id", sort=False).head(1).drop(columns="distance").reset_index(drop=True)


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


def source_disagreements(dataset: Dataset) -> pd.DataFrame:
    """Facts about the same entity and metric whose sources give different figures.

    Both figures are kept; this lists them side by side so the report never picks silently.
    """
    facts = dataset["facts"][dataset["facts"]["kind"] == "reported"]
    rows = []
    for (entity, metric), group in facts.groupby(["entity", "metric"], sort=True):
        if group["source_id"].nunique() < 2:
            continue
        for fact in group.itertuples(index=False):
            rows.append(
                {
                    "entity": entity,
                    "metric": metric,
                    "fact_id": fact.id,
                    "central_value": central_value(pd.Series(fact._asdict())),
                    "year": fact.year,
                    "source_id": fact.source_id,
                    "quote": fact.quote,
                }
            )
    return pd.DataFrame(rows)

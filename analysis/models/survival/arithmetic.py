"""The sources' own arithmetic: compute a revenue affords, gross profit from the compute mix, an edge sold or used,
commitments in years of revenue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.data import Dataset
from analysis.models.survival.inputs import FloatArray, SurvivalInputError, base_inputs, lab_input_table
from analysis.models.survival.projection import Projection, project_lab

# --- the third essay's compute arithmetic ---------------------------------------------------


def affordable_compute_gw(annualized_revenue_usd_bn: float, cost_per_gw_year_usd_bn: float) -> float:
    """Gigawatts of compute a revenue pays for: revenue / cost of a GW-year.

    Examples
    --------
    $44bn at $12-15bn per GW-year: 2.9-3.7 GW, the comment's 'maybe 3-4 GW'.

    >>> round(affordable_compute_gw(44, 15), 2), round(affordable_compute_gw(44, 12), 2)
    (2.93, 3.67)
    """
    if cost_per_gw_year_usd_bn <= 0:
        raise SurvivalInputError(f"cost_per_gw_year_usd_bn = {cost_per_gw_year_usd_bn!r} must be > 0")
    return annualized_revenue_usd_bn / cost_per_gw_year_usd_bn


def gross_profit_from_compute_mix(
    revenue_usd_bn: float, first_party_gw: float, first_party_margin: float, cloud_gw: float, cloud_margin: float
) -> float:
    """Gross profit when revenue is served partly on own compute and partly through clouds.

    Revenue is split in proportion to the gigawatts serving it; each part earns its own margin.

    Examples
    --------
    $44bn served half on 0.5 GW of own compute at 72% and half on 0.5 GW through clouds at 30%:
    22 x 0.72 + 22 x 0.30 = $22.4bn, the comment's '$22bn of gross profit'.

    >>> round(gross_profit_from_compute_mix(44, 0.5, 0.72, 0.5, 0.30), 2)
    22.44
    """
    total = first_party_gw + cloud_gw
    if total <= 0:
        raise SurvivalInputError("first_party_gw + cloud_gw must be > 0")
    return revenue_usd_bn * (first_party_gw * first_party_margin + cloud_gw * cloud_margin) / total


def rd_compute_gw(gross_profit_usd_bn: float, other_costs_usd_bn: float, cost_per_gw_year_usd_bn: float) -> float:
    """R&D compute (GW) that gross profit left after other costs pays for: the break-even R&D budget.

    Examples
    --------
    With nothing else to pay, $22.4bn buys 1.5 GW at $15bn per GW-year.

    >>> round(rd_compute_gw(22.44, 0, 15), 2)
    1.5
    """
    return (gross_profit_usd_bn - other_costs_usd_bn) / cost_per_gw_year_usd_bn


def gross_profit_by_first_party_share(
    revenue_usd_bn: float,
    total_gw: float,
    first_party_margin: float,
    cloud_margin: float,
    shares: Sequence[float] | FloatArray,
) -> pd.DataFrame:
    """Gross profit as the first-party share of serving compute goes from 0 to 1."""
    return pd.DataFrame(
        {
            "first_party_share": list(shares),
            "gross_profit_usd_bn": [
                gross_profit_from_compute_mix(revenue_usd_bn, s * total_gw, first_party_margin, (1 - s) * total_gw,
                                              cloud_margin)
                for s in shares
            ],
        }
    )  # fmt: skip


# --- internal deployment (third essay), illustrative ---------------------------------------


def edge_value_to_lab(
    edge_value_one_holder_usd_bn: float,
    n_holders: int | npt.NDArray[np.integer[Any]] | FloatArray,
    capture_share: float,
    execution_discount: float,
) -> dict[str, FloatArray]:
    """Selling access to an edge against using it in-house, when total edge value is V / n.

    With ``n`` firms holding the edge its total value is ``V / n``. Selling access to ``n``
    firms earns the lab ``capture_share`` of that total; using it in-house alone (n = 1) earns
    ``V`` less the ``execution_discount`` for running a business the lab does not know.

    Examples
    --------
    V = $10bn, sold to 5 firms capturing 30%: 0.3 x 10 / 5 = $0.6bn; in-house at a 50% discount: $5bn.

    >>> r = edge_value_to_lab(10, 5, 0.3, 0.5)
    >>> float(r["selling_usd_bn"]), float(r["in_house_usd_bn"])
    (0.6, 5.0)
    """
    n = np.asarray(n_holders, dtype=float)
    if np.any(n < 1):
        raise SurvivalInputError("n_holders must be at least 1")
    return {
        "total_value_usd_bn": edge_value_one_holder_usd_bn / n,
        "selling_usd_bn": capture_share * edge_value_one_holder_usd_bn / n,
        "in_house_usd_bn": np.full_like(n, edge_value_one_holder_usd_bn * (1 - execution_discount)),
    }


def correlation_grid(rho: float) -> list[float]:
    """The price-cost correlations the chapter compares: none, moderate, the edition's and near-perfect.

    Examples
    --------
    >>> correlation_grid(0.8)
    [0.0, 0.5, 0.8, 0.95]
    >>> correlation_grid(0.5)
    [0.0, 0.5, 0.95]
    """
    return sorted({0.0, 0.5, round(rho, 3), 0.95})


def breakeven_horizons(end_year: int) -> list[int]:
    """The horizons to which sustained break-even is measured: the projection's end, 2035 and 2040 (or the end).

    Examples
    --------
    >>> breakeven_horizons(2032)
    [2032, 2035, 2040]
    >>> breakeven_horizons(2038)
    [2038, 2040]
    """
    return sorted({end_year, max(end_year, 2035), max(end_year, 2040)})


def funding_need_usd_bn(projection: Projection) -> float:
    """Cumulative funding a lab needs from outside to stay solvent: its deepest cash shortfall (first draw),
    zero if its cash never runs out."""
    return -min(0.0, float(projection.cash_without_new_capital[0].min()))


def commitment_years_by_scenario(
    dataset: Dataset, commitments_usd_bn: float, start_year: int, end_year: int, archetype: str = "frontier_leader"
) -> dict[str, float]:
    """Years of the archetype's base-case revenue in ``end_year`` that ``commitments_usd_bn`` equal, by scenario."""
    years = {}
    for scenario in ("base", "optimistic", "pessimistic"):
        projection = project_lab(base_inputs(lab_input_table(dataset, archetype, scenario)), start_year, end_year)
        years[scenario] = float(years_of_revenue(commitments_usd_bn, projection.revenue[0, -1]))
    return years


def years_of_revenue(commitments_usd_bn: float, revenue_usd_bn: FloatArray) -> FloatArray:
    """How many years of a given annual revenue a commitment represents.

    Examples
    --------
    >>> float(years_of_revenue(1400, np.array(20.0)))
    70.0
    """
    return commitments_usd_bn / np.asarray(revenue_usd_bn, dtype=float)

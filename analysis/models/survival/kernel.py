"""The Monte Carlo's kernel: the projection's arithmetic a year at a time on rows of draws, and the yearly counts
the probabilities come from (what :func:`analysis.models.survival.montecarlo.simulate_summary` runs per chunk).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from analysis.models.survival.inputs import MARGIN_CAP, MARGIN_FLOOR, USAGE_PRICED_STREAMS, FloatArray


def cash_by_year(x: Mapping[str, FloatArray | float], start_year: int, end_year: int) -> tuple[FloatArray, FloatArray]:
    """:func:`project_lab`'s operating cash flow and cash without new capital, as (years x draws) arrays.

    The same arithmetic as :func:`project_lab`, operation for operation and in the same order, so the same bits
    (the tests compare them); computed a year at a time on rows as long as the draws, so every operation reads
    and writes contiguous memory, and only what the Monte Carlo summary needs. Fixed inputs are floats, so what
    depends on them alone is computed once.
    """
    n_years = end_year - start_year + 1

    def powers(base: FloatArray | float, count: int) -> list[FloatArray | float]:
        rows: list[FloatArray | float] = [1.0]
        for _ in range(1, count):
            rows.append(rows[-1] * base)
        return rows

    def compound(rate: FloatArray | float, decay_rows: Sequence[FloatArray | float]) -> list[FloatArray | float]:
        rows: list[FloatArray | float] = [1.0]
        for j in range(1, len(decay_rows)):
            rows.append(rows[-1] * (1.0 + rate * decay_rows[j - 1]))
        return rows

    def priced(cost_share: FloatArray | float, unit_cost_index: FloatArray | float, list_price: FloatArray | float
               ) -> tuple[FloatArray | float, FloatArray | float]:  # fmt: skip
        # priced_margin: cost = (1 - margin) x index; price kept between cost / (1 - floor) and cost / (1 - cap)
        # (np.clip is the larger of value and floor, then the smaller of that and the cap); margin 1 - cost / price.
        cost = cost_share * unit_cost_index
        price = np.maximum(list_price, cost if MARGIN_FLOOR == 0.0 else cost / (1.0 - MARGIN_FLOOR))  # x / 1 is x
        price = np.minimum(price, cost / (1.0 - MARGIN_CAP))
        margin = cost / price
        return price, np.subtract(1.0, margin, out=margin) if isinstance(margin, np.ndarray) else 1.0 - margin

    decay_rows = powers(1.0 - x["growth_decay"], n_years + 1)
    serving_cost = powers(1.0 - x["serving_cost_decline"], n_years)
    list_price = powers(1.0 - x["api_price_decline"], n_years)
    usage = powers(1.0 + x["flat_usage_growth"], n_years)
    flat_cost = [cost * use for cost, use in zip(serving_cost, usage, strict=True)]
    elasticity = 1.0 - x["api_price_elasticity"]
    streams = []  # per stream: starting revenue, growth index rows, (1 - starting margin), usage priced?
    for name in ("api", "consumer", "enterprise", "cloud"):
        index = compound(x["growth_initial"] * x[f"{name}_growth_multiple"], decay_rows[:n_years])
        streams.append((x["revenue_start_usd_bn"] * x[f"share_{name}"], index, 1.0 - x[f"{name}_margin"],
                        name in USAGE_PRICED_STREAMS))  # fmt: skip
    new_index = compound(x["new_stream_growth"], decay_rows)
    training_index = compound(x["training_growth"], decay_rows[:n_years])
    talent_index = compound(x["headcount_growth"], decay_rows[:n_years])
    run_cost = x["final_run_cost_usd_bn"] * x["compute_multiple"]
    payroll = x["headcount"] * x["compensation_usd_m"] / 1000.0
    n = max(np.size(v) for v in x.values())
    ocf = np.empty((n_years, n))
    cash = np.empty((n_years, n))
    first_inference: FloatArray = np.zeros(n)
    cumulative: FloatArray = np.zeros(n)
    for t, year in enumerate(range(start_year, end_year + 1)):
        revenue, profit = [], []
        for base_revenue, index, cost_share, usage_priced in streams:
            if usage_priced:
                price, margin = priced(cost_share, serving_cost[t], list_price[t])
                stream = base_revenue * index[t] * price**elasticity
            else:
                price, margin = priced(cost_share, flat_cost[t], 1.0)
                stream = base_revenue * index[t] * price
            revenue.append(stream)
            profit.append(stream * margin)
        for prefix in ("ads", "outcome"):
            start, amount = x[f"{prefix}_start_year"], x[f"{prefix}_start_usd_bn"]
            if isinstance(start, float):  # a fixed start: the year decides for every draw at once
                stream = amount * new_index[min(int(max(year - start, 0.0)), n_years)] if year >= start else 0.0
            else:
                since = np.minimum(np.clip(year - start, 0, None).astype(int), n_years)
                rows = np.stack(np.broadcast_arrays(*new_index, since)[:-1])
                stream_index = np.take_along_axis(rows, since[None, :], axis=0)[0]
                stream = np.where(year >= start, amount * stream_index, 0.0)
            revenue.append(stream)
            profit.append(stream * x[f"{prefix}_margin"])
        gross_profit = sum(profit)
        total_revenue = sum(revenue)
        training = run_cost * training_index[t]
        inference = np.broadcast_to(total_revenue - gross_profit, (n,))
        if t == 0:
            first_inference, serving = inference, inference > 0
            infrastructure_start = x["infrastructure_to_inference"] * first_inference
        served = np.divide(inference, first_inference, out=np.ones(n), where=serving)
        infrastructure = infrastructure_start * served ** x["infrastructure_scaling"]
        flow = ocf[t]
        np.subtract(gross_profit, training, out=flow)
        flow -= payroll * talent_index[t]
        flow -= x["other_opex_share"] * total_revenue
        flow -= x["data_to_training"] * training
        flow -= infrastructure
        # cumsum: the running total of the flows (the first year's flow itself), then the starting cash added
        if t == 0:
            cumulative = flow.copy()
        else:
            cumulative += flow
        np.add(x["cash_start_usd_bn"], cumulative, out=cash[t])
    return ocf, cash


def count_by_year(
    profitable: npt.NDArray[np.bool_], solvent: npt.NDArray[np.bool_], counts: dict[str, npt.NDArray[np.int64]]
) -> None:
    """Add to ``counts``, per year, the draws (columns) with sustained break-even by then (profitable from then to
    the horizon), a first profitable year by then, and cash never negative so far; year by year, on rows."""
    n_years = profitable.shape[0]
    sustained, ever, lasting = profitable[-1].copy(), profitable[0].copy(), solvent[0].copy()
    for t in range(n_years):
        if t > 0:
            ever |= profitable[t]
            lasting &= solvent[t]
        back = n_years - 1 - t
        if t > 0:
            sustained &= profitable[back]
        counts["breakeven"][back] += np.count_nonzero(sustained)
        counts["profitable"][t] += np.count_nonzero(ever)
        counts["cash"][t] += np.count_nonzero(lasting)

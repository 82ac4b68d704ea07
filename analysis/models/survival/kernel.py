"""The Monte Carlo's kernel: the projection's arithmetic a year at a time on rows of draws, and the yearly counts
the probabilities come from (what :func:`analysis.models.survival.montecarlo.simulate_summary` runs per chunk).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from analysis.models.survival.inputs import MARGIN_CAP, MARGIN_FLOOR, USAGE_PRICED_STREAMS, FloatArray

_T = TypeVar("_T")


def cash_by_year(
    x: Mapping[str, FloatArray | float],
    start_year: int,
    end_year: int,
    shared: dict[tuple[object, ...], Any] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """:func:`project_lab`'s operating cash flow and cash without new capital, as (years x draws) arrays.

    The same arithmetic as :func:`project_lab`, operation for operation and in the same order, so the same bits
    (the tests compare them); computed a year at a time on rows as long as the draws, so every operation reads
    and writes contiguous memory, and only what the Monte Carlo summary needs. Fixed inputs are floats, so what
    depends on them alone is computed once.

    ``shared``, one dict passed to several calls, keeps the growth paths, prices and margins that depend only on
    inputs those calls pass as the very same objects, keyed by the objects' identities, and reads them back
    instead of computing them again: the explorer's grid passes tables that differ in a few inputs and share the
    others' arrays. Whoever passes it keeps those inputs alive while the dict is used (an identity is unique
    only while its object lives); the results are the same bits either way.
    """
    n_years = end_year - start_year + 1

    def once(what: str, names: Sequence[str], compute: Callable[..., _T], *args: Any) -> _T:
        # compute(*args), which depends only on the named inputs: once per set of input objects when calls share.
        if shared is None:
            return compute(*args)
        key = (what, start_year, end_year, *(id(x[name]) for name in names))
        if key not in shared:
            shared[key] = compute(*args)
        return cast(_T, shared[key])

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
        if isinstance(cost, np.ndarray) and not isinstance(list_price, np.ndarray):
            # np.maximum of an array and a number runs a scalar loop, three times slower than its SIMD loop on two
            # arrays, which gives the same bits (NaN and signed zeros too)
            list_price = np.full_like(cost, list_price)
        price = np.maximum(list_price, cost if MARGIN_FLOOR == 0.0 else cost / (1.0 - MARGIN_FLOOR))  # x / 1 is x
        price = np.minimum(price, cost / (1.0 - MARGIN_CAP))
        margin = cost / price
        return price, np.subtract(1.0, margin, out=margin) if isinstance(margin, np.ndarray) else 1.0 - margin

    decay = ["growth_decay"]
    decay_rows = once("decay", decay, powers, 1.0 - x["growth_decay"], n_years + 1)
    serving_cost = once("serving", ["serving_cost_decline"], powers, 1.0 - x["serving_cost_decline"], n_years)
    list_price = once("list", ["api_price_decline"], powers, 1.0 - x["api_price_decline"], n_years)
    usage = once("usage", ["flat_usage_growth"], powers, 1.0 + x["flat_usage_growth"], n_years)
    flat_cost = once("flat", ["serving_cost_decline", "flat_usage_growth"],
                     lambda: [cost * use for cost, use in zip(serving_cost, usage, strict=True)])  # fmt: skip
    elasticity = 1.0 - x["api_price_elasticity"]

    def grown(name: str) -> list[FloatArray | float]:
        return compound(x["growth_initial"] * x[f"{name}_growth_multiple"], decay_rows[:n_years])

    streams = []  # per stream: its name, starting revenue, growth index rows, (1 - starting margin), usage priced?
    for name in ("api", "consumer", "enterprise", "cloud"):
        index = once("index", ["growth_initial", f"{name}_growth_multiple", *decay], grown, name)
        streams.append((name, x["revenue_start_usd_bn"] * x[f"share_{name}"], index, 1.0 - x[f"{name}_margin"],
                        name in USAGE_PRICED_STREAMS))  # fmt: skip
    new_index = once("new", ["new_stream_growth", *decay], compound, x["new_stream_growth"], decay_rows)
    training_index = once("training", ["training_growth", *decay], compound, x["training_growth"],
                          decay_rows[:n_years])  # fmt: skip
    talent_index = once("talent", ["headcount_growth", *decay], compound, x["headcount_growth"], decay_rows[:n_years])
    run_cost = x["final_run_cost_usd_bn"] * x["compute_multiple"]
    payroll = x["headcount"] * x["compensation_usd_m"] / 1000.0
    n = max(np.size(v) for v in x.values())
    ocf = np.empty((n_years, n))
    cash = np.empty((n_years, n))
    first_inference: FloatArray = np.zeros(n)
    cumulative: FloatArray = np.zeros(n)
    for t, year in enumerate(range(start_year, end_year + 1)):
        revenue, profit = [], []
        for name, base_revenue, index, cost_share, usage_priced in streams:
            margin_inputs = [f"{name}_margin", "serving_cost_decline"]
            if usage_priced:
                price, margin = once(f"usage-priced {t}", [*margin_inputs, "api_price_decline"], priced, cost_share,
                                     serving_cost[t], list_price[t])  # fmt: skip
                stream = base_revenue * index[t] * price**elasticity
            else:
                price, margin = once(f"flat-priced {t}", [*margin_inputs, "flat_usage_growth"], priced, cost_share,
                                     flat_cost[t], 1.0)  # fmt: skip
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
            serving_all = bool(serving.all())
            infrastructure_start = x["infrastructure_to_inference"] * first_inference
        # A masked divide costs seven plain ones; where every draw serves, it divides everywhere anyway.
        served = inference / first_inference if serving_all else np.divide(inference, first_inference,
                                                                            out=np.ones(n), where=serving)  # fmt: skip
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

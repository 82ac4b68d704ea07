"""The Monte Carlo: every draw projected, or projected in blocks with exact counts and quantiles in bounded memory;
the draws exported.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.models.survival.inputs import (
    MARGIN_CAP,
    MARGIN_FLOOR,
    USAGE_PRICED_STREAMS,
    FloatArray,
    SurvivalInputError,
    check_draw_settings,
    draw_inputs,
    input_specs,
    input_values,
    score_blocks,
)
from analysis.models.survival.projection import (
    FAN_QUANTILES,
    Projection,
    check_horizon,
    project_lab,
    runway_rows,
    standard_error,
)


def simulate(
    table: pd.DataFrame, n_draws: int, seed: int, price_cost_correlation: float, start_year: int, end_year: int
) -> tuple[dict[str, FloatArray], Projection]:
    """Draw the inputs and project every draw; checks every setting before any work."""
    check_horizon(start_year, end_year)
    inputs = draw_inputs(table, n_draws, seed, price_cost_correlation)
    return inputs, project_lab(inputs, start_year, end_year)


def export_draws(inputs: Mapping[str, FloatArray], projection: Projection, path: Path | str, seed: int) -> Path:
    """Write every draw's inputs and outcomes to a gzip-compressed CSV, with the seed on every row.

    The bytes ``DataFrame.to_csv(float_format="%.6g")`` wrote (an empty field for NaN, ``inf`` for a runway past the
    horizon), formatted a row at a time with one format string: a fifth of the time of pandas' value-by-value
    formatting. Level 1 compresses 20,000 draws in 0.05 s against 0.9 s at gzip's default 9, for a file 14% larger;
    mtime 0 makes the same draws give the same bytes.
    """
    columns = {f"input_{name}": np.asarray(values, dtype=float) for name, values in inputs.items()}
    columns["breakeven_year"] = projection.breakeven_year()
    columns["runout_year_without_new_capital"] = projection.runout_year()
    columns["runway_years"] = projection.runway_years()
    for j, year in enumerate(projection.years):
        columns[f"cash_{year}_usd_bn"] = projection.cash_without_new_capital[:, j]
    n = projection.operating_cash_flow.shape[0]
    values = np.column_stack([np.broadcast_to(v, (n,)) for v in columns.values()]) if columns else np.empty((n, 0))
    row_format = ",".join(["%d", "%d", *["%.6g"] * len(columns)]) + "\n"
    path = Path(path)
    # Written as pandas writes: a text layer over the gzip file, one write per line, so the compressor is fed the
    # same pieces and the compressed bytes are the same too.
    with (
        gzip.GzipFile(filename=str(path), mode="wb", compresslevel=1, mtime=0) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as out,
    ):
        out.write(",".join(["draw", "seed", *columns]) + "\n")
        for i, row in enumerate(values.tolist()):
            line = row_format % (i, seed, *row)
            out.write(_NAN_FIELD.sub("", line) if "nan" in line else line)  # pandas writes NaN as an empty field
    return path


_NAN_FIELD = re.compile(r"(?<=,)nan(?=,|\n)")


@dataclass(frozen=True)
class MonteCarloSummary:
    """What the chapter reports from a Monte Carlo, computed without holding every projection at once."""

    probabilities: pd.DataFrame
    fan: pd.DataFrame
    runway: dict[str, float]
    n_draws: int


def _linear_quantile_ranks(n: int, q: float) -> tuple[int, int, float]:
    """The two order statistics (0-based ranks) and the weight ``numpy.quantile``'s default method interpolates
    between, for ``n`` values at level ``q``."""
    virtual = (n - 1) * np.float64(q)
    if virtual >= n - 1:
        return n - 1, n - 1, 0.0
    below = int(np.floor(virtual))
    return below, below + 1, float(virtual - below)


def _known(pair: tuple[float, float] | None) -> tuple[float, float]:
    """A window's two order statistics, once the caller has checked that no window lost them."""
    if pair is None:
        raise ValueError("a quantile window lost its order statistics")
    return pair


def _lerp(a: float, b: float, t: float) -> float:
    """``numpy.quantile``'s interpolation between neighbouring order statistics, operation for operation."""
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def _inverted_cdf_rank(n: int, q: float) -> int:
    """The order statistic (0-based) ``numpy.quantile(..., method="inverted_cdf")`` picks for ``n`` values."""
    index = n * np.float64(q) - 1
    previous = np.floor(index)
    return max(int(previous if index - previous == 0 else previous + 1), 0)


class _OrderStatistics:
    """Exact order statistics of the columns of a stream of rows, in memory that does not grow with the stream.

    Each wanted rank interval of each column keeps a window of values ``[lo, hi]`` and counts the values below
    it. After every block the window is narrowed to ``window_sigmas`` standard deviations of where the rank is
    expected among the values seen so far (a few thousand values, whatever the stream's length); windows only
    narrow, so every value of the final window was kept and the count below is exact. Where the stream moves a
    rank out of its window (a ``window_sigmas``-sigma event), :meth:`values` returns None and the caller keeps
    everything instead. ``window_sigmas`` None keeps every value.
    """

    def __init__(self, n_total: int, n_columns: int, ranks: Sequence[tuple[int, int]], window_sigmas: float | None):
        self.n_total, self.ranks, self.sigmas = n_total, list(ranks), window_sigmas
        shape = (n_columns, len(self.ranks))
        self.lo, self.hi = np.full(shape, -np.inf), np.full(shape, np.inf)
        self.below = np.zeros(shape, dtype=np.int64)
        self.kept: list[list[list[FloatArray]]] = [[[] for _ in self.ranks] for _ in range(n_columns)]
        self.seen = 0

    def add(self, rows: FloatArray) -> None:
        """Take a block of draws (columns x draws)."""
        for c in range(rows.shape[0]):
            column = rows[c]
            if np.isinf(self.lo[c]).any() and np.isinf(self.hi[c]).any():
                column = column.copy()  # kept whole by a window: a copy, as the caller reuses its buffer
            for w in range(len(self.ranks)):
                lo, hi = self.lo[c, w], self.hi[c, w]
                if lo == -np.inf and hi == np.inf:
                    self.kept[c][w].append(column)
                    continue
                self.below[c, w] += np.count_nonzero(column < lo)
                self.kept[c][w].append(column[(column >= lo) & (column <= hi)])
        self.seen += rows.shape[1]
        if self.sigmas is not None and self.seen < self.n_total:
            self._narrow()

    def _narrow(self) -> None:
        n = self.seen
        for c, windows in enumerate(self.kept):
            merged = [np.concatenate(parts) if len(parts) > 1 else parts[0] for parts in windows]
            bounds = []
            for w, (first, last) in enumerate(self.ranks):
                p_first, p_last = (rank / max(self.n_total - 1, 1) for rank in (first, last))
                spread = max(np.sqrt(n * p_first * (1 - p_first)), np.sqrt(n * p_last * (1 - p_last)), 1.0)
                margin = np.ceil(self.sigmas * spread) + 2
                below = int(self.below[c, w])
                bounds.append((int(np.floor(p_first * (n - 1) - margin)) - below,
                               int(np.ceil(p_last * (n - 1) + margin)) - below))  # fmt: skip
            # Windows still holding one shared array (the first block, kept whole) are partitioned once.
            ordered: dict[int, FloatArray] = {}
            for w, values in enumerate(merged):
                if id(values) not in ordered:
                    sharing = [v for v in range(len(merged)) if merged[v] is values]
                    kth = sorted({k for v in sharing for k in bounds[v] if 0 < k < values.size - 1})
                    ordered[id(values)] = np.partition(values, kth) if kth else values
                partitioned, (low_at, high_at) = ordered[id(values)], bounds[w]
                if 0 < low_at < values.size - 1:
                    self.lo[c, w] = partitioned[low_at]
                if 0 < high_at < values.size - 1:
                    self.hi[c, w] = partitioned[high_at]
            for w, values in enumerate(merged):
                lo, hi = self.lo[c, w], self.hi[c, w]
                self.below[c, w] += np.count_nonzero(values < lo)
                windows[w] = [values[(values >= lo) & (values <= hi)]]

    def values(self) -> list[list[tuple[float, float] | None]]:
        """Per column, each window's two order statistics, or None where the stream moved either out of the window.

        Windows of a column holding the same values (all of them when the stream was one block) share one partition.
        """
        out: list[list[tuple[float, float] | None]] = []
        for c, windows in enumerate(self.kept):
            merged = [np.concatenate(parts) if len(parts) > 1 else parts[0] for parts in windows]
            wanted = []
            for w, (first, last) in enumerate(self.ranks):
                below = int(self.below[c, w])
                i, j = first - below, last - below
                wanted.append((i, j) if i >= 0 and j < merged[w].size else None)
            ordered: dict[int, FloatArray] = {}
            row: list[tuple[float, float] | None] = []
            for w, values in enumerate(merged):
                at = wanted[w]
                if at is None:
                    row.append(None)
                    continue
                if id(values) not in ordered:
                    sharing = [v for v in range(len(merged)) if merged[v] is values and wanted[v] is not None]
                    ordered[id(values)] = np.partition(values, sorted({k for v in sharing for k in wanted[v]}))  # type: ignore[union-attr]
                row.append((float(ordered[id(values)][at[0]]), float(ordered[id(values)][at[1]])))
            out.append(row)
        return out


def _cash_by_year(x: Mapping[str, FloatArray | float], start_year: int, end_year: int) -> tuple[FloatArray, FloatArray]:
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


def _count_by_year(
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


def simulate_summary(
    table: pd.DataFrame,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    chunk_size: int = 20_000,
    window_sigmas: float | None = 10.0,
) -> MonteCarloSummary:
    """Probabilities, cash fan and runway from ``n_draws`` draws, in memory that does not grow with ``n_draws``.

    The draws are :func:`simulate`'s for the same seed, and the results equal its results exactly (the
    quantiles too: numpy's own rules, on order statistics kept in narrowing windows by :class:`_OrderStatistics`).
    Inputs are drawn :data:`DRAW_BLOCK` draws at a time, fixed inputs stay single numbers, and the projection runs
    ``chunk_size`` draws at a time, so its arrays stay in the processor's cache. ``window_sigmas`` None keeps
    every draw's cash (memory grows with ``n_draws``; the fallback when a window misses, which is also exact).
    """
    check_horizon(start_year, end_year)
    if chunk_size < 1:
        raise SurvivalInputError(f"chunk_size = {chunk_size!r} is not allowed: must be >= 1")
    check_draw_settings(table, n_draws, price_cost_correlation)
    years = np.arange(start_year, end_year + 1)
    n_years = years.size
    fan_ranks = [_linear_quantile_ranks(n_draws, q)[:2] for q in FAN_QUANTILES]
    runway_levels = (0.05, 0.5, 0.95)
    runway_ranks = [(_inverted_cdf_rank(n_draws, q),) * 2 for q in runway_levels]
    fan_stats = _OrderStatistics(n_draws, n_years, fan_ranks, window_sigmas)
    runway_stats = _OrderStatistics(n_draws, 1, runway_ranks, window_sigmas)
    counts = {key: np.zeros(n_years, dtype=np.int64) for key in ("breakeven", "profitable", "cash")}
    beyond, specs = 0, input_specs(table)
    for scores in score_blocks(table, n_draws, seed, price_cost_correlation):
        size = scores["revenue_start_usd_bn"].shape[0]
        cash = np.empty((n_years, size))
        runway = np.empty((1, size))
        for begin in range(0, size, chunk_size):
            part = slice(begin, min(begin + chunk_size, size))
            chunk = input_values(specs, scores, part)
            ocf, cash[:, part] = _cash_by_year(chunk, start_year, end_year)
            runway[0, part] = runway_rows(cash[:, part], chunk["cash_start_usd_bn"])
            _count_by_year(ocf >= 0, cash[:, part] >= 0, counts)
        beyond += int(np.count_nonzero(np.isinf(runway)))
        fan_stats.add(cash)
        runway_stats.add(runway)
    fan_values = fan_stats.values()
    runway_values = runway_stats.values()[0]
    if window_sigmas is not None and any(v is None for v in [*runway_values, *sum(fan_values, [])]):
        return simulate_summary(table, n_draws, seed, price_cost_correlation, start_year, end_year, chunk_size, None)
    p_be, p_first, p_cash = (counts[k] / n_draws for k in ("breakeven", "profitable", "cash"))
    probabilities = pd.DataFrame(
        {"year": years.astype(int), "p_breakeven_by_year": p_be, "se_breakeven": standard_error(p_be, n_draws),
         "p_cash_lasts": p_cash, "se_cash_lasts": standard_error(p_cash, n_draws),
         "p_profitable_by_year": p_first, "se_profitable": standard_error(p_first, n_draws)}
    )  # fmt: skip
    weights = [_linear_quantile_ranks(n_draws, q)[2] for q in FAN_QUANTILES]
    fan = pd.DataFrame({"year": years, **{
        f"q{round(level * 100):02d}": [_lerp(*_known(fan_values[c][w]), weights[w]) for c in range(n_years)]
        for w, level in enumerate(FAN_QUANTILES)}})  # fmt: skip
    runway_summary = {f"{key}": _known(runway_values[w])[0] for w, key in enumerate(("p05", "median", "p95"))}
    runway_summary["share_beyond_horizon"] = beyond / n_draws
    return MonteCarloSummary(probabilities, fan, runway_summary, n_draws)

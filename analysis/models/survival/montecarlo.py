"""The Monte Carlo: every draw projected, or projected in blocks with exact counts and quantiles in bounded memory;
the draws exported.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.models.survival.inputs import (
    FloatArray,
    SurvivalInputError,
    check_draw_settings,
    draw_inputs,
    input_specs,
    input_values,
    score_blocks,
    score_settings,
)
from analysis.models.survival.kernel import cash_by_year, count_by_year
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


def simulate_cash(
    table: pd.DataFrame, n_draws: int, seed: int, price_cost_correlation: float, start_year: int, end_year: int
) -> tuple[FloatArray, FloatArray]:
    """:func:`simulate`'s operating cash flow and cash without new capital, the same bits, as (years x draws)
    arrays: the kernel's two lines instead of the full projection's twenty, for callers that read only these."""
    check_horizon(start_year, end_year)
    check_draw_settings(table, n_draws, price_cost_correlation)
    specs = input_specs(table)
    blocks = [cash_by_year(input_values(specs, scores), start_year, end_year)
              for scores in score_blocks(table, n_draws, seed, price_cost_correlation)]  # fmt: skip
    return np.concatenate([ocf for ocf, _ in blocks], axis=1), np.concatenate([cash for _, cash in blocks], axis=1)


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
    # Only what differs between draws is formatted per row: a fixed input (a third of the inputs) and the seed are
    # written into the row format once, and a column with NaN is formatted once as text with NaN as an empty field
    # (how pandas writes it), the fields the regular expression used to empty line by line.
    fields, per_row = ["%d", f"{seed:d}"], []
    for column in columns.values():
        column = np.broadcast_to(column, (n,))
        bits = column.view(np.uint64)  # bit for bit: 0.0 and -0.0 print differently
        if n and not np.isnan(column[0]) and bool((bits == bits[0]).all()):
            fields.append(f"{float(column[0]):.6g}")
        elif np.isnan(column).any():
            fields.append("%s")
            per_row.append(["" if v != v else f"{v:.6g}" for v in column.tolist()])
        else:
            fields.append("%.6g")
            per_row.append(column.tolist())
    row_format = ",".join(fields) + "\n"
    path = Path(path)
    # Written as pandas writes: a text layer over the gzip file, one write per line, so the compressor is fed the
    # same pieces and the compressed bytes are the same too.
    with (
        gzip.GzipFile(filename=str(path), mode="wb", compresslevel=1, mtime=0) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as out,
    ):
        out.write(",".join(["draw", "seed", *columns]) + "\n")
        for row in zip(range(n), *per_row, strict=True):
            out.write(row_format % row)
    return path


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


# How many values a window holding every value so far takes its first bounds from: a 100,000-draw block is
# sampled every tenth value.
_NARROWING_SAMPLE = 10_000


class _OrderStatistics:
    """Exact order statistics of the columns of a stream of rows, in memory that does not grow with the stream.

    Each wanted rank interval of each column keeps a window of values ``[lo, hi]`` and counts the values below
    it. After a block that doubles the values seen the window is narrowed to ``window_sigmas`` standard deviations
    of where the rank is expected among them (a few thousand values, whatever the stream's length); windows only
    narrow, so every value of the final window was kept and the count below is exact. Where the stream moves a
    rank out of its window (a ``window_sigmas``-sigma event), :meth:`values` returns None and the caller keeps
    everything instead. ``window_sigmas`` None keeps every value. A window holding every value so far (the first
    block's) takes its first bounds from an even sample of ``sample_size`` values (default
    :data:`_NARROWING_SAMPLE`), then narrows exactly on what those bounds kept.
    """

    def __init__(
        self,
        n_total: int,
        n_columns: int,
        ranks: Sequence[tuple[int, int]],
        window_sigmas: float | None,
        sample_size: int | None = None,
    ):
        self.n_total, self.ranks, self.sigmas = n_total, list(ranks), window_sigmas
        self.sample_size = _NARROWING_SAMPLE if sample_size is None else sample_size
        shape = (n_columns, len(self.ranks))
        self.lo, self.hi = np.full(shape, -np.inf), np.full(shape, np.inf)
        self.below = np.zeros(shape, dtype=np.int64)
        self.kept: list[list[list[FloatArray]]] = [[[] for _ in self.ranks] for _ in range(n_columns)]
        self.seen = self.narrowed_at = 0

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
        # Narrowed each time the values seen double: a window of so many sigmas holds a number of values that grows
        # as the root of those seen, and so does what it gathers until they double, so memory stays bounded as it
        # did narrowing after every block, with half the partitions. Bounds from a sample hold many more values
        # than they need: narrowed again at once, exactly, on what they kept, or the next blocks would keep as many.
        if self.sigmas is not None and self.seen < self.n_total and self.seen >= 2 * self.narrowed_at:
            self.narrowed_at = self.seen
            if self._narrow():
                self._narrow()

    def _narrow(self) -> bool:
        n, sampled = self.seen, False
        for c, windows in enumerate(self.kept):
            merged = [np.concatenate(parts) if len(parts) > 1 else parts[0] for parts in windows]
            # Windows still holding one shared array (the first block, kept whole) are partitioned once; windows
            # that hold every value so far (none below, none above) and many of them take their bounds from an
            # evenly strided sample instead, where the same sigmas are fewer values: the bounds are wider, but
            # bounds need only hold the ranks (counts below are exact whatever they are, and a window the stream
            # leaves falls back to keeping everything), and a full partition of the first block was a sixth of
            # the summary's time.
            ordered: dict[int, tuple[FloatArray, int]] = {}
            for w, values in enumerate(merged):
                whole = values.size == n and int(self.below[c, w]) == 0
                stride = max(values.size // self.sample_size, 1) if whole else 1
                sampled |= stride > 1
                if id(values) not in ordered:
                    sample = values[::stride] if stride > 1 else values
                    sharing = [v for v in range(len(merged)) if merged[v] is values]
                    kth = sorted({k for v in sharing for k in self._bounds(c, v, sample.size, stride > 1)
                                  if 0 < k < sample.size - 1})  # fmt: skip
                    ordered[id(values)] = (np.partition(sample, kth) if kth else sample, stride)
                partitioned, used = ordered[id(values)]
                low_at, high_at = self._bounds(c, w, partitioned.size, used > 1)
                if 0 < low_at < partitioned.size - 1:
                    self.lo[c, w] = partitioned[low_at]
                if 0 < high_at < partitioned.size - 1:
                    self.hi[c, w] = partitioned[high_at]
            for w, values in enumerate(merged):
                lo, hi = self.lo[c, w], self.hi[c, w]
                self.below[c, w] += np.count_nonzero(values < lo)
                windows[w] = [values[(values >= lo) & (values <= hi)]]
        return sampled

    def _bounds(self, c: int, w: int, size: int, sampled: bool) -> tuple[int, int]:
        """Where window ``w`` of column ``c`` is to start and end among its ``size`` values sorted: ``sigmas``
        standard deviations of a rank's position on each side of where its ranks are expected, among the values
        seen so far, or among an even sample (``sampled``, ``size`` of them) of all of them."""
        first, last = self.ranks[w]
        n, below = (size, 0) if sampled else (self.seen, int(self.below[c, w]))
        p_first, p_last = (rank / max(self.n_total - 1, 1) for rank in (first, last))
        spread = max(np.sqrt(n * p_first * (1 - p_first)), np.sqrt(n * p_last * (1 - p_last)), 1.0)
        margin = np.ceil((self.sigmas or 0.0) * spread) + 2  # only called with sigmas
        return int(np.floor(p_first * (n - 1) - margin)) - below, int(np.ceil(p_last * (n - 1) + margin)) - below

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


_COUNTED = ("breakeven", "profitable", "cash")  # what count_by_year counts, draw by draw


def _probability_frame(
    years: npt.NDArray[np.int64], counts: Mapping[str, npt.NDArray[np.int64]], n_draws: int
) -> pd.DataFrame:
    """The probabilities by year, with their standard errors, from count_by_year's counts of ``n_draws`` draws."""
    p_be, p_first, p_cash = (counts[k] / n_draws for k in _COUNTED)
    return pd.DataFrame(
        {"year": years.astype(int), "p_breakeven_by_year": p_be, "se_breakeven": standard_error(p_be, n_draws),
         "p_cash_lasts": p_cash, "se_cash_lasts": standard_error(p_cash, n_draws),
         "p_profitable_by_year": p_first, "se_profitable": standard_error(p_first, n_draws)}
    )  # fmt: skip


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
    counts = {key: np.zeros(n_years, dtype=np.int64) for key in _COUNTED}
    beyond, specs = 0, input_specs(table)
    for scores in score_blocks(table, n_draws, seed, price_cost_correlation):
        size = scores["revenue_start_usd_bn"].shape[0]
        cash = np.empty((n_years, size))
        runway = np.empty((1, size))
        for begin in range(0, size, chunk_size):
            part = slice(begin, min(begin + chunk_size, size))
            chunk = input_values(specs, scores, part)
            ocf, cash[:, part] = cash_by_year(chunk, start_year, end_year)
            runway[0, part] = runway_rows(cash[:, part], chunk["cash_start_usd_bn"])
            count_by_year(ocf >= 0, cash[:, part] >= 0, counts)
        beyond += int(np.count_nonzero(np.isinf(runway)))
        fan_stats.add(cash)
        runway_stats.add(runway)
    fan_values = fan_stats.values()
    runway_values = runway_stats.values()[0]
    if window_sigmas is not None and any(v is None for v in [*runway_values, *sum(fan_values, [])]):
        return simulate_summary(table, n_draws, seed, price_cost_correlation, start_year, end_year, chunk_size, None)
    probabilities = _probability_frame(years, counts, n_draws)
    weights = [_linear_quantile_ranks(n_draws, q)[2] for q in FAN_QUANTILES]
    fan = pd.DataFrame({"year": years, **{
        f"q{round(level * 100):02d}": [_lerp(*_known(fan_values[c][w]), weights[w]) for c in range(n_years)]
        for w, level in enumerate(FAN_QUANTILES)}})  # fmt: skip
    runway_summary = {f"{key}": _known(runway_values[w])[0] for w, key in enumerate(("p05", "median", "p95"))}
    runway_summary["share_beyond_horizon"] = beyond / n_draws
    return MonteCarloSummary(probabilities, fan, runway_summary, n_draws)


def simulate_probabilities(
    tables: Sequence[pd.DataFrame],
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    chunk_size: int = 20_000,
) -> list[pd.DataFrame]:
    """:func:`simulate_summary`'s probabilities for each of ``tables``, the same bits, without its cash fan and
    runway, whose quantiles cost a third of its time: for callers that read only the probabilities.

    Tables that draw the same normal scores (the same :func:`score_settings`: tables whose ranges are scaled
    differently, like the explorer's grid) take them from one pass over the draws, and an input drawn the same way
    in several of them (the same low, base, high and distribution) is computed once per chunk and shared, as is
    what the kernel derives from such inputs alone (:func:`cash_by_year`'s ``shared``).
    """
    check_horizon(start_year, end_year)
    if chunk_size < 1:
        raise SurvivalInputError(f"chunk_size = {chunk_size!r} is not allowed: must be >= 1")
    for table in tables:
        check_draw_settings(table, n_draws, price_cost_correlation)
    n_years = end_year - start_year + 1
    counts = [{key: np.zeros(n_years, dtype=np.int64) for key in _COUNTED} for _ in tables]
    specs = [input_specs(table) for table in tables]
    groups: dict[tuple[tuple[str, ...], float | None], list[int]] = {}
    for i, table in enumerate(tables):
        groups.setdefault(score_settings(table), []).append(i)
    for members in groups.values():
        for scores in score_blocks(tables[members[0]], n_draws, seed, price_cost_correlation):
            size = scores["revenue_start_usd_bn"].shape[0]
            for begin in range(0, size, chunk_size):
                part = slice(begin, min(begin + chunk_size, size))
                drawn: dict[Hashable, FloatArray | float] = {}  # by input spec; the kernel does not write its inputs
                shared: dict[tuple[object, ...], Any] = {}  # the kernel's, while drawn keeps its inputs alive
                for i in members:
                    missing = [spec for spec in specs[i] if spec not in drawn]
                    values = input_values(missing, scores, part)
                    drawn.update((spec, values[spec.name]) for spec in missing)
                    chunk = {spec.name: drawn[spec] for spec in specs[i]}
                    ocf, cash = cash_by_year(chunk, start_year, end_year, shared)
                    count_by_year(ocf >= 0, cash >= 0, counts[i])
    years = np.arange(start_year, end_year + 1)
    return [_probability_frame(years, c, n_draws) for c in counts]

"""Lab survival: a yearly projection of a foundation-model lab, and a Monte Carlo over its inputs.

The projection (all money in USD billions, one column per year):

* **revenue** by stream. Usage-priced streams (the API, and the cloud partners who resell it)
  are volume times price. The list price falls each year by ``api_price_decline``; volume grows
  with the lab and responds to price with a constant elasticity: volume scales by
  ``price_index ** -api_price_elasticity``, so API revenue scales by ``price_index ** (1 - e)``.
  Above 1 a price cut raises revenue, below 1 it lowers it: the data decide, not the model.
  Flat-priced streams (consumer subscriptions, enterprise contracts) keep their price.
  Advertising and outcome licensing start in their own year. Every growth rate, including
  training spend and hiring, decays by ``growth_decay`` a year.
* **gross margin** per stream follows the stream's unit cost against its price path. Serving
  cost per unit falls by ``serving_cost_decline`` a year; on flat-priced plans usage per
  customer grows by ``flat_usage_growth`` a year (heavier use, larger models). Margins are
  kept between :data:`MARGIN_FLOOR` and :data:`MARGIN_CAP`: a lab stops cutting a usage price
  once it reaches the serving cost, and a flat plan whose margin would pass the cap is repriced
  down to it (competition). Advertising and outcome licensing keep their starting margin.
* **training**: final-run cost times a multiple for experiments and failed runs, rising by
  ``training_growth`` a year, a rate that decays like revenue growth (compute budgets follow
  revenue expectations; the essay's optimistic case has training costs stabilising).
* **talent**: headcount times compensation; **data** (acquisition, licensing, labelling): a share of training
  spend; **infrastructure** beyond GPU compute (storage, networking, monitoring, security): a share of the
  first year's serving cost, growing with serving volume to a power below 1; **other** operating cost (sales,
  support, administration): a share of revenue.
* **cash**: starting cash plus operating cash flow; the new round, sized as a multiple of the
  lab's revenue in the round year, is added from that year on.

Uncertain inputs are drawn so that each input's median is its base value and its 5th and 95th
percentiles are its low and high (a two-piece distribution: each half has its own spread, as the
base need not be the midpoint): log-normal halves for positive amounts, normal halves clipped to
what is possible for shares and rates. The API price decline and the serving-cost decline are
drawn together with a given correlation (a Gaussian copula), because competition passes cost
cuts into prices.
"""

from __future__ import annotations

import functools
import gzip
import io
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.data import Dataset, fact_range

FloatArray = npt.NDArray[np.float64]
Z90 = 1.6448536269514722  # the 95th percentile of the standard normal: low-high is a 90% interval

ARCHETYPES = ("frontier_leader", "enterprise_challenger", "subscale_lab", "bigtech_lab")
SCENARIOS = ("base", "optimistic", "pessimistic")
STREAMS = ("api", "consumer", "enterprise", "cloud", "advertising", "outcome_licensing")
USAGE_PRICED_STREAMS = ("api", "cloud")
FLAT_PRICED_STREAMS = ("consumer", "enterprise")
# A lab stops cutting a usage price at its serving cost; a flat plan above the cap is repriced down to it.
MARGIN_FLOOR = 0.0
MARGIN_CAP = 0.95
# Inputs drawn log-normally (positive amounts); every other uncertain input is a clipped normal.
LOGNORMAL_INPUTS = frozenset(
    {"revenue_start_usd_bn", "final_run_cost_usd_bn", "compute_multiple", "headcount", "compensation_usd_m",
     "cash_start_usd_bn", "new_round_revenue_multiple"}
)  # fmt: skip
CLIP = {"growth_initial": (0.0, 5.0), "training_growth": (0.0, 5.0), "new_stream_growth": (0.0, 5.0),
        "headcount_growth": (0.0, 2.0), "flat_usage_growth": (0.0, 5.0),
        "api_price_elasticity": (0.0, 3.0)}  # fmt: skip
SHARE_CLIP = (0.0, 0.99)
# Which way each scenario-adjusted input helps the lab: +1 higher is better, -1 lower is better.
GOOD_DIRECTION = {"growth_initial": 1, "training_growth": -1, "api_price_decline": -1, "growth_decay": -1}


class SurvivalInputError(ValueError):
    """A survival input or setting is outside what is allowed."""


def lab_input_table(
    dataset: Dataset, archetype: str, scenario: str = "base", scales: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """The inputs of one archetype under one scenario, with low, base, high and provenance.

    A scenario adjusts the archetype's own inputs: each scenario row is a factor (a fact of unit
    ``multiple``) that scales the low, base and high of the input it names, so an optimistic
    scenario moves every archetype the same way from where that archetype starts. ``scales``
    (a reader's re-run or the explorer) multiplies named inputs the same way, after the scenario.
    """
    if archetype not in ARCHETYPES:
        raise SurvivalInputError(f"archetype {archetype!r} is not allowed: choose one of {', '.join(ARCHETYPES)}")
    if scenario not in SCENARIOS:
        raise SurvivalInputError(f"scenario {scenario!r} is not allowed: choose one of {', '.join(SCENARIOS)}")
    mapping = dataset["lab_inputs"]
    rows = {r.input: r.fact_id for r in mapping[mapping["preset"] == archetype].itertuples(index=False)}
    factors: dict[str, str] = {}
    if scenario != "base":
        factors = {r.input: r.fact_id for r in mapping[mapping["preset"] == f"scenario:{scenario}"].itertuples()}
    records = []
    for name, fact_id in rows.items():
        fact = dataset.fact(fact_id)
        low, base, high = fact_range(fact)
        factor, factor_id = 1.0, ""
        if name in factors:
            factor_id = factors[name]
            factor = float(dataset.fact(factor_id)["value"])
            low, base, high = low * factor, base * factor, high * factor
        records.append(
            {"input": name, "low": low, "base": base, "high": high, "unit": fact["unit"], "kind": fact["kind"],
             "fact_id": fact_id, "source_id": fact["source_id"], "uncertain": high > low,
             "scenario_factor": factor, "scenario_fact_id": factor_id}
        )  # fmt: skip
    unknown = sorted(set(factors) - set(rows))
    if unknown:
        raise SurvivalInputError(f"scenario {scenario!r} adjusts {', '.join(unknown)}, which {archetype} does not have")
    table = pd.DataFrame(records).set_index("input", drop=False)
    table.index.name = None
    for name, scale in (scales or {}).items():
        if name not in table.index:
            raise SurvivalInputError(f"cannot scale {name!r}: {archetype} has no such input")
        if not np.isfinite(scale) or scale <= 0:
            raise SurvivalInputError(f"scale of {name!r} = {scale!r} is not allowed: must be a number > 0")
        table.loc[name, ["low", "base", "high"]] = table.loc[name, ["low", "base", "high"]].astype(float) * scale
    shares = sum(table.at[f"share_{s}", "base"] for s in ("api", "consumer", "enterprise", "cloud"))
    if abs(shares - 1.0) > 1e-9:
        raise SurvivalInputError(f"{archetype}: the four starting revenue shares sum to {shares:g}, not 1")
    return table


def base_inputs(table: pd.DataFrame) -> dict[str, FloatArray]:
    """Every input at its base value, as arrays of one draw."""
    return {name: np.array([float(v)]) for name, v in table["base"].items()}


def _validate_table(table: pd.DataFrame) -> None:
    bad = table[table["low"] > table["high"]]
    if not bad.empty:
        row = bad.iloc[0]
        raise SurvivalInputError(
            f"input {row['input']!r} has low {row['low']:g} above high {row['high']:g}: a range needs low <= high"
        )
    outside = table[(table["base"] < table["low"]) | (table["base"] > table["high"])]
    if not outside.empty:
        row = outside.iloc[0]
        raise SurvivalInputError(
            f"input {row['input']!r} has base {row['base']:g} outside its range {row['low']:g}-{row['high']:g}: "
            "the base must lie within low-high"
        )
    negative = table[(table["low"] < 0)]
    if not negative.empty:
        row = negative.iloc[0]
        raise SurvivalInputError(f"input {row['input']!r} = {row['low']:g} is negative: costs and amounts must be >= 0")


def clip_range(table: pd.DataFrame, name: str) -> tuple[float, float]:
    """The values an input may take when drawn: its own clip, the share clip, or non-negative."""
    return CLIP.get(name, SHARE_CLIP if table.at[name, "unit"] == "share" else (0.0, np.inf))


def input_quantile(
    score: FloatArray | float, low: float, base: float, high: float, lognormal: bool
) -> FloatArray | float:
    """The value of an input at a standard-normal score: median ``base``, 5th/95th percentiles ``low``/``high``.

    A two-piece distribution: below the median it spreads so that score -1.645 gives ``low``,
    above so that +1.645 gives ``high``; each half is normal, or log-normal when ``lognormal``
    (then ``low`` must be > 0). Where the base is the midpoint (geometric midpoint when
    log-normal) this is the ordinary normal (log-normal) 90% interval.

    Examples
    --------
    The frontier leader's final training run: base 0.5, 90% interval 0.1-1 (USD bn).

    >>> [round(float(input_quantile(z, 0.1, 0.5, 1.0, True)), 6) for z in (-Z90, 0.0, Z90)]
    [0.1, 0.5, 1.0]
    >>> round(float(input_quantile(-Z90 / 2, 0.1, 0.5, 1.0, True)), 4)  # halfway down in log terms
    0.2236
    """
    z = np.asarray(score, dtype=float)
    if lognormal:
        centre, below, above = np.log(base), np.log(base) - np.log(low), np.log(high) - np.log(base)
        out = np.exp(centre + np.where(z < 0, below, above) * z / Z90)
    else:
        out = base + np.where(z < 0, base - low, high - base) * z / Z90
    return float(out) if np.ndim(out) == 0 else out


def _correlate(scores: dict[str, FloatArray], leader: str, follower: str, rho: float) -> None:
    """Give ``follower``'s normal scores correlation ``rho`` with ``leader``'s (a Gaussian copula)."""
    scores[follower] = rho * scores[leader] + np.sqrt(1 - rho**2) * scores[follower]


# The normal scores are drawn this many draws at a time, every input's scores of a block together; the block
# fixes which variates a seed gives each draw, so the draws do not depend on how the work is chunked. Up to one
# block (the chapter draws 20,000) this is one ``standard_normal((inputs, n_draws))`` call.
DRAW_BLOCK = 100_000


def _check_draw_settings(table: pd.DataFrame, n_draws: int, price_cost_correlation: float) -> None:
    if not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise SurvivalInputError(f"n_draws = {n_draws!r} is not allowed: must be a whole number >= 1")
    if not -1 <= price_cost_correlation <= 1:
        raise SurvivalInputError(
            f"price_cost_correlation = {price_cost_correlation!r} is not allowed: must be between -1 and 1"
        )
    _validate_table(table)


def _scored_inputs(table: pd.DataFrame) -> list[str]:
    """The inputs that get normal scores, in the order they are drawn: the uncertain ones, then the members of the
    two correlated pairs that are fixed (their scores are drawn all the same, so the stream does not shift)."""
    high, low = table["high"].to_numpy(dtype=float), table["low"].to_numpy(dtype=float)
    uncertain = [name for name, drawn in zip(table.index, high > low, strict=True) if drawn]
    for pair_member in ("api_price_decline", "serving_cost_decline", "revenue_start_usd_bn", "final_run_cost_usd_bn"):
        if pair_member not in uncertain:
            uncertain.append(pair_member)
    return uncertain


def _score_blocks(
    table: pd.DataFrame, n_draws: int, seed: int, price_cost_correlation: float
) -> Iterator[dict[str, FloatArray]]:
    """The correlated normal scores of the scored inputs, :data:`DRAW_BLOCK` draws at a time (memory bounded by
    the block whatever ``n_draws``); the settings are checked by the caller.

    A single block is kept for the next call with the same settings (read-only): the explorer and the
    uncertainty budget run the Monte Carlo on tables that differ only in their ranges, with the same scores.
    """
    scored = tuple(_scored_inputs(table))
    names = list(table.index)
    rho_spend = float(table.at["revenue_spend_correlation", "base"]) if "revenue_spend_correlation" in names else None
    if n_draws <= DRAW_BLOCK:
        yield dict(_one_score_block(scored, n_draws, seed, price_cost_correlation, rho_spend, DRAW_BLOCK))
        return
    rng = np.random.default_rng(seed)
    for begin in range(0, n_draws, DRAW_BLOCK):
        yield _correlated(scored, rng.standard_normal((len(scored), min(DRAW_BLOCK, n_draws - begin))),
                          price_cost_correlation, rho_spend)  # fmt: skip


def _correlated(
    scored: Sequence[str], rows: FloatArray, price_cost_correlation: float, rho_spend: float | None
) -> dict[str, FloatArray]:
    scores = dict(zip(scored, rows, strict=True))
    _correlate(scores, "api_price_decline", "serving_cost_decline", price_cost_correlation)
    if rho_spend is not None:
        _correlate(scores, "revenue_start_usd_bn", "final_run_cost_usd_bn", rho_spend)
    return scores


@lru_cache(maxsize=4)
def _one_score_block(
    scored: tuple[str, ...], n_draws: int, seed: int, price_cost_correlation: float, rho_spend: float | None,
    block: int,
) -> tuple[tuple[str, FloatArray], ...]:  # fmt: skip
    """The scores of a Monte Carlo of one block (``block`` is in the key: the tests change the block size)."""
    rows = np.random.default_rng(seed).standard_normal((len(scored), n_draws))
    scores = _correlated(scored, rows, price_cost_correlation, rho_spend)
    for values in scores.values():
        values.flags.writeable = False
    return tuple(scores.items())


@dataclass(frozen=True)
class _InputSpec:
    """How one input is drawn: fixed at ``base``, or by :func:`input_quantile` from its score, then clipped."""

    name: str
    low: float
    base: float
    high: float
    lognormal: bool
    clip: tuple[float, float] | None


def _input_specs(table: pd.DataFrame) -> list[_InputSpec]:
    specs = []
    columns = (table[c].to_numpy(dtype=float).tolist() for c in ("low", "base", "high"))
    for name, low, base, high in zip(table.index, *columns, strict=True):
        lognormal = high > low and name in LOGNORMAL_INPUTS and low > 0
        specs.append(_InputSpec(name, low, base, high, lognormal, None if lognormal else clip_range(table, name)))
    return specs


def _input_values(
    specs: Sequence[_InputSpec], scores: Mapping[str, FloatArray], part: slice = slice(None)
) -> dict[str, FloatArray | float]:
    """Every input at the scores of draws ``part``: an array per uncertain input, a float per fixed one.

    :func:`input_quantile` and ``np.clip``, operation for operation, in place and without their call overhead.
    """
    values: dict[str, FloatArray | float] = {}
    for spec in specs:
        if spec.high <= spec.low:
            values[spec.name] = spec.base
            continue
        z = scores[spec.name][part]
        if spec.lognormal:
            centre = np.log(spec.base)
            drawn = np.where(z < 0, centre - np.log(spec.low), np.log(spec.high) - centre)
            drawn *= z
            drawn /= Z90
            np.add(centre, drawn, out=drawn)
            np.exp(drawn, out=drawn)
        else:
            drawn = np.where(z < 0, spec.base - spec.low, spec.high - spec.base)
            drawn *= z
            drawn /= Z90
            np.add(spec.base, drawn, out=drawn)
        if spec.clip is not None:
            np.maximum(drawn, spec.clip[0], out=drawn)
            if spec.clip[1] != np.inf:  # the smaller of a number and infinity is the number
                np.minimum(drawn, spec.clip[1], out=drawn)
        values[spec.name] = drawn
    return values


def draw_inputs(table: pd.DataFrame, n_draws: int, seed: int, price_cost_correlation: float) -> dict[str, FloatArray]:
    """Draw every uncertain input ``n_draws`` times; fixed inputs are repeated.

    The draws of :func:`simulate_summary` for the same seed (both draw :data:`DRAW_BLOCK` draws at a time).

    Parameters
    ----------
    table
        From :func:`lab_input_table`.
    n_draws
        Number of draws (at least 1).
    seed
        Seed of ``numpy.random.default_rng``.
    price_cost_correlation
        Correlation (-1 to 1) of the normal scores of the API price decline and the
        serving-cost decline.
    """
    _check_draw_settings(table, n_draws, price_cost_correlation)
    blocks, specs = [], _input_specs(table)
    for scores in _score_blocks(table, n_draws, seed, price_cost_correlation):
        size = scores["revenue_start_usd_bn"].shape[0]
        blocks.append({k: np.broadcast_to(v, (size,)) for k, v in _input_values(specs, scores).items()})
    return {name: np.concatenate([block[name] for block in blocks]) for name in table.index}


@dataclass(frozen=True)
class Projection:
    """Yearly projection for ``n`` draws: arrays of shape (n, years), USD billions."""

    years: npt.NDArray[np.int64]
    revenue_by_stream: dict[str, FloatArray]
    gross_profit: FloatArray
    inference_cost: FloatArray
    training: FloatArray
    talent: FloatArray
    other: FloatArray
    operating_cash_flow: FloatArray
    cash_without_new_capital: FloatArray
    cash_with_new_round: FloatArray
    api_gross_margin: FloatArray
    cash_start: FloatArray
    margin_by_stream: dict[str, FloatArray] | None = None
    new_round: FloatArray | None = None
    data: FloatArray | None = None
    infrastructure: FloatArray | None = None

    @property
    def revenue(self) -> FloatArray:
        total: FloatArray = functools.reduce(operator.add, self.revenue_by_stream.values())
        return total

    @property
    def total_cost(self) -> FloatArray:
        extra = [c for c in (self.data, self.infrastructure) if c is not None]
        return self.inference_cost + self.training + self.talent + self.other + sum(extra)

    def growth_ratio(self) -> FloatArray:
        """Revenue growth over cost growth, year on year (the essay's first thing to watch); NaN in year one."""
        revenue, cost = self.revenue, self.total_cost
        ratio = np.full(revenue.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[:, 1:] = (revenue[:, 1:] / revenue[:, :-1] - 1) / (cost[:, 1:] / cost[:, :-1] - 1)
        return ratio

    def breakeven_year(self) -> FloatArray:
        """First year from which operating cash flow stays non-negative to the horizon; NaN if none.

        A single good year followed by losses (as training spend catches up) is not break-even.
        """
        return _sustained_breakeven(self.operating_cash_flow, self.years)

    def first_profitable_year(self) -> FloatArray:
        """First year with non-negative operating cash flow, whatever follows; NaN if none."""
        return _first_year(self.operating_cash_flow >= 0, self.years)

    def runout_year(self) -> FloatArray:
        """First year cash without new capital is negative; NaN if it lasts the horizon."""
        return _first_year(self.cash_without_new_capital < 0, self.years)

    def runway_years(self) -> FloatArray:
        """Years from the start until cash without new capital runs out (interpolated within the year); inf if never."""
        cash = self.cash_without_new_capital
        start = np.broadcast_to(self.cash_start, cash.shape[:1])  # one value when the starting cash is fixed
        before = np.concatenate([start[:, None], cash[:, :-1]], axis=1)
        negative = cash < 0
        first = negative.argmax(axis=1)
        rows = np.arange(cash.shape[0])
        start_cash, end_cash = before[rows, first], cash[rows, first]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(start_cash > 0, start_cash / (start_cash - end_cash), 0.0)
        return np.where(negative.any(axis=1), first + fraction, np.inf)


def _sustained_breakeven(ocf: FloatArray, years: npt.NDArray[np.int64]) -> FloatArray:
    positive_from_here = np.flip(np.minimum.accumulate(np.flip(ocf >= 0, axis=1), axis=1), axis=1)
    return _first_year(positive_from_here, years)


def _first_year(condition: npt.NDArray[np.bool_], years: npt.NDArray[np.int64]) -> FloatArray:
    return np.where(condition.any(axis=1), years[condition.argmax(axis=1)], np.nan).astype(float)


def _powers(base: FloatArray, n_years: int) -> FloatArray:
    """``base ** t`` for t = 0..n_years-1, as a running product: a multiply per cell, not a power.

    Examples
    --------
    >>> _powers(np.array([0.5]), 4).tolist()
    [[1.0, 0.5, 0.25, 0.125]]
    """
    out = np.empty((base.shape[0], n_years))
    out[:, 0] = 1.0
    for j in range(1, n_years):
        np.multiply(out[:, j - 1], base, out=out[:, j])
    return out


def _compound(rate: FloatArray, decay_powers: FloatArray) -> FloatArray:
    """Growth index: 1 in year 0, then prod(1 + rate * (1 - decay)**(s - 1)) for s = 1..t.

    ``decay_powers`` is ``(1 - decay) ** t`` from :func:`_powers`, shared by every stream.

    Examples
    --------
    80% growth decaying 15% a year: 1, 1.8, 1.8 x 1.68.

    >>> _compound(np.array([0.8]), _powers(np.array([0.85]), 3)).round(4).tolist()
    [[1.0, 1.8, 3.024]]
    """
    out = np.empty((max(rate.shape[0], decay_powers.shape[0]), decay_powers.shape[1]))
    out[:, 0] = 1.0
    for j in range(1, decay_powers.shape[1]):
        out[:, j] = out[:, j - 1] * (1.0 + rate * decay_powers[:, j - 1])
    return out


def priced_margin(
    margin_start: FloatArray, unit_cost_index: FloatArray, list_price_index: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Price index actually charged and the gross margin it earns, with the margin kept in its bounds.

    Price and unit cost start at 1 and ``1 - margin_start``. Where the list price would take the
    margin below :data:`MARGIN_FLOOR` the price stops at the floor; where it would take it above
    :data:`MARGIN_CAP` the price is cut to the cap.

    Examples
    --------
    Start at 45%; cost falls to 0.58 while the price falls to 0.45: the list margin would be
    1 - 0.55 x 0.58 / 0.45 = 29.1%, within bounds. At a price of 0.25 it would be -27.6%, so the
    price stops at the cost, 0.319, and the margin at 0.

    >>> price, margin = priced_margin(np.array([0.45]), np.array([[0.58, 0.58]]), np.array([[0.45, 0.25]]))
    >>> price.round(3).tolist(), margin.round(3).tolist()
    ([[0.45, 0.319]], [[0.291, 0.0]])
    """
    unit_cost = (1.0 - margin_start)[:, None] * unit_cost_index
    price = np.clip(list_price_index, unit_cost / (1.0 - MARGIN_FLOOR), unit_cost / (1.0 - MARGIN_CAP))
    return price, 1.0 - unit_cost / price


def project_lab(
    inputs: Mapping[str, FloatArray | float], start_year: int, end_year: int, new_round_year: int = 2026
) -> Projection:
    """Project a lab year by year for every draw of its inputs (see the module docstring).

    An input given as a float (or an array of one value) is the same in every draw; the cash, cost and revenue
    totals still have one row per draw, while a margin or price that depends on fixed inputs only has one row.
    """
    if end_year < start_year:
        raise SurvivalInputError(
            f"horizon {start_year}-{end_year} is not allowed: end_year must not be before start_year"
        )
    x = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in inputs.items()}
    for name in ("final_run_cost_usd_bn", "compute_multiple", "headcount", "compensation_usd_m", "other_opex_share",
                 "data_to_training", "infrastructure_to_inference", "infrastructure_scaling"):  # fmt: skip
        if np.any(x[name] < 0):
            raise SurvivalInputError(f"input {name!r} has a negative value: costs must be >= 0")
    if np.any(x["api_price_elasticity"] < 0):
        raise SurvivalInputError("input 'api_price_elasticity' must be >= 0: volume does not fall as prices fall")
    years = np.arange(start_year, end_year + 1)
    n_years = years.size
    growth, decay = x["growth_initial"], x["growth_decay"]
    r0 = x["revenue_start_usd_bn"]

    decay_powers = _powers(1.0 - decay, n_years + 1)

    def grown(share: str, multiple: str) -> FloatArray:
        stream: FloatArray = (r0 * x[share])[:, None] * _compound(growth * x[multiple], decay_powers[:, :n_years])
        return stream

    serving_cost = _powers(1.0 - x["serving_cost_decline"], n_years)
    list_price = _powers(1.0 - x["api_price_decline"], n_years)
    flat_cost = serving_cost * _powers(1.0 + x["flat_usage_growth"], n_years)
    revenue: dict[str, FloatArray] = {}
    margins: dict[str, FloatArray] = {}
    for name, share, multiple, margin in (
        ("api", "share_api", "api_growth_multiple", "api_margin"),
        ("consumer", "share_consumer", "consumer_growth_multiple", "consumer_margin"),
        ("enterprise", "share_enterprise", "enterprise_growth_multiple", "enterprise_margin"),
        ("cloud", "share_cloud", "cloud_growth_multiple", "cloud_margin"),
    ):
        if name in USAGE_PRICED_STREAMS:
            price, margins[name] = priced_margin(x[margin], serving_cost, list_price)
            # Constant elasticity: volume x price**-e, so revenue moves with price**(1 - e).
            revenue[name] = grown(share, multiple) * price ** (1.0 - x["api_price_elasticity"][:, None])
        else:
            price, margins[name] = priced_margin(x[margin], flat_cost, np.ones_like(flat_cost))
            revenue[name] = grown(share, multiple) * price
    for name, prefix in (("advertising", "ads"), ("outcome_licensing", "outcome")):
        start = x[f"{prefix}_start_year"]
        since = np.clip(years[None, :] - start[:, None], 0, None).astype(int)
        index = _compound(x["new_stream_growth"], decay_powers)
        stream_index = np.take_along_axis(index, np.minimum(since, n_years), axis=1)
        revenue[name] = np.where(
            years[None, :] >= start[:, None], x[f"{prefix}_start_usd_bn"][:, None] * stream_index, 0.0
        )
        margins[name] = np.broadcast_to(x[f"{prefix}_margin"][:, None], (r0.shape[0], n_years))
    # Added in the same order as sum() would (which types as "array | int" for its starting 0).
    gross_profit: FloatArray = functools.reduce(operator.add, (revenue[s] * margins[s] for s in STREAMS))
    total_revenue: FloatArray = functools.reduce(operator.add, revenue.values())
    training = (x["final_run_cost_usd_bn"] * x["compute_multiple"])[:, None] * _compound(
        x["training_growth"], decay_powers[:, :n_years]
    )
    talent = (x["headcount"] * x["compensation_usd_m"] / 1000.0)[:, None] * _compound(
        x["headcount_growth"], decay_powers[:, :n_years]
    )
    other = x["other_opex_share"][:, None] * total_revenue
    # The first article's costs beyond GPU compute: data grows with each model generation's training, and
    # infrastructure "with user base but at a lower rate than compute" (an exponent below 1 on serving cost).
    data = x["data_to_training"][:, None] * training
    inference = total_revenue - gross_profit
    served = np.divide(inference, inference[:, :1], out=np.ones_like(inference), where=inference[:, :1] > 0)
    infrastructure = (x["infrastructure_to_inference"] * inference[:, 0])[:, None] * served ** x[
        "infrastructure_scaling"
    ][:, None]
    ocf = gross_profit - training - talent - other - data - infrastructure
    cash = x["cash_start_usd_bn"][:, None] + np.cumsum(ocf, axis=1)
    if start_year <= new_round_year <= end_year:
        round_size = x["new_round_revenue_multiple"] * total_revenue[:, new_round_year - start_year]
    else:
        round_size = np.zeros_like(r0)
    round_in = np.where(years >= new_round_year, 1.0, 0.0)[None, :] * round_size[:, None]
    return Projection(
        years=years,
        revenue_by_stream=revenue,
        gross_profit=gross_profit,
        inference_cost=inference,
        training=training,
        talent=talent,
        other=other,
        data=data,
        infrastructure=infrastructure,
        operating_cash_flow=ocf,
        cash_without_new_capital=cash,
        cash_with_new_round=cash + round_in,
        api_gross_margin=margins["api"],
        cash_start=x["cash_start_usd_bn"],
        margin_by_stream=margins,
        new_round=round_size,
    )


def projection_frame(projection: Projection, draw: int = 0) -> pd.DataFrame:
    """One draw's projection as a tidy year-by-year table (USD billions)."""
    p = projection
    frame = pd.DataFrame({"year": p.years})
    for s in STREAMS:
        frame[f"revenue_{s}"] = p.revenue_by_stream[s][draw]
    frame["revenue"] = p.revenue[draw]
    frame["gross_profit"] = p.gross_profit[draw]
    frame["inference_cost"] = p.inference_cost[draw]
    frame["training"] = p.training[draw]
    frame["talent"] = p.talent[draw]
    frame["other"] = p.other[draw]
    frame["data"] = p.data[draw] if p.data is not None else 0.0
    frame["infrastructure"] = p.infrastructure[draw] if p.infrastructure is not None else 0.0
    frame["operating_cash_flow"] = p.operating_cash_flow[draw]
    frame["cash_without_new_capital"] = p.cash_without_new_capital[draw]
    frame["cash_with_new_round"] = p.cash_with_new_round[draw]
    frame["api_gross_margin"] = p.api_gross_margin[draw]
    frame["revenue_growth_to_cost_growth"] = p.growth_ratio()[draw]
    return frame


def standard_error(p: FloatArray | float, n: int) -> FloatArray | float:
    """Monte Carlo standard error of a probability estimated from ``n`` draws: sqrt(p (1 - p) / n).

    Examples
    --------
    >>> round(float(standard_error(0.5, 10_000)), 4)
    0.005
    """
    share = np.asarray(p, dtype=float)
    error: FloatArray = np.sqrt(share * (1 - share) / n)
    return error


def _probabilities(
    years: npt.NDArray[np.int64], breakeven: FloatArray, cash: FloatArray, first_profitable: FloatArray | None = None
) -> pd.DataFrame:
    """Per year: P(sustained break-even by then), P(a first profitable year by then) and P(cash without new
    capital never negative so far), with standard errors."""
    n = cash.shape[0]
    p_be = np.array([np.mean(breakeven <= year) for year in years])
    p_cash = (~np.maximum.accumulate(cash < 0, axis=1)).mean(axis=0)
    frame = pd.DataFrame(
        {"year": years.astype(int), "p_breakeven_by_year": p_be, "se_breakeven": standard_error(p_be, n),
         "p_cash_lasts": p_cash, "se_cash_lasts": standard_error(p_cash, n)}
    )  # fmt: skip
    if first_profitable is not None:
        p_first = np.array([np.mean(first_profitable <= year) for year in years])
        frame["p_profitable_by_year"] = p_first
        frame["se_profitable"] = standard_error(p_first, n)
    return frame


def _fan(years: npt.NDArray[np.int64], cash: FloatArray, quantiles: Sequence[float]) -> pd.DataFrame:
    q = np.quantile(cash, quantiles, axis=0)
    return pd.DataFrame({"year": years, **{f"q{round(level * 100):02d}": q[i] for i, level in enumerate(quantiles)}})


def _runway_summary(runway: FloatArray) -> dict[str, float]:
    # inverted_cdf picks a draw rather than interpolating, so runways beyond the horizon (inf) stay inf.
    return {
        "p05": float(np.quantile(runway, 0.05, method="inverted_cdf")),
        "median": float(np.quantile(runway, 0.5, method="inverted_cdf")),
        "p95": float(np.quantile(runway, 0.95, method="inverted_cdf")),
        "share_beyond_horizon": float(np.mean(np.isinf(runway))),
    }


FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def survival_probabilities(projection: Projection) -> pd.DataFrame:
    """Per year: probability of having broken even by then, and of cash lasting through it without new money."""
    return _probabilities(
        projection.years,
        projection.breakeven_year(),
        projection.cash_without_new_capital,
        projection.first_profitable_year(),
    )


def cash_fan(projection: Projection, quantiles: Sequence[float] = FAN_QUANTILES) -> pd.DataFrame:
    """Quantiles of cash without new capital, per year: the fan chart's data (USD billions)."""
    return _fan(projection.years, projection.cash_without_new_capital, quantiles)


def runway_summary(projection: Projection) -> dict[str, float]:
    """Median and 5th/95th percentile of the runway in years, and the share lasting the horizon."""
    return _runway_summary(projection.runway_years())


def simulate(
    table: pd.DataFrame, n_draws: int, seed: int, price_cost_correlation: float, start_year: int, end_year: int
) -> tuple[dict[str, FloatArray], Projection]:
    """Draw the inputs and project every draw; checks every setting before any work."""
    if end_year < start_year:
        raise SurvivalInputError(
            f"horizon {start_year}-{end_year} is not allowed: end_year must not be before start_year"
        )
    inputs = draw_inputs(table, n_draws, seed, price_cost_correlation)
    return inputs, project_lab(inputs, start_year, end_year)


def tornado(table: pd.DataFrame, start_year: int, end_year: int) -> pd.DataFrame:
    """End-of-horizon cash (no new capital) with each uncertain input at its low and its high, the rest at base."""
    base = base_inputs(table)
    base_cash = float(project_lab(base, start_year, end_year).cash_without_new_capital[0, -1])
    rows = []
    for name in table.index[table["uncertain"]]:
        results = []
        for end in ("low", "high"):
            trial = dict(base, **{name: np.array([float(table.at[name, end])])})
            results.append(float(project_lab(trial, start_year, end_year).cash_without_new_capital[0, -1]))
        rows.append(
            {"input": name, "cash_at_low": results[0], "cash_at_high": results[1], "base_cash": base_cash,
             "swing": abs(results[1] - results[0])}
        )  # fmt: skip
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


def rank_correlations(inputs: Mapping[str, FloatArray], projection: Projection) -> pd.DataFrame:
    """Spearman rank correlation of each drawn input with end-of-horizon cash (global sensitivity)."""
    outcome = pd.Series(projection.cash_without_new_capital[:, -1]).rank()
    rows = []
    for name, values in inputs.items():
        if np.ptp(values) == 0:
            continue
        rows.append({"input": name, "rank_correlation": float(pd.Series(values).rank().corr(outcome))})
    frame = pd.DataFrame(rows)
    return frame.reindex(frame["rank_correlation"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def correlation_effect(
    table: pd.DataFrame,
    correlations: Sequence[float],
    n_draws: int,
    seed: int,
    start_year: int,
    end_year: int,
    year: int,
) -> pd.DataFrame:
    """How the price-cost correlation changes the headline probabilities at ``year`` (same seed for each)."""
    rows = []
    for rho in correlations:
        _, projection = simulate(table, n_draws, seed, rho, start_year, end_year)
        probabilities = survival_probabilities(projection).set_index("year").loc[year]
        rows.append(
            {"price_cost_correlation": float(rho), "p_breakeven_by_year": probabilities["p_breakeven_by_year"],
             "se_breakeven": probabilities["se_breakeven"], "p_cash_lasts": probabilities["p_cash_lasts"],
             "se_cash_lasts": probabilities["se_cash_lasts"]}
        )  # fmt: skip
    return pd.DataFrame(rows)


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


def _runway_rows(cash: FloatArray, cash_start: FloatArray | float) -> FloatArray:
    """:meth:`Projection.runway_years` on (years x draws) cash, the same operations."""
    before = np.concatenate([np.broadcast_to(cash_start, cash.shape[1:])[None, :], cash[:-1]], axis=0)
    negative = cash < 0
    first = negative.argmax(axis=0)
    columns = np.arange(cash.shape[1])
    start_cash, end_cash = before[first, columns], cash[first, columns]
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(start_cash > 0, start_cash / (start_cash - end_cash), 0.0)
    return np.where(negative.any(axis=0), first + fraction, np.inf)


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
    if end_year < start_year:
        raise SurvivalInputError(
            f"horizon {start_year}-{end_year} is not allowed: end_year must not be before start_year"
        )
    if chunk_size < 1:
        raise SurvivalInputError(f"chunk_size = {chunk_size!r} is not allowed: must be >= 1")
    _check_draw_settings(table, n_draws, price_cost_correlation)
    years = np.arange(start_year, end_year + 1)
    n_years = years.size
    fan_ranks = [_linear_quantile_ranks(n_draws, q)[:2] for q in FAN_QUANTILES]
    runway_levels = (0.05, 0.5, 0.95)
    runway_ranks = [(_inverted_cdf_rank(n_draws, q),) * 2 for q in runway_levels]
    fan_stats = _OrderStatistics(n_draws, n_years, fan_ranks, window_sigmas)
    runway_stats = _OrderStatistics(n_draws, 1, runway_ranks, window_sigmas)
    counts = {key: np.zeros(n_years, dtype=np.int64) for key in ("breakeven", "profitable", "cash")}
    beyond, specs = 0, _input_specs(table)
    for scores in _score_blocks(table, n_draws, seed, price_cost_correlation):
        size = scores["revenue_start_usd_bn"].shape[0]
        cash = np.empty((n_years, size))
        runway = np.empty((1, size))
        for begin in range(0, size, chunk_size):
            part = slice(begin, min(begin + chunk_size, size))
            chunk = _input_values(specs, scores, part)
            ocf, cash[:, part] = _cash_by_year(chunk, start_year, end_year)
            runway[0, part] = _runway_rows(cash[:, part], chunk["cash_start_usd_bn"])
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


# --- robustness: horizon, structural choices, calibration --------------------------------------


def horizon_table(
    table: pd.DataFrame,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    headline_year: int,
    horizons: Sequence[int],
) -> pd.DataFrame:
    """How the headline probabilities at ``headline_year`` move with the year "sustained" is measured to.

    One Monte Carlo to the last horizon; for each horizon, sustained break-even asks that operating
    cash flow stay non-negative from the break-even year to that horizon. The first profitable
    year and cash lasting do not depend on the horizon and are repeated for comparison.
    """
    horizons = sorted({int(h) for h in horizons})
    if not horizons or horizons[0] < headline_year:
        raise SurvivalInputError(
            f"horizons {horizons} are not allowed: each must be at or after the headline year {headline_year}"
        )
    _, projection = simulate(table, n_draws, seed, price_cost_correlation, start_year, horizons[-1])
    years, ocf = projection.years, projection.operating_cash_flow
    at = int(np.searchsorted(years, headline_year))
    p_first = float(np.mean(projection.first_profitable_year() <= headline_year))
    p_cash = float(np.mean((projection.cash_without_new_capital[:, : at + 1] >= 0).all(axis=1)))
    rows = []
    for horizon in horizons:
        upto = int(np.searchsorted(years, horizon)) + 1
        p_be = float(np.mean(_sustained_breakeven(ocf[:, :upto], years[:upto]) <= headline_year))
        rows.append(
            {"horizon": horizon, "p_breakeven_by_year": p_be, "se_breakeven": float(standard_error(p_be, n_draws)),
             "p_profitable_by_year": p_first, "p_cash_lasts": p_cash}
        )  # fmt: skip
    return pd.DataFrame(rows)


def recentre_on_midpoint(table: pd.DataFrame) -> pd.DataFrame:
    """The same inputs with each base moved to the middle of its range (geometric for log-normal inputs).

    This is how the first edition drew its inputs; kept to show what centring on the base changes.

    Examples
    --------
    >>> t = pd.DataFrame({"input": ["final_run_cost_usd_bn"], "low": [0.1], "base": [0.5], "high": [1.0]},
    ...                  index=["final_run_cost_usd_bn"])
    >>> round(float(recentre_on_midpoint(t).at["final_run_cost_usd_bn", "base"]), 3)
    0.316
    """
    out = table.copy()
    for name in out.index:
        low, high = float(out.at[name, "low"]), float(out.at[name, "high"])
        if high > low:
            geometric = name in LOGNORMAL_INPUTS and low > 0
            out.at[name, "base"] = float(np.sqrt(low * high)) if geometric else (low + high) / 2
    return out


def with_input_fixed(table: pd.DataFrame, name: str, value: float) -> pd.DataFrame:
    """The table with one input fixed at ``value`` (not drawn)."""
    if name not in table.index:
        raise SurvivalInputError(f"input {name!r} is not an input of this lab: choose one of {', '.join(table.index)}")
    out = table.copy()
    out.loc[name, ["low", "base", "high"]] = float(value)
    out.at[name, "uncertain"] = False
    return out


def headline_probabilities(
    table: pd.DataFrame,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    headline_year: int,
) -> dict[str, float]:
    """P(sustained break-even by), P(first profitable year by) and P(cash lasts through) ``headline_year``."""
    summary = simulate_summary(table, n_draws, seed, price_cost_correlation, start_year, end_year)
    at = summary.probabilities.set_index("year").loc[headline_year]
    return {k: float(at[k]) for k in ("p_breakeven_by_year", "p_profitable_by_year", "p_cash_lasts")}


def uncertainty_budget(
    table: pd.DataFrame,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    headline_year: int,
    n_seeds: int = 8,
    horizons: Sequence[int] = (2035, 2040),
    elasticities: Sequence[float] = (0.5, 1.0, 1.3),
) -> pd.DataFrame:
    """How much each source of uncertainty moves the two headline probabilities (percentage points).

    Rows: the Monte Carlo standard error; the spread (standard deviation) over ``n_seeds``
    seeds; and, for each structural choice, the largest move from the published value when the
    choice is made differently: where "sustained" is measured to, drawing inputs centred on the
    middle of their ranges rather than on the base, the price-cost correlation (0 or 0.95), the
    API price elasticity (fixed at each of ``elasticities``), and the revenue-spend correlation
    (0). Each alternative is run with the same seed, so the move is the choice, not noise.
    """
    args = (price_cost_correlation, start_year, end_year, headline_year)
    published = headline_probabilities(table, n_draws, seed, *args)
    keys = ("p_breakeven_by_year", "p_cash_lasts")
    rows = [
        {"source": "Monte Carlo standard error", "kind": "sampling",
         **{k: float(standard_error(published[k], n_draws)) for k in keys}},
    ]  # fmt: skip
    by_seed = [headline_probabilities(table, n_draws, seed + 1 + i, *args) for i in range(n_seeds)]
    rows.append(
        {"source": f"spread over {n_seeds} other seeds (standard deviation)", "kind": "sampling",
         **{k: float(np.std([r[k] for r in by_seed], ddof=1)) for k in keys}}
    )  # fmt: skip

    def largest_move(alternatives: Sequence[Mapping[str, float]]) -> dict[str, float]:
        return {k: max(abs(a[k] - published[k]) for a in alternatives) for k in keys}

    # Horizons before the headline year cannot measure it (a headline year after 2035, say).
    horizons = [h for h in horizons if h >= headline_year] or [end_year]
    horizon = horizon_table(table, n_draws, seed, price_cost_correlation, start_year, headline_year,
                            [end_year, *horizons])  # fmt: skip
    rows.append(
        {"source": f"'sustained' measured to {max(horizons)} instead of {end_year}", "kind": "structural",
         "p_breakeven_by_year": float(np.ptp(horizon["p_breakeven_by_year"])), "p_cash_lasts": 0.0}
    )  # fmt: skip
    rows.append(
        {"source": "inputs centred on the middle of their ranges, not the base", "kind": "structural",
         **largest_move([headline_probabilities(recentre_on_midpoint(table), n_draws, seed, *args)])}
    )  # fmt: skip
    rows.append(
        {"source": "price-cost correlation 0 or 0.95", "kind": "structural",
         **largest_move([headline_probabilities(table, n_draws, seed, rho, *args[1:]) for rho in (0.0, 0.95)])}
    )  # fmt: skip
    rows.append(
        {"source": "API price elasticity fixed at " + ", ".join(f"{e:g}" for e in elasticities), "kind": "structural",
         **largest_move([headline_probabilities(with_input_fixed(table, "api_price_elasticity", e), n_draws, seed,
                                                *args) for e in elasticities])}
    )  # fmt: skip
    if "revenue_spend_correlation" in table.index:
        rows.append(
            {"source": "revenue and training spend drawn independently", "kind": "structural",
             **largest_move([headline_probabilities(with_input_fixed(table, "revenue_spend_correlation", 0.0),
                                                    n_draws, seed, *args)])}
        )  # fmt: skip
    return pd.DataFrame(rows)


def decimals_supported(uncertainty: float) -> int:
    """Decimal places of a percentage that an uncertainty (a share) supports: one significant digit of it.

    Examples
    --------
    A swing of 8 percentage points supports whole percents; 0.4 points supports one decimal.

    >>> decimals_supported(0.08), decimals_supported(0.004), decimals_supported(0.15)
    (0, 1, 0)
    """
    points = max(float(uncertainty) * 100, 1e-9)
    return max(0, -int(np.floor(np.log10(points))))


# --- calibration against the sources' own data points ------------------------------------------


@dataclass(frozen=True)
class CalibrationTarget:
    """A quantity the model outputs that a source also states.

    ``low``/``high`` bound the reported value (``high`` is None for "at least" figures, ``low`` for "at most");
    ``measure`` picks the model's value from a projection (one array per draw).
    """

    quantity: str
    archetype: str
    scenario: str
    low: float | None
    high: float | None
    reported_text: str
    source_id: str
    note: str
    measure: Callable[[Projection], FloatArray]


def calibration_targets(dataset: Dataset, start_year: int = 2025) -> list[CalibrationTarget]:
    """The sources' data points that the projection also produces, with how to read each off the model."""

    def year(projection: Projection, y: int) -> int:
        return int(np.searchsorted(projection.years, y))

    openai_essay = dataset.fact("openai_revenue_usd_essay")
    openai_vendor = dataset.fact("openai_revenue_usd_oakgen")
    arr_month = dataset.fact("openai_api_arr_added_in_month_usd")
    anthropic = dataset.fact("anthropic_annualized_revenue_usd")
    compute_gw = dataset.fact("anthropic_current_compute_gw")
    own_inference_gw = dataset.fact("anthropic_first_party_inference_gw")
    gw_cost = dataset.fact("gw_year_cost_usd")
    gross_profit = dataset.fact("anthropic_gross_profit_usd")
    optimistic = dataset.fact("optimistic_profitability_year")
    commitments = dataset.fact("openai_spending_commitments_usd")
    round_size = dataset.fact("next_round_size_usd")
    outcomes = dataset["company_outcomes"].set_index("id")
    rd_low = (compute_gw["low"] - own_inference_gw["value"]) * gw_cost["low"] / 1e9
    rd_high = (compute_gw["high"] - own_inference_gw["value"]) * gw_cost["high"] / 1e9
    return [
        CalibrationTarget(
            "revenue in 2025 (USD bn)", "frontier_leader", "base", openai_essay["low"] / 1e9, None,
            f"at least {openai_essay['low'] / 1e9:g} (annualized, late 2025)", openai_essay["source_id"],
            "a minimum ('surpassed')", lambda p: p.revenue[:, year(p, 2025)]),
        CalibrationTarget(
            "revenue in 2025 (USD bn)", "frontier_leader", "base", openai_vendor["low"] / 1e9, None,
            f"at least {openai_vendor['low'] / 1e9:g} a year", openai_vendor["source_id"], "a minimum ('$5B+')",
            lambda p: p.revenue[:, year(p, 2025)]),
        CalibrationTarget(
            "operating cash flow in 2025 (USD bn)", "frontier_leader", "base", None, 0.0,
            f"below 0: “{outcomes.at['openai', 'quote']}”", str(outcomes.at["openai", "source_id"]),
            "a cash burner; the share of draws with a loss is in the next column",
            lambda p: p.operating_cash_flow[:, year(p, 2025)]),
        CalibrationTarget(
            "API revenue added 2025 to 2026 (USD bn a year)", "frontier_leader", "base", 12 * arr_month["low"] / 1e9,
            None, f"at least {12 * arr_month['low'] / 1e9:g} (over $1B of ARR in one month, x 12)",
            arr_month["source_id"], "one month's pace carried over a year: an upper reading of a minimum",
            lambda p: p.revenue_by_stream["api"][:, year(p, 2026)] - p.revenue_by_stream["api"][:, year(p, 2025)]),
        CalibrationTarget(
            "revenue in 2026 (USD bn)", "enterprise_challenger", "base", anthropic["value"] / 1e9,
            anthropic["value"] / 1e9, f"{anthropic['value'] / 1e9:g} annualized, 'if'", anthropic["source_id"],
            "hypothetical ('if ... in some sense'), a run-rate rather than a year's revenue",
            lambda p: p.revenue[:, year(p, 2026)]),
        CalibrationTarget(
            "gross margin in 2026", "enterprise_challenger", "base", gross_profit["value"] / anthropic["value"],
            gross_profit["value"] / anthropic["value"],
            f"{gross_profit['value'] / anthropic['value']:.0%} ($22bn of $44bn)", gross_profit["source_id"],
            "the comment's half own compute at 72%, half clouds at 30%",
            lambda p: p.gross_profit[:, year(p, 2026)] / p.revenue[:, year(p, 2026)]),
        CalibrationTarget(
            "R&D (training) compute in 2026 (USD bn)", "enterprise_challenger", "base", rd_low, rd_high,
            f"{rd_low:g}-{rd_high:g}: 1-1.5 GW less 0.5 GW of own inference, at $12-15bn per GW-year",
            compute_gw["source_id"], "derived from the comment's GW arithmetic",
            lambda p: p.training[:, year(p, 2026)]),
        CalibrationTarget(
            "first profitable year, optimistic scenario", "frontier_leader", "optimistic", optimistic["low"],
            optimistic["high"], f"{optimistic['low']:.0f}-{optimistic['high']:.0f}", optimistic["source_id"],
            "the essay's most optimistic scenario", lambda p: p.first_profitable_year()),
        CalibrationTarget(
            "first profitable year, optimistic scenario", "enterprise_challenger", "optimistic", optimistic["low"],
            optimistic["high"], f"{optimistic['low']:.0f}-{optimistic['high']:.0f}", optimistic["source_id"],
            "the essay's most optimistic scenario", lambda p: p.first_profitable_year()),
        CalibrationTarget(
            "new round in 2026 (USD bn)", "frontier_leader", "base", round_size["low"] / 1e9, round_size["high"] / 1e9,
            f"{round_size['low'] / 1e9:g}-{round_size['high'] / 1e9:g}", round_size["source_id"],
            "'perhaps OpenAI/Anthropic could raise'; the model sizes the round from revenue",
            lambda p: p.new_round if p.new_round is not None else np.full(p.revenue.shape[0], np.nan)),
        CalibrationTarget(
            "compute spend (inference + training) from 2026 to the horizon (USD bn)", "frontier_leader", "base",
            commitments["value"] / 1e9, commitments["value"] / 1e9,
            f"about {commitments['value'] / 1e12:g} trillion of commitments 'over the coming years'",
            commitments["source_id"], "commitments run past the horizon, so the model should fall short of them",
            lambda p: (p.inference_cost + p.training)[:, year(p, 2026):].sum(axis=1)),
    ]  # fmt: skip


def calibration_table(
    dataset: Dataset,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    targets: Sequence[CalibrationTarget] | None = None,
) -> pd.DataFrame:
    """Model against reported for every target: base case, the draws' 90% interval, and the gap.

    ``verdict`` is "within" when the reported figure (or range) overlaps the model's 90% interval
    (for a minimum: when the interval reaches it), else "model below" or "model above";
    ``base_to_reported`` is the base case over the reported value (its low for a minimum);
    ``share_of_draws_within`` is the share of draws inside the reported range.
    """
    rows = []
    for target in targets if targets is not None else calibration_targets(dataset, start_year):
        table = lab_input_table(dataset, target.archetype, target.scenario)
        base = project_lab(base_inputs(table), start_year, end_year)
        _, drawn = simulate(table, n_draws, seed, price_cost_correlation, start_year, end_year)
        base_value = float(np.asarray(target.measure(base), dtype=np.float64)[0])
        values = np.asarray(target.measure(drawn), dtype=np.float64)
        finite = values[np.isfinite(values)]
        p05, p95 = np.quantile(finite, [0.05, 0.95]) if finite.size else (np.nan, np.nan)
        if finite.size < values.size / 2:  # a year that most draws never reach
            p95 = np.inf
        low = -np.inf if target.low is None else target.low
        high = np.inf if target.high is None else target.high
        if p95 < low:
            verdict = "model below"
        elif p05 > high:
            verdict = "model above"
        else:
            verdict = "within"
        rows.append(
            {"archetype": target.archetype, "scenario": target.scenario, "quantity": target.quantity,
             "reported": target.reported_text, "reported_low": target.low, "reported_high": target.high,
             "source_id": target.source_id, "model_base": base_value, "model_p05": float(p05),
             "model_p95": float(p95), "base_to_reported": base_value / target.low if target.low else np.nan,
             "share_of_draws_within": float(np.mean((values >= low) & (values <= high))),
             "verdict": verdict, "note": target.note}
        )  # fmt: skip
    return pd.DataFrame(rows)


def scenario_direction_problems(dataset: Dataset) -> list[str]:
    """Inputs on which the optimistic scenario is worse than base, or the pessimistic better, for any archetype."""
    problems = []
    for archetype in ARCHETYPES:
        base = lab_input_table(dataset, archetype, "base")
        for scenario, sign in (("optimistic", 1), ("pessimistic", -1)):
            table = lab_input_table(dataset, archetype, scenario)
            for name in table.index:
                for column in ("low", "base", "high"):
                    change = float(table.at[name, column]) - float(base.at[name, column])
                    helps = GOOD_DIRECTION.get(name, 0) * change
                    if sign * helps < 0 or (name not in GOOD_DIRECTION and change != 0):
                        problems.append(f"{archetype} {scenario}: {name} {column} {base.at[name, column]:g} -> "
                                        f"{table.at[name, column]:g}")  # fmt: skip
    return problems


def modelling_choices(dataset: Dataset, defaults: Mapping[str, Any]) -> pd.DataFrame:
    """Each modelling choice of the survival chapter, what the report does, and its effect on the headline.

    Computed at the chapter's default parameters (``defaults``), so the Methods page states effects that the
    tested functions produce, not typed numbers.
    """
    archetype, scenario = str(defaults["archetype"]), str(defaults["outlook"])
    n, seed, rho = int(defaults["n_draws"]), int(defaults["seed"]), float(defaults["price_cost_correlation"])
    start, end, year = int(defaults["start_year"]), int(defaults["end_year"]), int(defaults["headline_year"])
    table = lab_input_table(dataset, archetype, scenario)
    budget = uncertainty_budget(table, n, seed, rho, start, end, year, n_seeds=2).set_index("source")
    published = headline_probabilities(table, n, seed, rho, start, end, year)

    def moves(source_prefix: str) -> str:
        row = budget[budget.index.str.startswith(source_prefix)].iloc[0]
        return (f"moves P(sustained break-even by {year}) by up to {row['p_breakeven_by_year'] * 100:.0f} pp and "
                f"P(cash lasts) by up to {row['p_cash_lasts'] * 100:.0f} pp (published: "
                f"{published['p_breakeven_by_year']:.0%} and {published['p_cash_lasts']:.0%})")  # fmt: skip

    pessimistic = lab_input_table(dataset, archetype, "pessimistic")
    price, cost = (float(pessimistic.at[k, "base"]) for k in ("api_price_decline", "serving_cost_decline"))
    unfloored = 1 - (1 - float(pessimistic.at["api_margin", "base"])) * ((1 - cost) / (1 - price)) ** (end - start)
    revenue_floor = float(table.at["revenue_start_usd_bn", "low"])
    base_round = project_lab(base_inputs(table), start, end).new_round
    round_usd_bn = float(base_round[0]) if base_round is not None else float("nan")
    calibration = calibration_table(dataset, n, seed, rho, 2025, max(end, 2030))
    rows = [
        ("Centring of the draws", "each input's median is its base and its 5th/95th percentiles its low/high "
         "(two-piece distributions)", "draws centred on the middle of each range (the first edition)",
         moves("inputs centred")),
        ("Where 'sustained' break-even is measured to", f"to the end of the horizon ({end}); training and hiring "
         "growth decay like revenue growth, and the chapter shows later horizons", "measured to 2040",
         moves("'sustained'")),
        ("API price response", "constant elasticity: revenue moves with price^(1 - e), e drawn across 1",
         "elasticity fixed at 0.5, 1 or 1.3", moves("API price elasticity")),
        ("Price-cost correlation", f"{rho:g}", "0 or 0.95", moves("price-cost")),
        ("Revenue and training spend", "drawn with a correlation (a lab that earns more trains bigger runs)",
         "drawn independently", moves("revenue and training")),
        ("Calibration", "starting revenue, API share and run cost set against the sources' data points",
         "the first edition's inputs",
         f"{int((calibration['verdict'] == 'within').sum())} of {len(calibration)} data points lie within the "
         "model's 90% interval (the survival chapter's model-against-sources table)"),
        ("One-sided figures", "'surpassed four billion' and '$5B+' are minimums: the range starts at the larger",
         "a 4-5 range with 5 at its top", f"the starting revenue is at least ${revenue_floor:g}bn in 95% of draws"),
        ("Scenarios", "scale each archetype's own inputs by a factor", "replace them with one value for all labs",
         "the optimistic scenario is never worse than base on any input of any archetype (tested)"),
        ("Margins", f"follow serving cost against each stream's price, kept between {MARGIN_FLOOR:.0%} and "
         f"{MARGIN_CAP:.0%} (a lab stops cutting a price at its cost)", "frozen or unbounded margins",
         f"the pessimistic API margin in {end} is {MARGIN_FLOOR:.0%} instead of {unfloored:.0%}"),
        ("Size of the new round", "a multiple of the lab's own 2026 revenue (the essay's round over the "
         "comment's revenue)", "the essay's $250-500B for every lab",
         f"the {archetype.replace('_', ' ')}'s round is ${round_usd_bn:.0f}bn in the base case"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Choice", "What the report does", "Alternative", "Effect on the headline"])


# --- figures the Questions page answers from ---------------------------------------------------


def archetype_scenario_probabilities(
    dataset: Dataset,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    headline_year: int,
) -> pd.DataFrame:
    """P(sustained break-even by) and P(cash lasts through) ``headline_year`` for every archetype under every
    scenario, each from its own Monte Carlo with the same seed, with standard errors."""
    rows = []
    for archetype in ARCHETYPES:
        for scenario in SCENARIOS:
            table = lab_input_table(dataset, archetype, scenario)
            at = simulate_summary(table, n_draws, seed, price_cost_correlation, start_year, end_year)
            row = at.probabilities.set_index("year").loc[headline_year]
            rows.append(
                {"archetype": archetype, "scenario": scenario, "p_breakeven_by_year": float(row["p_breakeven_by_year"]),
                 "se_breakeven": float(row["se_breakeven"]), "p_cash_lasts": float(row["p_cash_lasts"]),
                 "se_cash_lasts": float(row["se_cash_lasts"])}
            )  # fmt: skip
    return pd.DataFrame(rows)


COST_LINES = {"inference_cost": "inference", "training": "training", "talent": "talent", "data": "data",
              "infrastructure": "infrastructure", "other": "other operating"}  # fmt: skip


def question_figures(
    base: Projection,
    by_archetype: pd.DataFrame,
    headline_year: int,
    archetype_names: Mapping[str, str],
    decimals: int = 0,
) -> list[dict[str, object]]:
    """Key figures the Questions page answers from (see ``ChapterContext.record_key_figures``).

    From the base projection: the first year's operating cash flow, training's share of that year's costs,
    the cost lines growing faster than revenue in the second year, and the first profitable year; from
    ``by_archetype`` (:func:`archetype_scenario_probabilities`), each archetype's probabilities under each
    scenario, printed with ``decimals`` (the chapter's budget decides them).
    """
    years = base.years
    revenue = base.revenue[0]
    costs = {label: getattr(base, line)[0] for line, label in COST_LINES.items()}
    total = sum(costs.values())
    training_share = float(costs["training"][0] / total[0])
    figures: list[dict[str, object]] = [
        {"key": "sv_ocf_first_year", "value": float(base.operating_cash_flow[0, 0]), "unit": "usd_bn",
         "text": f"${base.operating_cash_flow[0, 0]:.1f}B".replace("$-", "-$"),
         "sentence": f"In the base case the lab's operating cash flow in {years[0]} is "
                     f"${base.operating_cash_flow[0, 0]:.1f}B.".replace("$-", "-$")},
        {"key": "sv_training_share_start", "value": training_share, "unit": "share", "text": f"{training_share:.0%}",
         "sentence": f"Training is {training_share:.0%} of the lab's costs in {years[0]} in the base case."},
    ]  # fmt: skip
    if years.size > 1:
        revenue_growth = revenue[1] / revenue[0] - 1
        # A tolerance, so that a cost that is a share of revenue does not "outgrow" it by a rounding error.
        faster = [
            label for label, line in costs.items() if line[0] > 0 and line[1] / line[0] - 1 > revenue_growth + 1e-9
        ]
        figures.append(
            {"key": "sv_costs_outgrowing_revenue", "value": float(len(faster)), "unit": "count",
             "text": ", ".join(faster) if faster else "none",
             "sentence": f"In {years[1]} the base case's {', '.join(faster) if faster else 'no'} cost "
                         f"line{'s' if len(faster) != 1 else ''} grow{'' if len(faster) != 1 else 's'} faster than "
                         f"revenue ({revenue_growth:.0%})."}
        )  # fmt: skip
    first = base.first_profitable_year()[0]
    figures.append(
        {"key": "sv_first_profitable_base", "value": float(first) if np.isfinite(first) else None, "unit": "year",
         "text": f"{first:.0f}" if np.isfinite(first) else f"not by {years[-1]}",
         "sentence": f"In the base case the lab's first profitable year is "
                     f"{f'{first:.0f}' if np.isfinite(first) else f'not reached by {years[-1]}'}."}
    )  # fmt: skip
    for row in by_archetype.itertuples(index=False):
        for measure, key, words in (
            ("p_cash_lasts", "cash", f"cash lasts through {headline_year} without new capital"),
            ("p_breakeven_by_year", "be", f"reaches sustained break-even by {headline_year}"),
        ):
            value = float(getattr(row, measure))
            text = f"{value:.{decimals}%}" if value >= 0.5 * 10 ** -(decimals + 2) else f"<{10**-decimals:g}%"
            figures.append(
                {"key": f"sv_p_{key}_{row.archetype}_{row.scenario}", "value": value, "unit": "share", "text": text,
                 "sentence": f"The probability that a {archetype_names[row.archetype]} {words} under the "
                             f"{row.scenario} scenario is {text}."}
            )  # fmt: skip
    return figures


# --- the explorer: headline probabilities over a grid of the inputs that decide them ---------------

EXPLORER_INPUTS = ("growth_initial", "training_growth", "api_price_elasticity")


def explorer_grid(
    dataset: Dataset,
    archetype: str,
    scenario: str,
    scales: Mapping[str, Sequence[float]],
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
) -> pd.DataFrame:
    """P(sustained break-even by) and P(cash lasts through) each year at every point of a grid of input scales.

    Each point is the chapter's own Monte Carlo with the named inputs' ranges scaled (as a re-run with those
    scales would run it): the same seed gives every point the same normal scores (common random numbers), so
    neighbouring points differ by the assumption, not by noise, and the point where every scale is 1 is the
    chapter's published result exactly.
    """
    names = list(scales)
    if not names:
        raise SurvivalInputError("scales is empty: name at least one input and its grid of scales")
    grids = [np.asarray(scales[name], dtype=float) for name in names]
    for name, grid in zip(names, grids, strict=True):
        if grid.size == 0:
            raise SurvivalInputError(f"the grid of {name!r} is empty: give at least one scale")
    rows = []
    for point in np.array(np.meshgrid(*grids, indexing="ij")).reshape(len(names), -1).T:
        table = lab_input_table(dataset, archetype, scenario, dict(zip(names, point.tolist(), strict=True)))
        summary = simulate_summary(table, n_draws, seed, price_cost_correlation, start_year, end_year)
        frame = summary.probabilities[["year", "p_breakeven_by_year", "p_cash_lasts"]].copy()
        for name, value in zip(names, point, strict=True):
            frame[f"{name}_scale"] = float(value)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)

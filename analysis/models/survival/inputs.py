"""A lab's inputs: the archetype-and-scenario table from the data, each input's two-piece distribution and its
correlated draws.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

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
    facts, needed = dataset["facts"], [*rows.values(), *factors.values()]
    for fact_id in needed:
        if fact_id not in facts.index:
            dataset.fact(fact_id)  # raises the KeyError that names the fact and the file
    # The lab's facts read with one .loc, not one per input: the survival chapter builds 30 of these tables.
    columns = ["value", "low", "high", "unit", "kind", "source_id"]
    found = dict(zip(needed, facts.loc[needed, columns].to_dict("records"), strict=True))
    records = []
    for name, fact_id in rows.items():
        fact = found[fact_id]
        low, base, high = fact_range(fact)
        factor, factor_id = 1.0, ""
        if name in factors:
            factor_id = factors[name]
            factor = float(found[factor_id]["value"])
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
    return scaled_input_table(table, archetype, scales)


def scaled_input_table(table: pd.DataFrame, archetype: str, scales: Mapping[str, float] | None) -> pd.DataFrame:
    """``table`` (:func:`lab_input_table` of ``archetype`` without scales, not changed) with the named inputs' low,
    base and high multiplied by their ``scales``, checked as :func:`lab_input_table` checks them."""
    table = table.copy()
    for name, scale in (scales or {}).items():
        if name not in table.index:
            raise SurvivalInputError(f"cannot scale {name!r}: {archetype} has no such input")
        if not np.isfinite(scale) or scale <= 0:
            raise SurvivalInputError(f"scale of {name!r} = {scale!r} is not allowed: must be a number > 0")
    if scales:
        # On the three columns' numbers, not with .loc per input: the explorer scales a table at each of its 75
        # points, where .loc's indexing took 5 ms a table; the products are the same.
        rows = table.index.get_indexer(list(scales))
        ranges = table[["low", "base", "high"]].to_numpy(dtype=float, copy=True)
        ranges[rows] *= np.array(list(scales.values()), dtype=float)[:, None]
        for j, column in enumerate(("low", "base", "high")):
            table[column] = ranges[:, j]
    shares = sum(table.at[f"share_{s}", "base"] for s in ("api", "consumer", "enterprise", "cloud"))
    if abs(shares - 1.0) > 1e-9:
        raise SurvivalInputError(f"{archetype}: the four starting revenue shares sum to {shares:g}, not 1")
    return table


def base_inputs(table: pd.DataFrame) -> dict[str, FloatArray]:
    """Every input at its base value, as arrays of one draw."""
    return {name: np.array([float(v)]) for name, v in table["base"].items()}


def _validate_table(table: pd.DataFrame) -> None:
    # On numpy arrays, and a row read only to word a failure: every Monte Carlo checks its table (the explorer's
    # grid 75 times), and pandas' boolean indexing took 1.5 ms a check.
    low, base, high = (table[column].to_numpy(dtype=float) for column in ("low", "base", "high"))
    bad = np.flatnonzero(low > high)
    if bad.size:
        row = table.iloc[bad[0]]
        raise SurvivalInputError(
            f"input {row['input']!r} has low {row['low']:g} above high {row['high']:g}: a range needs low <= high"
        )
    outside = np.flatnonzero((base < low) | (base > high))
    if outside.size:
        row = table.iloc[outside[0]]
        raise SurvivalInputError(
            f"input {row['input']!r} has base {row['base']:g} outside its range {row['low']:g}-{row['high']:g}: "
            "the base must lie within low-high"
        )
    negative = np.flatnonzero(low < 0)
    if negative.size:
        row = table.iloc[negative[0]]
        raise SurvivalInputError(f"input {row['input']!r} = {row['low']:g} is negative: costs and amounts must be >= 0")


def clip_range(table: pd.DataFrame, name: str) -> tuple[float, float]:
    """The values an input may take when drawn: its own clip, the share clip, or non-negative."""
    return _clip_of(name, str(table.at[name, "unit"]))


def _clip_of(name: str, unit: str) -> tuple[float, float]:
    return CLIP.get(name, SHARE_CLIP if unit == "share" else (0.0, np.inf))


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


def check_draw_settings(table: pd.DataFrame, n_draws: int, price_cost_correlation: float) -> None:
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


def score_settings(table: pd.DataFrame) -> tuple[tuple[str, ...], float | None]:
    """What a table gives :func:`score_blocks`: the inputs that get normal scores, in drawing order, and the
    revenue-spend correlation (None without one). Tables with the same settings draw the same scores for the same
    draws, seed and price-cost correlation (scaling an input's range keeps them; fixing an input does not)."""
    names = list(table.index)
    rho_spend = float(table.at["revenue_spend_correlation", "base"]) if "revenue_spend_correlation" in names else None
    return tuple(_scored_inputs(table)), rho_spend


def score_blocks(
    table: pd.DataFrame, n_draws: int, seed: int, price_cost_correlation: float
) -> Iterator[dict[str, FloatArray]]:
    """The correlated normal scores of the scored inputs, :data:`DRAW_BLOCK` draws at a time (memory bounded by
    the block whatever ``n_draws``); the settings are checked by the caller.

    A single block is kept for the next call with the same settings (read-only): the explorer and the
    uncertainty budget run the Monte Carlo on tables that differ only in their ranges, with the same scores.
    """
    scored, rho_spend = score_settings(table)
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


def input_specs(table: pd.DataFrame) -> list[_InputSpec]:
    specs = []
    columns = (table[c].to_numpy(dtype=float).tolist() for c in ("low", "base", "high"))
    # The units read once, not with .at per input (clip_range): the explorer builds the specs of 75 tables.
    for name, low, base, high, unit in zip(table.index, *columns, table["unit"].astype(str), strict=True):
        lognormal = high > low and name in LOGNORMAL_INPUTS and low > 0
        specs.append(_InputSpec(name, low, base, high, lognormal, None if lognormal else _clip_of(name, unit)))
    return specs


def _spread_times(z: FloatArray, below: float, above: float) -> FloatArray:
    """``np.where(z < 0, below, above) * z``, the same bits, into a new array.

    np.where picks per draw with a branch, which random signs mispredict half the time: 75 us for 20,000 scores
    against 16 for a sign pattern the processor has learned, half of :func:`input_values`' time. Both products
    are computed instead and the one np.where would pick is the smaller (``below`` >= ``above``) or larger of the
    two, by SIMD minimum or maximum: rounding keeps the order of exact products, so below * z <= above * z for
    z < 0 and the reverse for z >= 0 (for z = -0.0 both are -0.0). That holds for any z when both spreads are
    positive and finite (0 x inf is NaN); otherwise np.where itself.
    """
    if not (0.0 < below < np.inf and 0.0 < above < np.inf):
        drawn: FloatArray = np.where(z < 0, below, above)
        drawn *= z
        return drawn
    drawn = np.multiply(z, below)
    other = np.multiply(z, above)
    return np.minimum(drawn, other, out=drawn) if below >= above else np.maximum(drawn, other, out=drawn)


def input_values(
    specs: Sequence[_InputSpec], scores: Mapping[str, FloatArray], part: slice = slice(None)
) -> dict[str, FloatArray | float]:
    """Every input at the scores of draws ``part``: an array per uncertain input, a float per fixed one.

    :func:`input_quantile` and ``np.clip``, operation for operation, in place and without their call overhead.
    """
    values: dict[str, FloatArray | float] = {}
    bounds: dict[tuple[float, int], FloatArray] = {}

    def bound(value: float, size: int) -> FloatArray:
        # np.maximum and np.minimum of an array and a number run a scalar loop, three times slower than their SIMD
        # loop on two arrays, which gives the same bits (NaN and signed zeros too): each clip bound as an array,
        # filled once for the inputs that share it.
        if (value, size) not in bounds:
            bounds[value, size] = np.full(size, value)
        return bounds[value, size]

    for spec in specs:
        if spec.high <= spec.low:
            values[spec.name] = spec.base
            continue
        z = scores[spec.name][part]
        if spec.lognormal:
            centre = np.log(spec.base)
            drawn = _spread_times(z, centre - np.log(spec.low), np.log(spec.high) - centre)
            drawn /= Z90
            np.add(centre, drawn, out=drawn)
            np.exp(drawn, out=drawn)
        else:
            drawn = _spread_times(z, spec.base - spec.low, spec.high - spec.base)
            drawn /= Z90
            np.add(spec.base, drawn, out=drawn)
        if spec.clip is not None:
            np.maximum(drawn, bound(spec.clip[0], drawn.size), out=drawn)
            if spec.clip[1] != np.inf:  # the smaller of a number and infinity is the number
                np.minimum(drawn, bound(spec.clip[1], drawn.size), out=drawn)
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
    check_draw_settings(table, n_draws, price_cost_correlation)
    blocks, specs = [], input_specs(table)
    for scores in score_blocks(table, n_draws, seed, price_cost_correlation):
        size = scores["revenue_start_usd_bn"].shape[0]
        blocks.append({k: np.broadcast_to(v, (size,)) for k, v in input_values(specs, scores).items()})
    return {name: np.concatenate([block[name] for block in blocks]) for name in table.index}

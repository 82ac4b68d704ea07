"""Lab survival: a yearly projection of a foundation-model lab, and a Monte Carlo over its inputs.

The projection (all money in USD billions, one column per year):

* **revenue** by stream. API revenue is volume times price: the price falls each year by
  ``api_price_decline``; volume grows with the lab and, as prices fall, by an extra
  ``api_price_elasticity * api_price_decline`` a year (below 1, so a price cut never pays for
  itself). Consumer, enterprise and cloud-partnership revenue grow
  at the lab's growth rate times a stream multiple; advertising and outcome licensing start in
  their own year. Every growth rate decays by ``growth_decay`` a year.
* **gross margin** per stream. The API's margin follows its price and its serving cost:
  ``1 - (1 - m0) * ((1 - cost_decline) / (1 - price_decline)) ** t``; when both fall alike
  (the second article's point) the margin stays where it started.
* **training**: final-run cost times a multiple for experiments and failed runs, rising by
  ``training_growth`` each year (each model generation costs more).
* **talent**: headcount times compensation; **other** operating cost: a share of revenue.
* **cash**: starting cash plus operating cash flow, with or without the new round.

Uncertain inputs are drawn from their low-high ranges read as 90% intervals (Squiggle's
convention): log-normal for positive amounts, normal clipped to a valid range for shares and
rates. The API price decline and the serving-cost decline are drawn together with a given
correlation (a Gaussian copula), because competition passes cost cuts into prices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.data import Dataset, fact_range

FloatArray = npt.NDArray[np.float64]
Z90 = 1.6448536269514722  # the 95th percentile of the standard normal: low-high is a 90% interval

ARCHETYPES = ("frontier_leader", "enterprise_challenger", "subscale_lab", "bigtech_lab")
SCENARIOS = ("base", "optimistic", "pessimistic")
STREAMS = ("api", "consumer", "enterprise", "cloud", "advertising", "outcome_licensing")
# Inputs drawn log-normally (positive amounts); every other uncertain input is a clipped normal.
LOGNORMAL_INPUTS = frozenset(
    {"revenue_start_usd_bn", "final_run_cost_usd_bn", "compute_multiple", "headcount", "compensation_usd_m",
     "cash_start_usd_bn"}
)  # fmt: skip
CLIP = {"growth_initial": (0.0, 5.0), "training_growth": (0.0, 5.0), "new_stream_growth": (0.0, 5.0),
        "headcount_growth": (0.0, 2.0),
        # Above 1 a price cut would raise API revenue by itself; the model rules that out.
        "api_price_elasticity": (0.0, 1.0)}  # fmt: skip
SHARE_CLIP = (0.0, 0.99)


class SurvivalInputError(ValueError):
    """A survival input or setting is outside what is allowed."""


def lab_input_table(dataset: Dataset, archetype: str, scenario: str = "base") -> pd.DataFrame:
    """The inputs of one archetype under one scenario, with low, base, high and provenance.

    Scenario rows replace the archetype's rows for the inputs they name.
    """
    if archetype not in ARCHETYPES:
        raise SurvivalInputError(f"archetype {archetype!r} is not allowed: choose one of {', '.join(ARCHETYPES)}")
    if scenario not in SCENARIOS:
        raise SurvivalInputError(f"scenario {scenario!r} is not allowed: choose one of {', '.join(SCENARIOS)}")
    mapping = dataset["lab_inputs"]
    rows = {r.input: r.fact_id for r in mapping[mapping["preset"] == archetype].itertuples(index=False)}
    if scenario != "base":
        for r in mapping[mapping["preset"] == f"scenario:{scenario}"].itertuples(index=False):
            rows[r.input] = r.fact_id
    records = []
    for name, fact_id in rows.items():
        fact = dataset.fact(fact_id)
        low, base, high = fact_range(fact)
        records.append(
            {"input": name, "low": low, "base": base, "high": high, "unit": fact["unit"], "kind": fact["kind"],
             "fact_id": fact_id, "source_id": fact["source_id"], "uncertain": high > low}
        )  # fmt: skip
    table = pd.DataFrame(records).set_index("input", drop=False)
    table.index.name = None
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
    negative = table[(table["low"] < 0)]
    if not negative.empty:
        row = negative.iloc[0]
        raise SurvivalInputError(f"input {row['input']!r} = {row['low']:g} is negative: costs and amounts must be >= 0")


def draw_inputs(table: pd.DataFrame, n_draws: int, seed: int, price_cost_correlation: float) -> dict[str, FloatArray]:
    """Draw every uncertain input ``n_draws`` times; fixed inputs are repeated.

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
    if not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise SurvivalInputError(f"n_draws = {n_draws!r} is not allowed: must be a whole number >= 1")
    if not -1 <= price_cost_correlation <= 1:
        raise SurvivalInputError(
            f"price_cost_correlation = {price_cost_correlation!r} is not allowed: must be between -1 and 1"
        )
    _validate_table(table)
    rng = np.random.default_rng(seed)
    names = list(table.index)
    # Normal scores only for the uncertain inputs: the floor of the cost is drawing these variates.
    uncertain = [name for name in names if float(table.at[name, "high"]) > float(table.at[name, "low"])]
    for pair_member in ("api_price_decline", "serving_cost_decline"):
        if pair_member not in uncertain:
            uncertain.append(pair_member)
    score_rows = rng.standard_normal((len(uncertain), n_draws))
    scores = dict(zip(uncertain, score_rows, strict=True))
    rho = price_cost_correlation
    scores["serving_cost_decline"] = (
        rho * scores["api_price_decline"] + np.sqrt(1 - rho**2) * scores["serving_cost_decline"]
    )
    draws: dict[str, FloatArray] = {}
    for name in names:
        low, high = float(table.at[name, "low"]), float(table.at[name, "high"])
        if high <= low:
            draws[name] = np.full(n_draws, float(table.at[name, "base"]))
        elif name in LOGNORMAL_INPUTS and low > 0:
            mu, sigma = (np.log(low) + np.log(high)) / 2, (np.log(high) - np.log(low)) / (2 * Z90)
            draws[name] = np.exp(mu + sigma * scores[name])
        else:
            lo_clip, hi_clip = CLIP.get(name, SHARE_CLIP if table.at[name, "unit"] == "share" else (0.0, np.inf))
            mean, sd = (low + high) / 2, (high - low) / (2 * Z90)
            draws[name] = np.clip(mean + sd * scores[name], lo_clip, hi_clip)
    return draws


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

    @property
    def revenue(self) -> FloatArray:
        return sum(self.revenue_by_stream.values())  # type: ignore[return-value]

    @property
    def total_cost(self) -> FloatArray:
        return self.inference_cost + self.training + self.talent + self.other

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
        positive_from_here = np.flip(
            np.minimum.accumulate(np.flip(self.operating_cash_flow >= 0, axis=1), axis=1), axis=1
        )
        return _first_year(positive_from_here, self.years)

    def runout_year(self) -> FloatArray:
        """First year cash without new capital is negative; NaN if it lasts the horizon."""
        return _first_year(self.cash_without_new_capital < 0, self.years)

    def runway_years(self) -> FloatArray:
        """Years from the start until cash without new capital runs out (interpolated within the year); inf if never."""
        cash = self.cash_without_new_capital
        before = np.concatenate([self.cash_start[:, None], cash[:, :-1]], axis=1)
        negative = cash < 0
        first = negative.argmax(axis=1)
        rows = np.arange(cash.shape[0])
        start_cash, end_cash = before[rows, first], cash[rows, first]
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = np.where(start_cash > 0, start_cash / (start_cash - end_cash), 0.0)
        return np.where(negative.any(axis=1), first + fraction, np.inf)


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
    """
    out = np.empty_like(decay_powers)
    out[:, 0] = 1.0
    for j in range(1, decay_powers.shape[1]):
        out[:, j] = out[:, j - 1] * (1.0 + rate * decay_powers[:, j - 1])
    return out


def project_lab(
    inputs: Mapping[str, FloatArray], start_year: int, end_year: int, new_round_year: int = 2026
) -> Projection:
    """Project a lab year by year for every draw of its inputs (see the module docstring)."""
    if end_year < start_year:
        raise SurvivalInputError(
            f"horizon {start_year}-{end_year} is not allowed: end_year must not be before start_year"
        )
    x = {k: np.asarray(v, dtype=float) for k, v in inputs.items()}
    for name in ("final_run_cost_usd_bn", "compute_multiple", "headcount", "compensation_usd_m", "other_opex_share"):
        if np.any(x[name] < 0):
            raise SurvivalInputError(f"input {name!r} has a negative value: costs must be >= 0")
    if np.any((x["api_price_elasticity"] < 0) | (x["api_price_elasticity"] > 1)):
        raise SurvivalInputError("input 'api_price_elasticity' must lie between 0 and 1")
    years = np.arange(start_year, end_year + 1)
    n_years = years.size
    growth, decay = x["growth_initial"], x["growth_decay"]
    r0 = x["revenue_start_usd_bn"]

    decay_powers = _powers(1.0 - decay, n_years + 1)

    def stream(share: str, multiple: str) -> FloatArray:
        return (r0 * x[share])[:, None] * _compound(growth * x[multiple], decay_powers[:, :n_years])

    price_index = _powers(1.0 - x["api_price_decline"], n_years)
    cost_index = _powers(1.0 - x["serving_cost_decline"], n_years)
    revenue = {
        # Cheaper tokens draw extra volume, (1 + elasticity * decline) a year, but never enough to offset the price.
        "api": stream("share_api", "api_growth_multiple")
        * price_index
        * _powers(1.0 + x["api_price_elasticity"] * x["api_price_decline"], n_years),
        "consumer": stream("share_consumer", "consumer_growth_multiple"),
        "enterprise": stream("share_enterprise", "enterprise_growth_multiple"),
        "cloud": stream("share_cloud", "cloud_growth_multiple"),
    }
    for name, prefix in (("advertising", "ads"), ("outcome_licensing", "outcome")):
        start = x[f"{prefix}_start_year"]
        since = np.clip(years[None, :] - start[:, None], 0, None).astype(int)
        index = _compound(x["new_stream_growth"], decay_powers)
        grown = np.take_along_axis(index, np.minimum(since, n_years), axis=1)
        revenue[name] = np.where(years[None, :] >= start[:, None], x[f"{prefix}_start_usd_bn"][:, None] * grown, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        api_margin = np.minimum(1.0 - (1.0 - x["api_margin"])[:, None] * cost_index / price_index, 0.95)
    margins = {
        "api": api_margin,
        "consumer": x["consumer_margin"][:, None],
        "enterprise": x["enterprise_margin"][:, None],
        "cloud": x["cloud_margin"][:, None],
        "advertising": x["ads_margin"][:, None],
        "outcome_licensing": x["outcome_margin"][:, None],
    }
    gross_profit = sum(revenue[s] * margins[s] for s in STREAMS)
    total_revenue = sum(revenue.values())
    training = (x["final_run_cost_usd_bn"] * x["compute_multiple"])[:, None] * _powers(
        1.0 + x["training_growth"], n_years
    )
    talent = (x["headcount"] * x["compensation_usd_m"] / 1000.0)[:, None] * _powers(
        1.0 + x["headcount_growth"], n_years
    )
    other = x["other_opex_share"][:, None] * total_revenue
    ocf = gross_profit - training - talent - other
    cash = x["cash_start_usd_bn"][:, None] + np.cumsum(ocf, axis=1)
    round_in = np.where(years >= new_round_year, 1.0, 0.0)[None, :] * x["new_round_usd_bn"][:, None]
    return Projection(
        years=years,
        revenue_by_stream=revenue,
        gross_profit=gross_profit,
        inference_cost=total_revenue - gross_profit,
        training=training,
        talent=talent,
        other=other,
        operating_cash_flow=ocf,
        cash_without_new_capital=cash,
        cash_with_new_round=cash + round_in,
        api_gross_margin=api_margin,
        cash_start=x["cash_start_usd_bn"],
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
    return np.sqrt(np.asarray(p) * (1 - np.asarray(p)) / n)


def _probabilities(years: npt.NDArray[np.int64], breakeven: FloatArray, cash: FloatArray) -> pd.DataFrame:
    """Per year: P(sustained break-even by then) and P(cash without new capital never negative so far), with SEs."""
    n = cash.shape[0]
    p_be = np.array([np.mean(breakeven <= year) for year in years])
    p_cash = (~np.maximum.accumulate(cash < 0, axis=1)).mean(axis=0)
    return pd.DataFrame(
        {"year": years.astype(int), "p_breakeven_by_year": p_be, "se_breakeven": standard_error(p_be, n),
         "p_cash_lasts": p_cash, "se_cash_lasts": standard_error(p_cash, n)}
    )  # fmt: skip


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
    return _probabilities(projection.years, projection.breakeven_year(), projection.cash_without_new_capital)


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
    """Write every draw's inputs and outcomes to a gzip-compressed CSV, with the seed on every row."""
    frame = pd.DataFrame({"draw": np.arange(projection.operating_cash_flow.shape[0]), "seed": seed})
    for name, values in inputs.items():
        frame[f"input_{name}"] = values
    frame["breakeven_year"] = projection.breakeven_year()
    frame["runout_year_without_new_capital"] = projection.runout_year()
    frame["runway_years"] = projection.runway_years()
    for j, year in enumerate(projection.years):
        frame[f"cash_{year}_usd_bn"] = projection.cash_without_new_capital[:, j]
    path = Path(path)
    frame.to_csv(path, index=False, compression="gzip", float_format="%.6g")
    return path


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
    revenue_usd_bn: float, total_gw: float, first_party_margin: float, cloud_margin: float, shares: Sequence[float]
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
    edge_value_one_holder_usd_bn: float, n_holders: int | FloatArray, capture_share: float, execution_discount: float
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


def simulate_summary(
    table: pd.DataFrame,
    n_draws: int,
    seed: int,
    price_cost_correlation: float,
    start_year: int,
    end_year: int,
    chunk_size: int = 100_000,
) -> MonteCarloSummary:
    """Probabilities, cash fan and runway from ``n_draws`` draws, projected ``chunk_size`` draws at a time.

    The draws are the same as :func:`simulate`'s for the same seed; projecting in chunks keeps
    peak memory bounded (a million draws stay well under a gigabyte).
    """
    if end_year < start_year:
        raise SurvivalInputError(
            f"horizon {start_year}-{end_year} is not allowed: end_year must not be before start_year"
        )
    if chunk_size < 1:
        raise SurvivalInputError(f"chunk_size = {chunk_size!r} is not allowed: must be >= 1")
    inputs = draw_inputs(table, n_draws, seed, price_cost_correlation)
    n_years = end_year - start_year + 1
    cash = np.empty((n_draws, n_years))
    breakeven = np.empty(n_draws)
    runway = np.empty(n_draws)
    for begin in range(0, n_draws, chunk_size):
        part = slice(begin, min(begin + chunk_size, n_draws))
        projection = project_lab({k: v[part] for k, v in inputs.items()}, start_year, end_year)
        cash[part] = projection.cash_without_new_capital
        breakeven[part] = projection.breakeven_year()
        runway[part] = projection.runway_years()
    years = np.arange(start_year, end_year + 1)
    return MonteCarloSummary(
        _probabilities(years, breakeven, cash), _fan(years, cash, FAN_QUANTILES), _runway_summary(runway), n_draws
    )

"""A lab's yearly projection (revenue by stream, costs, cash) and the probabilities, fan and runway read off many
draws.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.models.survival.inputs import (
    MARGIN_CAP,
    MARGIN_FLOOR,
    STREAMS,
    USAGE_PRICED_STREAMS,
    FloatArray,
    SurvivalInputError,
)


def runway_rows(cash: FloatArray, cash_start: FloatArray | float) -> FloatArray:
    """Years until cash (years x draws) runs out, interpolated within the year; inf where it never does.

    Row by row, for the Monte Carlo's chunks: the first negative year counted as the years before it in which cash
    was never negative so far (np.argmax along the years reads a column at a time, eight times slower), the cash
    either side of it gathered from the flattened rows, and inf where cash never runs out gathered too, as
    np.where picks with a branch that draws running out or not at random mispredict half the time.
    """
    n_years, n = cash.shape
    never = np.ones(n, dtype=bool)
    first = np.zeros(n, dtype=np.intp)  # for draws that never run out, the last year: any year would do
    for t in range(n_years - 1):
        never &= ~(cash[t] < 0)  # not cash >= 0: NaN is not negative
        first += never
    runs_out = ~never | (cash[-1] < 0)
    flat, at = cash.ravel(), np.arange(n)
    at += first * n
    end_cash = flat.take(at)
    at -= n  # the year before, or for the first year (negative, wrapping round to any value) the starting cash
    start_cash = np.where(first > 0, flat.take(at), cash_start)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(start_cash > 0, start_cash / (start_cash - end_cash), 0.0)
    runway = np.empty((2, n))
    runway[0] = np.inf
    np.add(first, fraction, out=runway[1])
    years: FloatArray = runway.ravel().take(np.arange(n) + n * runs_out)
    return years


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
        return sustained_breakeven(self.operating_cash_flow, self.years)

    def first_profitable_year(self) -> FloatArray:
        """First year with non-negative operating cash flow, whatever follows; NaN if none."""
        return _first_year(self.operating_cash_flow >= 0, self.years)

    def runout_year(self) -> FloatArray:
        """First year cash without new capital is negative; NaN if it lasts the horizon."""
        return _first_year(self.cash_without_new_capital < 0, self.years)

    def runway_years(self) -> FloatArray:
        """Years from the start until cash without new capital runs out (interpolated within the year); inf if never."""
        return runway_rows(self.cash_without_new_capital.T, self.cash_start)


def sustained_breakeven(ocf: FloatArray, years: npt.NDArray[np.int64]) -> FloatArray:
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


def check_horizon(start_year: int, end_year: int) -> None:
    """Refuse a projection horizon that ends before it starts, naming both years.

    Examples
    --------
    >>> check_horizon(2030, 2025)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.models.survival.inputs.SurvivalInputError: horizon 2030-2025 is not allowed: end_year must not be ...
    """
    if end_year < start_year:
        raise SurvivalInputError(
            f"horizon {start_year}-{end_year} is not allowed: end_year must not be before start_year"
        )


def project_lab(
    inputs: Mapping[str, FloatArray | float], start_year: int, end_year: int, new_round_year: int = 2026
) -> Projection:
    """Project a lab year by year for every draw of its inputs (see the module docstring).

    An input given as a float (or an array of one value) is the same in every draw; the cash, cost and revenue
    totals still have one row per draw, while a margin or price that depends on fixed inputs only has one row.
    """
    check_horizon(start_year, end_year)
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

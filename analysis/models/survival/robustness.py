"""Sensitivity and robustness: tornado, rank correlations, the correlation's effect, horizons, structural choices,
supported decimals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from analysis.models.survival.inputs import LOGNORMAL_INPUTS, FloatArray, SurvivalInputError, base_inputs
from analysis.models.survival.montecarlo import simulate_cash, simulate_probabilities
from analysis.models.survival.projection import (
    Projection,
    project_lab,
    standard_error,
    sustained_breakeven,
)


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
        (by_year,) = simulate_probabilities([table], n_draws, seed, rho, start_year, end_year)
        probabilities = by_year.set_index("year").loc[year]
        rows.append(
            {"price_cost_correlation": float(rho), "p_breakeven_by_year": probabilities["p_breakeven_by_year"],
             "se_breakeven": probabilities["se_breakeven"], "p_cash_lasts": probabilities["p_cash_lasts"],
             "se_cash_lasts": probabilities["se_cash_lasts"]}
        )  # fmt: skip
    return pd.DataFrame(rows)


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
    ocf_rows, cash_rows = simulate_cash(table, n_draws, seed, price_cost_correlation, start_year, horizons[-1])
    years, ocf = np.arange(start_year, horizons[-1] + 1), ocf_rows.T  # draws x years, as a Projection holds them
    at = int(np.searchsorted(years, headline_year))
    p_first = float(np.mean((ocf[:, : at + 1] >= 0).any(axis=1)))  # a first profitable year by the headline year
    p_cash = float(np.mean((cash_rows[: at + 1] >= 0).all(axis=0)))
    rows = []
    for horizon in horizons:
        upto = int(np.searchsorted(years, horizon)) + 1
        p_be = float(np.mean(sustained_breakeven(ocf[:, :upto], years[:upto]) <= headline_year))
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
    return _headline_of(
        simulate_probabilities([table], n_draws, seed, price_cost_correlation, start_year, end_year)[0], headline_year
    )


def _headline_of(probabilities: pd.DataFrame, headline_year: int) -> dict[str, float]:
    """The three headline probabilities at ``headline_year`` from a frame of probabilities by year."""
    at = probabilities.set_index("year").loc[headline_year]
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
    args = (start_year, end_year)
    # The published table and the alternatives drawn with its seed and correlation run together (one pass over
    # their shared scores, an input drawn the same way in several tables computed once); the other seeds last, so
    # the published scores are still cached (score_blocks keeps a few) for the horizon table and the correlations.
    same_draws = {"published": table, "centred": recentre_on_midpoint(table)}
    same_draws.update({f"elasticity {e:g}": with_input_fixed(table, "api_price_elasticity", e) for e in elasticities})
    if "revenue_spend_correlation" in table.index:
        same_draws["independent"] = with_input_fixed(table, "revenue_spend_correlation", 0.0)
    by_year = simulate_probabilities(list(same_draws.values()), n_draws, seed, price_cost_correlation, *args)
    at = {name: _headline_of(frame, headline_year) for name, frame in zip(same_draws, by_year, strict=True)}
    published = at["published"]
    keys = ("p_breakeven_by_year", "p_cash_lasts")
    rows = [
        {"source": "Monte Carlo standard error", "kind": "sampling",
         **{k: float(standard_error(published[k], n_draws)) for k in keys}},
    ]  # fmt: skip

    def largest_move(alternatives: Sequence[Mapping[str, float]]) -> dict[str, float]:
        return {k: max(abs(a[k] - published[k]) for a in alternatives) for k in keys}

    # Horizons before the headline year cannot measure it (a headline year after 2035, say).
    horizons = [h for h in horizons if h >= headline_year] or [end_year]
    horizon = horizon_table(table, n_draws, seed, price_cost_correlation, start_year, headline_year,
                            [end_year, *horizons])  # fmt: skip
    by_rho = [headline_probabilities(table, n_draws, seed, rho, *args, headline_year) for rho in (0.0, 0.95)]
    by_seed = [headline_probabilities(table, n_draws, seed + 1 + i, price_cost_correlation, *args, headline_year)
               for i in range(n_seeds)]  # fmt: skip
    rows.append(
        {"source": f"spread over {n_seeds} other seeds (standard deviation)", "kind": "sampling",
         **{k: float(np.std([r[k] for r in by_seed], ddof=1)) for k in keys}}
    )  # fmt: skip
    rows.append(
        {"source": f"'sustained' measured to {max(horizons)} instead of {end_year}", "kind": "structural",
         "p_breakeven_by_year": float(np.ptp(horizon["p_breakeven_by_year"])), "p_cash_lasts": 0.0}
    )  # fmt: skip
    rows.append(
        {"source": "inputs centred on the middle of their ranges, not the base", "kind": "structural",
         **largest_move([at["centred"]])}
    )  # fmt: skip
    rows.append({"source": "price-cost correlation 0 or 0.95", "kind": "structural", **largest_move(by_rho)})
    rows.append(
        {"source": "API price elasticity fixed at " + ", ".join(f"{e:g}" for e in elasticities), "kind": "structural",
         **largest_move([at[f"elasticity {e:g}"] for e in elasticities])}
    )  # fmt: skip
    if "independent" in at:
        rows.append(
            {"source": "revenue and training spend drawn independently", "kind": "structural",
             **largest_move([at["independent"]])}
        )  # fmt: skip
    return pd.DataFrame(rows)


MAX_DECIMALS = 2
"""The finest a probability is printed: hundredths of a percentage point (the explorers' readouts go to three)."""


def decimals_supported(uncertainty: float) -> int:
    """Decimal places of a percentage that an uncertainty (a share) supports: one significant digit of it, at most
    :data:`MAX_DECIMALS`.

    Examples
    --------
    A swing of 8 percentage points supports whole percents; 0.4 points supports one decimal. A probability that
    nothing moves (0 or 1 on every draw and under every choice) is printed to hundredths of a point.

    >>> decimals_supported(0.08), decimals_supported(0.004), decimals_supported(0.15), decimals_supported(0.0)
    (0, 1, 0, 2)
    """
    points = max(float(uncertainty) * 100, 10.0**-MAX_DECIMALS)
    return min(MAX_DECIMALS, max(0, -int(np.floor(np.log10(points)))))

"""The simulated users: each one's monthly use and value of a generation, with their checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

STRATEGIES = ("credits", "tiered_subscription", "freemium", "enterprise_license", "usage_based_api")


@dataclass(frozen=True)
class Population:
    """Simulated demand: ``demand[user, month]`` generations wanted, ``value[user]`` USD per generation."""

    demand: FloatArray
    typical_demand: FloatArray
    value_per_generation_usd: FloatArray
    seed: int

    @property
    def n_users(self) -> int:
        return int(self.demand.shape[0])

    @property
    def n_months(self) -> int:
        return int(self.demand.shape[1])


def check_positive(name: str, value: float, allow_zero: bool = False) -> None:
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        allowed = "a number >= 0" if allow_zero else "a number > 0"
        raise ValueError(f"{name} = {value!r} is not allowed: must be {allowed}")


def check_share(name: str, value: float) -> None:
    if not np.isfinite(value) or not 0 <= value <= 1:
        raise ValueError(f"{name} = {value!r} is not allowed: must be a share between 0 and 1")


def check_increasing(name: str, values: Sequence[float]) -> None:
    if len(values) == 0:
        raise ValueError(f"{name} is empty: give at least one tier")
    for v in values:
        check_positive(f"{name} element", float(v))
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise ValueError(f"{name} = {list(values)!r} is not allowed: must increase strictly from tier to tier")


def simulate_population(
    n_users: int,
    n_months: int,
    median_generations_per_month: float,
    usage_spread: float,
    monthly_shock_spread: float,
    market_shock_spread: float,
    median_value_per_generation_usd: float,
    value_spread: float,
    seed: int,
) -> Population:
    """Draw a population's demand and willingness to pay.

    Parameters
    ----------
    n_users, n_months
        Size of the simulation (at least 1 each).
    median_generations_per_month
        Median of users' typical monthly demand.
    usage_spread
        Log-normal sigma of typical demand across users (heavier tail when larger).
    monthly_shock_spread, market_shock_spread
        Log-normal sigmas of the individual and the market-wide monthly shocks (mean 1).
    median_value_per_generation_usd, value_spread
        Median and log-normal sigma of what a generation is worth to a user.
    seed
        Seed of ``numpy.random.default_rng``.

    Examples
    --------
    >>> p = simulate_population(1000, 12, 30, 1.0, 0.3, 0.1, 1.5, 0.5, seed=1)
    >>> p.demand.shape
    (1000, 12)
    """
    if not isinstance(n_users, int | np.integer) or n_users < 1:
        raise ValueError(f"n_users = {n_users!r} is not allowed: must be a whole number >= 1")
    if not isinstance(n_months, int | np.integer) or n_months < 1:
        raise ValueError(f"n_months = {n_months!r} is not allowed: must be a whole number >= 1")
    check_positive("median_generations_per_month", median_generations_per_month)
    check_positive("median_value_per_generation_usd", median_value_per_generation_usd)
    for name, spread in (
        ("usage_spread", usage_spread),
        ("monthly_shock_spread", monthly_shock_spread),
        ("market_shock_spread", market_shock_spread),
        ("value_spread", value_spread),
    ):
        check_positive(name, spread, allow_zero=True)
    rng = np.random.default_rng(seed)
    typical = median_generations_per_month * np.exp(usage_spread * rng.standard_normal(n_users))
    # Shocks are log-normal with mean 1 (mu = -sigma^2 / 2), so they do not shift average demand.
    individual = np.exp(monthly_shock_spread * rng.standard_normal((n_users, n_months)) - monthly_shock_spread**2 / 2)
    market = np.exp(market_shock_spread * rng.standard_normal(n_months) - market_shock_spread**2 / 2)
    value = median_value_per_generation_usd * np.exp(value_spread * rng.standard_normal(n_users))
    demand = typical[:, None] * individual * market[None, :]
    return Population(demand=demand, typical_demand=typical, value_per_generation_usd=value, seed=seed)

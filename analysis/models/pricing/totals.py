"""Each strategy's total revenue and cost at any settings, to the bit, without pricing every user-month again.

:func:`~analysis.models.pricing.strategies.summarise` sums a strategy's (user, month) arrays by user and then over
users. Gross margins need only those two totals, and most of their work can be shared between settings:

* credits and the API: a buyer's revenue over the months depends on the usage price only, their cost on the cost
  per generation only, and a non-buyer's are zero. Each user's sum over the months of ``demand * price`` (and of
  ``demand * cost``) is computed once per price, and a setting's total is then a sum over users of a mask;
* flat strategies (tiers, freemium, enterprise): revenue does not move with the cost per generation, and the cost is
  ``served * cost`` with ``served`` independent of it, so one pricing at a cost of 1 (where the cost *is* the
  served generations, exactly) gives every cost's totals.

The per-user sums are the very sums ``summarise`` takes (the same products summed over the same months), and the
users' sums are summed over users in the same order, so every total equals the reference's bit for bit (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from functools import partial

import numpy as np
import numpy.typing as npt
import pandas as pd

from analysis.models.pricing.population import STRATEGIES, FloatArray, Population, check_positive
from analysis.models.pricing.settings import PricingSettings, strategy_calls
from analysis.models.pricing.strategies import (
    StrategyResult,
    check_api_terms,
    summarise_totals,
    volume_price_per_generation,
)

USAGE_PRICED = ("credits", "usage_based_api")


class StrategyTotals:
    """Total revenue and cost (USD over every user-month) of the five strategies on one population, at any settings.

    Holds the per-user sums it has computed, so the many settings of a grid or of deflation cases share them; the
    population must not change while it is in use.

    Examples
    --------
    >>> from analysis.models.pricing import PricingSettings, simulate_population
    >>> population = simulate_population(200, 6, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=1)
    >>> settings = PricingSettings(0.4, 1.0, (20.0, 60.0), (25.0, 75.0), 5.0, 20.0, 75.0, 0.035, 1e6, 500, 3.0,
    ...                            12.0, 0.7, (100.0,), (0.1,))
    >>> revenue, cost = StrategyTotals(population).totals(settings)["credits"]
    >>> round(1 - cost / revenue, 10)  # credits at $1 with $0.40 of cost: 60% whatever the use
    0.6
    """

    def __init__(self, population: Population) -> None:
        self.population = population
        self._sums: dict[Hashable, FloatArray] = {}  # each user's sum over the months, by what was summed
        self._buyers: dict[float, npt.NDArray[np.bool_]] = {}  # who buys at a usage price
        self._flat: dict[Hashable, tuple[float, FloatArray]] = {}  # a flat plan's revenue and served generations

    @classmethod
    def of(cls, population: Population, totals: StrategyTotals | None = None) -> StrategyTotals:
        """``totals`` if the caller passes one of ``population`` (to share its sums), else a new one; a
        :class:`StrategyTotals` of another population is refused."""
        if totals is None:
            return cls(population)
        if totals.population is not population:
            raise ValueError("totals is of another population: pass StrategyTotals(population)")
        return totals

    def _by_user(self, key: Hashable, per_user_month: Callable[[], FloatArray]) -> FloatArray:
        """Each user's sum over the months of ``per_user_month()``, summed as ``summarise`` sums it, once per key."""
        if key not in self._sums:
            self._sums[key] = per_user_month().sum(axis=1)
        return self._sums[key]

    def _buys(self, price_usd: float) -> npt.NDArray[np.bool_]:
        if price_usd not in self._buyers:
            self._buyers[price_usd] = self.population.value_per_generation_usd >= price_usd
        return self._buyers[price_usd]

    def _usage_priced(self, key: Hashable, price_usd: float, revenue: Callable[[], FloatArray], cost_usd: float
                      ) -> tuple[float, float]:  # fmt: skip
        """Totals of a usage price: buyers' sums of revenue and of ``demand * cost``; zero for everyone else."""
        demand, buys = self.population.demand, self._buys(price_usd)
        revenue_by_user = self._by_user(key, revenue)
        cost_by_user = self._by_user(("cost", cost_usd), lambda: demand * cost_usd)
        return float(np.where(buys, revenue_by_user, 0.0).sum()), float(np.where(buys, cost_by_user, 0.0).sum())

    def _flat_priced(self, key: Hashable, price_at_unit_cost: Callable[[], tuple[FloatArray, FloatArray]],
                     cost_usd: float) -> tuple[float, float]:  # fmt: skip
        """Totals of a flat plan: its revenue, and the served generations' sums at ``cost_usd``."""
        if key not in self._flat:
            revenue, served = price_at_unit_cost()
            self._flat[key] = (float(revenue.sum(axis=1).sum()), served)
        revenue_usd, served = self._flat[key]
        return revenue_usd, float(self._by_user((key, cost_usd), lambda: served * cost_usd).sum())

    def record(self, settings: PricingSettings, results: Sequence[StrategyResult]) -> None:
        """Keep the flat plans' revenue and served generations from ``run_all_strategies(population, settings)``
        already computed, so that totals at other costs per generation need no pricing at all."""
        calls = strategy_calls(self.population, replace(settings, cost_per_generation_usd=1.0))
        if [key[0] for key, _ in calls] != [r.strategy for r in results]:
            raise ValueError(f"results are of strategies {[r.strategy for r in results]!r}: pass run_all_strategies' "
                             "results, in its order")  # fmt: skip
        for (key, _), result in zip(calls, results, strict=True):
            if key[0] not in USAGE_PRICED and key not in self._flat:
                if result.served is None or result.served.shape != self.population.demand.shape:
                    raise ValueError(f"the {result.strategy} result has no served generations of this population")
                self._flat[key] = (float(result.revenue_usd.sum(axis=1).sum()), result.served)

    def totals(self, settings: PricingSettings) -> dict[str, tuple[float, float]]:
        """Each strategy's ``(revenue, cost)`` in USD over every user-month, as ``summarise`` totals its pricing.

        Settings are checked as the pricing functions check them, with the same messages.
        """
        s, demand = settings, self.population.demand
        cost = s.cost_per_generation_usd
        check_positive("price_per_generation_usd", s.credit_price_per_generation_usd)
        check_positive("cost_per_generation_usd", cost, allow_zero=True)
        check_api_terms(s.api_list_price_usd, s.api_volume_thresholds, s.api_volume_discounts)
        credit_price, api_price = s.credit_price_per_generation_usd, s.api_list_price_usd
        thresholds, discounts = s.api_volume_thresholds, s.api_volume_discounts
        out = {
            "credits": self._usage_priced(("credits", credit_price), credit_price,
                                          lambda: demand * credit_price, cost),
            "usage_based_api": self._usage_priced(
                ("usage_based_api", api_price, thresholds, discounts), api_price,
                lambda: demand * volume_price_per_generation(demand, api_price, thresholds, discounts), cost),
        }  # fmt: skip
        # A cost of 1 makes each flat plan's cost array its served generations (x * 1.0 == x); its key names the rest.
        for key, call in strategy_calls(self.population, replace(s, cost_per_generation_usd=1.0)):
            if key[0] not in USAGE_PRICED:
                out[str(key[0])] = self._flat_priced(key, partial(_revenue_and_served, call), cost)
        return {strategy: out[strategy] for strategy in STRATEGIES}

    def summaries(self, settings: PricingSettings) -> pd.DataFrame:
        """:func:`~analysis.models.pricing.compare_strategies`' revenue, cost, profit and margin columns at
        ``settings``, one row per strategy in :data:`STRATEGIES` order (the order of ``run_all_strategies``)."""
        n_user_months = int(self.population.demand.size)
        rows = [{"strategy": strategy, **summarise_totals(revenue, cost, n_user_months)}
                for strategy, (revenue, cost) in self.totals(settings).items()]  # fmt: skip
        return pd.DataFrame(rows)


def _revenue_and_served(price_at_unit_cost: Callable[[], StrategyResult]) -> tuple[FloatArray, FloatArray]:
    """A flat plan priced at a cost of 1: its revenue, and its cost array, which is then its served generations."""
    result = price_at_unit_cost()
    return result.revenue_usd, result.cost_usd

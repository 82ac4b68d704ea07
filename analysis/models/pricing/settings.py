"""The chapter's settings of the five strategies, and each strategy priced under them on one population."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from analysis.models.pricing.population import (
    Population,
    simulate_population,
)
from analysis.models.pricing.strategies import (
    StrategyResult,
    price_credits,
    price_enterprise_license,
    price_freemium,
    price_tiered_subscription,
    price_usage_based_api,
)


@dataclass(frozen=True)
class PricingSettings:
    """Every strategy's prices and limits, and the cost per generation they share."""

    cost_per_generation_usd: float
    credit_price_per_generation_usd: float
    tier_prices_usd: tuple[float, ...]
    tier_caps: tuple[float, ...]
    free_cap: float
    freemium_paid_price_usd: float
    freemium_paid_cap: float
    freemium_conversion_rate: float
    enterprise_contract_usd_per_year: float
    enterprise_users_per_account: int
    enterprise_sales_cycle_months_low: float
    enterprise_sales_cycle_months_high: float
    api_list_price_usd: float
    api_volume_thresholds: tuple[float, ...]
    api_volume_discounts: tuple[float, ...]

    def scaled(self, usage_price_factor: float, cost_factor: float) -> PricingSettings:
        """Settings after usage-based prices are multiplied by one factor and serving cost by another.

        Flat prices (tiers, the freemium plan, contracts) are held: they are the strategies'
        list prices, which the sources show unchanged (ChatGPT Plus at $20 a month).
        """
        from dataclasses import replace

        return replace(
            self,
            cost_per_generation_usd=self.cost_per_generation_usd * cost_factor,
            credit_price_per_generation_usd=self.credit_price_per_generation_usd * usage_price_factor,
            api_list_price_usd=self.api_list_price_usd * usage_price_factor,
        )


def settings_from_params(params: Mapping[str, Any]) -> PricingSettings:
    """The chapter's validated parameters (``analysis.parameters``) as :class:`PricingSettings`."""
    return PricingSettings(
        cost_per_generation_usd=params["cost_per_generation_usd"],
        credit_price_per_generation_usd=params["credit_price_per_generation_usd"],
        tier_prices_usd=tuple(params["tier_prices_usd"]),
        tier_caps=tuple(params["tier_caps"]),
        free_cap=params["free_cap"],
        freemium_paid_price_usd=params["freemium_paid_price_usd"],
        freemium_paid_cap=params["freemium_paid_cap"],
        freemium_conversion_rate=params["conversion_rate"],
        enterprise_contract_usd_per_year=params["enterprise_contract_usd_per_year"],
        enterprise_users_per_account=params["enterprise_users_per_account"],
        enterprise_sales_cycle_months_low=params["enterprise_sales_cycle_months_low"],
        enterprise_sales_cycle_months_high=params["enterprise_sales_cycle_months_high"],
        api_list_price_usd=params["api_list_price_usd"],
        api_volume_thresholds=tuple(params["api_volume_thresholds"]),
        api_volume_discounts=tuple(params["api_volume_discounts"]),
    )


def simulate_from_params(params: Mapping[str, Any], seed: int, n_users: int) -> Population:
    """:func:`simulate_population` with the chapter's demand parameters, a given seed and size."""
    return simulate_population(
        n_users, params["n_months"], params["median_generations_per_month"], params["usage_spread"],
        params["monthly_shock_spread"], params["market_shock_spread"], params["median_value_per_generation_usd"],
        params["value_spread"], seed,
    )  # fmt: skip


def strategy_calls(
    population: Population, settings: PricingSettings
) -> list[tuple[tuple[object, ...], Callable[[], StrategyResult]]]:
    """Each of the five strategies' pricing of the population as a call, with a key of the settings it reads.

    On the same population, two settings that give a strategy equal keys give it the same result, so a
    caller pricing many settings (the deflation explorer's grid) can price each distinct one once.
    """
    s = settings
    return [
        (
            ("credits", s.credit_price_per_generation_usd, s.cost_per_generation_usd),
            lambda: price_credits(population, s.credit_price_per_generation_usd, s.cost_per_generation_usd),
        ),
        (
            ("tiered_subscription", s.tier_prices_usd, s.tier_caps, s.cost_per_generation_usd),
            lambda: price_tiered_subscription(population, s.tier_prices_usd, s.tier_caps, s.cost_per_generation_usd),
        ),
        (
            (
                "freemium",
                s.free_cap,
                s.freemium_paid_price_usd,
                s.freemium_paid_cap,
                s.freemium_conversion_rate,
                s.cost_per_generation_usd,
            ),
            lambda: price_freemium(
                population,
                s.free_cap,
                s.freemium_paid_price_usd,
                s.freemium_paid_cap,
                s.freemium_conversion_rate,
                s.cost_per_generation_usd,
                population.seed,
            ),
        ),  # fmt: skip
        (
            (
                "enterprise_license",
                s.enterprise_contract_usd_per_year,
                s.enterprise_users_per_account,
                s.enterprise_sales_cycle_months_low,
                s.enterprise_sales_cycle_months_high,
                s.cost_per_generation_usd,
            ),
            lambda: price_enterprise_license(
                population,
                s.enterprise_contract_usd_per_year,
                s.enterprise_users_per_account,
                s.enterprise_sales_cycle_months_low,
                s.enterprise_sales_cycle_months_high,
                s.cost_per_generation_usd,
                population.seed,
            ),
        ),  # fmt: skip
        (
            (
                "usage_based_api",
                s.api_list_price_usd,
                s.api_volume_thresholds,
                s.api_volume_discounts,
                s.cost_per_generation_usd,
            ),
            lambda: price_usage_based_api(
                population,
                s.api_list_price_usd,
                s.api_volume_thresholds,
                s.api_volume_discounts,
                s.cost_per_generation_usd,
            ),
        ),  # fmt: skip
    ]


def run_all_strategies(population: Population, settings: PricingSettings) -> list[StrategyResult]:
    """Price the population under all five strategies."""
    return [call() for _, call in strategy_calls(population, settings)]

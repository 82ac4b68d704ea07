"""Pricing strategies simulated on a population of users.

A population of ``n_users`` has heavy-tailed monthly demand for generations: each user's
typical demand is log-normal (median and spread are parameters); each month it is scaled by
an individual shock and by a market-wide shock common to all users (both log-normal with
mean 1), so usage-priced revenue moves with the market while subscriptions do not. Each user
also values a generation at a log-normal amount, which decides whether and what they buy.

Five strategies are priced on the same simulated demand:

* **credits** (pay per use): a user buys if a generation is worth at least its price;
* **tiered subscription**: a user picks the tier with the largest surplus
  ``value * min(demand, cap) - price`` (or none if every surplus is negative); use above the
  cap is not served;
* **freemium**: a share of users (the conversion rate) pays for the paid plan, the rest use
  a free tier up to its cap, at the company's cost;
* **enterprise licence**: users come in accounts of a fixed size; each account signs a flat
  contract once its sales cycle (uniform within the reported range) has run;
* **usage-based API**: pay per generation with volume discounts on the month's usage.

All computation is vectorised with numpy over the (user, month) matrix; the same seed gives
the same numbers to the last digit.
"""

# The package's API, one module per part: import from here.
from analysis.models.pricing.deflation import (
    DeflationCase,
    decline_from_total_fall,
    deflation_cases,
    deflation_explorer_grid,
    implied_annual_decline,
    project_deflation,
    project_deflation_cases,
)
from analysis.models.pricing.freemium_and_caps import (
    CAP_MULTIPLIERS,
    breakeven_axes,
    freemium_breakeven_conversion,
    freemium_breakeven_grid,
    sweep_tier_caps,
)
from analysis.models.pricing.headline import (
    HEADLINE_FIGURES,
    compute_headline_figures,
    headline_from_parts,
    seed_spread,
    structural_alternatives,
    uncertainty_budget,
)
from analysis.models.pricing.population import (
    STRATEGIES,
    Population,
    check_increasing,
    check_positive,
    check_share,
    simulate_population,
)
from analysis.models.pricing.ranking import (
    CRITERIA,
    TIE_TOLERANCE,
    modelling_choices,
    question_figures,
    rank_strategies,
    rank_with_tolerance,
    tied_best,
)
from analysis.models.pricing.settings import (
    PricingSettings,
    run_all_strategies,
    settings_from_params,
    simulate_from_params,
)
from analysis.models.pricing.strategies import (
    StrategyResult,
    at_cost,
    choose_tiers,
    compare_strategies,
    price_credits,
    price_enterprise_license,
    price_freemium,
    price_tiered_subscription,
    price_usage_based_api,
    summarise,
    volume_price_per_generation,
)
from analysis.models.pricing.totals import StrategyTotals

__all__ = [
    "at_cost",
    "CAP_MULTIPLIERS",
    "CRITERIA",
    "DeflationCase",
    "HEADLINE_FIGURES",
    "Population",
    "PricingSettings",
    "STRATEGIES",
    "StrategyResult",
    "StrategyTotals",
    "TIE_TOLERANCE",
    "breakeven_axes",
    "check_increasing",
    "check_positive",
    "check_share",
    "choose_tiers",
    "compare_strategies",
    "compute_headline_figures",
    "decline_from_total_fall",
    "deflation_cases",
    "deflation_explorer_grid",
    "freemium_breakeven_conversion",
    "freemium_breakeven_grid",
    "headline_from_parts",
    "implied_annual_decline",
    "modelling_choices",
    "price_credits",
    "price_enterprise_license",
    "price_freemium",
    "price_tiered_subscription",
    "price_usage_based_api",
    "project_deflation",
    "project_deflation_cases",
    "question_figures",
    "rank_strategies",
    "rank_with_tolerance",
    "run_all_strategies",
    "seed_spread",
    "settings_from_params",
    "simulate_from_params",
    "simulate_population",
    "structural_alternatives",
    "summarise",
    "sweep_tier_caps",
    "tied_best",
    "uncertainty_budget",
    "volume_price_per_generation",
]

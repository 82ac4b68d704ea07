"""Pricing simulation: the article's numbers, hand-checked cases, invariants, determinism, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from analysis import pricing as pr
from analysis.parameters import PRICING, ParameterError, validate_parameters


def small_population(seed: int = 3, n_users: int = 2000, n_months: int = 12) -> pr.Population:
    return pr.simulate_population(n_users, n_months, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=seed)


def default_settings() -> pr.PricingSettings:
    d = PRICING.defaults
    return pr.PricingSettings(
        cost_per_generation_usd=d["cost_per_generation_usd"],
        credit_price_per_generation_usd=d["credit_price_per_generation_usd"],
        tier_prices_usd=tuple(d["tier_prices_usd"]),
        tier_caps=tuple(d["tier_caps"]),
        free_cap=d["free_cap"],
        freemium_paid_price_usd=d["freemium_paid_price_usd"],
        freemium_paid_cap=d["freemium_paid_cap"],
        freemium_conversion_rate=d["conversion_rate"],
        enterprise_contract_usd_per_year=d["enterprise_contract_usd_per_year"],
        enterprise_users_per_account=d["enterprise_users_per_account"],
        enterprise_sales_cycle_months_low=d["enterprise_sales_cycle_months_low"],
        enterprise_sales_cycle_months_high=d["enterprise_sales_cycle_months_high"],
        api_list_price_usd=d["api_list_price_usd"],
        api_volume_thresholds=tuple(d["api_volume_thresholds"]),
        api_volume_discounts=tuple(d["api_volume_discounts"]),
    )


def test_credits_reproduce_the_article_60_percent_margin(dataset):
    """$1.00 a generation at $0.40 of cost is a 60% margin whatever the usage."""
    result = pr.price_credits(small_population(), 1.00, 0.40)
    assert pr.summarise(result)["gross_margin"] == pytest.approx(dataset.fact("credit_example_gross_margin")["value"])


def test_implied_annual_declines_from_the_article(dataset):
    """$0.04 (2023) -> $0.004 (2026): 1 - 0.1**(1/3) = 53.59%/yr; 80% fall in 3 years: 1 - 0.2**(1/3) = 41.52%/yr."""
    start = dataset.fact("generation_price_2023_usd")["value"]
    end = dataset.fact("generation_price_2026_usd")["value"]
    assert pr.implied_annual_decline(start, end, 3) == pytest.approx(0.535841, abs=1e-6)
    fall = dataset.fact("api_price_decline_since_2023")
    assert pr.decline_from_total_fall(fall["low"], 3) == pytest.approx(0.415196, abs=1e-6)
    assert pr.decline_from_total_fall(fall["high"], 3) == pytest.approx(pr.implied_annual_decline(start, end, 3))


def test_freemium_breakeven_by_hand():
    """Free use 5 x $0.40 = $2; paid $20 - 25 x $0.40 = $10; x = 2 / 12."""
    assert pr.freemium_breakeven_conversion(5, 0.40, 20, 25) == pytest.approx(1 / 6)
    assert pr.freemium_breakeven_conversion(0, 0.40, 20, 25) == 0.0
    assert pr.freemium_breakeven_conversion(5, 1.0, 20, 25) == float("inf")


def test_freemium_at_breakeven_conversion_makes_zero_profit():
    """Simulated profit changes sign around the break-even conversion computed from the same population."""
    population = small_population(n_users=20000)
    grid = pr.freemium_breakeven_grid(population, [5.0], [0.40], 20.0, 75.0)
    x = float(grid["breakeven_conversion"].iloc[0])
    below = pr.summarise(pr.price_freemium(population, 5, 20, 75, x * 0.8, 0.40, seed=1))
    above = pr.summarise(pr.price_freemium(population, 5, 20, 75, x * 1.2, 0.40, seed=1))
    assert below["gross_profit_per_user_month_usd"] < 0 < above["gross_profit_per_user_month_usd"]


def test_tier_choice_and_caps_by_hand():
    """Demand 50 at $1 each: tier ($10, 20) leaves 10, tier ($30, 60) leaves 20 -> tier 2, never capped."""
    population = pr.Population(
        demand=np.full((1, 3), 50.0), typical_demand=np.array([50.0]), value_per_generation_usd=np.array([1.0]), seed=0
    )
    result = pr.price_tiered_subscription(population, [10, 30], [20, 60], 0.40)
    assert result.plan.tolist() == [1]
    assert_array_equal(result.revenue_usd, [[30.0, 30.0, 30.0]])
    assert_array_equal(result.cost_usd, [[20.0, 20.0, 20.0]])
    assert not result.capped.any()


def test_enterprise_pays_only_after_the_sales_cycle():
    """A 6-month cycle: nothing in months 0-5, then $1.2M / 12 / 100 users = $1,000 per user-month."""
    population = small_population(n_users=100, n_months=12)
    result = pr.price_enterprise_license(population, 1_200_000, 100, 6, 6, 0.40, seed=1)
    assert (result.revenue_usd[:, :6] == 0).all()
    assert result.revenue_usd[:, 6:] == pytest.approx(1000.0)


def test_api_volume_discounts():
    assert pr.volume_price_per_generation(np.array([99.0, 100.0, 1000.0]), 0.7, [100, 1000], [0.1, 0.25]) == (
        pytest.approx([0.7, 0.63, 0.525])
    )


def test_same_seed_same_numbers_to_the_last_digit():
    a = pr.compare_strategies(pr.run_all_strategies(small_population(seed=9), default_settings()))
    b = pr.compare_strategies(pr.run_all_strategies(small_population(seed=9), default_settings()))
    c = pr.compare_strategies(pr.run_all_strategies(small_population(seed=10), default_settings()))
    assert a.equals(b)
    assert not a.equals(c)


def test_deflation_keeps_flat_prices_and_cuts_usage_prices():
    deflation = pr.project_deflation(small_population(), default_settings(), 3, 0.5, 0.4).set_index("strategy")
    assert deflation.at["tiered_subscription", "revenue_later"] == deflation.at["tiered_subscription", "revenue_now"]
    assert deflation.at["usage_based_api", "revenue_later"] < deflation.at["usage_based_api", "revenue_now"]
    # Serving costs fell: a flat price earns a higher margin.
    assert (
        deflation.at["tiered_subscription", "gross_margin_later"]
        > deflation.at["tiered_subscription", "gross_margin_now"]
    )


def test_cap_sweep_skips_orders_that_break_the_tiers():
    sweep = pr.sweep_tier_caps(small_population(), (20, 60, 200), (25, 75, 250), 0.40, [0.5, 1, 4])
    assert not ((sweep["tier"] == 1) & (sweep["cap_multiplier"] == 4)).any()  # 100 > 75 would break the order
    assert ((sweep["tier"] == 3) & (sweep["cap_multiplier"] == 4)).any()


pop_for_props = small_population(seed=11, n_users=500, n_months=6)


@settings(max_examples=40, deadline=None)
@given(price=st.floats(0.05, 5), cost=st.floats(0, 5))
def test_margin_never_above_one(price, cost):
    result = pr.price_usage_based_api(pop_for_props, price, [100], [0.1], cost)
    margin = pr.summarise(result)["gross_margin"]
    assert np.isnan(margin) or margin <= 1.0


@settings(max_examples=40, deadline=None)
@given(cap=st.floats(0.1, 1000), extra=st.floats(0, 1000))
def test_raising_a_cap_never_lowers_the_share_within_it(cap, extra):
    within = (pop_for_props.demand <= cap).mean()
    within_more = (pop_for_props.demand <= cap + extra).mean()
    assert within_more >= within
    one_tier = pr.price_tiered_subscription(pop_for_props, [10.0], [cap], 0.4)
    wider = pr.price_tiered_subscription(pop_for_props, [10.0], [cap + extra], 0.4)
    subscribed = one_tier.active & wider.active
    if subscribed.any():
        assert (~wider.capped[subscribed]).mean() >= (~one_tier.capped[subscribed]).mean() - 1e-12


@settings(max_examples=30, deadline=None)
@given(free_cap=st.floats(0, 50), extra=st.floats(0, 50), conversion=st.floats(0, 1))
def test_more_free_use_at_the_same_conversion_never_raises_profit(free_cap, extra, conversion):
    """A bigger free tier (more free use) at the same conversion never raises freemium profit."""
    base = pr.price_freemium(pop_for_props, free_cap, 20, 100, conversion, 0.4, seed=5)
    more = pr.price_freemium(pop_for_props, free_cap + extra, 20, 100, conversion, 0.4, seed=5)
    profit = pr.summarise(base)["gross_profit_per_user_month_usd"]
    assert pr.summarise(more)["gross_profit_per_user_month_usd"] <= profit + 1e-12


def test_more_free_users_at_the_same_paying_users_never_raise_profit():
    """Adding non-paying users to a fixed set of payers only adds compute cost."""
    population = small_population(n_users=1000)
    result = pr.price_freemium(population, 5, 20, 75, 0.05, 0.4, seed=1)
    paying = result.plan == 1
    profit_all = (result.revenue_usd - result.cost_usd).sum()
    free_dropped = (result.revenue_usd[paying] - result.cost_usd[paying]).sum()
    assert profit_all <= free_dropped


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p: pr.price_tiered_subscription(p, [20, 10], [5, 10], 0.4),
            "tier_prices_usd = [20, 10] is not allowed: must increase",
        ),
        (
            lambda p: pr.price_tiered_subscription(p, [10, 20], [10, 10], 0.4),
            "tier_caps = [10, 10] is not allowed: must increase",
        ),
        (
            lambda p: pr.price_freemium(p, 5, 20, 75, 1.5, 0.4, seed=1),
            "conversion_rate = 1.5 is not allowed: must be a share between 0 and 1",
        ),
        (
            lambda p: pr.price_credits(p, -1.0, 0.4),
            "price_per_generation_usd = -1.0 is not allowed: must be a number > 0",
        ),
        (
            lambda p: pr.price_credits(p, 1.0, -0.4),
            "cost_per_generation_usd = -0.4 is not allowed: must be a number >= 0",
        ),
    ],
)
def test_bad_strategy_input_is_rejected(call, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call(small_population(n_users=10, n_months=2))


def test_user_count_below_one_is_rejected_before_any_work():
    with pytest.raises(ValueError, match="n_users = 0 is not allowed: must be a whole number >= 1"):
        pr.simulate_population(0, 12, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=1)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "tier_caps",
            [75.0, 25.0, 250.0],
            "parameter 'tier_caps' = [75.0, 25.0, 250.0] is not allowed: must increase strictly",
        ),
        ("tier_prices_usd", [20.0, -60.0, 200.0], "parameter 'tier_prices_usd' = [20.0, -60.0, 200.0] is not allowed"),
        ("conversion_rate", 1.2, "parameter 'conversion_rate' = 1.2 is not allowed: must be a number >= 0 and <= 1"),
        ("n_users", 0, "parameter 'n_users' = 0 is not allowed: must be a whole number >= 1"),
        ("cost_per_generation_usd", -0.1, "parameter 'cost_per_generation_usd' = -0.1 is not allowed"),
    ],
)
def test_chapter_parameters_reject_bad_values(name, value, message):
    with pytest.raises(ParameterError) as info:
        validate_parameters("pricing", {**PRICING.defaults, name: value})
    assert message in str(info.value)


def test_tier_lists_must_match_in_length():
    with pytest.raises(ParameterError, match="must have the same number of tiers"):
        validate_parameters("pricing", {**PRICING.defaults, "tier_caps": [25.0, 75.0]})

"""StrategyTotals: every strategy's revenue and cost totals at other prices and costs, equal to pricing every
user-month and summarising, bit for bit; the projections that use it; bad input refused."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.models import pricing as pr
from analysis.parameters import PRICING

COLUMNS = ["strategy", "revenue_per_user_month_usd", "cost_per_user_month_usd", "gross_profit_per_user_month_usd",
           "gross_margin"]  # fmt: skip
POPULATION = pr.simulate_population(1_500, 24, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=17)
TOTALS = pr.StrategyTotals(POPULATION)  # shared on purpose: its sums must serve every setting below


def reference(population: pr.Population, settings_: pr.PricingSettings) -> pd.DataFrame:
    """What StrategyTotals replaces: every user-month priced, then summarised."""
    return pr.compare_strategies(pr.run_all_strategies(population, settings_))[COLUMNS]


@settings(max_examples=60, deadline=None)
@given(
    price_factor=st.floats(0.05, 3.0),
    cost_factor=st.one_of(st.just(0.0), st.floats(0.0, 3.0)),
    cap_factor=st.sampled_from([0.2, 1.0, 4.0]),
    thresholds=st.sampled_from([(100.0, 1000.0), (10.0,), (30.0, 31.0, 400.0)]),
)
def test_totals_equal_pricing_every_user_month_bit_for_bit(price_factor, cost_factor, cap_factor, thresholds):
    """Revenue, cost, profit per user-month and gross margin of all five strategies, at usage prices and a cost per
    generation scaled by any factor (a cost of 0 included), other caps and other volume tiers: exactly (rtol 0)
    compare_strategies(run_all_strategies(...)) on the same settings."""
    base = pr.settings_from_params(PRICING.defaults)
    discounts = tuple(0.1 * (k + 1) for k in range(len(thresholds)))
    changed = replace(base.scaled(price_factor, cost_factor), tier_caps=tuple(c * cap_factor for c in base.tier_caps),
                      freemium_paid_cap=75.0 * cap_factor, api_volume_thresholds=thresholds,
                      api_volume_discounts=discounts)  # fmt: skip
    pd.testing.assert_frame_equal(TOTALS.summaries(changed), reference(POPULATION, changed), check_exact=True)


def test_credits_totals_by_hand():
    """Two users wanting 10 and 20 generations a month for 2 months, worth $1 and $0.30 a generation: at $0.50
    only the first buys: revenue 2 x 10 x 0.5 = $10, cost 2 x 10 x 0.2 = $4 at $0.20; at $0.25 both buy:
    revenue 2 x 30 x 0.25 = $15."""
    population = pr.Population(demand=np.array([[10.0, 10.0], [20.0, 20.0]]), typical_demand=np.array([10.0, 20.0]),
                               value_per_generation_usd=np.array([1.0, 0.3]), seed=0)  # fmt: skip
    totals = pr.StrategyTotals(population)
    base = pr.settings_from_params(PRICING.defaults)
    assert totals.totals(replace(base, credit_price_per_generation_usd=0.5, cost_per_generation_usd=0.2))[
        "credits"
    ] == pytest.approx((10.0, 4.0), rel=1e-15)
    assert totals.totals(replace(base, credit_price_per_generation_usd=0.25))["credits"][0] == pytest.approx(15.0)


def test_projections_with_totals_are_the_reference_projections():
    """project_deflation's later columns are compare_strategies on the deflated settings (0.65^3 on usage prices,
    0.5^3 on the cost), exactly; structural_alternatives given the chapter's projected cases returns what it
    computes without them."""
    base = pr.settings_from_params(PRICING.defaults)
    projected = pr.project_deflation(POPULATION, base, 3, 0.35, 0.5, totals=TOTALS)
    later = reference(POPULATION, base.scaled(0.65**3, 0.5**3))
    for column, name in [("revenue_later", "revenue_per_user_month_usd"), ("gross_margin_later", "gross_margin"),
                         ("gross_profit_later", "gross_profit_per_user_month_usd")]:  # fmt: skip
        pd.testing.assert_series_equal(projected[column], later[name], check_names=False, check_exact=True)
    cases = pr.deflation_cases(0.35, 0.536, 0.3)
    table = pr.project_deflation_cases(POPULATION, base, 3, cases, totals=TOTALS)
    args = (POPULATION, base, cases, 3, 0.004, pr.CAP_MULTIPLIERS)
    assert pr.structural_alternatives(*args, projected=table, totals=TOTALS) == pr.structural_alternatives(*args)


def test_bad_totals_input_is_refused():
    """Totals of another population, API terms the pricing refuses, and a projected table without a case's rates
    are refused with a message naming the problem."""
    base = pr.settings_from_params(PRICING.defaults)
    other = pr.simulate_population(100, 24, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=1)
    with pytest.raises(ValueError, match="totals is of another population"):
        pr.project_deflation(other, base, 3, 0.35, 0.35, totals=TOTALS)
    with pytest.raises(ValueError, match="totals is of another population"):
        pr.deflation_explorer_grid(other, base, 3, [0.35], [0.35], totals=TOTALS)
    with pytest.raises(ValueError, match=r"api_volume_discounts element 1.5 is not allowed: must be between 0 and 1"):
        TOTALS.totals(replace(base, api_volume_discounts=(0.1, 1.5)))
    with pytest.raises(ValueError, match=r"price_per_generation_usd = 0.0 is not allowed: must be a number > 0"):
        TOTALS.totals(replace(base, credit_price_per_generation_usd=0.0))
    cases = pr.deflation_cases(0.35, 0.536, 0.35)
    central_only = pr.project_deflation_cases(POPULATION, base, 3, cases[:1], totals=TOTALS)
    with pytest.raises(ValueError, match="projected has no rows of case 'article_pace' at its rates"):
        pr.structural_alternatives(POPULATION, base, cases, 3, 0.004, pr.CAP_MULTIPLIERS, projected=central_only)


def test_recorded_results_give_the_same_totals_and_bad_results_are_refused():
    """Totals re-costed from recorded results (their served generations) at a cost of 0.4 x 0.65^3 equal pricing
    every user-month at that cost, exactly; a result's cost is its served generations times the cost per generation;
    results out of run_all_strategies' order are refused."""
    base = pr.settings_from_params(PRICING.defaults)
    results = pr.run_all_strategies(POPULATION, base)
    for result in results:
        assert result.served is not None
        assert (result.cost_usd == result.served * base.cost_per_generation_usd).all()
    totals = pr.StrategyTotals(POPULATION)
    totals.record(base, results)
    cheaper = base.scaled(1.0, 0.65**3)
    pd.testing.assert_frame_equal(totals.summaries(cheaper), reference(POPULATION, cheaper), check_exact=True)
    with pytest.raises(ValueError, match="pass run_all_strategies' results, in its order"):
        totals.record(base, results[::-1])


def test_headline_from_parts_reads_the_cells_and_refuses_a_grid_without_the_alternative_cost():
    """The credit margin read is the comparison's credits gross margin (60% at $1 and $0.40: 1 - 0.4 / 1); a
    break-even grid without the alternative cost's row is refused, naming the free cap and the cost."""
    base = pr.settings_from_params(PRICING.defaults)
    results = pr.run_all_strategies(POPULATION, base)
    comparison = pr.compare_strategies(results)
    grid = pr.freemium_breakeven_grid(POPULATION, [5.0], [0.4, 0.004], 20.0, 75.0)
    sweep = pr.sweep_tier_caps(POPULATION, base.tier_prices_usd, base.tier_caps, 0.4, pr.CAP_MULTIPLIERS, tiers=[1])
    later = pr.project_deflation(POPULATION, base, 3, 0.35, 0.35, comparison)
    figures = pr.headline_from_parts(results, comparison, grid, sweep, later, base, 0.004)
    assert figures["credit_margin"] == pytest.approx(0.6, rel=1e-12)
    assert figures["breakeven_alt_cost"] == grid.loc[1, "breakeven_conversion"]
    with pytest.raises(ValueError, match=r"breakeven_grid has no row for free_cap = 5.0 and cost = 0.004"):
        pr.headline_from_parts(results, comparison, grid.iloc[:1], sweep, later, base, 0.004)


@settings(max_examples=30, deadline=None)
@given(cost=st.one_of(st.just(0.0), st.floats(0.0, 5.0)))
def test_a_result_at_another_cost_is_the_pricing_at_that_cost_bit_for_bit(cost):
    """at_cost re-costs a pricing (the chapter's structural alternative at the article's 2026 price) instead of
    pricing every user-month again: the same arrays, counts and freemium free-user cost, to the bit."""
    base = pr.settings_from_params(PRICING.defaults)
    priced = pr.run_all_strategies(POPULATION, replace(base, cost_per_generation_usd=cost))
    recosted = [pr.at_cost(r, cost) for r in pr.run_all_strategies(POPULATION, base)]
    for want, got in zip(priced, recosted, strict=True):
        assert got.strategy == want.strategy
        assert np.array_equal(got.cost_usd, want.cost_usd) and np.array_equal(got.revenue_usd, want.revenue_usd)
        assert got.free_cost_usd == want.free_cost_usd
    assert pr.compare_strategies(recosted).equals(pr.compare_strategies(priced))


def test_a_result_without_served_generations_cannot_be_recosted():
    result = pr.price_credits(POPULATION, 1.0, 0.4)
    with pytest.raises(ValueError, match="the credits result has no served generations: price it again"):
        pr.at_cost(replace(result, served=None), 0.1)
    with pytest.raises(ValueError, match="cost_per_generation_usd"):
        pr.at_cost(result, -0.1)

"""Pricing simulation: the article's numbers, hand-checked cases, invariants, determinism, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from analysis import formats
from analysis.models import pricing as pr
from analysis.parameters import PRICING, ParameterError, validate_parameters
from analysis.present import common, explorers
from analysis.present import pricing as present


def small_population(seed: int = 3, n_users: int = 2000, n_months: int = 12) -> pr.Population:
    return pr.simulate_population(n_users, n_months, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=seed)


def default_settings() -> pr.PricingSettings:
    return pr.settings_from_params(PRICING.defaults)


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
    """With one tier, a subscriber's month is capped exactly when its demand is above the cap, and a higher cap
    never caps a larger share of the months of those who subscribe either way."""
    one_tier = pr.price_tiered_subscription(pop_for_props, [10.0], [cap], 0.4)
    wider = pr.price_tiered_subscription(pop_for_props, [10.0], [cap + extra], 0.4)
    subscribed = one_tier.active & wider.active
    assert_array_equal(one_tier.capped, (pop_for_props.demand > cap) & one_tier.active[:, None])
    if subscribed.any():
        assert (~wider.capped[subscribed]).mean() >= (~one_tier.capped[subscribed]).mean() - 1e-12


@settings(max_examples=30, deadline=None)
@given(free_cap=st.floats(0, 50), extra=st.floats(0, 49.9), conversion=st.floats(0, 1))
def test_more_free_use_at_the_same_conversion_never_raises_profit(free_cap, extra, conversion):
    """A bigger free tier (more free use) at the same conversion never raises freemium profit.

    The free cap stays below the paid plan's cap of 100 (50 + 49.9), which ``price_freemium`` requires."""
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


# --- issue 10: cost basis, one deflation assumption, honest precision, prose chosen by numbers -------------


def default_population(n_users: int = 100_000, seed: int = 2026) -> pr.Population:
    return pr.simulate_from_params(PRICING.defaults, seed, n_users)


def figure_args(dataset, cost_decline: float = 0.35) -> dict:
    start = dataset.fact("generation_price_2023_usd")["value"]
    end = dataset.fact("generation_price_2026_usd")["value"]
    central = float(dataset.fact("lab_api_price_decline_per_year")["value"])
    cases = pr.deflation_cases(central, pr.implied_annual_decline(start, end, 3), cost_decline)
    return {
        "settings": pr.settings_from_params(PRICING.defaults),
        "deflation": cases[0],
        "years": 3,
        "alt_cost_per_generation_usd": end,
        "cap_multipliers": np.geomspace(0.1, 4.0, 13),
    }


def test_cost_per_generation_is_an_assumption_not_the_reported_fact(dataset):
    """The $0.40 is the credit example's API fee (an aggregator's cost, provider margin included), used
    by every strategy as a cost: an assumption of ours, equal to the reported $0.40, with a rationale."""
    parameter = PRICING.parameter("cost_per_generation_usd")
    assert parameter.fact_ids == ("pricing_cost_per_generation_usd",)
    fact = dataset.fact("pricing_cost_per_generation_usd")
    assert fact["kind"] == "assumption" and "API fees" in fact["rationale"]
    assert fact["value"] == dataset.fact("credit_example_cost_usd")["value"] == parameter.default == 0.40


def test_freemium_breakeven_at_the_default_cost_and_at_the_article_2026_price(dataset):
    """Default population (100,000 users, seed 2026): free use F = mean(min(demand, 5)) = 4.83, paid use
    U = mean(min(demand, 75)) = 35.70. x = cF / (20 - cU + cF):
    at c = $0.40: 1.932 / (20 - 14.28 + 1.932) = 25.3%; at c = $0.004: 0.0193 / (20 - 0.143 + 0.0193) = 0.097%."""
    figures = pr.compute_headline_figures(default_population(), **figure_args(dataset))
    assert figures["breakeven_default"] == pytest.approx(0.2526, abs=5e-4)
    assert figures["breakeven_alt_cost"] == pytest.approx(0.00097, abs=2e-5)
    assert figure_args(dataset)["alt_cost_per_generation_usd"] == 0.004


def test_central_deflation_is_the_survival_chapter_rate_and_pass_through_keeps_60_percent(dataset):
    """Central usage-price decline = fact lab_api_price_decline_per_year (0.35), the serving-cost default =
    lab_serving_cost_decline_per_year. Credits' margin is 1 - c/p with c and p scaled by (1-d_c)^3 and (1-d_p)^3:
    pass-through (equal rates) 1 - 0.4/1 = 60%; article pace 53.59% with cost at 40%:
    1 - 0.4 * 0.6^3 / 0.4642^3 = 1 - 0.4 * 0.216 / 0.1 = 13.6% (the issue's 14%); with cost at 35%:
    1 - 0.4 * 0.65^3 / 0.1 = -9.9%."""
    serving = PRICING.parameter("serving_cost_decline_per_year")
    assert serving.fact_ids == ("lab_serving_cost_decline_per_year",)
    assert serving.default == dataset.fact("lab_serving_cost_decline_per_year")["value"]
    args = figure_args(dataset)
    assert args["deflation"].usage_price_decline_per_year == dataset.fact("lab_api_price_decline_per_year")["value"]
    population = small_population(n_users=5000)
    assert args["deflation"].usage_price_decline_per_year == 0.35
    for cost_decline, pace_margin in ((0.40, 0.136), (0.35, -0.0989)):
        cases = pr.deflation_cases(0.35, pr.implied_annual_decline(0.04, 0.004, 3), cost_decline)
        frame = pr.project_deflation_cases(population, default_settings(), 3, cases)
        credits = frame[frame["strategy"] == "credits"].set_index("case")["gross_margin_later"]
        assert credits["pass_through"] == pytest.approx(0.60, abs=1e-12)
        assert credits["article_pace"] == pytest.approx(pace_margin, abs=5e-4)


def test_deflation_sentence_names_pass_through_only_when_rates_are_equal():
    """Equal central rates read as the pass-through case with the margin staying at 60%; unequal ones
    say how the margin moves and add the pass-through case (60%) beside them."""
    population = small_population(n_users=2000)
    for cost_decline, expected in ((0.35, "stays at 60%"), (0.30, "falls from 60% to 50%")):
        cases = pr.deflation_cases(0.35, 0.5359, cost_decline)
        text = present.deflation_sentence(
            pr.project_deflation_cases(population, default_settings(), 3, cases), 3, "the pace"
        )
        assert expected in text
        assert ("the pass-through case" in text) == (cost_decline == 0.35)
        assert text.count("stays at 60%") == 1


def test_change_phrase_never_says_a_margin_moves_when_its_text_does_not():
    """'rises from 100% to 100%' (cost_per_generation_usd=1e-06) and 'rises from – to –' (a margin without revenue:
    credit_price_per_generation_usd=10000, tier_prices_usd=[1000000]) contradicted their numbers."""
    nan = float("nan")
    assert present.change_phrase(0.999996, 0.999999, formats.fmt_share) == "stays at 100%"
    assert present.change_phrase(nan, nan, formats.fmt_share) == "is undefined: there is no revenue"
    assert present.change_phrase(nan, 0.25, formats.fmt_share) == "goes from undefined (no revenue) to 25%"
    assert present.change_phrase(0.25, nan, formats.fmt_share) == "goes from 25% to undefined (no revenue)"
    assert present.change_phrase(0.6, 0.14, formats.fmt_share) == "falls from 60% to 14%"


def test_flat_plans_tie_on_predictability_within_a_tolerance():
    """On the default population the enterprise CV is 7.4e-13 (floating point), tiered and freemium exactly 0:
    all three rank first on revenue predictability and each is 'tied with 2 others'."""
    population = default_population()
    settings_ = default_settings()
    comparison = pr.compare_strategies(pr.run_all_strategies(population, settings_))
    cv = comparison.set_index("strategy")["revenue_cv"]
    assert 0 < cv["enterprise_license"] < 1e-11
    assert pr.rank_with_tolerance(cv, higher_is_better=False).tolist() == [5, 1, 1, 1, 4]
    assert pr.tied_best(cv, higher_is_better=False) == ["tiered_subscription", "freemium", "enterprise_license"]
    deflation = pr.project_deflation(population, settings_, 3, 0.35, 0.35)
    ranking = pr.rank_strategies(comparison, deflation).set_index("strategy")
    predictable = ranking[ranking["wins_on"] == "revenue predictability"]
    assert len(predictable) >= 2 and (predictable["wins_tied"] == 3).all()
    table = present.conclusions_table(ranking.reset_index(), {s: s for s in pr.STRATEGIES})
    assert not table["Wins on"].str.contains("tied with 1 other").any()


def test_steadiness_sentence_says_flat_plans_are_steady_by_construction():
    """The three flat plans tie at CV 0: named together, 'by construction'; credits swing most."""
    comparison = pr.compare_strategies(pr.run_all_strategies(small_population(n_users=2000), default_settings()))
    names = {s: s.replace("_", " ") for s in pr.STRATEGIES}
    text = present.steadiness_sentence(comparison, names, "13%")
    assert "under tiered subscription, freemium and enterprise license" in text
    assert "perfect by construction" in text and "swings most under credits" in text


def test_revenue_cv_spread_over_seeds_is_not_averaged_out_by_users():
    """The 24 market shocks are common to all users: over 20 seeds (2027-2046) the largest CV has a standard
    deviation of about 2.5 pp at 5,000 users and 1.8 pp at 100,000 (measured), far above the 0.5 pp the old
    rationale claimed; a credit margin (1 - 0.4/1) is the same on every seed."""
    per_seed = pr.seed_spread(
        lambda s: pr.simulate_from_params(PRICING.defaults, s, 5000), range(2027, 2047), **figure_args(dataset_())
    )
    assert len(per_seed) == 20
    assert per_seed["swingiest_cv"].std(ddof=1) == pytest.approx(0.0246, abs=1e-3)
    assert per_seed["swingiest_cv"].mean() == pytest.approx(0.142, abs=2e-3)
    assert per_seed["credit_margin"].std(ddof=1) < 1e-12
    assert "0.5 percentage points" not in dataset_().fact("pricing_users_simulated")["rationale"]


def dataset_():
    from analysis.data import load_dataset

    return load_dataset()


def test_precision_follows_the_spread_over_seeds():
    """A CV of 13.02% with a 2.7 pp spread is shown as 13%; a 0.0941% break-even with a 0.003 pp spread
    as 0.09%; a figure equal on every seed (60%) without false decimals."""
    assert common.fmt_share_supported(0.1302, 0.027) == "13%"
    assert common.fmt_share_supported(0.2526, 0.0075) == "25%"
    assert common.fmt_share_supported(0.000941, 0.00003) == "0.09%"
    assert common.fmt_share_supported(0.6, 1e-16) == "60%"
    assert common.fmt_spread(0.027, 20) == "± 3 pp over 20 seeds"


def test_uncertainty_budget_names_the_dominant_source(dataset):
    """Break-even: the cost choice moves it 25.3% -> 0.1% (25 pp) against about 2 x 0.6 pp from seeds;
    the CV does not depend on cost or deflation, so the seeds dominate; the credit margin after the decline:
    60% central (pass-through), -9.9% at the article's pace (70 pp), 99.6% at $0.004 (1 - 0.004/1, 40 pp)."""
    population = small_population(n_users=5000, n_months=24)
    args = figure_args(dataset)
    values = pr.compute_headline_figures(population, **args)
    per_seed = pr.seed_spread(lambda s: pr.simulate_from_params(PRICING.defaults, s, 5000), range(5), **args)
    cases = pr.deflation_cases(0.35, pr.implied_annual_decline(0.04, 0.004, 3), 0.35)
    alternatives = pr.structural_alternatives(population, args["settings"], cases, 3, 0.004, args["cap_multipliers"])
    budget = pr.uncertainty_budget(values, per_seed, alternatives).set_index("figure")
    assert budget.at["breakeven_default", "dominant"] == "cost"
    assert budget.at["breakeven_default", "swing_cost"] == pytest.approx(values["breakeven_default"] - 0.001, abs=5e-3)
    assert budget.at["swingiest_cv", "dominant"] == "seeds"
    assert budget.at["swingiest_cv", "swing_cost"] == 0 and budget.at["swingiest_cv", "swing_deflation"] == 0
    assert budget.at["credits_margin_later", "swing_deflation"] == pytest.approx(0.60 + 0.0989, abs=1e-3)
    assert budget.at["credits_margin_later", "swing_cost"] == pytest.approx(0.996 - 0.60, abs=1e-9)


def test_pricing_notebook_types_no_number_into_a_sentence():
    """Key-figure sentences took '$0.04 ... $0.004' and '2-5%' as typed text; they are now glued from facts."""
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[1] / "book" / "pricing.ipynb").read_text(encoding="utf-8"))
    code = [
        c for c in notebook["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
    ]
    source = "".join("".join(c["source"]) for c in code)
    for typed in ("$0.04 ", "$0.004", "2-5%", "53.6%"):
        assert typed not in source, typed
    markdown = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert "2-5%" not in markdown and "steadiest under the" not in markdown


@pytest.mark.parametrize("scenario", ["base", "capital_crunch", "optimistic", "pessimistic", "price_war"])
def test_every_number_dependent_sentence_matches_its_numbers_in_every_scenario(scenario, dataset):
    """Under each preset (small population), each sentence chosen by numbers says what the numbers say:
    pass-through only when the central rates are equal; the break-even's place against the 2-5% band; the
    steadiest strategies are exactly those tied at the lowest CV; the cost is called the credit example's only
    when it is."""
    from analysis.parameters import apply_parameter_overrides
    from analysis.reruns import scenarios

    params, _ = scenarios.resolve_parameters("pricing", scenario=scenario)
    data = apply_parameter_overrides(dataset, "pricing", params)
    population = pr.simulate_from_params(params, params["seed"], 3000)
    settings_ = pr.settings_from_params(params)
    central = float(data.fact("lab_api_price_decline_per_year")["value"])
    assert central == dataset.fact("lab_api_price_decline_per_year")["value"]  # no preset changes the book's rate
    cases = pr.deflation_cases(
        central, pr.implied_annual_decline(0.04, 0.004, 3), params["serving_cost_decline_per_year"]
    )
    frame = pr.project_deflation_cases(population, settings_, params["deflation_years"], cases)
    text = present.deflation_sentence(frame, params["deflation_years"], "the pace")
    equal = abs(central - params["serving_cost_decline_per_year"]) < 1e-12
    assert ("the pass-through case" in text) == equal
    credits = frame[(frame["strategy"] == "credits") & (frame["case"] == "central")].iloc[0]
    moved = credits["gross_margin_later"] - credits["gross_margin_now"]
    expected = "stays at" if abs(moved) < 1e-9 else ("falls from" if moved < 0 else "rises from")
    assert (
        text.split(": over")[1]
        .split(".")[0]
        .strip()
        .startswith(f"{params['deflation_years']} years credit pricing's margin {expected}")
    )

    conversion = data.fact("freemium_conversion_rate")
    band = (float(conversion["low"]), float(conversion["high"]))
    figures = pr.compute_headline_figures(population, settings_, cases[0], params["deflation_years"], 0.004, [0.5, 1.0])
    phrase = present.breakeven_phrase(figures["breakeven_default"], "x", band)
    assert present.band_position(figures["breakeven_default"], band) in phrase
    assert ("above" in phrase) == (figures["breakeven_default"] > band[1])

    comparison = pr.compare_strategies(pr.run_all_strategies(population, settings_))
    cv = comparison.set_index("strategy")["revenue_cv"]
    names = present.strategy_names(data)
    sentence = present.steadiness_sentence(comparison, names, "x")
    steady = sentence.split(";")[0]
    for strategy in pr.STRATEGIES:
        assert (names[strategy] in steady) == (abs(cv[strategy] - cv.min()) <= pr.TIE_TOLERANCE), strategy

    basis = present.cost_basis_sentence(params["cost_per_generation_usd"], 0.40, 1.0, 0.60)
    assert ("an assumption of ours" in basis) == (params["cost_per_generation_usd"] == 0.40)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: pr.deflation_cases(1.2, 0.5, 0.4), "central_price_decline = 1.2 is not allowed: must be a share"),
        (lambda: pr.deflation_cases(0.4, 0.5, -0.1), "cost_decline = -0.1 is not allowed: must be a share"),
        (lambda: pr.rank_with_tolerance(pd.Series([1.0]), True, abs_tol=-1.0), "abs_tol = -1.0 is not allowed"),
        (lambda: pr.seed_spread(lambda s: None, [1]), r"seeds = \[1\] is not allowed: need at least 2 distinct seeds"),
        (lambda: common.supported_share_decimals(-0.1), "sd = -0.1 is not allowed: must be a number >= 0"),
        (lambda: present.band_position(0.1, (0.05, 0.02)), r"band = \(0.05, 0.02\) is not allowed: need low <= high"),
        (lambda: formats.join_names([]), "join_names needs at least one name"),
        (
            lambda: pr.compute_headline_figures(
                small_population(n_users=10, n_months=2),
                default_settings(),
                pr.DeflationCase("c", 0.4, 0.4),
                3,
                -1.0,
                [1.0],
            ),
            "alt_cost_per_generation_usd = -1.0 is not allowed: must be a number >= 0",
        ),  # fmt: skip
    ],
)
def test_bad_uncertainty_and_wording_input_is_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_deflation_explorer_grid_at_the_chapter_rates_is_the_deflation_table():
    """Issue 12: the grid point at the chapter's rates (0.35, 0.35) equals project_deflation_cases' central case
    exactly (same function, same population). Credit margins are 1 - c/p: at usage prices -20% and cost -35% a
    year for 3 years, 1 - 0.40 x 0.65^3 / (1.00 x 0.8^3) = 1 - 0.10985 / 0.512 = 78.5%; at usage prices -50%,
    1 - 0.10985 / 0.125 = 12.12%. Twice the same call gives the same grid."""
    population, settings_ = small_population(n_users=3000), default_settings()
    rates = PRICING.parameter("usage_price_decline_per_year").explorer_values()
    assert rates == (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
    assert PRICING.parameter("serving_cost_decline_per_year").explorer_values() == rates
    grid = pr.deflation_explorer_grid(population, settings_, 3, rates, [0.35])
    assert len(grid) == 7 * 5
    cases = pr.deflation_cases(0.35, 0.5, 0.35)
    central = pr.project_deflation_cases(population, settings_, 3, cases).query("case == 'central'")
    at = grid[(grid["usage_price_decline_per_year"] == 0.35) & (grid["serving_cost_decline_per_year"] == 0.35)]
    assert_array_equal(at["gross_margin_later"].to_numpy(), central["gross_margin_later"].to_numpy())
    assert_array_equal(at["strategy"].to_numpy(), central["strategy"].to_numpy())
    credits = grid[grid["strategy"] == "credits"].set_index("usage_price_decline_per_year")["gross_margin_later"]
    assert credits[0.2] == pytest.approx(1 - 0.4 * 0.65**3 / 0.8**3)
    assert credits[0.5] == pytest.approx(1 - 0.4 * 0.65**3 / 0.5**3)
    assert credits[0.2] == pytest.approx(0.7855, abs=1e-4) and credits[0.5] == pytest.approx(0.1212, abs=1e-4)
    pd.testing.assert_frame_equal(grid, pr.deflation_explorer_grid(population, settings_, 3, rates, [0.35]))
    with pytest.raises(ValueError, match="usage_price_declines and cost_declines must each hold at least one"):
        pr.deflation_explorer_grid(population, settings_, 3, [], [0.35])


def test_usage_price_decline_is_a_parameter_from_the_books_central_rate(dataset):
    """Issue 12: the usage-price decline the chapter projects is declared once, its default the central fact
    lab_api_price_decline_per_year (0.35, range 0.2-0.5); a 100% decline (free usage) is refused."""
    parameter = PRICING.parameter("usage_price_decline_per_year")
    fact = dataset.fact("lab_api_price_decline_per_year")
    assert parameter.fact_ids == ("lab_api_price_decline_per_year",)
    assert parameter.default == fact["value"] == 0.35
    assert parameter.explorer_values()[0] == fact["low"] == 0.2 and parameter.explorer_values()[-1] == fact["high"]
    with pytest.raises(ParameterError, match=r"'usage_price_decline_per_year' = 1.0 is not allowed: .*< 1"):
        validate_parameters("pricing", {**PRICING.defaults, "usage_price_decline_per_year": 1.0})


def test_an_explorer_readout_takes_its_key_figures_decimals(dataset):
    """Issue 12: a share printed '25%' reads out with '.0%' and one printed '25.3%' with '.1%', so the readout at
    the default position is the key figure's text; a text no format gives, an unregistered key or a unit without
    a readout format is refused with a message naming the key; a margin that is not a number takes whole percent."""
    registry = dataset["key_figures"]
    assert explorers.readout_format(registry, "pr_breakeven_default", 0.25257, "25%") == ".0%"
    assert explorers.readout_format(registry, "pr_breakeven_default", 0.25257, "25.3%") == ".1%"
    assert explorers.readout_format(registry, "sv_p_cash", 0.50741, "50.74%") == ".2%"
    assert explorers.readout_format(registry, "pr_margin_later_freemium", float("nan"), "nan%") == ".0%"
    with pytest.raises(ValueError, match=r"'pr_breakeven_default' = 0.25257 is printed '26%'"):
        explorers.readout_format(registry, "pr_breakeven_default", 0.25257, "26%")
    with pytest.raises(ValueError, match=r"'pr_nothing' is not in the key-figure registry"):
        explorers.readout_format(registry, "pr_nothing", 0.2, "20%")
    with pytest.raises(ValueError, match=r"'sv_revenue_end' has unit 'usd_bn' .* allowed units: share"):
        explorers.readout_format(registry, "sv_revenue_end", 12.0, "$12bn")


@pytest.mark.parametrize("cost", [0.40, 0.004, 0.0])
def test_cap_sweep_is_every_point_priced_and_summarised_bit_for_bit(cost):
    """The sweep shares each user's totals at a cap between points; its figures are exactly those of pricing every
    user-month at every point with price_tiered_subscription and summarise (what it did before)."""
    population = pr.simulate_population(3_000, 24, 30.0, 1.2, 0.4, 0.15, 1.5, 0.8, 11)
    prices, caps, multipliers = (10.0, 20.0, 50.0), (25.0, 75.0, 250.0), np.geomspace(0.1, 4.0, 13)
    rows = []
    for tier in range(3):
        for multiplier in multipliers:
            trial = list(caps)
            trial[tier] = caps[tier] * multiplier
            if any(b <= a for a, b in zip(trial, trial[1:], strict=False)):
                continue
            result = pr.price_tiered_subscription(population, prices, trial, cost)
            metrics, subscribers = pr.summarise(result), result.plan >= 0
            rows.append({"tier": tier + 1, "cap_multiplier": float(multiplier), "cap": trial[tier],
                         "gross_profit_per_user_month_usd": metrics["gross_profit_per_user_month_usd"],
                         "share_subscribed": float(subscribers.mean()),
                         "share_upgraded": float((result.plan > 0).sum() / max(subscribers.sum(), 1)),
                         "share_capped": metrics["share_capped"]})  # fmt: skip
    sweep = pr.sweep_tier_caps(population, prices, caps, cost, multipliers)
    assert len(sweep) == len(rows) > 20
    pd.testing.assert_frame_equal(sweep, pd.DataFrame(rows), check_exact=True)


def test_choose_tiers_breaks_ties_towards_the_first_tier_as_argmax_does():
    """Equal surplus on two tiers: the first; NaN value: argmax's rule (a NaN surplus counts as the largest)."""
    typical, value = np.array([20.0, 50.0, 50.0]), np.array([1.0, 1.0, np.nan])
    # user 0: 20 - 10 = 10 against 20 - 20 = 0 -> tier 0; user 1: 20 - 10 = 10 and 30 - 20 = 10, a tie -> tier 0
    assert pr.choose_tiers(typical, value, [10.0, 20.0], [20.0, 30.0]).tolist() == [0, 0, -1]
    # a cheaper second tier: user 1 gains 30 - 15 = 15 > 10 and moves up; user 0 gains 5 < 10 and stays
    assert pr.choose_tiers(typical, value, [10.0, 15.0], [20.0, 30.0]).tolist() == [0, 1, -1]
    # a price above every surplus: nobody subscribes
    assert pr.choose_tiers(typical[:2], value[:2], [40.0], [30.0]).tolist() == [-1, -1]


def test_a_break_even_that_is_never_reached_is_printed_never(dataset):
    """At cost_per_generation_usd=0.5 with a $5 paid plan a paying user does not cover their own compute: the
    break-even is infinite, and its key figure (the run's comparison, the Questions page) and the explorer's
    'chapter' readout printed 'inf%'."""
    from analysis.parameters import apply_parameter_overrides
    from analysis.present.chapters.pricing import PricingChapter

    params = validate_parameters(
        "pricing",
        {
            **PRICING.defaults,
            "n_users": 2000,
            "spread_seeds": 2,
            "spread_n_users": 500,
            "cost_per_generation_usd": 0.5,
            "freemium_paid_price_usd": 5.0,
        },
    )
    chapter = PricingChapter(params, apply_parameter_overrides(dataset, "pricing", params))
    chapter.breakeven()
    figures = {f["id"]: f for f in chapter.figures}
    assert figures["pr_breakeven_default"]["value"] is None and figures["pr_breakeven_default"]["text"] == "never"
    assert "never breaks even" in figures["pr_breakeven_default"]["sentence"]
    assert figures["pr_breakeven_cheap"]["text"].endswith("%") and figures["pr_breakeven_cheap"]["value"] < 0.01
    format_ = chapter.readout_format("pr_breakeven_default")
    spec = explorers.pricing_explorer(chapter.population, chapter.params, chapter.band, format_).chart.to_dict()
    assert "(chapter never)" in json.dumps(spec) and "(chapter inf%)" not in json.dumps(spec)

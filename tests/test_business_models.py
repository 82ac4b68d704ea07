"""Business-model computations: hand-checked arithmetic, the article's numbers, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analysis.data import Dataset, range_midpoint
from analysis.models import business_models as bm
from analysis.parameters import apply_parameter_overrides, get_chapter
from analysis.paths import DATA_DIR
from analysis.present import business_models_text as bmt
from analysis.reruns.scenarios import resolve_parameters


def test_credit_example_is_a_60_percent_margin(dataset):
    """Article: 200 credits (~$1.00) for a generation costing $0.40 -> 60% gross margin."""
    price = dataset.fact("credit_example_price_usd")["value"]
    cost = dataset.fact("credit_example_cost_usd")["value"]
    assert bm.gross_margin(price, cost) == pytest.approx(dataset.fact("credit_example_gross_margin")["value"])
    assert bm.gross_margin(price, cost) == pytest.approx(0.60)


def test_team_of_50_researchers_costs_15_to_50_million(dataset):
    """Article: 50 researchers at $300K-1M cost $15M-50M a year (50 x 300,000 and 50 x 1,000,000)."""
    comp = dataset.fact("researcher_compensation_usd")
    team = dataset.fact("researcher_team_cost_usd")
    low, high = bm.team_compensation_usd(int(dataset.fact("researcher_team_size")["value"]), comp["low"], comp["high"])
    assert (low, high) == (15_000_000.0, 50_000_000.0)
    assert (low, high) == (team["low"], team["high"])


def test_midjourney_revenue_per_employee():
    """$200M over about 40 people = $5M per employee."""
    assert bm.revenue_per_employee_usd(200e6, 40) == 5e6


def test_gross_margin_rejects_non_positive_price():
    with pytest.raises(ValueError, match="price_usd must be positive"):
        bm.gross_margin(0.0, 0.4)


def test_team_compensation_rejects_bad_input():
    with pytest.raises(ValueError, match="headcount must be at least 1, got 0"):
        bm.team_compensation_usd(0, 1, 2)
    with pytest.raises(ValueError, match="compensation_low_usd 2 is greater than compensation_high_usd 1"):
        bm.team_compensation_usd(5, 2, 1)


def test_lifetime_value_hand_checked():
    """Undiscounted: 100 * 0.7 / 0.05 = 1400. Discounted at 10%/yr: 70 / (1 - 0.95 * 1.1**(-1/12))."""
    assert bm.lifetime_value_usd(100, 0.7, 0.05) == pytest.approx(1400.0)
    expected = 70 / (1 - 0.95 * 1.1 ** (-1 / 12))
    assert bm.lifetime_value_usd(100, 0.7, 0.05, 0.10) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(1217.06, abs=0.01)  # 1.1**(-1/12) = 0.992089; 70 / 0.057515


def test_lifetime_value_with_no_churn_and_no_discount_is_rejected():
    with pytest.raises(ValueError, match="infinite"):
        bm.lifetime_value_usd(100, 0.7, 0.0, 0.0)


def test_enterprise_retention_to_monthly_churn():
    """90% annual retention: 1 - 0.9**(1/12) = 0.87416% a month; compounding back gives 90%."""
    churn = bm.monthly_churn_from_annual_retention(0.90)
    assert churn == pytest.approx(0.0087416, abs=1e-7)
    assert (1 - churn) ** 12 == pytest.approx(0.90)


def test_enterprise_ltv_to_cac_does_not_depend_on_contract_size():
    """With CAC = k years of contract value, LTV/CAC = margin / (12 k (1 - r d)): contract size cancels."""
    common = {"gross_margin": 0.775, "annual_retention": 0.92, "cac_to_acv": 1.0}
    small = bm.customer_metrics({**common, "annual_contract_usd": 100_000}, 0.10)["ltv_to_cac"]
    large = bm.customer_metrics({**common, "annual_contract_usd": 10_000_000}, 0.10)["ltv_to_cac"]
    assert_allclose(small, large, rtol=1e-12)
    churn = 1 - 0.92 ** (1 / 12)
    assert_allclose(small, 0.775 / (12 * (1 - (1 - churn) * 1.1 ** (-1 / 12))), rtol=1e-12)


def test_saas_base_case_by_hand(dataset):
    """SaaS base without the free tier: $20 x 70%, churn 4%, CAC = $1.50 / 3.5% = $42.86;
    LTV = 14 / (1 - 0.96 * 1.1**(-1/12)) = $294.15. With it, the $53.22 of free users' compute
    a month leaves 14 - 53.22 = -$39.22: LTV = -39.22 / 0.047595 = -$824 and payback never."""
    ue = bm.compute_unit_economics(dataset, 0.10, free_tier_compute=False)
    row = ue.set_index("business_model_id").loc["saas_subscription"]
    assert row["cac_usd"] == pytest.approx(1.5 / 0.035)
    ltv = 14 / (1 - 0.96 * 1.1 ** (-1 / 12))
    assert ltv == pytest.approx(294.15, abs=0.01)
    assert row["ltv_usd"] == pytest.approx(ltv)
    assert row["ltv_to_cac"] == pytest.approx(ltv / (1.5 / 0.035))
    assert row["payback_months"] == pytest.approx((1.5 / 0.035) / 14)
    carried = bm.compute_unit_economics(dataset, 0.10).set_index("business_model_id").loc["saas_subscription"]
    free = (1 - 0.035) / 0.035 * 0.40 * bm.expected_capped_generations(30, 1.2, 0.4, 0.15, 5)
    assert carried["free_tier_cost_month_usd"] == pytest.approx(free)
    assert carried["ltv_usd"] == pytest.approx((14 - free) / (1 - 0.96 * 1.1 ** (-1 / 12)))
    assert carried["ltv_usd"] == pytest.approx(-823.97, abs=0.01)
    assert carried["payback_months"] == np.inf


def test_interval_brackets_base_and_is_exact_at_corners(dataset):
    """Every metric's low <= base <= high; the LTV/CAC low of the API is the all-worst corner by hand."""
    ue = bm.compute_unit_economics(dataset, 0.10)
    for metric in ("ltv_usd", "ltv_to_cac", "payback_months"):
        assert (ue[f"{metric}_low"] <= ue[metric] + 1e-9).all()
        assert (ue[metric] <= ue[f"{metric}_high"] + 1e-9).all()
    api = ue.set_index("business_model_id").loc["api_provider"]
    worst = bm.lifetime_value_usd(200, 0.30, 0.08, 0.10) / 4000
    assert api["ltv_to_cac_low"] == pytest.approx(worst)


def test_enterprise_payback_includes_the_sales_cycle(dataset):
    """Enterprise payback = sales cycle + CAC / (ARPU x margin) = 7.5 + 12 x 1.0 / 0.775 months at base."""
    row = bm.compute_unit_economics(dataset, 0.10).set_index("business_model_id").loc["enterprise_license"]
    assert row["payback_months"] == pytest.approx(7.5 + 12 / 0.775)


def test_stress_multipliers_lower_ltv_to_cac(dataset):
    """Doubling CAC halves LTV/CAC exactly; raising churn moves it towards 0: lower where a customer earns
    money every month, less negative where it loses money every month (the SaaS model with its free tier)."""
    base = bm.compute_unit_economics(dataset, 0.10)
    doubled = bm.compute_unit_economics(dataset, 0.10, cac_multiplier=2.0)
    assert_allclose(doubled["ltv_to_cac"], base["ltv_to_cac"] / 2, rtol=1e-12)
    churned = bm.compute_unit_economics(dataset, 0.10, churn_multiplier=1.5)
    earning = base["gross_profit_month_usd"] > 0
    assert (churned["ltv_to_cac"][earning] < base["ltv_to_cac"][earning]).all()
    assert (churned["ltv_to_cac"][~earning] > base["ltv_to_cac"][~earning]).all() and (~earning).sum() == 1


def test_claims_verdicts_match_the_base_ratios(dataset):
    """A claim agrees exactly when the favoured model's base LTV/CAC is the larger."""
    claims = bm.evaluate_claims(dataset, 0.10)
    ue = bm.compute_unit_economics(dataset, 0.10).set_index("business_model")
    for claim in claims.itertuples(index=False):
        assert claim.favoured_ltv_to_cac == pytest.approx(ue.at[claim.favoured_model, "ltv_to_cac"])
        assert claim.agrees == (ue.at[claim.favoured_model, "ltv_to_cac"] > ue.at[claim.other_model, "ltv_to_cac"])
    assert len(claims) == 4


def test_flip_points_equalise_the_two_models(dataset):
    """At each reported flip value the two models' LTV/CAC are equal (to 1e-8 relative)."""
    flips = bm.claim_flip_points(dataset, 0.10)
    flips = flips[flips["side"] != "both"]  # the discount rate moves both; checked in its own test
    assert not flips.empty
    inputs = bm.unit_economics_inputs(dataset)
    claims = dataset["ltv_cac_claims"]
    settings_ = {"annual_discount_rate": 0.10, "cac_multiplier": 1.0, "churn_multiplier": 1.0}
    for flip in flips.itertuples(index=False):
        claim = claims.loc[flip.claim_id]
        model_ids = dataset["business_models"].set_index("name")["id"]
        moved_id = model_ids[flip.business_model]
        other_id = claim.other_model_id if flip.side == "favoured" else claim.favoured_model_id
        moved = bm.base_ltv_to_cac(inputs, moved_id, settings_, {flip.input: flip.flip_value})
        fixed = bm.base_ltv_to_cac(inputs, other_id, settings_)
        assert moved == pytest.approx(fixed, rel=1e-8)


@pytest.mark.parametrize("free_tier_compute", [True, False])
def test_nearest_flip_prefers_in_range_then_the_smallest_move_in_range_units(dataset, free_tier_compute):
    """Per claim: an in-range flip if one exists, and among those the smallest |move in range units|."""
    flips = bm.claim_flip_points(dataset, 0.10, free_tier_compute=free_tier_compute)
    nearest = bm.nearest_flips(flips).set_index("claim_id")
    for claim_id, group in flips.groupby("claim_id"):
        chosen = nearest.loc[claim_id]
        in_range = group[group["within_stated_range"]]
        if in_range.empty:
            continue
        assert chosen["within_stated_range"]
        assert abs(chosen["move_in_ranges"]) == pytest.approx(in_range["move_in_ranges"].abs().min())


def test_marketplace_uses_text_margin_not_table_take_rate(dataset):
    """Declared correction: marketplace margin 70-90% (text); the table's 15-30% is kept beside it."""
    row = bm.gross_margin_ranges(dataset).set_index("business_model_id").loc["marketplace"]
    assert (row["gross_margin_low"], row["gross_margin_high"]) == (0.70, 0.90)
    assert (row["table_low"], row["table_high"]) == (0.15, 0.30)


def test_video_cost_is_image_cost_times_reported_multiple(dataset):
    """Image $0.04 -> video $0.40-$4.00 at the reported 10-100x."""
    costs = bm.generation_cost_by_media(dataset, 0.04).set_index("output")
    assert (costs.at["Video", "cost_low_usd"], costs.at["Video", "cost_high_usd"]) == pytest.approx((0.4, 4.0))


shares = st.floats(0.001, 0.999)


@given(price=st.floats(0.01, 1e6), cost_share=st.floats(0, 1))
def test_margin_stays_within_0_and_1(price, cost_share):
    """For any cost between 0 and the price, the gross margin lies in [0, 1]."""
    margin = bm.gross_margin(price, price * cost_share)
    assert -1e-12 <= margin <= 1 + 1e-12


@given(arpu=st.floats(1, 1e6), margin=shares, churn=shares, extra=st.floats(0.0001, 0.5), rate=st.floats(0, 0.5))
def test_ltv_falls_as_churn_rises(arpu, margin, churn, extra, rate):
    """More churn never raises lifetime value."""
    higher = min(churn + extra, 0.9999)
    assert bm.lifetime_value_usd(arpu, margin, higher, rate) <= bm.lifetime_value_usd(arpu, margin, churn, rate)


@settings(max_examples=50)
@given(
    churn=st.floats(0.001, 0.5),
    margin=shares,
    cac=st.floats(1, 1e5),
    arpu=st.floats(1, 1e5),
    rate=st.floats(0, 0.3),
)
def test_ltv_to_cac_is_monotone_so_corners_bound_it(churn, margin, cac, arpu, rate):
    """LTV/CAC rises with ARPU and margin and falls with churn and CAC: the corner method is exact."""
    m = bm.customer_metrics
    base = m({"arpu_month_usd": arpu, "gross_margin": margin, "monthly_churn": churn, "cac_usd": cac}, rate)
    up = m({"arpu_month_usd": arpu * 1.1, "gross_margin": margin, "monthly_churn": churn, "cac_usd": cac}, rate)
    worse = m({"arpu_month_usd": arpu, "gross_margin": margin, "monthly_churn": churn, "cac_usd": cac * 1.1}, rate)
    assert float(up["ltv_to_cac"]) >= float(base["ltv_to_cac"]) >= float(worse["ltv_to_cac"])


def test_vectorised_metrics_match_scalar():
    rng = np.random.default_rng(7)
    arpu, margin, churn, cac = (
        rng.uniform(10, 100, 5),
        rng.uniform(0.3, 0.8, 5),
        rng.uniform(0.01, 0.1, 5),
        50.0,
    )
    vector = bm.customer_metrics({"arpu_month_usd": arpu, "gross_margin": margin, "monthly_churn": churn,
                                  "cac_usd": cac}, 0.1)["ltv_to_cac"]  # fmt: skip
    scalar = [bm.lifetime_value_usd(a, g, c, 0.1) / cac for a, g, c in zip(arpu, margin, churn, strict=True)]
    assert_allclose(vector, scalar, rtol=1e-12)


def test_missing_inputs_are_named():
    with pytest.raises(ValueError, match="no way to derive churn"):
        bm.derive_customer_economics({"arpu_month_usd": 1, "gross_margin": 0.5, "cac_usd": 1})


# --- Issue 10, item 9: the discount rate -----------------------------------------------------


def test_discount_rate_halves_enterprise_ltv_to_cac(dataset):
    """Enterprise LTV/CAC = margin / (12 x CAC/ACV x (1 - (1 - churn) x (1 + d)**(-1/12))), churn = 1 - 0.92**(1/12).

    Margin 0.775, CAC/ACV 1: undiscounted 0.775 / (12 x 0.0069243) = 9.33; at 10% 0.775 / (12 x 0.014780) = 4.37.
    """
    churn = 1 - 0.92 ** (1 / 12)
    expected_0 = 0.775 / (12 * churn)
    expected_10 = 0.775 / (12 * (1 - (1 - churn) * 1.1 ** (-1 / 12)))
    assert (expected_0, expected_10) == (pytest.approx(9.33, abs=0.005), pytest.approx(4.37, abs=0.005))
    at_10 = (
        bm.compute_unit_economics(dataset, 0.10).set_index("business_model_id").at["enterprise_license", "ltv_to_cac"]
    )
    at_0 = bm.compute_unit_economics(dataset, 0.0).set_index("business_model_id").at["enterprise_license", "ltv_to_cac"]
    assert_allclose([at_0, at_10], [expected_0, expected_10], rtol=1e-12)


def test_discount_rationale_is_true(dataset):
    """The rationale says 10% leaves the enterprise LTV at less than half its undiscounted value: 4.37 / 9.33 = 0.47."""
    fact = dataset.fact("annual_discount_rate")
    assert "close to the undiscounted" not in fact["rationale"]
    assert "less than half" in fact["rationale"]
    ue = bm.compute_unit_economics(dataset, float(fact["value"])).set_index("business_model_id")
    ue0 = bm.compute_unit_economics(dataset, 0.0).set_index("business_model_id")
    ratio = ue.at["enterprise_license", "ltv_usd"] / ue0.at["enterprise_license", "ltv_usd"]
    assert ratio == pytest.approx(0.4685, abs=1e-3)
    assert ratio < 0.5


def test_discount_rate_is_a_flip_input(dataset):
    """Without the free tier (the issue's numbers) enterprise-vs-consumer flips at a 1.48% discount rate:
    there the enterprise licence's LTV/CAC equals the SaaS model's; it lies in the 0-10% range."""
    flips = bm.claim_flip_points(dataset, 0.10, free_tier_compute=False)
    rate = flips[(flips["input"] == "annual_discount_rate") & (flips["claim_id"] == "enterprise_beats_consumer")]
    assert len(rate) == 1
    flip = rate.iloc[0]
    assert flip["flip_value"] == pytest.approx(0.0148, abs=5e-4)
    assert flip["side"] == "both" and flip["within_stated_range"]
    assert (flip["low"], flip["high"]) == (0.0, 0.10)
    ue = bm.compute_unit_economics(dataset, flip["flip_value"], free_tier_compute=False).set_index("business_model_id")
    assert ue.at["enterprise_license", "ltv_to_cac"] == pytest.approx(
        ue.at["saas_subscription", "ltv_to_cac"], rel=1e-8
    )


def test_claims_show_the_verdict_at_zero_and_at_the_default(dataset):
    """Without the free tier: 1 claim holds at 10% (subscription over API), 2 at 0% (and enterprise over consumer:
    9.33 > 8.17 = 14 x 0.035 / (1.5 x 0.04)). With it the SaaS model loses money, and 2 hold at both rates."""
    claims = bm.evaluate_claims(dataset, 0.10, free_tier_compute=False).set_index("claim_id")
    assert int(claims["agrees"].sum()) == 1 and int(claims["agrees_undiscounted"].sum()) == 2
    assert claims.at["enterprise_beats_consumer", "other_ltv_to_cac_undiscounted"] == pytest.approx(14 * 0.035 / 0.06)
    assert not claims.at["enterprise_beats_consumer", "agrees"]
    assert claims.at["enterprise_beats_consumer", "agrees_undiscounted"]
    carried = bm.evaluate_claims(dataset, 0.10).set_index("claim_id")
    assert list(carried.index[carried["agrees"]]) == ["vertical_beats_horizontal", "enterprise_beats_consumer"]
    assert int(carried["agrees_undiscounted"].sum()) == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"annual_discount_rate": -0.1}, "annual_discount_rate = -0.1 is not allowed: must be a number >= 0 and <= 1"),
        ({"annual_discount_rate": 0.1, "cac_multiplier": 0.0}, "cac_multiplier = 0.0 is not allowed"),
        ({"annual_discount_rate": 0.1, "churn_multiplier": 9.0}, "churn_multiplier = 9.0 is not allowed"),
    ],
)
def test_bad_settings_are_named(dataset, kwargs, message):
    for function in (bm.compute_unit_economics, bm.evaluate_claims, bm.claim_flip_points, bm.uncertainty_budget):
        with pytest.raises(ValueError, match=message):
            function(dataset, **kwargs)


# --- Item 10: flip sizes ---------------------------------------------------------------------


def test_retention_flip_is_measured_on_churn_and_in_range_units(dataset):
    """Retention 92% -> 98.2% flips enterprise-vs-consumer (no free tier): churn 0.6924% -> 0.1510%, a 78% cut,
    1.24 ranges above base (0.0620 / 0.05), outside 90-95%; the claim's nearest flip is an in-range one instead
    (CAC/ACV 1 -> 0.64 is -0.36 of its range)."""
    flips = bm.claim_flip_points(dataset, 0.10, free_tier_compute=False)
    claim = flips[flips["claim_id"] == "enterprise_beats_consumer"].set_index("input")
    retention = claim.loc["annual_retention"]
    assert retention["flip_value"] == pytest.approx(0.982, abs=5e-4)
    assert retention["relative_change"] == pytest.approx(-0.782, abs=2e-3)
    assert retention["move_in_ranges"] == pytest.approx((retention["flip_value"] - 0.92) / 0.05)
    assert not retention["within_stated_range"]
    cac = claim.loc["cac_to_acv"]
    assert cac["flip_value"] == pytest.approx(0.6366, abs=1e-4) and cac["move_in_ranges"] == pytest.approx(
        -0.3634, abs=1e-4
    )
    nearest = bm.nearest_flips(flips).set_index("claim_id").loc["enterprise_beats_consumer"]
    assert nearest["within_stated_range"] and nearest["input"] != "annual_retention"


def test_move_in_ranges_is_logarithmic_for_wide_ranges():
    """API ARPU $200-5,000 (25x): $1,000 -> $681.5 is ln(0.6815) / ln(25) = -0.119 ranges; a narrow range is linear."""
    assert bm.move_in_ranges(1000, 681.5, 200, 5000) == pytest.approx(np.log(0.6815) / np.log(25))
    assert bm.move_in_ranges(0.92, 0.95, 0.90, 0.95) == pytest.approx(0.6)
    assert np.isnan(bm.move_in_ranges(0.4, 0.1, 0.4, 0.4))


# --- Item 11: one midpoint rule ----------------------------------------------------------------


def test_enterprise_contract_takes_the_geometric_midpoint_in_both_chapters(dataset):
    """$100K-10M spans 100x: sqrt(1e5 x 1e7) = $1M, the pricing chapter's contract value, not (1e5 + 1e7) / 2 = $5.05M.
    The enterprise LTV at 10% follows: 1e6 / 12 x 0.775 / 0.014780 = $4.37M."""
    inputs = bm.unit_economics_inputs(dataset).set_index(["business_model_id", "input"])
    assert inputs.at[("enterprise_license", "annual_contract_usd"), "base"] == 1_000_000.0
    assert float(dataset.fact("enterprise_contract_usd_per_year")["value"]) == 1_000_000.0
    arithmetic = bm.unit_economics_inputs(dataset, midpoint_rule="arithmetic").set_index(["business_model_id", "input"])
    assert arithmetic.at[("enterprise_license", "annual_contract_usd"), "base"] == 5_050_000.0
    churn = 1 - 0.92 ** (1 / 12)
    ltv = bm.compute_unit_economics(dataset, 0.10).set_index("business_model_id").at["enterprise_license", "ltv_usd"]
    assert ltv == pytest.approx(1e6 / 12 * 0.775 / (1 - (1 - churn) * 1.1 ** (-1 / 12)))


def test_range_midpoint_rule_and_its_errors():
    """Geometric at 10x or more (10-100 -> 31.62), arithmetic below (3-12 -> 7.5) and from zero (0-1 -> 0.5)."""
    assert range_midpoint(10, 100) == pytest.approx(np.sqrt(1000))
    assert range_midpoint(3, 12) == 7.5
    assert range_midpoint(0, 1) == 0.5
    assert range_midpoint(10, 100, rule="arithmetic") == 55.0
    with pytest.raises(ValueError, match="midpoint rule = 'median' is not allowed: must be one of"):
        range_midpoint(1, 2, rule="median")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="range 5.0-1.0 is not allowed: low and high must be finite with low <= high"):
        range_midpoint(5, 1)


def test_parameter_overrides_reset_to_the_same_midpoint(dataset):
    """A reader's retention range 93-95% leaves the 92% base outside it: it resets to range_midpoint = 94%."""
    ds = apply_parameter_overrides(dataset, "business_models", {"enterprise_annual_retention_low": 0.93})
    assert float(ds.fact("enterprise_annual_retention_range")["value"]) == pytest.approx(range_midpoint(0.93, 0.95))


# --- Item 12: the free tier's compute ------------------------------------------------------------


def test_expected_free_use_matches_the_pricing_simulation():
    """E[min(D, 5)] for the pricing chapter's log-normal demand is 4.825; a seeded 20,000 x 12 simulation agrees to 1%."""
    from analysis.models.pricing import simulate_population

    population = simulate_population(20_000, 12, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=11)
    simulated = float(np.minimum(population.demand, 5).mean())
    assert bm.expected_capped_generations(30, 1.2, 0.4, 0.15, 5) == pytest.approx(4.825, abs=1e-3)
    assert bm.expected_capped_generations(30, 1.2, 0.4, 0.15, 5) == pytest.approx(simulated, rel=0.01)


def test_free_tier_costs_53_a_month_per_paying_subscriber(dataset):
    """(1 - 0.035) / 0.035 = 27.57 free users per payer x $0.40 x 4.825 generations = $53.2 a month,
    against $20 x 70% = $14 of gross profit per payer."""
    row = bm.compute_unit_economics(dataset, 0.10).set_index("business_model_id").loc["saas_subscription"]
    assert row["free_tier_cost_month_usd"] == pytest.approx(53.2, abs=0.05)
    assert row["gross_profit_month_usd"] == pytest.approx(14 - row["free_tier_cost_month_usd"])
    assert row["ltv_to_cac"] < 0 < row["ltv_to_cac_high"]
    others = bm.compute_unit_economics(dataset, 0.10).set_index("business_model_id").drop(index="saas_subscription")
    assert (others["free_tier_cost_month_usd"] == 0).all()


def test_free_tier_reads_the_pricing_chapters_facts(dataset):
    """The free tier's inputs come from the facts behind the pricing chapter's parameters: one assumption for both."""
    pricing = get_chapter("pricing")
    free = bm.free_tier_inputs(dataset)
    assert free["fact_ids"]["cost_per_generation_usd"] == pricing.parameter("cost_per_generation_usd").fact_ids[0]
    assert free["cost_per_generation_usd"] == pricing.parameter("cost_per_generation_usd").default
    assert free["free_cap"] == pricing.parameter("free_cap").default
    facts = dataset["facts"].copy()
    facts.loc[free["fact_ids"]["cost_per_generation_usd"], "value"] = 0.004  # the article's 2026 price
    cheap = Dataset(tables=dict(dataset.tables, facts=facts), data_dir=dataset.data_dir)
    row = bm.compute_unit_economics(cheap, 0.10).set_index("business_model_id").loc["saas_subscription"]
    assert row["free_tier_cost_month_usd"] == pytest.approx(0.532, abs=1e-3)


def test_free_tier_bad_input_is_named():
    with pytest.raises(ValueError, match=r"freemium_conversion = 0.0 is not allowed: must be a share > 0 and <= 1"):
        bm.free_tier_compute_per_payer_usd(0.0, 0.4, 5)
    with pytest.raises(ValueError, match=r"cost_per_generation_usd = -1 is not allowed: must be a number >= 0"):
        bm.free_tier_compute_per_payer_usd(0.03, -1, 5)
    with pytest.raises(ValueError, match=r"median_generations_per_month = 0 is not allowed: must be a number > 0"):
        bm.expected_capped_generations(0, 1.2, 0.4, 0.15, 5)


# --- Item 16: sentences chosen by the numbers ------------------------------------------------------


def _chapter(dataset, params):
    ds = apply_parameter_overrides(dataset, "business_models", params)
    rate, cac, churn = params["annual_discount_rate"], params["cac_multiplier"], params["churn_multiplier"]
    return {
        "margins": bm.gross_margin_ranges(ds),
        "ue": bm.compute_unit_economics(ds, rate, cac, churn),
        "ue0": bm.compute_unit_economics(ds, 0.0, cac, churn),
        "claims": bm.evaluate_claims(ds, rate, cac, churn),
        "budget": bm.uncertainty_budget(ds, rate, cac, churn),
        "inputs": bm.unit_economics_inputs(ds),
        "rate": rate,
    }


def _check_sentences(c) -> None:
    """Every number-dependent sentence of the chapter names exactly what the numbers say."""
    margins, ue, claims = c["margins"], c["ue"], c["claims"]
    width = margins["gross_margin_high"] - margins["gross_margin_low"]
    widest = bmt.describe_widest_margins(margins)
    for name, w in zip(margins["business_model"], width, strict=True):
        assert (f"{name} (" in widest) == bool(np.isclose(w, width.max())), (name, widest)
    floor = bmt.describe_highest_floor(margins)
    for name, low in zip(margins["business_model"], margins["gross_margin_low"], strict=True):
        assert (name in floor) == bool(np.isclose(low, margins["gross_margin_low"].max())), (name, floor)
    extremes = bmt.describe_extremes(ue, c["budget"])
    best = ue.loc[np.isclose(ue["ltv_to_cac"], ue["ltv_to_cac"].max()), "business_model"]
    assert all(name in extremes.split(" and the lowest")[0] for name in best), extremes
    assert bm.models_at(ue, "ltv_to_cac", "max") == list(best)
    spanning = int(((ue["ltv_to_cac_low"] < 1) & (ue["ltv_to_cac_high"] > 1)).sum())
    sentence = bmt.describe_intervals_spanning_one(ue)
    assert (f"{spanning} of the {len(ue)}" in sentence) if spanning else sentence.startswith("Every model's interval")
    agree, robust = int(claims["agrees"].sum()), int(claims["robust"].sum())
    text = bmt.describe_claims(claims, c["rate"])
    assert f"{agree} of the {len(claims)} claims {'holds' if agree == 1 else 'hold'} under the base case" in text
    assert f"and {robust} {'holds' if robust == 1 else 'hold'} across" in text
    free = bmt.describe_free_tier(ue)
    saas = ue.set_index("business_model_id").loc["saas_subscription"]
    assert ("loses" in free) == bool(saas["gross_profit_month_usd"] < 0), free
    lead, counts = bmt.describe_input_provenance(c["inputs"])
    reported = int((c["inputs"]["kind"] == "reported").sum())
    assert ("not in the sources" in lead) == (2 * reported < len(c["inputs"]))
    assert counts.startswith(f"{len(c['inputs'])} inputs {reported} ")
    budget = bmt.describe_budget(c["budget"])
    top = c["budget"][c["budget"]["dominant"]]["source"].value_counts().index[0]
    assert budget.startswith(bm.BUDGET_SOURCE_NOUNS[top].capitalize())


@pytest.mark.parametrize("scenario", sorted(p.stem for p in (DATA_DIR / "scenarios").glob("*.yaml")))
def test_sentences_follow_the_numbers_in_every_scenario(dataset, scenario):
    """Under every scenario preset's business-model parameters, each sentence chosen by the numbers is true."""
    params, _ = resolve_parameters("business_models", scenario=scenario)
    _check_sentences(_chapter(dataset, params))


def test_sentences_follow_a_readers_ranges(dataset):
    """A reader's conversion range (a parameter, not reported) changes the provenance counts the prose gives."""
    params = {
        **get_chapter("business_models").defaults,
        "freemium_conversion_low": 0.03,
        "marketplace_take_rate_high": 0.4,
    }
    c = _chapter(dataset, params)
    _check_sentences(c)
    assert "2 are your parameters" in bmt.describe_input_provenance(c["inputs"])[1]


@settings(max_examples=12, deadline=None)
@given(rate=st.floats(0, 1), cac=st.floats(0.1, 10), churn=st.floats(0.1, 5))
def test_sentences_follow_the_numbers_for_any_parameters(dataset, rate, cac, churn):
    params = {**get_chapter("business_models").defaults, "annual_discount_rate": rate, "cac_multiplier": cac,
              "churn_multiplier": churn}  # fmt: skip
    _check_sentences(_chapter(dataset, params))


def test_margin_sentences_name_every_tie(dataset):
    """Three models span 30 points (API 30-60%, aggregator and open-weight 40-70%); marketplace and enterprise
    share the 70% floor."""
    margins = bm.gross_margin_ranges(dataset)
    assert bmt.describe_widest_margins(margins) == (
        "The widest ranges, 30 percentage points each, belong to API Provider (30%–60%), "
        "Platform/Aggregator (40%–70%) and Open-Weight + Cloud (40%–70%)."
    )
    assert bmt.describe_highest_floor(margins) == "Marketplace and Enterprise License share the highest floor, 70%."


# --- Item 17: the uncertainty budget -------------------------------------------------------------


def test_uncertainty_budget_values(dataset):
    """Free tier left out: SaaS LTV/CAC -19.2 -> 6.86; arithmetic midpoint: enterprise LTV x 5.05 ($4.37M -> $22.1M);
    0% discount: best (open-weight) 8.67 -> 1500 x 0.55 / 0.04 / 2000 = 10.31; the input intervals dominate."""
    budget = bm.uncertainty_budget(dataset, 0.10).set_index(["figure", "source"])
    assert budget.at[("saas_ltv_to_cac", "free_tier"), "base"] == pytest.approx(-19.23, abs=0.01)
    assert budget.at[("saas_ltv_to_cac", "free_tier"), "low"] == pytest.approx(6.86, abs=0.01)
    assert budget.at[("enterprise_ltv_usd", "midpoint_rule"), "low"] == pytest.approx(
        5.05 * budget.at[("enterprise_ltv_usd", "midpoint_rule"), "base"]
    )
    assert budget.at[("best_ltv_to_cac", "discount_rate"), "low"] == pytest.approx(1500 * 0.55 / 0.04 / 2000)
    assert budget.at[("enterprise_payback_months", "discount_rate"), "swing"] == 0
    dominant = budget[budget["dominant"]].reset_index()
    assert set(dominant["source"]) == {"intervals"}
    assert budget.at[("enterprise_payback_months", "intervals"), "figures"] == 2
    assert budget.at[("best_ltv_to_cac", "intervals"), "figures"] == 1


def test_stated_precision_never_exceeds_the_budget(dataset):
    """A swing of tens of percent supports 2 significant figures, over 100% only 1; each headline obeys its budget."""
    assert [bm.significant_figures_supported(s) for s in (0.0, 0.05, 0.3, 0.64, 1.0, 28.0)] == [3, 3, 2, 2, 1, 1]
    budget = bm.uncertainty_budget(dataset, 0.10)
    for figure, group in budget.groupby("figure"):
        text = bmt.headline_text(budget, figure)
        digits = [ch for ch in text if ch.isdigit()]
        significant = "".join(digits).lstrip("0").rstrip("0") or "0"
        assert len(significant) <= int(group["figures"].iloc[0]), (figure, text)
    with pytest.raises(ValueError, match="relative_swing = -1 is not allowed"):
        bm.significant_figures_supported(-1)


def test_two_minimums_are_lower_bounds_not_a_disagreement(dataset):
    """'$5B+' (vendor) and 'surpassed four billion' (essay) are both minimums: the table says so, and 5 binds."""
    disagreements = bm.source_disagreements(dataset)
    openai = disagreements[disagreements["entity"] == "openai"]
    assert list(openai["bound"]) == ["at least", "at least"]
    assert openai["relation"].iloc[0].startswith("both are lower bounds")
    assert max(openai["central_value"]) == 5e9
    assert bm.figure_bound(4.0, 3.0, 5.0) == "exact" and bm.figure_bound(None, None, 8e9) == "at most"


def test_explorer_grid_reproduces_the_chapter_at_its_parameters(dataset):
    """The grid point (CAC x1, churn x1, 10%) is the chapter's unit-economics table and claims; doubling CAC
    halves every LTV/CAC (LTV does not depend on CAC)."""
    models, claims = bm.explorer_grid(dataset, [1.0, 2.0], [1.0], [0.1])
    default = models[models["cac_multiplier"] == 1.0].set_index("business_model_id")["ltv_to_cac"]
    expected = bm.compute_unit_economics(dataset, 0.1).set_index("business_model_id")["ltv_to_cac"]
    assert_allclose(default.loc[expected.index], expected)
    doubled = models[models["cac_multiplier"] == 2.0].set_index("business_model_id")["ltv_to_cac"]
    assert_allclose(doubled.loc[expected.index], expected / 2)
    verdicts = claims[claims["cac_multiplier"] == 1.0].set_index("claim_id")["agrees"]
    chapter = bm.evaluate_claims(dataset, 0.1).set_index("claim_id")["agrees"]
    assert verdicts.loc[chapter.index].tolist() == chapter.tolist()
    with pytest.raises(ValueError, match="cac_multipliers is empty"):
        bm.explorer_grid(dataset, [], [1.0], [0.1])


@pytest.mark.parametrize(
    "params",
    [{"enterprise_annual_retention_low": 0.5, "enterprise_annual_retention_high": 0.99},
     {"marketplace_take_rate_low": 0.1}, {"annual_discount_rate": 0.2}],
)  # fmt: skip
def test_inputs_table_gives_a_provenance_for_every_input_a_reader_overrides(dataset, params):
    """An assumption the reader overrides (kind 'parameter') has no quote: the inputs table printed '“nan”' for it
    ('run business_models -p enterprise_annual_retention_low=0.5'); it keeps the fact's rationale instead."""
    from analysis.present import business_models as present

    data = apply_parameter_overrides(dataset, "business_models", params)
    table = present.unit_economics_inputs_table(data, bm.unit_economics_inputs(data))
    provenance = table["Quote or rationale"].astype(str)
    bad = provenance[provenance.str.contains(r"\bnan\b", case=False)]
    assert bad.empty, list(bad)
    assert provenance.str.len().gt(3).all()

"""Business-model computations: hand-checked arithmetic, the article's numbers, invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analysis import business_models as bm


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
    """SaaS base: $20 x 70%, churn 4%, CAC = $1.50 / 3.5% = $42.86; LTV = 14 / (1 - 0.96 * 1.1**(-1/12))."""
    row = bm.compute_unit_economics(dataset, 0.10).set_index("business_model_id").loc["saas_subscription"]
    assert row["cac_usd"] == pytest.approx(1.5 / 0.035)
    ltv = 14 / (1 - 0.96 * 1.1 ** (-1 / 12))
    assert row["ltv_usd"] == pytest.approx(ltv)
    assert row["ltv_to_cac"] == pytest.approx(ltv / (1.5 / 0.035))
    assert row["payback_months"] == pytest.approx((1.5 / 0.035) / 14)


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
    """Doubling CAC halves LTV/CAC exactly; raising churn lowers it."""
    base = bm.compute_unit_economics(dataset, 0.10)
    doubled = bm.compute_unit_economics(dataset, 0.10, cac_multiplier=2.0)
    assert_allclose(doubled["ltv_to_cac"], base["ltv_to_cac"] / 2, rtol=1e-12)
    churned = bm.compute_unit_economics(dataset, 0.10, churn_multiplier=1.5)
    assert (churned["ltv_to_cac"] < base["ltv_to_cac"]).all()


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
    assert not flips.empty
    inputs = bm.unit_economics_inputs(dataset)
    claims = dataset["ltv_cac_claims"]
    settings_ = {"annual_discount_rate": 0.10, "cac_multiplier": 1.0, "churn_multiplier": 1.0}
    for flip in flips.itertuples(index=False):
        claim = claims.loc[flip.claim_id]
        model_ids = dataset["business_models"].set_index("name")["id"]
        moved_id = model_ids[flip.business_model]
        other_id = claim.other_model_id if flip.side == "favoured" else claim.favoured_model_id
        moved = bm._base_ltv_to_cac(inputs, moved_id, settings_, {flip.input: flip.flip_value})
        fixed = bm._base_ltv_to_cac(inputs, other_id, settings_)
        assert moved == pytest.approx(fixed, rel=1e-8)


def test_nearest_flip_is_the_smallest_move(dataset):
    flips = bm.claim_flip_points(dataset, 0.10)
    nearest = bm.nearest_flips(flips).set_index("claim_id")
    for claim_id, group in flips.groupby("claim_id"):
        assert abs(nearest.at[claim_id, "relative_change"]) == pytest.approx(group["relative_change"].abs().min())


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

"""Lab survival: the sources' arithmetic, hand-checked projections, invariants, determinism, bad input."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analysis.models import survival as sv
from analysis.models.survival.inputs import _scored_inputs
from analysis.models.survival.kernel import cash_by_year, count_by_year
from analysis.models.survival.montecarlo import _OrderStatistics
from analysis.models.survival.projection import _compound, _powers


@pytest.fixture(scope="module")
def leader(dataset) -> pd.DataFrame:
    return sv.lab_input_table(dataset, "frontier_leader", "base")


def test_compute_arithmetic_reproduces_the_comment(dataset):
    """$44bn / $12-15bn per GW-year = 2.9-3.7 GW ('maybe 3-4 GW'); 0.5 GW at 72% + 0.5 GW at 30% = $22.4bn ('$22bn')."""
    revenue = dataset.fact("anthropic_annualized_revenue_usd")["value"] / 1e9
    cost = dataset.fact("gw_year_cost_usd")
    gw = dataset.fact("anthropic_affordable_compute_gw")
    low_gw = sv.affordable_compute_gw(revenue, cost["high"] / 1e9)
    high_gw = sv.affordable_compute_gw(revenue, cost["low"] / 1e9)
    assert (round(low_gw), round(high_gw)) == (gw["low"], gw["high"])  # 2.93 -> 3, 3.67 -> 4
    gp = sv.gross_profit_from_compute_mix(revenue, 0.5, 0.72, 0.5, 0.30)
    assert gp == pytest.approx(22.44)
    assert round(gp) == dataset.fact("anthropic_gross_profit_usd")["value"] / 1e9
    # The comment's break-even: 1 GW of R&D at $15bn leaves 22.44 - 15 = $7.44bn for everything else.
    assert sv.rd_compute_gw(gp, 7.44, 15) == pytest.approx(dataset.fact("anthropic_breakeven_rd_compute_gw")["value"])


def test_first_party_share_sweep_is_linear_between_the_margins():
    """All clouds: 44 x 0.30 = 13.2; all own: 44 x 0.72 = 31.68."""
    frame = sv.gross_profit_by_first_party_share(44, 1.0, 0.72, 0.30, [0.0, 0.5, 1.0])
    assert_allclose(frame["gross_profit_usd_bn"], [13.2, 22.44, 31.68])


def test_edge_value_is_inverse_in_holders():
    """Total edge value V / n: 10 with one holder, 5 with two, 2 with five."""
    result = sv.edge_value_to_lab(10.0, np.array([1, 2, 5]), 0.3, 0.5)
    assert_allclose(result["total_value_usd_bn"], [10, 5, 2])
    assert_allclose(result["selling_usd_bn"], [3, 1.5, 0.6])
    with pytest.raises(sv.SurvivalInputError, match="n_holders must be at least 1"):
        sv.edge_value_to_lab(10.0, 0, 0.3, 0.5)


def test_commitments_in_years_of_revenue(dataset):
    """$1.4T against $20bn a year of revenue is 70 years."""
    assert float(sv.years_of_revenue(dataset.fact("openai_spending_commitments_usd")["value"] / 1e9, 20.0)) == 70.0


def test_first_year_by_hand(leader):
    """Year one: training = 1.0 x 4 = $4bn; talent = 1,500 x $0.45M = $0.675bn; sales and support = 10% x $8bn;
    data = 5% of training = $0.2bn; infrastructure = 15% of serving cost (revenue - gross profit)."""
    frame = sv.projection_frame(sv.project_lab(sv.base_inputs(leader), 2025, 2032))
    first = frame.iloc[0]
    assert first["revenue"] == pytest.approx(8.0)
    assert first["training"] == pytest.approx(4.0)
    assert first["talent"] == pytest.approx(0.675)
    assert first["other"] == pytest.approx(0.8)
    assert first["data"] == pytest.approx(0.2)
    gp = 8.0 * (0.45 * 0.45 + 0.40 * 0.55 + 0.10 * 0.775 + 0.05 * 0.30)
    assert first["gross_profit"] == pytest.approx(gp)
    assert first["infrastructure"] == pytest.approx(0.15 * (8.0 - gp))
    costs = 4.0 + 0.675 + 0.8 + 0.2 + 0.15 * (8.0 - gp)
    assert first["operating_cash_flow"] == pytest.approx(gp - costs)
    assert first["cash_without_new_capital"] == pytest.approx(20 + gp - costs)


def test_infrastructure_grows_more_slowly_than_serving_cost(leader):
    """Infrastructure_t = 0.15 x serving_0 x (serving_t / serving_0)**0.7: 'at a lower rate than compute'."""
    p = sv.project_lab(sv.base_inputs(leader), 2025, 2032)
    served = p.inference_cost[0] / p.inference_cost[0, 0]
    assert_allclose(p.infrastructure[0], 0.15 * p.inference_cost[0, 0] * served**0.7)
    assert p.infrastructure[0, -1] / p.infrastructure[0, 0] < served[-1]
    assert_allclose(p.data[0], 0.05 * p.training[0])
    assert_allclose(p.total_cost[0], p.inference_cost[0] + p.training[0] + p.talent[0] + p.other[0] + p.data[0]
                    + p.infrastructure[0])  # fmt: skip


def test_second_year_by_hand(leader):
    """Year two: training 4 x 1.7; API volume x (1 + 0.8 x 1.3) at price 0.65, revenue x 0.65**0.2; consumer margin
    1 - 0.45 x 0.65 x 1.5 = 56.1%; the round is 8.52 x 2026 revenue."""
    p = sv.project_lab(sv.base_inputs(leader), 2025, 2026)
    assert p.training[0, 1] == pytest.approx(4.0 * 1.7)
    assert p.talent[0, 1] == pytest.approx(0.675 * 1.2)
    api = 8.0 * 0.45 * (1 + 0.8 * 1.3) * 0.65**0.2
    assert p.revenue_by_stream["api"][0, 1] == pytest.approx(api)
    assert p.revenue_by_stream["consumer"][0, 1] == pytest.approx(8.0 * 0.40 * (1 + 0.8 * 0.8))
    assert p.margin_by_stream["consumer"][0, 1] == pytest.approx(1 - 0.45 * 0.65 * 1.5)
    assert p.api_gross_margin[0, 1] == pytest.approx(0.45)
    assert p.new_round[0] == pytest.approx(round(375 / 44, 2) * p.revenue[0, 1])


def test_api_margin_constant_when_price_and_cost_fall_alike(leader):
    """The essay's point: with equal declines the API margin stays at its starting 45%."""
    projection = sv.project_lab(sv.base_inputs(leader), 2025, 2032)
    assert_allclose(projection.api_gross_margin[0], 0.45)


def test_margins_follow_costs_and_stay_within_floor_and_cap(dataset):
    """Pessimistic: API prices fall 45.5% a year against costs 35%: 1 - 0.55 x (0.65 / 0.545)**t is 6.7% in year 3
    and -11% in year 4 before the floor, so the price stops at the cost and the margin at 0 (not -89% by 2032)."""
    table = sv.lab_input_table(dataset, "frontier_leader", "pessimistic")
    assert table.at["api_price_decline", "base"] == pytest.approx(0.35 * 1.3)
    p = sv.project_lab(sv.base_inputs(table), 2025, 2032)
    ratio = 0.65 / (1 - 0.35 * 1.3)
    assert p.api_gross_margin[0, 1] == pytest.approx(1 - 0.55 * ratio)
    assert p.api_gross_margin[0, 3] == pytest.approx(1 - 0.55 * ratio**3)
    assert p.api_gross_margin[0, 3] == pytest.approx(0.067, abs=1e-3)
    assert 1 - 0.55 * ratio**4 < -0.1
    assert p.api_gross_margin[0, 4:] == pytest.approx(0.0, abs=1e-12)
    for margin in p.margin_by_stream.values():
        assert (margin >= sv.MARGIN_FLOOR - 1e-12).all() and (margin <= sv.MARGIN_CAP + 1e-12).all()
    # A flat plan: serving cost per customer x 0.65 x 1.5 a year against a fixed price.
    base = sv.project_lab(sv.base_inputs(sv.lab_input_table(dataset, "frontier_leader")), 2025, 2032)
    assert_allclose(base.margin_by_stream["enterprise"][0, :3], 1 - 0.225 * (0.65 * 1.5) ** np.arange(3))


def test_a_flat_plan_above_the_cap_is_repriced_down_to_it(leader):
    """With no usage growth, a 55% margin at costs falling 35% a year passes 95% in year 6: 0.45 x 0.65**6 = 0.0339
    < 0.05 (year 5: 0.0522), so the price falls to 0.0339 / 0.05 = 0.68 and revenue with it."""
    inputs = dict(sv.base_inputs(leader), flat_usage_growth=np.array([0.0]))
    p = sv.project_lab(inputs, 2025, 2031)
    assert p.margin_by_stream["consumer"][0, 5] == pytest.approx(1 - 0.45 * 0.65**5)
    assert p.margin_by_stream["consumer"][0, 6] == pytest.approx(0.95)
    unrepriced = 8.0 * 0.4 * _compound(np.array([0.64]), _powers(np.array([0.85]), 7))[0, 6]
    assert p.revenue_by_stream["consumer"][0, 6] == pytest.approx(unrepriced * 0.45 * 0.65**6 / 0.05)


def test_constant_elasticity_lets_a_price_cut_pay_for_itself_above_one(leader):
    """Revenue moves with price**(1 - e): at e = 1.3 a 35% cut raises API revenue by 0.65**-0.3 = 1.138x;
    at e = 1 it leaves it unchanged; at 0.5 it is 0.65**0.5 = 0.806x."""
    base = sv.base_inputs(leader)
    no_cut = sv.project_lab(dict(base, api_price_decline=np.array([0.0]), serving_cost_decline=np.array([0.0])),
                            2025, 2026).revenue_by_stream["api"][0, 1]  # fmt: skip
    for e, factor in ((1.3, 0.65**-0.3), (1.0, 1.0), (0.5, 0.65**0.5)):
        cut = sv.project_lab(dict(base, api_price_elasticity=np.array([e])), 2025, 2026).revenue_by_stream["api"][0, 1]
        assert cut / no_cut == pytest.approx(factor)
    assert leader.at["api_price_elasticity", "high"] > 1  # not clipped below 1 by construction


def test_training_and_hiring_growth_decay_like_revenue_growth(leader):
    """Training index: 1, 1.7, 1.7 x (1 + 0.7 x 0.85), ...: the third year's growth is 59.5%, not 70%."""
    p = sv.project_lab(sv.base_inputs(leader), 2025, 2040)
    growth = p.training[0, 1:] / p.training[0, :-1] - 1
    assert_allclose(growth[:3], [0.7, 0.7 * 0.85, 0.7 * 0.85**2])
    assert growth[-1] == pytest.approx(0.7 * 0.85**14)  # 7.2% by 2040, against 70% forever before
    hiring = p.talent[0, 1:] / p.talent[0, :-1] - 1
    assert_allclose(hiring[:2], [0.2, 0.2 * 0.85])


def test_optimistic_preset_breaks_even_in_2027_or_2028(dataset):
    """The essay's optimistic case: the leading labs profitable 'by 2027 or 2028'."""
    target = dataset.fact("optimistic_profitability_year")
    for archetype in ("frontier_leader", "enterprise_challenger"):
        table = sv.lab_input_table(dataset, archetype, "optimistic")
        year = sv.project_lab(sv.base_inputs(table), 2025, 2032).breakeven_year()[0]
        assert target["low"] <= year <= target["high"], archetype


def test_pessimistic_preset_runs_out_of_capital_first(dataset):
    """The essay's pessimistic case: cash runs out before any break-even."""
    for archetype in ("frontier_leader", "enterprise_challenger"):
        projection = sv.project_lab(sv.base_inputs(sv.lab_input_table(dataset, archetype, "pessimistic")), 2025, 2032)
        assert np.isfinite(projection.runout_year()[0])
        assert not np.isfinite(projection.breakeven_year()[0])


def test_sustained_breakeven_ignores_a_lone_good_year():
    """OCF +, -, +, +: sustained break-even is the third year, not the first; the first profitable year is 2025."""
    ocf = np.array([[1.0, -1.0, 1.0, 1.0]])
    p = sv.Projection(
        years=np.arange(2025, 2029), revenue_by_stream={}, gross_profit=ocf, inference_cost=ocf, training=ocf,
        talent=ocf, other=ocf, operating_cash_flow=ocf, cash_without_new_capital=np.cumsum(ocf, axis=1),
        cash_with_new_round=ocf, api_gross_margin=ocf, cash_start=np.array([0.0]),
    )  # fmt: skip
    assert p.breakeven_year()[0] == 2027
    assert p.first_profitable_year()[0] == 2025


def test_runway_interpolates_within_the_year():
    """Cash 10 -> 4 -> -2: it runs out a third of the way into the second year, runway 1 + 4/6."""
    ocf = np.array([[-6.0, -6.0]])
    cash = np.array([[4.0, -2.0]])
    p = sv.Projection(
        years=np.array([2025, 2026]), revenue_by_stream={}, gross_profit=ocf, inference_cost=ocf, training=ocf,
        talent=ocf, other=ocf, operating_cash_flow=ocf, cash_without_new_capital=cash, cash_with_new_round=cash,
        api_gross_margin=ocf, cash_start=np.array([10.0]),
    )  # fmt: skip
    assert p.runway_years()[0] == pytest.approx(1 + 4 / 6)
    assert p.runout_year()[0] == 2026


def test_monte_carlo_is_deterministic_to_the_last_digit(leader):
    a_inputs, a = sv.simulate(leader, 2000, 7, 0.8, 2025, 2032)
    b_inputs, b = sv.simulate(leader, 2000, 7, 0.8, 2025, 2032)
    assert np.array_equal(a.cash_without_new_capital, b.cash_without_new_capital)
    assert all(np.array_equal(a_inputs[k], b_inputs[k]) for k in a_inputs)
    _, c = sv.simulate(leader, 2000, 8, 0.8, 2025, 2032)
    assert not np.array_equal(a.cash_without_new_capital, c.cash_without_new_capital)


@pytest.mark.parametrize("scenario", sv.SCENARIOS)
@pytest.mark.parametrize("archetype", sv.ARCHETYPES)
def test_every_drawn_input_has_its_base_as_median_and_its_range_as_90_percent(dataset, archetype, scenario):
    """For every input of every archetype: median = base, 5th percentile = low, 95th = high (the first edition drew
    the final run cost with median sqrt(0.1 x 1) = 0.316 against a base of 0.5)."""
    table = sv.lab_input_table(dataset, archetype, scenario)
    draws = sv.draw_inputs(table, 100_000, 11, 0.8)
    for name in table.index[table["uncertain"]]:
        low, base, high = (float(table.at[name, c]) for c in ("low", "base", "high"))
        q05, q50, q95 = np.quantile(draws[name], [0.05, 0.5, 0.95])
        tolerance = 0.02 * (high - low)
        assert q50 == pytest.approx(base, abs=tolerance), name
        assert q05 == pytest.approx(low, abs=tolerance), name
        assert q95 == pytest.approx(high, abs=tolerance), name


def test_input_quantile_is_exact_at_the_three_points():
    """Two-piece: -1.645 -> low, 0 -> base, +1.645 -> high, whether or not the base is the midpoint."""
    for low, base, high, lognormal in ((0.1, 0.5, 1.0, True), (0.5, 0.8, 1.2, False), (5.0, 8.0, 20.0, True)):
        values = sv.input_quantile(np.array([-sv.Z90, 0.0, sv.Z90]), low, base, high, lognormal)
        assert_allclose(values, [low, base, high])


def test_draws_follow_the_declared_90_percent_intervals(leader):
    """About 5% of draws fall below each low and 5% above each high; the declines correlate as asked."""
    draws = sv.draw_inputs(leader, 200_000, 1, 0.8)
    for name in ("revenue_start_usd_bn", "training_growth", "api_price_decline"):
        low, high = leader.at[name, "low"], leader.at[name, "high"]
        assert np.mean(draws[name] < low) == pytest.approx(0.05, abs=0.004), name
        assert np.mean(draws[name] > high) == pytest.approx(0.05, abs=0.004), name
    rho = np.corrcoef(draws["api_price_decline"], draws["serving_cost_decline"])[0, 1]
    assert rho == pytest.approx(0.8, abs=0.01)
    # A Gaussian copula of 0.7 has Spearman correlation 6 / pi x asin(0.7 / 2) = 0.683, whatever the margins.
    spend = pd.Series(draws["revenue_start_usd_bn"]).corr(pd.Series(draws["final_run_cost_usd_bn"]), method="spearman")
    assert spend == pytest.approx(6 / np.pi * np.arcsin(0.35), abs=0.01)


def test_monte_carlo_median_cash_is_near_the_base_case(leader):
    """Centred draws: the median draw's 2030 cash lies within 2% of the 5-95% band's width of the base case
    (the first edition's median was $18bn from its base case; centred on the middle of each range, $5bn)."""
    base = sv.project_lab(sv.base_inputs(leader), 2025, 2032).cash_without_new_capital[0, 5]
    _, projection = sv.simulate(leader, 20_000, 2026, 0.8, 2025, 2032)
    cash = projection.cash_without_new_capital[:, 5]
    width = np.subtract(*np.quantile(cash, [0.95, 0.05]))
    assert abs(np.median(cash) - base) < 0.02 * width
    _, midpoint = sv.simulate(sv.recentre_on_midpoint(leader), 20_000, 2026, 0.8, 2025, 2032)
    assert abs(np.median(midpoint.cash_without_new_capital[:, 5]) - base) > abs(np.median(cash) - base)


def test_scenarios_scale_each_archetype_and_optimistic_is_never_worse(dataset):
    """Optimistic first-year growth is the archetype's own x 1.125 (the challenger: 1.0 -> 1.125, not down to 0.9);
    no input is worse under optimistic, or better under pessimistic, for any archetype."""
    assert sv.scenario_direction_problems(dataset) == []
    challenger = sv.lab_input_table(dataset, "enterprise_challenger", "optimistic")
    assert challenger.at["growth_initial", "base"] == pytest.approx(1.125)
    subscale = sv.lab_input_table(dataset, "subscale_lab", "pessimistic")
    assert subscale.at["training_growth", "base"] == pytest.approx(0.5 * 1.4)


def test_horizon_table_shows_how_sustained_break_even_moves(leader):
    """Longer horizons can only lower P(sustained break-even by 2030); first profitable year and cash don't move."""
    horizons = sv.horizon_table(leader, 4000, 3, 0.8, 2025, 2030, [2032, 2035, 2040])
    assert list(horizons["horizon"]) == [2032, 2035, 2040]
    assert (np.diff(horizons["p_breakeven_by_year"]) <= 0).all()
    assert horizons["p_profitable_by_year"].nunique() == 1 and horizons["p_cash_lasts"].nunique() == 1
    assert (horizons["p_profitable_by_year"] >= horizons["p_breakeven_by_year"]).all()
    # Training growth decays: measuring to 2040 costs far less than the first edition's 29% -> 7%.
    assert horizons["p_breakeven_by_year"].iloc[-1] > 0.6 * horizons["p_breakeven_by_year"].iloc[0]
    with pytest.raises(sv.SurvivalInputError, match="each must be at or after the headline year 2030"):
        sv.horizon_table(leader, 10, 3, 0.8, 2025, 2030, [2028])


def test_calibration_table_against_the_sources(dataset):
    """Both OpenAI revenue minimums are respected by the whole 90% interval (5th percentile = $5bn >= $4bn, $5bn);
    the optimistic leaders first profit in 2027 (the essay: 2027 or 2028); the round is sized from revenue."""
    calibration = sv.calibration_table(dataset, 4000, 1, 0.8, 2025, 2032).set_index(["archetype", "quantity"])
    revenue = calibration.loc[("frontier_leader", "revenue in 2025 (USD bn)")]
    assert (revenue["model_p05"] >= revenue["reported_low"] - 0.01).all()
    assert (revenue["verdict"] == "within").all()
    for archetype in ("frontier_leader", "enterprise_challenger"):
        row = calibration.loc[(archetype, "first profitable year, optimistic scenario")]
        assert row["model_base"] == 2027 and row["verdict"] == "within"
    margin = calibration.loc[("enterprise_challenger", "gross margin in 2026")]
    assert margin["reported_low"] == pytest.approx(0.5) and margin["verdict"] == "within"
    rd = calibration.loc[("enterprise_challenger", "R&D (training) compute in 2026 (USD bn)")]
    assert (rd["reported_low"], rd["reported_high"]) == pytest.approx((6.0, 15.0))  # (1-0.5) x 12, (1.5-0.5) x 15
    assert 6 <= rd["model_base"] <= 15
    assert calibration.loc[("frontier_leader", "API revenue added 2025 to 2026 (USD bn a year)"), "verdict"] == (
        "model below"
    )


def test_one_sided_facts_are_lower_bounds_of_the_leaders_revenue(dataset):
    """'surpassed four billion' and '$5B+' are minimums: the range starts at the larger, so P(< $5bn) is 5%, not 95%."""
    leader = sv.lab_input_table(dataset, "frontier_leader")
    floor = max(dataset.fact("openai_revenue_usd_essay")["low"], dataset.fact("openai_revenue_usd_oakgen")["low"]) / 1e9
    assert leader.at["revenue_start_usd_bn", "low"] == floor
    draws = sv.draw_inputs(leader, 100_000, 2, 0.8)["revenue_start_usd_bn"]
    assert np.mean(draws >= floor) == pytest.approx(0.95, abs=0.005)


def test_uncertainty_budget_names_sampling_and_structural_sources(leader):
    """The budget has the Monte Carlo SE sqrt(p(1-p)/n), the seed spread and five structural choices; the printed
    precision follows the largest."""
    budget = sv.uncertainty_budget(leader, 3000, 5, 0.8, 2025, 2032, 2030, n_seeds=3)
    assert list(budget["kind"]) == ["sampling", "sampling"] + ["structural"] * 5
    p = sv.headline_probabilities(leader, 3000, 5, 0.8, 2025, 2032, 2030)["p_breakeven_by_year"]
    assert budget.at[0, "p_breakeven_by_year"] == pytest.approx(np.sqrt(p * (1 - p) / 3000))
    largest = budget.loc[budget["kind"] == "structural", "p_breakeven_by_year"].max()
    assert largest > 0.02 and sv.decimals_supported(largest) == 0


def test_recentring_on_the_midpoint_reproduces_the_first_edition_median(leader):
    """The first edition's final-run median was the geometric midpoint: sqrt(0.3 x 2.5) = 0.866 for today's range."""
    recentred = sv.recentre_on_midpoint(leader)
    assert recentred.at["final_run_cost_usd_bn", "base"] == pytest.approx(np.sqrt(0.3 * 2.5))
    assert recentred.at["growth_initial", "base"] == pytest.approx((0.5 + 1.2) / 2)


def test_probabilities_carry_their_standard_errors(leader):
    _, projection = sv.simulate(leader, 4000, 3, 0.8, 2025, 2032)
    probabilities = sv.survival_probabilities(projection)
    p = probabilities["p_cash_lasts"]
    assert_allclose(probabilities["se_cash_lasts"], np.sqrt(p * (1 - p) / 4000))
    assert (np.diff(probabilities["p_breakeven_by_year"]) >= 0).all()
    assert (np.diff(probabilities["p_cash_lasts"]) <= 0).all()


def test_exported_draws_reproduce_a_probability(leader, tmp_path):
    """A reader can recompute P(cash lasts to 2030) from the exported draws."""
    inputs, projection = sv.simulate(leader, 3000, 5, 0.8, 2025, 2032)
    path = sv.export_draws(inputs, projection, tmp_path / "draws.csv.gz", seed=5)
    with gzip.open(path, "rt") as fh:
        frame = pd.read_csv(fh)
    assert len(frame) == 3000 and (frame["seed"] == 5).all()
    from_file = (frame[[f"cash_{y}_usd_bn" for y in range(2025, 2031)]] >= 0).all(axis=1).mean()
    expected = sv.survival_probabilities(projection).set_index("year").at[2030, "p_cash_lasts"]
    assert from_file == pytest.approx(expected, abs=1 / 3000)


@pytest.mark.parametrize("archetype", ["frontier_leader", "subscale_lab"])
def test_exported_draws_are_the_bytes_pandas_writes(dataset, archetype, tmp_path):
    """Formatted a row at a time, the file is byte for byte what DataFrame.to_csv(float_format="%.6g") wrote with
    gzip level 1 and mtime 0: NaN years as empty fields, runways past the horizon as inf, fixed inputs as 1."""
    inputs, projection = sv.simulate(sv.lab_input_table(dataset, archetype, "pessimistic"), 2000, 7, 0.8, 2025, 2032)
    frame = pd.DataFrame({"draw": np.arange(2000), "seed": 7})
    for name, values in inputs.items():
        frame[f"input_{name}"] = values
    frame["breakeven_year"] = projection.breakeven_year()
    frame["runout_year_without_new_capital"] = projection.runout_year()
    frame["runway_years"] = projection.runway_years()
    for j, year in enumerate(projection.years):
        frame[f"cash_{year}_usd_bn"] = projection.cash_without_new_capital[:, j]
    (tmp_path / "pandas").mkdir()
    (tmp_path / "ours").mkdir()
    frame.to_csv(tmp_path / "pandas" / "draws.csv.gz", index=False, float_format="%.6g",
                 compression={"method": "gzip", "compresslevel": 1, "mtime": 0})  # fmt: skip
    ours = sv.export_draws(inputs, projection, tmp_path / "ours" / "draws.csv.gz", seed=7)
    assert ours.read_bytes() == (tmp_path / "pandas" / "draws.csv.gz").read_bytes()
    text = gzip.decompress(ours.read_bytes()).decode()
    assert frame["breakeven_year"].isna().any() and ",," in text and "nan" not in text
    assert np.isinf(frame["runway_years"]).any() == (",inf," in text)


def test_exported_draws_write_fixed_and_missing_values_as_pandas_does(leader, tmp_path):
    """Columns written once into the row format (the same value in every draw) or formatted as text (with NaN):
    0 and -0 stay apart ("0", "-0"), a column mixing them is formatted per row, an input that is NaN in one draw
    is an empty field there, and all of it is the bytes DataFrame.to_csv(float_format="%.6g") writes."""
    inputs, projection = sv.simulate(leader, 50, 3, 0.8, 2025, 2032)
    mixed = np.zeros(50)
    mixed[::2] = -0.0
    gap = inputs["training_growth"].copy()
    gap[7] = np.nan
    crafted = {"zero": np.zeros(50), "minus_zero": np.full(50, -0.0), "mixed_zero": mixed, "gap": gap,
               "all_missing": np.full(50, np.nan)}  # fmt: skip
    ours = sv.export_draws(crafted, projection, tmp_path / "draws.csv.gz", seed=3)
    frame = pd.DataFrame({"draw": np.arange(50), "seed": 3, **{f"input_{k}": v for k, v in crafted.items()},
                          "breakeven_year": projection.breakeven_year(),
                          "runout_year_without_new_capital": projection.runout_year(),
                          "runway_years": projection.runway_years(),
                          **{f"cash_{y}_usd_bn": projection.cash_without_new_capital[:, j]
                             for j, y in enumerate(projection.years)}})  # fmt: skip
    (tmp_path / "pandas").mkdir()  # the same file name: gzip's header carries it
    frame.to_csv(tmp_path / "pandas" / "draws.csv.gz", index=False, float_format="%.6g",
                 compression={"method": "gzip", "compresslevel": 1, "mtime": 0})  # fmt: skip
    assert ours.read_bytes() == (tmp_path / "pandas" / "draws.csv.gz").read_bytes()
    rows = gzip.decompress(ours.read_bytes()).decode().splitlines()
    assert rows[1].startswith("0,3,0,-0,-0,") and rows[2].startswith("1,3,0,-0,0,")
    assert rows[8].split(",")[5:7] == ["", ""]


def test_tornado_and_rank_correlations_name_training_first(leader):
    """For the frontier leader the size of training runs and their escalation move end cash most."""
    tornado = sv.tornado(leader, 2025, 2032)
    assert tornado["input"].iloc[0] == "final_run_cost_usd_bn"
    assert "training_growth" in set(tornado["input"].iloc[:5])
    assert (tornado["swing"].diff().dropna() <= 0).all()
    inputs, projection = sv.simulate(leader, 5000, 2, 0.8, 2025, 2032)
    ranks = sv.rank_correlations(inputs, projection)
    assert ranks.set_index("input").at["training_growth", "rank_correlation"] < -0.3
    assert "revenue_spend_correlation" not in set(ranks["input"])  # a fixed setting, not a drawn input


@settings(max_examples=40, deadline=None)
@given(extra_cash=st.floats(0, 500), draw=st.integers(0, 10_000))
def test_more_capital_never_shortens_the_runway(dataset, extra_cash, draw):
    table = sv.lab_input_table(dataset, "enterprise_challenger", "base")
    inputs = sv.draw_inputs(table, 1, draw, 0.8)
    richer = dict(inputs, cash_start_usd_bn=inputs["cash_start_usd_bn"] + extra_cash)
    assert sv.project_lab(richer, 2025, 2032).runway_years()[0] >= sv.project_lab(inputs, 2025, 2032).runway_years()[0]


@settings(max_examples=40, deadline=None)
@given(decline=st.floats(0, 0.9), steeper=st.floats(0, 0.09), draw=st.integers(0, 10_000))
def test_a_steeper_price_decline_never_raises_revenue_when_demand_is_inelastic(dataset, decline, steeper, draw):
    table = sv.lab_input_table(dataset, "frontier_leader", "base")
    inputs = dict(sv.draw_inputs(table, 1, draw, 0.8), api_price_elasticity=np.array([0.8]))
    gentle = sv.project_lab(dict(inputs, api_price_decline=np.array([decline])), 2025, 2032)
    steep = sv.project_lab(dict(inputs, api_price_decline=np.array([decline + steeper])), 2025, 2032)
    assert (steep.revenue <= gentle.revenue + 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(draw=st.integers(0, 10_000))
def test_the_cash_identity_holds_every_year(dataset, draw):
    """cash_t = cash_(t-1) + revenue - inference - training - talent - other - data - infrastructure, every year."""
    table = sv.lab_input_table(dataset, "subscale_lab", "base")
    p = sv.project_lab(sv.draw_inputs(table, 1, draw, 0.5), 2025, 2032)
    previous = np.concatenate([p.cash_start[:, None], p.cash_without_new_capital[:, :-1]], axis=1)
    flows = p.revenue - p.inference_cost - p.training - p.talent - p.other - p.data - p.infrastructure
    assert_allclose(p.cash_without_new_capital, previous + flows, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: sv.draw_inputs(t, 0, 1, 0.8), "n_draws = 0 is not allowed: must be a whole number >= 1"),
        (lambda t: sv.draw_inputs(t, 10, 1, 1.5), "price_cost_correlation = 1.5 is not allowed: must be between -1 and 1"),
        (lambda t: sv.simulate(t, 10, 1, 0.8, 2030, 2026), "horizon 2030-2026 is not allowed: end_year must not be before"),
        (lambda t: sv.draw_inputs(t.assign(low=t["low"].where(t["input"] != "headcount", 9e9)), 10, 1, 0.8),
         "input 'headcount' has low 9e\\+09 above high 2500"),
        (lambda t: sv.project_lab(dict(sv.base_inputs(t), compensation_usd_m=np.array([-1.0])), 2025, 2030),
         "input 'compensation_usd_m' has a negative value"),
        (lambda t: sv.draw_inputs(t.assign(base=t["base"].where(t["input"] != "headcount", 9000.0)), 10, 1, 0.8),
         "input 'headcount' has base 9000 outside its range 1000-2500: the base must lie within low-high"),
        (lambda t: sv.project_lab(dict(sv.base_inputs(t), api_price_elasticity=np.array([-0.5])), 2025, 2030),
         "input 'api_price_elasticity' must be >= 0"),
        (lambda t: sv.with_input_fixed(t, "elasticity", 1.0), "input 'elasticity' is not an input of this lab"),
    ],
)  # fmt: skip
def test_bad_input_is_rejected_before_any_work(leader, call, message):
    with pytest.raises(sv.SurvivalInputError, match=message):
        call(leader)


def test_unknown_archetype_names_the_choices(dataset):
    with pytest.raises(sv.SurvivalInputError, match="archetype 'openai' is not allowed: choose one of frontier_leader"):
        sv.lab_input_table(dataset, "openai")


@pytest.mark.parametrize("sample", [10_000, 100])
@pytest.mark.parametrize("window_sigmas", [10.0, 0.0, None])
def test_chunked_summary_equals_the_full_simulation_exactly(leader, monkeypatch, window_sigmas, sample):
    """Drawn block by block, projected in chunks year by year, quantiles from narrowing windows (or, with
    window_sigmas 0, mostly from the fallback that keeps everything): the same bits as simulate's projection,
    whether the first narrowing partitions the whole first block or (sample 100) every tenth value of it."""
    monkeypatch.setattr(sv.inputs, "DRAW_BLOCK", 1_000)  # five blocks, so the windows narrow four times
    monkeypatch.setattr(sv.montecarlo, "_NARROWING_SAMPLE", sample)
    _, projection = sv.simulate(leader, 5_000, 4, 0.8, 2025, 2032)
    summary = sv.simulate_summary(leader, 5_000, 4, 0.8, 2025, 2032, chunk_size=700, window_sigmas=window_sigmas)
    pd.testing.assert_frame_equal(summary.probabilities, sv.survival_probabilities(projection), check_exact=True)
    pd.testing.assert_frame_equal(summary.fan, sv.cash_fan(projection), check_exact=True)
    assert summary.runway == sv.runway_summary(projection)


def test_runway_rows_gives_the_bits_of_argmax_and_where():
    """runway_rows, which finds the first negative year row by row and gathers instead of np.where, gives the bits
    of the direct formulation (argmax along the years, np.where for inf), on cash with +-0, NaN, +-inf, first-year
    run-outs and draws that never run out, in C, Fortran and transposed layouts, with array and float starts."""

    def direct(cash, cash_start):
        before = np.concatenate([np.broadcast_to(cash_start, cash.shape[1:])[None, :], cash[:-1]], axis=0)
        negative = cash < 0
        first = negative.argmax(axis=0)
        columns = np.arange(cash.shape[1])
        start_cash, end_cash = before[first, columns], cash[first, columns]
        fraction = np.where(start_cash > 0, start_cash / (start_cash - end_cash), 0.0)
        return np.where(negative.any(axis=0), first + fraction, np.inf)

    rng = np.random.default_rng(23)
    special = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 2.0, -3.0, 1e-300])
    for trial in range(600):
        n_years, n = int(rng.integers(1, 6)), int(rng.integers(1, 9))
        cash = rng.choice(special, (n_years, n)) if trial % 2 else rng.standard_normal((n_years, n))
        start = rng.choice(special, n) if trial % 3 == 0 else float(rng.choice(special))
        for layout in (cash, np.asfortranarray(cash), cash.T.copy().T):
            with np.errstate(all="ignore"):
                assert sv.runway_rows(layout, start).tobytes() == direct(layout, start).tobytes()


def _exact_order_statistics(values, ranks):
    ordered = np.sort(values, axis=1)
    return [[(float(row[i]), float(row[j])) for i, j in ranks] for row in ordered]


@pytest.mark.parametrize("sample_size", [10_000, 400])
def test_order_statistics_from_a_sampled_first_narrowing_are_exact(sample_size):
    """Eight blocks of 5,000 values in three columns (one with ties, one with inf): the windows' order statistics
    are those of sorting all 40,000, whether the first bounds come from the whole first block or from every 12th
    value of it (sample_size 400), and the sampled bounds do narrow the windows after the first block."""
    rng = np.random.default_rng(21)
    blocks = [rng.standard_normal((3, 5_000)) for _ in range(8)]
    for block in blocks:
        block[1] = np.round(block[1], 1)  # ties across the windows' edges
        block[2, ::50] = np.inf  # beyond the horizon, as runways are
    everything = np.concatenate(blocks, axis=1)
    n = everything.shape[1]
    ranks = [(0, 0), (1_999, 2_000), (19_999, 20_000), (37_999, 38_000), (n - 1, n - 1)]
    stats = _OrderStatistics(n, 3, ranks, 10.0, sample_size=sample_size)
    stats.add(blocks[0])
    middle = [len(stats.kept[c][2][0]) for c in range(3)]
    assert np.isfinite(stats.lo[:, 1:4]).all() and max(middle) < 5_000
    for block in blocks[1:]:
        stats.add(block)
    assert stats.values() == _exact_order_statistics(everything, ranks)


def test_order_statistics_report_a_stream_that_leaves_its_sampled_windows():
    """A stream whose first block is N(0, 1) and whose later blocks are N(6, 1): the ranks move far from the windows
    the first block's sample set, so the windows give None (the summary then keeps every value), and a window that
    still holds its ranks gives them exactly."""
    rng = np.random.default_rng(22)
    blocks = [rng.standard_normal((1, 5_000)) + (0.0 if b == 0 else 6.0) for b in range(6)]
    everything = np.concatenate(blocks, axis=1)
    n = everything.shape[1]
    ranks = [(0, 0), (99, 100), (14_999, 15_000)]
    stats = _OrderStatistics(n, 1, ranks, 10.0, sample_size=500)
    for block in blocks:
        stats.add(block)
    found = stats.values()[0]
    assert found[1] is None and found[2] is None
    assert found[0] == _exact_order_statistics(everything, ranks)[0][0]  # the minimum's window is never bounded


@pytest.mark.parametrize("scenario", sv.SCENARIOS)
@pytest.mark.parametrize("archetype", sv.ARCHETYPES)
def test_the_monte_carlo_kernel_is_project_lab_bit_for_bit(dataset, archetype, scenario):
    """The summary's year-by-year kernel, with fixed inputs as floats, gives project_lab's operating cash flow and
    cash exactly, and its runway and yearly counts are the Projection's, for every archetype and scenario."""
    table = sv.lab_input_table(dataset, archetype, scenario)
    _, projection = sv.simulate(table, 3_000, 6, 0.8, 2025, 2032)
    scores = next(sv.score_blocks(table, 3_000, 6, 0.8))
    inputs = sv.input_values(sv.input_specs(table), scores)
    assert any(isinstance(v, float) for v in inputs.values())  # some inputs are fixed, and stay single numbers
    ocf, cash = cash_by_year(inputs, 2025, 2032)
    np.testing.assert_array_equal(ocf.T, projection.operating_cash_flow)
    np.testing.assert_array_equal(cash.T, projection.cash_without_new_capital)
    np.testing.assert_array_equal(sv.runway_rows(cash, inputs["cash_start_usd_bn"]), projection.runway_years())
    counts = {key: np.zeros(8, dtype=np.int64) for key in ("breakeven", "profitable", "cash")}
    count_by_year(ocf >= 0, cash >= 0, counts)
    probabilities = sv.survival_probabilities(projection)
    np.testing.assert_array_equal(counts["breakeven"] / 3_000, probabilities["p_breakeven_by_year"])
    np.testing.assert_array_equal(counts["profitable"] / 3_000, probabilities["p_profitable_by_year"])
    np.testing.assert_array_equal(counts["cash"] / 3_000, probabilities["p_cash_lasts"])


def test_draws_are_made_block_by_block_so_more_draws_extend_the_same_draws(leader):
    """Up to one block (the chapter's 20,000) the draws are one standard_normal((inputs, n)) call, as before the
    Monte Carlo was chunked; beyond it, the first block's draws do not change with n_draws."""
    n = 20_000
    draws = sv.draw_inputs(leader, n, 3, 0.8)
    scored = _scored_inputs(leader)
    rows = np.random.default_rng(3).standard_normal((len(scored), n))
    low, base, high = (float(leader.at["training_growth", c]) for c in ("low", "base", "high"))
    expected = np.clip(sv.input_quantile(rows[scored.index("training_growth")], low, base, high, False), 0.0, 5.0)
    np.testing.assert_array_equal(draws["training_growth"], expected)
    more = sv.draw_inputs(leader, sv.DRAW_BLOCK + 10, 3, 0.8)
    block = sv.draw_inputs(leader, sv.DRAW_BLOCK, 3, 0.8)
    for name, values in block.items():
        np.testing.assert_array_equal(more[name][: sv.DRAW_BLOCK], values)
    assert more["training_growth"].shape == (sv.DRAW_BLOCK + 10,)
    assert not np.array_equal(more["training_growth"][-10:], block["training_growth"][:10])


@pytest.mark.parametrize("lognormal", [False, True])
def test_input_values_are_input_quantile_clipped_bit_for_bit(lognormal):
    """input_values, which picks the spread below or above the base without np.where, gives the bits of
    input_quantile then np.clip: for a base at the low end, at the high end and inside, at scores that include
    +-0, the smallest subnormals, +-inf and NaN (NaN compares equal to itself by bits only)."""
    rng = np.random.default_rng(11)
    specials = [0.0, -0.0, 5e-324, -5e-324, 1e-310, -1e-310, np.inf, -np.inf, np.nan, 1e300, -1e300]
    z = np.concatenate([rng.standard_normal(5_000), specials, rng.standard_normal(5) * 1e-300])
    ranges = [(0.2, 0.35, 0.5), (0.2, 0.2, 0.5), (0.2, 0.5, 0.5), (0.3, 0.45, 0.55), (1.0, 1.5, 9.0)]
    for low, base, high in ranges:
        spec = sv.inputs._InputSpec("x", low, base, high, lognormal, None if lognormal else (0.0, 0.99))
        with np.errstate(invalid="ignore", over="ignore"):
            drawn = sv.input_values([spec], {"x": z})["x"]
            expected = sv.input_quantile(z, low, base, high, lognormal)
        if not lognormal:
            expected = np.clip(expected, 0.0, 0.99)
        assert np.asarray(drawn).tobytes() == np.asarray(expected).tobytes(), (low, base, high)


def test_kernel_with_draws_that_serve_nothing_is_project_lab_bit_for_bit(leader):
    """Draws with no starting revenue have no serving cost in the first year (the new streams start later), so the
    kernel's infrastructure takes its masked division (growth 1 where nothing was served) instead of dividing
    everywhere: project_lab's bits all the same."""
    inputs = sv.draw_inputs(leader, 2_000, 8, 0.8)
    inputs["revenue_start_usd_bn"][::7] = 0.0
    projection = sv.project_lab(inputs, 2025, 2032)
    ocf, cash = cash_by_year(inputs, 2025, 2032)
    assert (projection.inference_cost[::7, 0] == 0).all() and (projection.inference_cost[1::7, 0] > 0).all()
    np.testing.assert_array_equal(ocf.T, projection.operating_cash_flow)
    np.testing.assert_array_equal(cash.T, projection.cash_without_new_capital)


def test_monte_carlo_memory_does_not_grow_with_the_draws(leader):
    """Peak traced memory at a million draws is within a few MB of that at 200,000 (it was 597 MB at a million:
    every draw's inputs and cash were held); a block's normal scores alone are 26 x 100,000 x 8 B = 21 MB."""
    import tracemalloc

    peaks = []
    for n in (200_000, 1_000_000):
        tracemalloc.start()
        summary = sv.simulate_summary(leader, n, 1, 0.8, 2025, 2032)
        peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
        tracemalloc.stop()
        assert summary.n_draws == n and summary.probabilities["p_cash_lasts"].between(0, 1).all()
    block_mb = len(_scored_inputs(leader)) * sv.DRAW_BLOCK * 8 / 1e6
    assert peaks[1] - peaks[0] < block_mb / 2, peaks
    assert peaks[1] < 4 * block_mb, peaks


def test_the_comments_compute_spend_range_is_recorded_as_inconsistent(dataset):
    """1-1.5 GW at $12-15bn per GW-year is 12-22.5, not the comment's '$12-25bn'; corrections.csv says so."""
    gw, cost = dataset.fact("anthropic_current_compute_gw"), dataset.fact("gw_year_cost_usd")
    spend = dataset.fact("anthropic_compute_spend_usd")
    assert (gw["low"] * cost["low"] / 1e9, gw["high"] * cost["high"] / 1e9) == pytest.approx((12.0, 22.5))
    assert spend["high"] / 1e9 == 25.0
    corrections = dataset["corrections"].set_index("id")
    assert "22.5" in corrections.at["compute_spend_range", "problem"]


def test_modelling_choices_state_computed_effects(dataset):
    """The Methods page rows: the pessimistic API margin without the floor is 1 - 0.55 x (0.65 / 0.545)**7 = -89%."""
    from analysis.parameters import get_chapter

    choices = sv.modelling_choices(dataset, get_chapter("survival").defaults).set_index("Choice")
    unfloored = 1 - 0.55 * (0.65 / (1 - 0.35 * 1.3)) ** 7
    assert round(unfloored * 100) == -89
    assert choices.at["Margins", "Effect on the headline"].endswith(f"0% instead of {unfloored:.0%}")
    assert "by up to" in choices.at["API price response", "Effect on the headline"]
    assert (
        choices.at["Size of the new round", "Effect on the headline"]
        == "the frontier leader's round is $125bn in the base case"
    )


def test_probabilities_without_quantiles_are_the_summarys_bit_for_bit(leader, monkeypatch):
    """simulate_probabilities gives simulate_summary's probabilities exactly, for tables run together: the leader's
    (P(sustained break-even by 2030) = 1,278 of 3,000 draws = 0.426), its training growth scaled by 1.5 (0.202:
    faster spend, fewer labs break even) and one with the elasticity fixed (other scores: a group of its own);
    drawn in three blocks and projected in chunks of 700, as simulate_summary is with the same settings."""
    monkeypatch.setattr(sv.inputs, "DRAW_BLOCK", 1_000)  # where score_blocks reads it
    tables = [leader, sv.inputs.scaled_input_table(leader, "frontier_leader", {"training_growth": 1.5}),
              sv.with_input_fixed(leader, "api_price_elasticity", 1.0)]  # fmt: skip
    together = sv.simulate_probabilities(tables, 3_000, 9, 0.8, 2025, 2032, chunk_size=700)
    for table, probabilities in zip(tables, together, strict=True):
        summary = sv.simulate_summary(table, 3_000, 9, 0.8, 2025, 2032, chunk_size=700)
        pd.testing.assert_frame_equal(probabilities, summary.probabilities, check_exact=True)
    at_2030 = [frame.set_index("year").at[2030, "p_breakeven_by_year"] for frame in together[:2]]
    assert at_2030 == [1_278 / 3_000, 606 / 3_000]
    assert sv.simulate_probabilities([leader], 3_000, 9, 0.8, 2025, 2032)[0].equals(together[0])


def test_simulated_cash_is_the_projections_bit_for_bit(leader, monkeypatch):
    """simulate_cash's two lines, drawn in three blocks, are simulate's projection's operating cash flow and cash
    (transposed: years x draws); the leader's first-year cash flow is negative in 2,161 of 2,500 draws."""
    monkeypatch.setattr(sv.inputs, "DRAW_BLOCK", 1_000)  # where score_blocks reads it
    _, projection = sv.simulate(leader, 2_500, 4, 0.8, 2025, 2040)
    ocf, cash = sv.simulate_cash(leader, 2_500, 4, 0.8, 2025, 2040)
    np.testing.assert_array_equal(ocf.T, projection.operating_cash_flow)
    np.testing.assert_array_equal(cash.T, projection.cash_without_new_capital)
    assert ocf.shape == (16, 2_500) and int(np.count_nonzero(ocf[0] < 0)) == 2_161
    with pytest.raises(sv.SurvivalInputError, match="n_draws = 0 is not allowed"):
        sv.simulate_cash(leader, 0, 4, 0.8, 2025, 2040)


@pytest.mark.parametrize("archetype", ["frontier_leader", "subscale_lab"])
def test_tables_run_together_each_get_their_own_monte_carlo(dataset, archetype):
    """One table per input with that input's range scaled by 1.1 (every input, fixed ones too), all run in one
    simulate_probabilities call, where the kernel reuses whatever depends only on inputs the tables share: each
    table's probabilities are its own simulate_summary's, bit for bit, so no reused value missed an input it
    depends on."""
    table = sv.lab_input_table(dataset, archetype, "pessimistic")
    names = [name for name in table.index if float(table.at[name, "high"]) > 0 and not name.startswith("share_")]
    tables = [table, *(sv.inputs.scaled_input_table(table, archetype, {name: 1.1}) for name in names)]
    together = sv.simulate_probabilities(tables, 1_500, 8, 0.8, 2025, 2032)
    moved = 0
    for scaled, probabilities in zip(tables, together, strict=True):
        alone = sv.simulate_summary(scaled, 1_500, 8, 0.8, 2025, 2032).probabilities
        pd.testing.assert_frame_equal(probabilities, alone, check_exact=True)
        moved += not probabilities.equals(together[0])
    assert moved >= len(names) // 2  # most inputs move a probability at 1,500 draws


def test_probabilities_without_quantiles_refuse_bad_settings(leader):
    """The same checks as simulate_summary, on every table, before any draw."""
    broken = leader.copy()
    broken.loc["headcount", "low"] = 9e9
    with pytest.raises(sv.SurvivalInputError, match="input 'headcount' has low 9e\\+09 above high 2500"):
        sv.simulate_probabilities([leader, broken], 100, 1, 0.8, 2025, 2032)
    with pytest.raises(sv.SurvivalInputError, match="chunk_size = 0 is not allowed: must be >= 1"):
        sv.simulate_probabilities([leader], 100, 1, 0.8, 2025, 2032, chunk_size=0)
    with pytest.raises(sv.SurvivalInputError, match="n_draws = 0 is not allowed: must be a whole number >= 1"):
        sv.simulate_probabilities([leader], 0, 1, 0.8, 2025, 2032)
    with pytest.raises(sv.SurvivalInputError, match="price_cost_correlation = 1.5 is not allowed"):
        sv.simulate_probabilities([leader], 100, 1, 1.5, 2025, 2032)


def test_scaling_a_range_keeps_the_score_settings_and_multiplies_low_base_high(leader):
    """Training growth 0.4-0.7-1.0 scaled by 1.5 is 0.6-1.05-1.5 (the float products), every other input and the
    given table unchanged; the scores are drawn the same way (26 scored inputs, revenue-spend correlation 0.7),
    while fixing an input (not drawn any more) changes them."""
    scaled = sv.inputs.scaled_input_table(leader, "frontier_leader", {"training_growth": 1.5})
    assert scaled.loc["training_growth", ["low", "base", "high"]].tolist() == [0.4 * 1.5, 0.7 * 1.5, 1.0 * 1.5]
    assert leader.loc["training_growth", ["low", "base", "high"]].tolist() == [0.4, 0.7, 1.0]
    pd.testing.assert_frame_equal(scaled.drop(index="training_growth"), leader.drop(index="training_growth"))
    scored, rho_spend = sv.score_settings(leader)
    assert (len(scored), rho_spend) == (26, 0.7) and sv.score_settings(scaled) == (scored, rho_spend)
    assert sv.score_settings(sv.with_input_fixed(leader, "api_price_elasticity", 1.0)) != (scored, rho_spend)


def test_explorer_grid_at_the_default_point_is_the_chapters_monte_carlo(dataset, leader):
    """Scales of 1 reproduce simulate_summary exactly; faster training growth lowers P(break-even) at every
    year (common random numbers: the same draws, only the assumption moves)."""
    grid = sv.explorer_grid(dataset, "frontier_leader", "base", {"training_growth": [0.5, 1.0, 1.5]}, 3000, 9, 0.8,
                            2025, 2032)  # fmt: skip
    summary = sv.simulate_summary(leader, 3000, 9, 0.8, 2025, 2032).probabilities
    default = grid[grid["training_growth_scale"] == 1.0].reset_index(drop=True)
    pd.testing.assert_series_equal(default["p_breakeven_by_year"], summary["p_breakeven_by_year"])
    pd.testing.assert_series_equal(default["p_cash_lasts"], summary["p_cash_lasts"])
    low, high = (grid[grid["training_growth_scale"] == s].set_index("year") for s in (0.5, 1.5))
    assert (low["p_breakeven_by_year"] >= high["p_breakeven_by_year"]).all()
    assert low.loc[2030, "p_cash_lasts"] > high.loc[2030, "p_cash_lasts"]
    again = sv.explorer_grid(dataset, "frontier_leader", "base", {"training_growth": [0.5, 1.0, 1.5]}, 3000, 9, 0.8,
                             2025, 2032)  # fmt: skip
    pd.testing.assert_frame_equal(grid, again)
    with pytest.raises(sv.SurvivalInputError, match="cannot scale 'training': frontier_leader has no such input"):
        sv.explorer_grid(dataset, "frontier_leader", "base", {"training": [1.0]}, 10, 1, 0.8, 2025, 2026)
    with pytest.raises(sv.SurvivalInputError, match="scale of 'training_growth' = -1.0 is not allowed"):
        sv.lab_input_table(dataset, "frontier_leader", "base", {"training_growth": -1.0})


@pytest.mark.parametrize("uncertainty", [0.0, 1e-12, 2e-7, 3e-6])
def test_a_vanishing_uncertainty_prints_at_most_hundredths_of_a_point(dataset, uncertainty):
    """A probability no modelling choice moves (0 or 1 on every draw: its standard error is 0 too) is printed to
    hundredths of a point, in a format the explorer's readout gives: 'run survival -p archetype=subscale_lab
    -p outlook=pessimistic -p growth_initial_scale=0.5 -p training_growth_scale=1.5' printed '0.000000000%' and failed."""
    from analysis.present import explorers
    from analysis.present.common import share_supported

    assert sv.decimals_supported(uncertainty) == 2
    for p in (0.0, 1.0, 0.123456):
        text = share_supported(p, uncertainty)
        assert explorers.readout_format(dataset["key_figures"], "sv_p_breakeven", p, text) == ".2%"


def test_an_archetype_probability_of_zero_prints_zero_not_under_one_percent():
    """The big-tech lab's cash never lasts under the pessimistic scenario: its probability is 0, which printed
    '<1%' (as if some draws survived); a small positive one still prints '<1%', one just under 1 '>99%'."""
    from analysis.present.survival import archetype_probabilities_table

    by_archetype = pd.DataFrame({"archetype": ["bigtech_lab"] * 3, "scenario": ["pessimistic", "base", "optimistic"],
                                 "p_breakeven_by_year": [0.0, 0.0001, 0.9999], "p_cash_lasts": [0.0, 0.0002, 1.0]})  # fmt: skip
    table = archetype_probabilities_table(by_archetype, 2030, 0)
    printed = table.drop(columns=["Archetype", "Scenario"]).to_numpy().tolist()
    assert printed == [["0%", "0%"], ["<1%", "<1%"], [">99%", "100%"]]

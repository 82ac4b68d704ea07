"""The lab-survival chapter's sections (``book/survival.ipynb``)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.formats import fmt_number, fmt_range, fmt_usd, with_article
from analysis.models import survival as sv
from analysis.paths import notebook_file
from analysis.present import survival as present
from analysis.present import survival_text
from analysis.present.chapter import ChapterContext
from analysis.present.common import (
    ARCHETYPE_NAMES,
    md_count,
    md_ratio,
    md_share,
    md_usd,
    md_usd_range,
    parameters_table,
    share_supported,
)
from analysis.present.explorers import survival_explorer

# The chapter's draws, written for download beside the executed notebook (see analysis.paths.notebook_file).
DRAWS_FILE = "survival_draws.csv.gz"


def _year_or(year: float, before: str, otherwise: str) -> str:
    """'in 2029' for a year, or the fallback text when the event does not happen (NaN)."""
    return f"{before}{year:.0f}" if np.isfinite(year) else otherwise


def _years_text(years: float) -> str:
    return "beyond the horizon" if not np.isfinite(years) else f"{years:.1f} years"


class SurvivalChapter(ChapterContext):
    """Lab survival: a foundation-model lab's cash, break-even and runway under uncertainty."""

    CHAPTER = "survival"
    PREFIX = "sv"

    def __init__(self, params: Any, dataset: Any):
        super().__init__(params, dataset)
        p = self.params
        self.start, self.end, self.year = int(p["start_year"]), int(p["end_year"]), int(p["headline_year"])
        self.lab = ARCHETYPE_NAMES[p["archetype"]]
        scales = {name: p[f"{name}_scale"] for name in sv.EXPLORER_INPUTS}
        self.inputs_table = sv.lab_input_table(dataset, p["archetype"], p["outlook"], scales)
        self.base = sv.project_lab(sv.base_inputs(self.inputs_table), self.start, self.end)
        self.base_frame = sv.projection_frame(self.base)

    def _mc_args(self) -> tuple[int, int, float]:
        p = self.params
        return p["n_draws"], p["seed"], p["price_cost_correlation"]

    # --- results shared by the sections, each computed once -------------------------------------

    @cached_property
    def simulation(self) -> tuple[dict[str, np.ndarray], sv.Projection]:
        return sv.simulate(self.inputs_table, *self._mc_args(), self.start, self.end)

    @cached_property
    def probabilities(self) -> pd.DataFrame:
        return sv.survival_probabilities(self.simulation[1])

    @cached_property
    def budget(self) -> pd.DataFrame:
        return sv.uncertainty_budget(self.inputs_table, *self._mc_args(), self.start, self.end, self.year)

    @cached_property
    def at_year(self) -> pd.Series:
        return self.probabilities.set_index("year").loc[self.year]

    @cached_property
    def breakeven_uncertainty(self) -> float:
        """The largest move of the break-even probability under the modelling choices, or its standard error."""
        structural = self.budget[self.budget["kind"] == "structural"]
        return max(float(structural["p_breakeven_by_year"].max()), float(self.at_year["se_breakeven"]))

    @cached_property
    def cash_uncertainty(self) -> float:
        structural = self.budget[self.budget["kind"] == "structural"]
        return max(float(structural["p_cash_lasts"].max()), float(self.at_year["se_cash_lasts"]))

    @cached_property
    def decimals(self) -> int:
        return sv.decimals_supported(self.breakeven_uncertainty)

    @cached_property
    def by_archetype(self) -> pd.DataFrame:
        return sv.archetype_scenario_probabilities(self.dataset, *self._mc_args(), self.start, self.end, self.year)

    # --- sections -------------------------------------------------------------------------------

    def setup(self) -> None:
        """The lab, scenario and horizon of this edition."""
        self.text("sv_archetype", self.lab)
        self.text("sv_scenario", self.params["outlook"])
        self.text("sv_horizon", f"{self.start} to {self.end}")

    def base_case(self) -> None:
        """The base-case projection: revenue, operating cash flow, break-even, runout, margins."""
        frame, end, table = self.base_frame, self.end, self.inputs_table
        ocf = frame["operating_cash_flow"]
        self.glue("sv_revenue_start", md_usd(frame["revenue"].iloc[0] * 1e9))
        revenue_end = frame["revenue"].iloc[-1]
        self.key_figure("sv_revenue_end", revenue_end, fmt_usd(revenue_end * 1e9, 1),
                        f"In the report's base case the {self.lab} reaches {{text}} of revenue in {end}.")  # fmt: skip
        self.glue("sv_ocf_start", md_usd(ocf.iloc[0] * 1e9))
        self.key_figure("sv_ocf_end", ocf.iloc[-1], fmt_usd(ocf.iloc[-1] * 1e9, 1),
                        f"In the base case the {self.lab}'s operating cash flow in {end} is {{text}}.")  # fmt: skip
        self.text("sv_breakeven_text", _year_or(self.base.breakeven_year()[0], "in ", f"not by {end}"))
        self.text("sv_first_profitable_text", _year_or(self.base.first_profitable_year()[0], "in ", f"not by {end}"))
        self.text("sv_runout_text", _year_or(self.base.runout_year()[0], "runs out in ", f"lasts to {end}"))
        ratio = frame["revenue_growth_to_cost_growth"]
        self.text("sv_ratio_text", survival_text.growth_ratio_sentence(
            ratio.iloc[1] if len(ratio) > 1 else float("nan"), ratio.iloc[-1], self.start + 1, end))  # fmt: skip
        self.text("sv_api_margin_text", survival_text.api_margin_sentence(
            frame["api_gross_margin"].iloc[0], frame["api_gross_margin"].iloc[-1], table.at["api_price_decline", "base"],
            table.at["serving_cost_decline", "base"], end, sv.MARGIN_FLOOR, sv.MARGIN_CAP))  # fmt: skip
        self.glue("sv_margin_cap", md_share(sv.MARGIN_CAP))
        self.text("sv_end_year", str(end))
        self.table("sv_table_projection", present.projection_table(frame), "tbl-lab-projection",
                   "Base-case projection in USD billions a year: revenue by stream, costs, operating cash flow and cash.")  # fmt: skip

    def monte_carlo(self, draws_path: Path | None = None) -> None:
        """The Monte Carlo: break-even and cash-lasts probabilities, runway, the fan, horizons, the budget."""
        p, lab, year, start = self.params, self.lab, self.year, self.start
        inputs, projection = self.simulation
        at = self.at_year
        be_unc, cash_unc = self.breakeven_uncertainty, self.cash_uncertainty
        self.glue("sv_n_draws", md_count(p["n_draws"]))
        self.text("sv_seed", str(p["seed"]))
        self.text("sv_headline_year", str(year))
        choices = "the largest move under the modelling choices, either way"

        def around(value: float, move: float) -> tuple[float, float, str]:
            return max(0.0, value - move), min(1.0, value + move), choices

        p_be_text = share_supported(at["p_breakeven_by_year"], be_unc)
        p_cash_text = share_supported(at["p_cash_lasts"], cash_unc)
        self.key_figure("sv_p_breakeven", at["p_breakeven_by_year"], p_be_text,
                        f"The report puts the probability that {with_article(lab)} reaches sustained break-even by {year} at about "
                        f"{{text}} ({survival_text.choices_move(be_unc)}; {p['n_draws']:,} draws).",
                        interval=around(at["p_breakeven_by_year"], be_unc))  # fmt: skip
        self.key_figure("sv_p_breakeven_se", at["se_breakeven"], f"{at['se_breakeven']:.1%}",
                        f"The Monte Carlo standard error of that probability is {at['se_breakeven']:.1%}.")  # fmt: skip
        moves = survival_text.choices_move(be_unc, f"the {lab}'s break-even probability", "percentage points")
        self.key_figure("sv_p_breakeven_uncertainty", be_unc, survival_text.points_text(be_unc),
                        f"{moves[0].upper()}{moves[1:]}.")  # fmt: skip
        p_first_text = share_supported(at["p_profitable_by_year"], be_unc)
        self.key_figure("sv_p_profitable", at["p_profitable_by_year"], p_first_text,
                        f"The report puts the probability that {with_article(lab)} has at least one profitable year by {year} at "
                        f"about {{text}}.",
                        interval=around(at["p_profitable_by_year"], be_unc))  # fmt: skip
        self.key_figure("sv_p_cash", at["p_cash_lasts"], p_cash_text,
                        f"The report puts the probability that {with_article(lab)}'s cash lasts through {year} without new capital "
                        f"at about {{text}} ({survival_text.choices_move(cash_unc)}).",
                        interval=around(at["p_cash_lasts"], cash_unc))  # fmt: skip
        self.key_figure("sv_p_cash_se", at["se_cash_lasts"], f"{at['se_cash_lasts']:.1%}",
                        f"The Monte Carlo standard error of that probability is {at['se_cash_lasts']:.1%}.")  # fmt: skip
        runway = sv.runway_summary(projection)
        median_text = _years_text(runway["median"])
        self.key_figure("sv_runway_median", runway["median"], median_text,
                        f"Without new capital, the median runway of {with_article(lab)} from {start} is {{text}}.",
                        interval=(runway["p05"], runway["p95"], "5th to 95th percentile of the draws"))  # fmt: skip
        self.glue("sv_runway_beyond", md_share(runway["share_beyond_horizon"]))
        self.text("sv_runway_p05", _years_text(runway["p05"]))
        self.text("sv_runway_p95", _years_text(runway["p95"]))
        at_index = year - start
        self.glue("sv_median_cash", md_usd(float(np.median(projection.cash_without_new_capital[:, at_index])) * 1e9))
        self.glue("sv_base_cash", md_usd(float(self.base.cash_without_new_capital[0, at_index]) * 1e9))
        sv.export_draws(inputs, projection, draws_path or notebook_file(DRAWS_FILE), p["seed"])
        self.glue("sv_fig_probabilities", present.probabilities_chart(self.probabilities))
        self.glue("sv_fig_fan", present.fan_chart(sv.cash_fan(projection)))
        self.table("sv_table_probabilities", present.probabilities_table(self.probabilities), "tbl-survival-probabilities",
                   "Probabilities by year, each with its Monte Carlo standard error.")  # fmt: skip
        horizons = sv.horizon_table(self.inputs_table, *self._mc_args(), start, year, sv.breakeven_horizons(self.end))
        self.text("sv_horizon_last", str(int(horizons["horizon"].iloc[-1])))
        self.glue("sv_p_be_horizon_first", md_share(horizons["p_breakeven_by_year"].iloc[0]))
        self.glue("sv_p_be_horizon_last", md_share(horizons["p_breakeven_by_year"].iloc[-1]))
        self.table("sv_table_horizon", present.horizon_table(horizons, year), "tbl-horizon",
                   f"Headline probabilities at {year} when sustained break-even is measured to later horizons (same draws).")  # fmt: skip
        self.text("sv_budget_breakeven", survival_text.budget_sentence(self.budget, "p_breakeven_by_year"))
        self.text("sv_budget_cash", survival_text.budget_sentence(self.budget, "p_cash_lasts"))
        self.table("sv_table_budget", present.survival_budget_table(self.budget), "tbl-uncertainty-budget",
                   f"Uncertainty budget of the two headline probabilities at {year}: sampling error, and the largest "
                   "move from each modelling choice.")  # fmt: skip

    def explorer(self) -> None:
        """The in-page explorer of the headline probabilities."""
        formats = {
            "p_breakeven_by_year": self.readout_format("sv_p_breakeven"),
            "p_cash_lasts": self.readout_format("sv_p_cash"),
        }
        explorer = survival_explorer(self.dataset, self.params, formats)
        self.glue("sv_fig_explorer", explorer.chart)
        self.glue("sv_explorer_points", md_count(explorer.points))
        self.text("sv_explorer_grid", explorer.grid_text)

    def correlation(self) -> None:
        """How the correlation of API price and serving-cost declines moves the headline probabilities."""
        rho = self.params["price_cost_correlation"]
        n_draws, seed, _ = self._mc_args()
        effect = sv.correlation_effect(
            self.inputs_table, sv.correlation_grid(rho), n_draws, seed, self.start, self.end, self.year
        )
        by_rho = effect.set_index("price_cost_correlation")
        self.glue("sv_rho", md_ratio(rho))
        self.glue("sv_p_be_rho0", md_share(by_rho.at[0.0, "p_breakeven_by_year"], 1))
        self.glue("sv_p_be_rho_high", md_share(by_rho.at[0.95, "p_breakeven_by_year"], 1))
        self.table("sv_table_correlation", present.correlation_effect_table(effect, self.year), "tbl-correlation-effect",
                   "Headline probabilities at different correlations between the API price decline and the "
                   "serving-cost decline (same draws otherwise).")  # fmt: skip

    def sensitivity(self) -> None:
        """One-at-a-time swings and rank correlations with end-of-horizon cash."""
        tornado = sv.tornado(self.inputs_table, self.start, self.end)
        ranks = sv.rank_correlations(*self.simulation)
        self.text("sv_top_input", present.SURVIVAL_INPUT_LABELS[tornado["input"].iloc[0]])
        self.text("sv_top_rank_input", present.SURVIVAL_INPUT_LABELS[ranks["input"].iloc[0]])
        self.glue("sv_top_rank_value", md_ratio(ranks["rank_correlation"].iloc[0]))
        self.glue("sv_fig_tornado", present.tornado_chart(tornado, self.end))
        self.table("sv_table_sensitivity", present.sensitivity_table(tornado, ranks), "tbl-sensitivity",
                   "One-at-a-time swings (tornado) and Spearman rank correlations with end-of-horizon cash over the "
                   "Monte Carlo draws.")  # fmt: skip

    def archetypes(self) -> None:
        """Every archetype under every scenario, the big-tech lab's funding need, and the calibration table."""
        ds, p, start, end = self.dataset, self.params, self.start, self.end
        self.table("sv_table_archetypes", present.archetype_scenario_table(ds, start, end), "tbl-archetypes-scenarios",
                   "Base case of each archetype under each scenario.")  # fmt: skip
        optimistic = ds.fact("optimistic_profitability_year")
        self.text("sv_optimistic_years", f"{optimistic['low']:.0f} or {optimistic['high']:.0f}")
        round_size, round_value = ds.fact("next_round_size_usd"), ds.fact("next_round_valuation_usd")
        self.glue("sv_round_size", md_usd_range(round_size["low"], round_size["high"]))
        self.glue("sv_round_valuation", md_usd_range(round_value["low"], round_value["high"]))
        multiple = ds.fact("lab_new_round_revenue_multiple")
        self.text("sv_round_multiple", fmt_range(multiple["low"], multiple["high"], lambda x: f"{x:.1f}"))
        bigtech = sv.project_lab(sv.base_inputs(sv.lab_input_table(ds, "bigtech_lab", p["outlook"])), start, end)
        need = sv.funding_need_usd_bn(bigtech)
        self.key_figure("sv_bigtech_need", need, fmt_usd(need * 1e9, 1),
                        f"A lab inside a big-tech parent needs {{text}} of cumulative funding from its "
                        f"parent to {end} in the {p['outlook']} scenario.")  # fmt: skip
        self.glue("sv_bigtech_share", md_share(need * 1e9 / ds.fact("alphabet_annual_revenue_usd")["low"]))
        calibration = sv.calibration_table(ds, *self._mc_args(), 2025, max(end, 2030))
        self.text("sv_calibration_text", survival_text.calibration_sentence(calibration))
        self.table("sv_table_calibration", present.calibration_table(calibration, ds), "tbl-calibration",
                   "Model against reported: each data point a source gives, the model's base case and the 90% "
                   "interval of its draws")  # fmt: skip
        self.table("sv_table_archetype_probabilities",
                   present.archetype_probabilities_table(self.by_archetype, self.year, self.decimals),
                   "tbl-archetype-probabilities",
                   f"Headline probabilities at {self.year} for every archetype under every scenario, each from its own "
                   "Monte Carlo.")  # fmt: skip

    def compute_arithmetic(self) -> None:
        """The comment's compute arithmetic: gross profit from the compute mix, R&D compute, what is left."""
        ds = self.dataset
        revenue_bn = ds.fact("anthropic_annualized_revenue_usd")["value"] / 1e9
        gw_cost = ds.fact("gw_year_cost_usd")
        cost_low, cost_high = gw_cost["low"] / 1e9, gw_cost["high"] / 1e9
        first_gw, cloud_gw = (
            ds.fact("anthropic_first_party_inference_gw")["value"],
            ds.fact("anthropic_cloud_inference_gw")["value"],
        )
        first_m, cloud_m = (
            ds.fact("anthropic_first_party_gross_margin")["value"],
            ds.fact("anthropic_cloud_gross_margin")["value"],
        )
        gp = sv.gross_profit_from_compute_mix(revenue_bn, first_gw, first_m, cloud_gw, cloud_m)
        rd_comment = ds.fact("anthropic_breakeven_rd_compute_gw")["value"]
        self.glue("sv_ca_revenue", md_usd(revenue_bn * 1e9))
        self.glue("sv_ca_cost_range", md_usd_range(cost_low * 1e9, cost_high * 1e9))
        gw_low, gw_high = (
            sv.affordable_compute_gw(revenue_bn, cost_high),
            sv.affordable_compute_gw(revenue_bn, cost_low),
        )
        self.text("sv_ca_gw_range", f"{gw_low:.1f}-{gw_high:.1f} GW")
        self.text("sv_ca_first_gw", f"{first_gw:g} GW")
        self.text("sv_ca_cloud_gw", f"{cloud_gw:g} GW")
        self.glue("sv_ca_first_margin", md_share(first_m))
        self.glue("sv_ca_cloud_margin", md_share(cloud_m))
        self.key_figure("sv_ca_gross_profit", gp, fmt_usd(gp * 1e9, 1),
                        f"{fmt_usd(revenue_bn * 1e9, 0)} of revenue served half on own compute at "
                        f"{first_m:.0%} and half through clouds at {cloud_m:.0%} yields {{text}} of gross profit.")  # fmt: skip
        self.glue("sv_ca_cost_high", md_usd(cost_high * 1e9))
        self.text("sv_ca_rd_gw", f"{sv.rd_compute_gw(gp, 0.0, cost_high):.1f} GW")
        self.text("sv_ca_rd_comment", f"{rd_comment:g} GW")
        self.glue("sv_ca_left", md_usd((gp - rd_comment * cost_high) * 1e9))
        mix = sv.gross_profit_by_first_party_share(
            revenue_bn, first_gw + cloud_gw, first_m, cloud_m, np.linspace(0, 1, 11)
        )
        self.glue("sv_ca_gp_all_cloud", md_usd(mix["gross_profit_usd_bn"].iloc[0] * 1e9))
        self.glue("sv_ca_gp_all_own", md_usd(mix["gross_profit_usd_bn"].iloc[-1] * 1e9))
        self.glue("sv_fig_first_party", present.first_party_chart(mix))

    def edge(self) -> None:
        """What a trading edge is worth to a lab that sells it against one that uses it in-house."""
        ds = self.dataset
        trading = ds.fact("trading_industry_revenue_usd")["value"] / 1e9
        edge_share = ds.fact("edge_share_of_trading_revenue")["value"]
        capture, discount = ds.fact("edge_capture_share")["value"], ds.fact("edge_execution_discount")["value"]
        firms = np.arange(1, 11)
        edge = sv.edge_value_to_lab(trading * edge_share, firms, capture, discount)
        frame = pd.DataFrame(
            {"firms": firms, "selling_usd_bn": edge["selling_usd_bn"], "in_house_usd_bn": edge["in_house_usd_bn"]}
        )
        self.glue("sv_edge_value", md_usd(trading * edge_share * 1e9))
        self.glue("sv_edge_share", md_share(edge_share))
        self.glue("sv_trading_revenue", md_usd(trading * 1e9))
        self.glue("sv_capture", md_share(capture))
        self.glue("sv_discount", md_share(discount))
        self.text("sv_edge_breakeven_firms", survival_text.edge_sentence(capture, discount))
        self.glue("sv_fig_edge", present.edge_chart(frame))

    def commitments(self) -> None:
        """OpenAI's spending commitments in years of revenue, and the API's growth."""
        ds, end = self.dataset, self.end
        commitments_usd = ds.fact("openai_spending_commitments_usd")["value"]
        self.glue("sv_commitments", md_usd(commitments_usd))
        years = sv.commitment_years_by_scenario(ds, commitments_usd / 1e9, self.start, end)
        self.key_figure("sv_commit_years_base", years["base"], fmt_number(years["base"], 1),
                        f"OpenAI's ~{fmt_usd(commitments_usd, 1)} of commitments equal {fmt_number(years['base'], 1)} "
                        f"years of the frontier leader's base-case {end} revenue.")  # fmt: skip
        self.glue("sv_commit_years_opt", md_ratio(years["optimistic"]))
        self.glue("sv_commit_years_pess", md_ratio(years["pessimistic"]))
        api_arr = ds.fact("openai_api_arr_added_in_month_usd")["low"]
        self.glue("sv_api_arr", md_usd(api_arr, plus=True))
        self.glue("sv_api_arr_year", md_usd(api_arr * 12, plus=True))
        self.text("sv_api_multiple", f"{api_arr * 12 / ds.fact('openai_revenue_usd_essay')['low']:.0f} times")

    def close(self) -> None:
        """The figures the readers' questions are answered from, the key findings, and the parameters table."""
        self.record_key_figures(
            sv.question_figures(self.base, self.by_archetype, self.year, ARCHETYPE_NAMES, self.decimals)
        )
        self.key_findings([("sv_p_breakeven", "fig-survival-probabilities"), ("sv_p_cash", "fig-survival-probabilities"),
                           ("sv_runway_median", "fig-cash-fan"), ("sv_bigtech_need", "tbl-archetypes-scenarios")], lead=2)  # fmt: skip
        self.emit_key_figures()
        self.table("sv_table_parameters", parameters_table(self.CHAPTER, self.params, self.dataset), "tbl-survival-parameters",
                   "Parameters of this chapter as run, with their defaults and where the defaults come from.")  # fmt: skip

    def inputs(self) -> None:
        """The appendix: every input of the lab in this edition, with its provenance."""
        ds, table = self.dataset, self.inputs_table
        self.glue("sv_input_count", md_count(len(table)))
        self.glue("sv_uncertain_count", md_count(int(table["uncertain"].sum())))
        self.glue("sv_openai_vendor", md_usd(ds.fact("openai_revenue_usd_oakgen")["low"], plus=True))
        self.glue("sv_openai_essay", md_usd(ds.fact("openai_revenue_usd_essay")["low"], plus=True))
        self.table("sv_table_inputs", present.lab_inputs_table(ds, table), "tbl-lab-inputs",
                   "Inputs of the lab in this edition: base value (the median of its draws), 90% interval, how it is "
                   "drawn, and where it comes from.")  # fmt: skip

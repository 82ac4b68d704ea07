"""The pricing chapter's sections (``book/pricing.ipynb``)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from analysis.formats import fmt_number, fmt_share, fmt_usd, join_names
from analysis.models import pricing as pr
from analysis.present import pricing as present
from analysis.present.chapter import ChapterContext
from analysis.present.common import (
    fmt_seed_range,
    fmt_share_supported,
    fmt_spread,
    md_count,
    md_share,
    md_share_range,
    md_usd,
    parameters_table,
    source_title,
    spread_interval,
)
from analysis.present.explorers import deflation_explorer, pricing_explorer

BUDGET_CHOICES = {"cost": "cost per generation", "deflation": "deflation case"}


class PricingChapter(ChapterContext):
    """Pricing: five strategies on one simulated population, freemium break-even, tier caps, deflation."""

    CHAPTER = "pricing"
    PREFIX = "pr"

    def __init__(self, params: Any, dataset: Any):
        super().__init__(params, dataset)
        self.names = present.strategy_names(dataset)
        self.settings = pr.settings_from_params(self.params)
        self.cost = float(self.params["cost_per_generation_usd"])
        self.n_seeds = int(self.params["spread_seeds"])
        self.years = int(self.params["deflation_years"])
        price_2023, price_2026 = dataset.fact("generation_price_2023_usd"), dataset.fact("generation_price_2026_usd")
        self.price_2023, self.price_2026 = float(price_2023["value"]), float(price_2026["value"])
        self.year_2023, self.year_2026 = int(price_2023["year"]), int(price_2026["year"])
        self.years_observed = self.year_2026 - self.year_2023
        self.article_decline = pr.implied_annual_decline(self.price_2023, self.price_2026, self.years_observed)
        self.central_decline = float(self.params["usage_price_decline_per_year"])
        self.pace_label = f"the article's {self.year_2023}–{self.year_2026} pace"
        conversion = dataset.fact("freemium_conversion_rate")
        self.band = (float(conversion["low"]), float(conversion["high"]))

    # --- results shared by the sections, each computed once -------------------------------------

    @cached_property
    def population(self) -> pr.Population:
        return pr.simulate_from_params(self.params, self.params["seed"], self.params["n_users"])

    @cached_property
    def cases(self) -> list[pr.DeflationCase]:
        return pr.deflation_cases(
            self.central_decline, self.article_decline, self.params["serving_cost_decline_per_year"]
        )

    @cached_property
    def results(self) -> list[pr.StrategyResult]:
        return pr.run_all_strategies(self.population, self.settings)

    @cached_property
    def totals(self) -> pr.StrategyTotals:
        """Per-user sums of the population that every projection to other prices and costs shares."""
        totals = pr.StrategyTotals(self.population)
        totals.record(self.settings, self.results)
        return totals

    @cached_property
    def comparison(self) -> pd.DataFrame:
        return pr.compare_strategies(self.results)

    @cached_property
    def grid(self) -> pd.DataFrame:
        free_caps, costs = pr.breakeven_axes(self.cost, self.params["free_cap"], self.price_2026)
        p = self.params
        return pr.freemium_breakeven_grid(
            self.population, free_caps, costs, p["freemium_paid_price_usd"], p["freemium_paid_cap"]
        )

    @cached_property
    def sweep(self) -> pd.DataFrame:
        s = self.settings
        return pr.sweep_tier_caps(self.population, s.tier_prices_usd, s.tier_caps, self.cost, pr.CAP_MULTIPLIERS)

    @cached_property
    def deflation_cases(self) -> pd.DataFrame:
        return pr.project_deflation_cases(self.population, self.settings, self.years, self.cases, self.comparison,
                                          self.totals)  # fmt: skip

    @cached_property
    def deflation(self) -> pd.DataFrame:
        return self.deflation_cases[self.deflation_cases["case"] == "central"].reset_index(drop=True)

    @cached_property
    def headline(self) -> dict[str, float]:
        return pr.headline_from_parts(self.results, self.comparison, self.grid, self.sweep, self.deflation, self.settings,
                                      self.price_2026)  # fmt: skip

    @cached_property
    def per_seed(self) -> pd.DataFrame:
        """The headline figures on other seeds (smaller populations)."""
        p = self.params
        seeds = range(p["seed"] + 1, p["seed"] + 1 + self.n_seeds)
        return pr.seed_spread(
            lambda s: pr.simulate_from_params(p, s, p["spread_n_users"]), seeds, settings=self.settings,
            deflation=self.cases[0], years=self.years, alt_cost_per_generation_usd=self.price_2026,
            cap_multipliers=pr.CAP_MULTIPLIERS,
        )  # fmt: skip

    @cached_property
    def sd(self) -> pd.Series:
        """Each headline figure's standard deviation over the other seeds."""
        # A figure infinite on some seed (a break-even never reached) has no spread: NaN, without numpy's warning.
        with np.errstate(invalid="ignore"):
            return self.per_seed.drop(columns="seed").std(ddof=1)

    def _supported(self, key: str) -> str:
        return fmt_share_supported(self.headline[key], self.sd[key])

    def _breakeven_text(self, key: str) -> str:
        """A break-even conversion as its spread supports it; 'never' when a paying user does not cover their compute."""
        return self._supported(key) if np.isfinite(self.headline[key]) else "never"

    def _spread(self, key: str) -> str:
        return fmt_spread(self.sd[key], self.n_seeds)

    def _interval(self, key: str) -> tuple[float, float, str] | None:
        return spread_interval(self.headline[key], self.sd[key], self.n_seeds)

    # --- sections -------------------------------------------------------------------------------

    def setup(self) -> None:
        """The population's size, glued for the text."""
        self.glue("pr_n_users", md_count(self.params["n_users"]))
        self.glue("pr_n_months", md_count(self.params["n_months"]))

    def article(self) -> None:
        """The five pricing models as the first article describes them."""
        self.table("pr_table_article", present.pricing_table(self.dataset), "tbl-pricing-article",
                   f"The five pricing models as the first article, "
                   f"{source_title(self.dataset, 'genai_business_models_2026')}, describes them, its table realigned.")  # fmt: skip

    def strategies(self) -> None:
        """Margins and predictability of the five strategies on one population."""
        p, ds, names, comparison = self.params, self.dataset, self.names, self.comparison
        by_strategy = comparison.set_index("strategy")
        self.glue("pr_cost", md_usd(p["cost_per_generation_usd"]))
        self.text("pr_cost_basis", present.cost_basis_sentence(
            p["cost_per_generation_usd"], ds.fact("credit_example_cost_usd")["value"],
            ds.fact("credit_example_price_usd")["value"], ds.fact("credit_example_gross_margin")["value"]))  # fmt: skip
        credit_text = self._supported("credit_margin")
        self.key_figure("pr_credit_margin", self.headline["credit_margin"], credit_text,
                        f"Credit pricing at {fmt_usd(p['credit_price_per_generation_usd'])} a generation, with "
                        f"{fmt_usd(p['cost_per_generation_usd'])} of cost, earns a {{text}} gross margin.",
                        interval=self._interval("credit_margin"))  # fmt: skip
        best = join_names([names[b] for b in pr.tied_best(by_strategy["gross_margin"], higher_is_better=True)])
        best_text = self._supported("best_margin")
        self.text("pr_best_margin_strategy", best)
        self.key_figure("pr_best_margin", self.headline["best_margin"], best_text,
                        f"Of five pricing strategies on one simulated population, {best} earns the highest gross "
                        f"margin, {{text}} ({self._spread('best_margin')}).",
                        interval=self._interval("best_margin"))  # fmt: skip
        swingiest = join_names([names[s] for s in pr.tied_best(by_strategy["revenue_cv"], higher_is_better=True)])
        cv_text = self._supported("swingiest_cv")
        cv_with_spread = f"{cv_text}, {self._spread('swingiest_cv')}"
        self.key_figure("pr_swingiest_cv", self.headline["swingiest_cv"], cv_with_spread,
                        f"{swingiest} revenue per paying user swings most month to month, a coefficient of variation "
                        f"of {cv_text} ({self._spread('swingiest_cv')}: the monthly market shocks are common to every user).",
                        interval=self._interval("swingiest_cv"))  # fmt: skip
        self.text("pr_steadiness", present.steadiness_sentence(comparison, names, cv_with_spread))
        capped_text = self._supported("tiered_capped")
        self.key_figure("pr_tiered_capped", self.headline["tiered_capped"], capped_text,
                        f"Under the default subscription tiers, {{text}} of subscriber-months hit their cap "
                        f"({self._spread('tiered_capped')}).",
                        interval=self._interval("tiered_capped"))  # fmt: skip
        free_text = self._supported("free_cost_share")
        self.key_figure("pr_free_cost_share", self.headline["free_cost_share"], free_text,
                        f"Under freemium at {fmt_share(p['conversion_rate'], 1)} conversion, free users burn "
                        f"{{text}} of all compute ({self._spread('free_cost_share')}).",
                        interval=self._interval("free_cost_share"))  # fmt: skip
        self.table("pr_table_comparison", present.strategy_comparison_table(comparison, names), "tbl-pricing-comparison",
                   "The five strategies on one simulated population: per user-month, averaged over every user and month.")  # fmt: skip
        self.glue("pr_fig_tradeoff", present.margin_predictability_chart(comparison, names))

    def breakeven(self) -> None:
        """The conversion at which freemium breaks even, against the reported 2-5%."""
        p, band = self.params, self.band
        self.glue("pr_free_cap", md_count(p["free_cap"]))
        self.glue("pr_price_2026", md_usd(self.price_2026))
        be_default, be_cheap = self.headline["breakeven_default"], self.headline["breakeven_alt_cost"]
        default_text, cheap_text = self._breakeven_text("breakeven_default"), self._breakeven_text("breakeven_alt_cost")
        self.key_figure("pr_breakeven_default", be_default, default_text,
                        f"With {fmt_number(p['free_cap'], 2)} free generations a month at {fmt_usd(self.cost)} each, freemium "
                        f"{present.breakeven_phrase(be_default, default_text, band)} ({self._spread('breakeven_default')}).",
                        interval=self._interval("breakeven_default"))  # fmt: skip
        self.key_figure("pr_breakeven_cheap", be_cheap, cheap_text,
                        f"At the article's 2026 price of {fmt_usd(self.price_2026)} a generation as the cost, the same "
                        f"free tier {present.breakeven_phrase(be_cheap, cheap_text, band)}.",
                        interval=self._interval("breakeven_alt_cost"))  # fmt: skip
        self.text("pr_breakeven_phrase", present.breakeven_phrase(be_default, default_text, band))
        self.text("pr_breakeven_cheap_phrase", present.breakeven_phrase(be_cheap, cheap_text, band))
        self.glue("pr_conversion_band", md_share_range(*band))
        self.glue("pr_fig_breakeven", present.breakeven_chart(self.grid, band))

    def explorer(self) -> None:
        """The in-page explorer of the freemium break-even."""
        explorer = pricing_explorer(
            self.population, self.params, self.band, self.readout_format("pr_breakeven_default")
        )
        self.glue("pr_fig_explorer", explorer.chart)
        self.glue("pr_explorer_points", md_count(explorer.points))
        self.text("pr_explorer_grid", explorer.grid_text)

    def tier_caps(self) -> None:
        """The profit-maximising cap of each subscription tier."""
        best_cap = self.headline["best_cap_tier_1"]
        low, high = self.per_seed["best_cap_tier_1"].min(), self.per_seed["best_cap_tier_1"].max()
        cap_range = fmt_seed_range(low, high, self.n_seeds, lambda x: fmt_number(x, 0))
        self.key_figure("pr_best_cap_tier_1", best_cap, fmt_number(best_cap, 0),
                        f"The profit-maximising cap of the entry subscription tier is about {{text}} "
                        f"generations a month ({cap_range}).",
                        interval=(low, high, f"lowest to highest over {self.n_seeds} seeds"))  # fmt: skip
        self.glue("pr_default_cap_tier_1", md_count(self.settings.tier_caps[0]))
        self.glue("pr_fig_caps", present.cap_sweep_chart(self.sweep))
        self.table("pr_table_caps", present.cap_sweep_table(self.sweep), "tbl-tier-caps",
                   "Profit-maximising cap per tier, and profit, subscribers, upgrades and capped user-months at the "
                   "tightest and loosest caps swept.")  # fmt: skip

    def deflation_section(self) -> None:
        """Margins after years of falling usage prices and costs per generation, under three cases."""
        p, ds, names, years = self.params, self.dataset, self.names, self.years
        cost_decline = fmt_share(p["serving_cost_decline_per_year"])
        fall = ds.fact("api_price_decline_since_2023")
        self.glue("pr_reported_fall", md_share_range(fall["low"], fall["high"]))
        self.glue("pr_price_2023", md_usd(self.price_2023))
        decline_text = fmt_share(self.article_decline, 1)
        self.key_figure("pr_decline_example", self.article_decline, decline_text,
                        f"A generation costing {fmt_usd(self.price_2023)} in {self.year_2023} and "
                        f"{fmt_usd(self.price_2026)} in {self.year_2026} implies prices falling {{text}} a year.")  # fmt: skip
        self.glue("pr_decline_range", md_share_range(round(pr.decline_from_total_fall(fall["low"], self.years_observed), 3),
                                                     round(pr.decline_from_total_fall(fall["high"], self.years_observed), 3)))  # fmt: skip
        self.glue("pr_central_decline", md_share(self.central_decline))
        self.glue("pr_years", md_count(years))
        self.glue("pr_cost_decline", md_share(p["serving_cost_decline_per_year"]))
        central = self.deflation.set_index("strategy")
        pace = self.deflation_cases[self.deflation_cases["case"] == "article_pace"].set_index("strategy")
        later_text = self._supported("credits_margin_later")
        self.key_figure("pr_credits_margin_later", self.headline["credits_margin_later"], later_text,
                        f"After {years} more years of usage prices falling {fmt_share(self.central_decline)} and the cost "
                        f"per generation {cost_decline} a year, credit pricing's gross margin would be {{text}}.",
                        interval=self._interval("credits_margin_later"))  # fmt: skip
        pace_margin = pace.at["credits", "gross_margin_later"]
        self.key_figure("pr_credits_margin_later_article_pace", pace_margin, fmt_share(pace_margin),
                        f"If usage prices kept falling {decline_text} a year (the article's {self.year_2023}-"
                        f"{self.year_2026} pace) for {years} more years while the cost per generation fell "
                        f"{cost_decline}, credit pricing's gross margin would be {{text}}.")  # fmt: skip
        tiered_text = self._supported("tiered_margin_later")
        self.text("pr_tiered_change", present.change_phrase(central.at["tiered_subscription", "gross_margin_now"],
                                                            central.at["tiered_subscription", "gross_margin_later"], fmt_share))  # fmt: skip
        self.key_figure("pr_tiered_margin_later", self.headline["tiered_margin_later"], tiered_text,
                        f"With flat prices and the cost per generation falling {cost_decline} a year for {years} years, "
                        f"tiered subscriptions' margin would be {{text}}.",
                        interval=self._interval("tiered_margin_later"))  # fmt: skip
        self.text("pr_deflation_sentence", present.deflation_sentence(self.deflation_cases, years, self.pace_label))
        self.table("pr_table_deflation", present.deflation_table(self.deflation, names, years), "tbl-deflation",
                   "Revenue and gross margin per user-month now and after the projected decline of usage prices and "
                   "the cost per generation at the central rates.")  # fmt: skip
        self.table("pr_table_deflation_cases",
                   present.deflation_cases_table(self.deflation_cases, names, years, self.pace_label), "tbl-deflation-cases",
                   f"Gross margin after the projected years under three deflation cases: the central rates, usage prices "
                   f"at the article's {self.years_observed}-year pace to {self.year_2026}, and pass-through (the cost "
                   "per generation falling as fast as usage prices).")  # fmt: skip

    @cached_property
    def question_figures(self) -> list[dict[str, Any]]:
        """The figures the Questions page answers from: each strategy's margin now and after the decline."""
        return pr.question_figures(self.deflation_cases, self.names, self.central_decline, self.years)

    def deflation_explorer_section(self) -> None:
        """The in-page explorer of each strategy's margin under the two decline rates."""
        explorer = deflation_explorer(self.population, self.settings, self.params, self.comparison, self.names,
                                      self._registry, self.question_figures, self.totals)  # fmt: skip
        self.glue("pr_fig_deflation_explorer", explorer.chart)
        self.glue("pr_deflation_explorer_points", md_count(explorer.points))
        self.text("pr_deflation_explorer_grid", explorer.grid_text)

    def conclusions(self) -> None:
        """Each strategy's best and worst criterion, and the uncertainty budget of the headline figures."""
        p, names = self.params, self.names
        ranking = pr.rank_strategies(self.comparison, self.deflation)
        first = ranking.iloc[0]
        self.text("pr_conclusion_example_strategy", names[first["strategy"]])
        self.text("pr_conclusion_example_wins", first["wins_on"])
        self.text("pr_conclusion_example_loses", first["loses_on"])
        self.table("pr_table_conclusions", present.conclusions_table(ranking, names), "tbl-pricing-conclusions",
                   "Each strategy's best and worst criterion of six, with its value and rank among the five.")  # fmt: skip
        labels = present.budget_labels(fmt_usd(self.price_2026))
        alternatives = pr.structural_alternatives(self.population, self.settings, self.cases, self.years, self.price_2026,
                                                  pr.CAP_MULTIPLIERS, self.comparison, self.deflation_cases,
                                                  self.totals, self.results)  # fmt: skip
        budget = pr.uncertainty_budget({k: self.headline[k] for k in labels}, self.per_seed, alternatives)
        self.glue("pr_spread_seeds", md_count(self.n_seeds))
        self.glue("pr_spread_n_users", md_count(p["spread_n_users"]))
        self.text("pr_budget_summary", present.budget_summary_sentence(budget, labels, BUDGET_CHOICES))
        self.table("pr_table_uncertainty", present.uncertainty_budget_table(budget, labels, BUDGET_CHOICES, self.n_seeds),
                   "tbl-pricing-uncertainty",
                   f"Each headline figure, its spread over {self.n_seeds} seeds, and how far it moves if the cost per "
                   "generation is the article's 2026 price or under the other deflation cases; the largest of the "
                   "three (seeds counted as two standard deviations) is named.")  # fmt: skip

    def close(self) -> None:
        """The figures the readers' questions are answered from, the key findings, and the parameters table."""
        self.record_key_figures(self.question_figures)
        self.key_findings([("pr_breakeven_default", "fig-freemium-breakeven"), ("pr_breakeven_cheap", "fig-freemium-breakeven"),
                           ("pr_best_margin", "fig-pricing-tradeoff"), ("pr_credits_margin_later_article_pace", "tbl-deflation-cases")])  # fmt: skip
        self.emit_key_figures()
        self.table("pr_table_parameters", parameters_table(self.CHAPTER, self.params, self.dataset), "tbl-pricing-parameters",
                   "Parameters of this chapter as run, with their defaults and where the defaults come from.")  # fmt: skip

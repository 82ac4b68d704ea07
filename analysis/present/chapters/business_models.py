"""The business-models chapter's sections (``book/business_models.ipynb``)."""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from analysis import formats
from analysis.data import WIDE_RANGE_RATIO
from analysis.formats import fmt_number, fmt_share, fmt_significant, fmt_usd
from analysis.models import business_models as bm
from analysis.present import business_models as present
from analysis.present import business_models_text as bmt
from analysis.present.chapter import ChapterContext
from analysis.present.common import (
    md_count,
    md_multiple_range,
    md_quote,
    md_ratio,
    md_share_range,
    md_usd,
    md_usd_range,
    parameters_table,
    source_title,
)
from analysis.present.explorers import business_models_explorer


class BusinessModelsChapter(ChapterContext):
    """Business models: the seven models, their margins, unit economics, the LTV/CAC claims, who makes money."""

    CHAPTER = "business_models"
    PREFIX = "bm"

    # --- results shared by the sections ---------------------------------------------------------

    @cached_property
    def margins(self) -> pd.DataFrame:
        return bm.gross_margin_ranges(self.dataset)

    def _unit_economics(self, discount_rate: float) -> pd.DataFrame:
        return bm.compute_unit_economics(
            self.dataset, discount_rate, self.params["cac_multiplier"], self.params["churn_multiplier"]
        )

    @cached_property
    def unit_economics(self) -> pd.DataFrame:
        return self._unit_economics(self.params["annual_discount_rate"])

    @cached_property
    def budget(self) -> pd.DataFrame:
        p = self.params
        return bm.uncertainty_budget(
            self.dataset, p["annual_discount_rate"], p["cac_multiplier"], p["churn_multiplier"]
        )

    @cached_property
    def claims(self) -> pd.DataFrame:
        p = self.params
        return bm.evaluate_claims(self.dataset, p["annual_discount_rate"], p["cac_multiplier"], p["churn_multiplier"])

    @cached_property
    def flips(self) -> pd.DataFrame:
        p = self.params
        return bm.claim_flip_points(self.dataset, p["annual_discount_rate"], p["cac_multiplier"], p["churn_multiplier"])

    @cached_property
    def ltv_to_cac_figures(self) -> int:
        """Significant figures every LTV/CAC is printed with: the fewest any LTV/CAC headline supports."""
        headlines = self.budget[self.budget["figure"].str.endswith("ltv_to_cac")]
        return int(headlines["figures"].min())

    # --- sections -------------------------------------------------------------------------------

    def models(self) -> None:
        """The seven models as the first article tabulates them, and the marketplace's two margins."""
        ds = self.dataset
        self.table("bm_table_business_models", present.business_model_table(ds), "tbl-business-models",
                   f"The seven business models of generative AI, as reported in the first source article, "
                   f"{source_title(ds, 'genai_business_models_2026')}, with its table realigned.")  # fmt: skip
        marketplace = self.margins.set_index("business_model_id").loc["marketplace"]
        self.glue("bm_marketplace_table_margin", md_share_range(marketplace["table_low"], marketplace["table_high"]))
        self.glue(
            "bm_marketplace_platform_margin",
            md_share_range(marketplace["gross_margin_low"], marketplace["gross_margin_high"]),
        )

    def gross_margins(self) -> None:
        """The gross-margin chart and its two sentences."""
        self.glue("bm_fig_gross_margins", present.gross_margin_chart(self.margins))
        self.text("bm_margin_widest_sentence", bmt.describe_widest_margins(self.margins))
        self.text("bm_margin_floor_sentence", bmt.describe_highest_floor(self.margins))

    def unit_economics_section(self) -> None:
        """LTV/CAC, payback and the free tier's cost per model, with their intervals and inputs."""
        p, ds, ue, budget = self.params, self.dataset, self.unit_economics, self.budget
        undiscounted = self._unit_economics(0.0)
        inputs = bm.unit_economics_inputs(ds)
        self.text("bm_discount_rate", bmt.fmt_rate(p["annual_discount_rate"]))
        self.glue("bm_wide_range_ratio", md_count(WIDE_RANGE_RATIO))
        self.text("bm_discount_sentence", bmt.describe_discount_effect(ue, undiscounted, p["annual_discount_rate"]))
        free_tier = bm.free_tier_inputs(ds)
        conversion = inputs.set_index(["business_model_id", "input"]).at[
            ("saas_subscription", "freemium_conversion"), "base"
        ]
        self.glue("bm_free_users_per_payer", md_ratio(bm.free_users_per_payer(conversion)))
        self.glue("bm_free_cost_per_generation", md_usd(free_tier["cost_per_generation_usd"]))
        self.glue("bm_free_generations", md_ratio(free_tier["free_generations_month"]))
        self.glue("bm_free_cap", md_count(free_tier["free_cap"]))
        self.text("bm_free_tier_sentence", bmt.describe_free_tier(ue))
        provenance_lead, provenance_counts = bmt.describe_input_provenance(inputs)
        self.text("bm_input_provenance_lead", provenance_lead)
        self.text("bm_input_provenance_counts", provenance_counts)
        self.text("bm_extremes_sentence", bmt.describe_extremes(ue, budget))
        self.text("bm_spanning_sentence", bmt.describe_intervals_spanning_one(ue))
        n_models = len(ue)
        for extreme, how in (("best", "max"), ("worst", "min")):
            row = ue.loc[ue["ltv_to_cac"].idxmax() if how == "max" else ue["ltv_to_cac"].idxmin()]
            text = bmt.headline_text(budget, f"{extreme}_ltv_to_cac")
            word = "highest" if how == "max" else "lowest"
            self.key_figure(
                f"bm_{extreme}_ltv_to_cac", row["ltv_to_cac"], text,
                f"Under the report's base case the {word} LTV/CAC of the {n_models} business models is {{text}}, "
                f"for {formats.join_names(bm.models_at(ue, 'ltv_to_cac', how))}.",
                interval=(row["ltv_to_cac_low"], row["ltv_to_cac_high"], f"{row['business_model']} across the input ranges"),
            )  # fmt: skip
        by_model = ue.set_index("business_model_id")
        saas = by_model.loc["saas_subscription"]
        saas_text = bmt.headline_text(budget, "saas_ltv_to_cac")
        # The interval's ends come from the input ranges' corners, printed as the key-figures page prints them.
        saas_low, saas_high = fmt_significant(saas["ltv_to_cac_low"], 2), fmt_significant(saas["ltv_to_cac_high"], 2)
        self.key_figure(
            "bm_saas_ltv_to_cac", saas["ltv_to_cac"], saas_text,
            f"A SaaS subscription customer, with the free tier's compute it carries, has an LTV/CAC of {{text}} "
            f"in the base case (interval {saas_low} to {saas_high}).",
            interval=(saas["ltv_to_cac_low"], saas["ltv_to_cac_high"], "across the input ranges"),
        )  # fmt: skip
        free_cost = fmt_usd(round(saas["free_tier_cost_month_usd"]))
        self.key_figure(
            "bm_saas_free_tier_cost_month", saas["free_tier_cost_month_usd"], free_cost,
            "Each paying SaaS subscriber carries {text} a month of free users' compute at the pricing "
            "chapter's free tier and cost per generation.",
        )  # fmt: skip
        enterprise = by_model.loc["enterprise_license"]
        payback_text = bmt.headline_text(budget, "enterprise_payback_months")
        self.key_figure(
            "bm_enterprise_payback_months", enterprise["payback_months"], payback_text,
            "An enterprise licence pays back its acquisition cost in {text} months, sales cycle included (base case).",
            interval=(enterprise["payback_months_low"], enterprise["payback_months_high"], "across the input ranges"),
        )  # fmt: skip
        self.glue("bm_fig_ltv_to_cac", present.ltv_to_cac_chart(ue))
        self.table("bm_table_unit_economics", present.unit_economics_table(ue, self.ltv_to_cac_figures), "tbl-unit-economics",
                   "Unit economics by business model: base case, with the interval from the input ranges in parentheses.")  # fmt: skip
        self.table("bm_table_unit_economics_inputs", present.unit_economics_inputs_table(ds, inputs),
                   "tbl-unit-economics-inputs",
                   "Every input of the unit economics, with its provenance: reported (quote), assumption (rationale) "
                   "or a reader's parameter.")  # fmt: skip

    def claims_section(self) -> None:
        """The first article's four LTV/CAC claims, tested, and the values at which each verdict flips."""
        claims, flips = self.claims, self.flips
        agree, robust = int(claims["agrees"].sum()), int(claims["robust"].sum())
        agree_undiscounted = int(claims["agrees_undiscounted"].sum())
        n_claims = len(claims)
        self.text("bm_claims_sentence", bmt.describe_claims(claims, self.params["annual_discount_rate"]))
        self.key_figure("bm_claims_agree", agree, str(agree),
                        f"The report's base case agrees with {agree} of the first article's {n_claims} LTV/CAC claims.")  # fmt: skip
        self.key_figure("bm_claims_agree_undiscounted", agree_undiscounted, str(agree_undiscounted),
                        f"Undiscounted, the report's base case agrees with {agree_undiscounted} of the first article's "
                        f"{n_claims} LTV/CAC claims.")  # fmt: skip
        self.key_figure("bm_claims_robust", robust, str(robust),
                        f"{robust} of the first article's {n_claims} LTV/CAC claims hold across the whole of both "
                        "models' intervals.")  # fmt: skip
        self.table("bm_table_claims", present.claims_table(claims, bm.nearest_flips(flips), self.ltv_to_cac_figures), "tbl-ltv-cac-claims",
                   f"The first article's four LTV/CAC claims ({source_title(self.dataset, 'genai_business_models_2026')}), "
                   "tested on the base case at the discount rate in use and undiscounted.")  # fmt: skip
        self.table("bm_table_flips", present.flips_table(flips, claims), "tbl-ltv-cac-flips",
                   "For each claim, every input that can reverse the verdict and the value at which it does; the move "
                   "is in units of the input's stated range (and relative to its base; on churn for retention); "
                   "‘in range’ marks flips inside that range.")  # fmt: skip

    def explorer(self) -> None:
        """The in-page explorer of LTV/CAC and the claims' verdicts."""
        explorer = business_models_explorer(self.dataset, self.params)
        self.glue("bm_fig_explorer", explorer.chart)
        self.glue("bm_explorer_points", md_count(explorer.points))
        self.text("bm_explorer_grid", explorer.grid_text)

    def uncertainty(self) -> None:
        """The uncertainty budget of the headline figures."""
        self.text("bm_budget_sentence", bmt.describe_budget(self.budget))
        self.table("bm_table_budget", present.budget_table(self.budget), "tbl-bm-uncertainty-budget",
                   "Uncertainty budget of the headline figures: each under the alternative structural choice and "
                   "across the input intervals, with the largest move relative to the figure as stated.")  # fmt: skip

    def who_makes_money(self) -> None:
        """The profitable few, revenue per employee, and where the sources disagree."""
        ds = self.dataset
        self.table("bm_table_who_makes_money", present.who_makes_money_table(ds), "tbl-who-makes-money",
                   f"The profitable few and the cash burners, as reported in the first article, "
                   f"{source_title(ds, 'genai_business_models_2026')}.")  # fmt: skip
        revenue = ds.fact("midjourney_revenue_usd")["low"]
        headcount = ds.fact("midjourney_headcount")["value"]
        self.glue("bm_midjourney_revenue", md_usd(revenue, plus=True))
        self.glue("bm_midjourney_headcount", md_count(headcount))
        per_employee = bm.revenue_per_employee_usd(revenue, headcount)
        self.key_figure("bm_midjourney_revenue_per_employee", per_employee, fmt_usd(per_employee) + "+",
                        f"Midjourney's reported {fmt_usd(revenue)}+ revenue with about {fmt_number(headcount, 0)} people "
                        f"is {fmt_usd(per_employee)}+ of revenue per employee.")  # fmt: skip
        self.glue("bm_openai_revenue_oakgen", md_usd(ds.fact("openai_revenue_usd_oakgen")["low"], plus=True))
        self.glue("bm_openai_revenue_essay", md_usd(ds.fact("openai_revenue_usd_essay")["low"], plus=True))
        disagreements = bm.source_disagreements(ds)
        self.text("bm_openai_relation", disagreements.loc[disagreements["entity"] == "openai", "relation"].iloc[0])
        self.table("bm_table_disagreements", present.disagreements_table(disagreements, ds), "tbl-source-disagreements",
                   "Where the sources give different figures for the same quantity; the report keeps both and reads "
                   "minimums as bounds.")  # fmt: skip

    def costs(self) -> None:
        """Where the money goes: training, inference, the credit example, the research team, data."""
        p, ds = self.params, self.dataset
        training = ds.fact("frontier_training_cost_usd_oakgen")
        self.glue("bm_training_cost", md_usd_range(training["low"], training["high"], plus=True))
        inference = ds.fact("inference_cost_per_generation_usd")
        self.glue("bm_inference_cost", md_usd_range(inference["low"], inference["high"], plus=True))
        multiple = ds.fact("video_to_image_cost_multiple")
        self.glue("bm_video_multiple", md_multiple_range(multiple["low"], multiple["high"]))
        credit_price = ds.fact("credit_example_price_usd")["value"]
        credit_cost = ds.fact("credit_example_cost_usd")["value"]
        self.glue("bm_credit_price", md_usd(credit_price))
        self.glue("bm_credit_credits", md_count(ds.fact("credit_example_credits")["value"]))
        self.glue("bm_credit_cost", md_usd(credit_cost))
        credit_margin = float(bm.gross_margin(credit_price, credit_cost))
        self.key_figure("bm_credit_margin", credit_margin, fmt_share(credit_margin),
                        f"A generation sold for {fmt_usd(credit_price)} that costs the platform {fmt_usd(credit_cost)} "
                        f"is a {{text}} gross margin.")  # fmt: skip
        low_usd, high_usd = p["researcher_compensation_low_usd"], p["researcher_compensation_high_usd"]
        team_low, team_high = bm.team_compensation_usd(p["researcher_count"], low_usd, high_usd)
        self.glue("bm_researcher_compensation", md_usd_range(low_usd, high_usd))
        self.glue("bm_researcher_count", md_count(p["researcher_count"]))
        self.glue("bm_team_cost", md_usd_range(team_low, team_high))
        team_sentence = (f"A team of {p['researcher_count']} AI researchers costs {fmt_usd(team_low)}-{fmt_usd(team_high)} "
                         "a year in compensation.")  # fmt: skip
        self.key_figure("bm_team_cost_low", team_low, fmt_usd(team_low), team_sentence)
        self.key_figure("bm_team_cost_high", team_high, fmt_usd(team_high), team_sentence)
        self.table("bm_table_generation_costs",
                   present.generation_costs_table(bm.generation_cost_by_media(ds, p["image_generation_cost_usd"])),
                   "tbl-generation-costs",
                   "Inference cost per generation: the reported range, and image against video at the image cost of "
                   "this edition.")  # fmt: skip
        data_cost = ds.fact("data_cost_top_usd_per_year_oakgen")
        self.text("bm_data_cost_top", f"tens of millions of dollars ({fmt_usd(data_cost['low'])}+)")
        self.glue("bm_data_cost_quote", md_quote(data_cost["quote"]))
        self.glue("bm_infrastructure_quote", md_quote(ds["statements"].at["infrastructure_beyond_compute", "quote"]))

    def close(self) -> None:
        """The figures the readers' questions are answered from, the key findings, and the parameters table."""
        self.record_key_figures(bm.question_figures(self.margins, self.unit_economics, self.claims))
        self.key_findings([("bm_best_ltv_to_cac", "fig-ltv-to-cac"), ("bm_saas_ltv_to_cac", "fig-ltv-to-cac"),
                           ("bm_saas_free_tier_cost_month", "tbl-unit-economics"), ("bm_claims_agree", "tbl-ltv-cac-claims")])  # fmt: skip
        self.emit_key_figures()
        self.table("bm_table_parameters", parameters_table(self.CHAPTER, self.params, self.dataset),
                   "tbl-business-models-parameters",
                   "Parameters of this chapter as run, with their defaults and where the defaults come from.")  # fmt: skip

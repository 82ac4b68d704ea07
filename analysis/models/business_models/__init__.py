"""Business models: margins, unit economics (LTV, LTV/CAC, CAC payback) and the article's claims.

Unit economics follow the standard subscription arithmetic. A customer paying
``arpu_month_usd`` a month at ``gross_margin`` who leaves with probability ``monthly_churn``
each month is worth, with future months discounted at ``annual_discount_rate``::

    LTV = arpu * margin * sum_t ((1 - churn) / (1 + d_month))**t = arpu * margin / (1 - (1 - churn) / (1 + d_month))

which is ``arpu * margin / churn`` when nothing is discounted. A model that acquires its
customers through a free tier (the SaaS subscription) also pays, every month, for the compute
of the free users each paying customer carries: ``(1 - conversion) / conversion`` free users
at the pricing chapter's cost per generation and free-tier use, taken from the same facts the
pricing chapter uses. That cost is subtracted from the monthly gross profit. CAC payback is
the sales cycle plus the months of gross profit that repay the acquisition cost (never, when
the monthly gross profit is not positive).

Each business model describes its customer with *primitive* inputs taken from the data
(``data/unit_economics_inputs.csv`` maps each to a fact): some give ARPU directly, others
derive it (a contract value, or purchases times a take rate); churn may come from an annual
retention; CAC may come from a cost per sign-up and a conversion rate, or a multiple of the
contract value. Every metric here is monotone in every primitive (with the others held), so
evaluating it at every corner of the low-high box gives its exact interval.

Three structural choices are made once and their effect is measured
(:func:`uncertainty_budget`): the discount rate (default against 0%), the midpoint rule for
ranges spanning 10x or more (:func:`analysis.data.range_midpoint`), and whether the free
tier's compute is carried.
"""

# The package's API, one module per part: import from here (``from analysis.models import business_models as bm``).
from analysis.models.business_models.claims import claim_flip_points, evaluate_claims, move_in_ranges, nearest_flips
from analysis.models.business_models.customer import (
    DISCOUNT_INPUT,
    FREE_TIER_INPUTS,
    MAX_MONTHLY_CHURN,
    PRICING_FREE_TIER_PARAMETERS,
    SHARE_INPUTS,
    cac_payback_months,
    check_settings,
    customer_metrics,
    derive_customer_economics,
    expected_capped_generations,
    free_tier_compute_per_payer_usd,
    free_users_per_payer,
    gross_margin,
    lifetime_value_usd,
    monthly_churn_from_annual_retention,
)
from analysis.models.business_models.industry import (
    figure_bound,
    generation_cost_by_media,
    gross_margin_ranges,
    revenue_per_employee_usd,
    source_disagreements,
    team_compensation_usd,
    who_makes_money,
)
from analysis.models.business_models.precision import (
    BUDGET_SOURCE_NOUNS,
    BUDGET_SOURCES,
    HEADLINES,
    headline_figures,
    significant_figures_supported,
    uncertainty_budget,
)
from analysis.models.business_models.summaries import explorer_grid, modelling_choices, question_figures
from analysis.models.business_models.unit_economics import (
    METRICS,
    FreeTier,
    base_ltv_to_cac,
    compute_unit_economics,
    free_tier_inputs,
    model_metric_range,
    model_primitives,
    models_at,
    tied,
    unit_economics_inputs,
)

__all__ = [
    "BUDGET_SOURCES",
    "BUDGET_SOURCE_NOUNS",
    "DISCOUNT_INPUT",
    "FREE_TIER_INPUTS",
    "FreeTier",
    "HEADLINES",
    "MAX_MONTHLY_CHURN",
    "METRICS",
    "PRICING_FREE_TIER_PARAMETERS",
    "SHARE_INPUTS",
    "base_ltv_to_cac",
    "cac_payback_months",
    "check_settings",
    "claim_flip_points",
    "compute_unit_economics",
    "customer_metrics",
    "derive_customer_economics",
    "evaluate_claims",
    "expected_capped_generations",
    "explorer_grid",
    "figure_bound",
    "free_tier_compute_per_payer_usd",
    "free_tier_inputs",
    "free_users_per_payer",
    "generation_cost_by_media",
    "gross_margin",
    "gross_margin_ranges",
    "headline_figures",
    "lifetime_value_usd",
    "model_metric_range",
    "model_primitives",
    "modelling_choices",
    "models_at",
    "monthly_churn_from_annual_retention",
    "move_in_ranges",
    "nearest_flips",
    "question_figures",
    "revenue_per_employee_usd",
    "significant_figures_supported",
    "source_disagreements",
    "team_compensation_usd",
    "tied",
    "uncertainty_budget",
    "unit_economics_inputs",
    "who_makes_money",
]

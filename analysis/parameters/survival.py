"""The lab-survival chapter's parameters."""

from __future__ import annotations

from analysis.parameters.shared import EDITION, SEED, number_parameter, scale_parameter
from analysis.parameters.spec import Budget, Chapter, Parameter

SURVIVAL = Chapter(
    name="survival",
    notebook="book/survival.ipynb",
    title="Can the labs survive?",
    sources=(
        "foundation_model_economics_2025",
        "ai_labs_profit_2026",
        "openai_api_arr_2026",
        "genai_business_models_2026",
    ),
    parameters=(
        EDITION,
        Parameter(
            "archetype",
            str,
            "frontier_leader",
            "which lab archetype the chapter follows",
            choices=("frontier_leader", "enterprise_challenger", "subscale_lab", "bigtech_lab"),
        ),
        Parameter(
            "outlook",
            str,
            "base",
            "which outlook's input ranges to use: the sources' base, optimistic or pessimistic view of the lab",
            choices=("base", "optimistic", "pessimistic"),
        ),
        number_parameter(
            "start_year", int, 2025, "first year of the projection", "year", None, minimum=2025, maximum=2050
        ),
        number_parameter(
            "end_year", int, 2032, "last year of the projection", "year", None, minimum=2025, maximum=2060
        ),
        # Fewer than 1,000 draws leave a standard error above 1.6 points on the headline probabilities;
        # 200,000 is what the chapter serves in about 30 s and 1.2 GB (it keeps every draw for its downloads).
        number_parameter("n_draws", int, 20_000, "Monte Carlo draws", "draws", None, minimum=1_000, maximum=200_000),
        SEED,
        Parameter(
            "price_cost_correlation",
            float,
            0.8,
            "correlation of the API price decline and the serving-cost decline",
            minimum=-1,
            maximum=1,
            fact_id="lab_price_cost_correlation",
            fact_field="value",
        ),
        number_parameter(
            "headline_year",
            int,
            2030,
            "year at which headline probabilities are quoted",
            "year",
            None,
            minimum=2025,
            maximum=2060,
        ),
        scale_parameter("growth_initial_scale", "the archetype's first-year revenue growth", 0.25),
        scale_parameter("training_growth_scale", "the archetype's training-spend growth", 0.25),
        scale_parameter("api_price_elasticity_scale", "the price elasticity of API volume", 0.5),
    ),
    ordered_pairs=(("start_year", "end_year"), ("start_year", "headline_year"), ("headline_year", "end_year")),
    budgets=(
        Budget(
            "draw-years",
            "n_draws x (end_year - start_year + 1)",
            1_600_000,
            "about 30 s and 1.2 GB",
            lambda v: v["n_draws"] * (v["end_year"] - v["start_year"] + 1),
        ),
    ),  # fmt: skip
)

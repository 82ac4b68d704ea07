"""Lab survival: a yearly projection of a foundation-model lab, and a Monte Carlo over its inputs.

The projection (all money in USD billions, one column per year):

* **revenue** by stream. Usage-priced streams (the API, and the cloud partners who resell it)
  are volume times price. The list price falls each year by ``api_price_decline``; volume grows
  with the lab and responds to price with a constant elasticity: volume scales by
  ``price_index ** -api_price_elasticity``, so API revenue scales by ``price_index ** (1 - e)``.
  Above 1 a price cut raises revenue, below 1 it lowers it: the data decide, not the model.
  Flat-priced streams (consumer subscriptions, enterprise contracts) keep their price.
  Advertising and outcome licensing start in their own year. Every growth rate, including
  training spend and hiring, decays by ``growth_decay`` a year.
* **gross margin** per stream follows the stream's unit cost against its price path. Serving
  cost per unit falls by ``serving_cost_decline`` a year; on flat-priced plans usage per
  customer grows by ``flat_usage_growth`` a year (heavier use, larger models). Margins are
  kept between :data:`MARGIN_FLOOR` and :data:`MARGIN_CAP`: a lab stops cutting a usage price
  once it reaches the serving cost, and a flat plan whose margin would pass the cap is repriced
  down to it (competition). Advertising and outcome licensing keep their starting margin.
* **training**: final-run cost times a multiple for experiments and failed runs, rising by
  ``training_growth`` a year, a rate that decays like revenue growth (compute budgets follow
  revenue expectations; the essay's optimistic case has training costs stabilising).
* **talent**: headcount times compensation; **data** (acquisition, licensing, labelling): a share of training
  spend; **infrastructure** beyond GPU compute (storage, networking, monitoring, security): a share of the
  first year's serving cost, growing with serving volume to a power below 1; **other** operating cost (sales,
  support, administration): a share of revenue.
* **cash**: starting cash plus operating cash flow; the new round, sized as a multiple of the
  lab's revenue in the round year, is added from that year on.

Uncertain inputs are drawn so that each input's median is its base value and its 5th and 95th
percentiles are its low and high (a two-piece distribution: each half has its own spread, as the
base need not be the midpoint): log-normal halves for positive amounts, normal halves clipped to
what is possible for shares and rates. The API price decline and the serving-cost decline are
drawn together with a given correlation (a Gaussian copula), because competition passes cost
cuts into prices.
"""

# The package's API, one module per part: import from here.
from analysis.models.survival.arithmetic import (
    affordable_compute_gw,
    breakeven_horizons,
    commitment_years_by_scenario,
    correlation_grid,
    edge_value_to_lab,
    funding_need_usd_bn,
    gross_profit_by_first_party_share,
    gross_profit_from_compute_mix,
    rd_compute_gw,
    years_of_revenue,
)
from analysis.models.survival.calibration import (
    CalibrationTarget,
    calibration_table,
    calibration_targets,
    modelling_choices,
    scenario_direction_problems,
)
from analysis.models.survival.inputs import (
    ARCHETYPES,
    CLIP,
    DRAW_BLOCK,
    FLAT_PRICED_STREAMS,
    GOOD_DIRECTION,
    LOGNORMAL_INPUTS,
    MARGIN_CAP,
    MARGIN_FLOOR,
    SCENARIOS,
    SHARE_CLIP,
    STREAMS,
    USAGE_PRICED_STREAMS,
    Z90,
    SurvivalInputError,
    base_inputs,
    check_draw_settings,
    clip_range,
    draw_inputs,
    input_quantile,
    input_specs,
    input_values,
    lab_input_table,
    score_blocks,
    score_settings,
)
from analysis.models.survival.montecarlo import (
    MonteCarloSummary,
    export_draws,
    simulate,
    simulate_cash,
    simulate_probabilities,
    simulate_summary,
)
from analysis.models.survival.projection import (
    FAN_QUANTILES,
    Projection,
    cash_fan,
    priced_margin,
    project_lab,
    projection_frame,
    runway_rows,
    runway_summary,
    standard_error,
    survival_probabilities,
    sustained_breakeven,
)
from analysis.models.survival.robustness import (
    correlation_effect,
    decimals_supported,
    headline_probabilities,
    horizon_table,
    rank_correlations,
    recentre_on_midpoint,
    tornado,
    uncertainty_budget,
    with_input_fixed,
)
from analysis.models.survival.summaries import (
    COST_LINES,
    EXPLORER_INPUTS,
    archetype_scenario_probabilities,
    explorer_grid,
    question_figures,
)

__all__ = [
    "ARCHETYPES",
    "CLIP",
    "COST_LINES",
    "CalibrationTarget",
    "DRAW_BLOCK",
    "EXPLORER_INPUTS",
    "FAN_QUANTILES",
    "FLAT_PRICED_STREAMS",
    "GOOD_DIRECTION",
    "LOGNORMAL_INPUTS",
    "MARGIN_CAP",
    "MARGIN_FLOOR",
    "MonteCarloSummary",
    "Projection",
    "SCENARIOS",
    "SHARE_CLIP",
    "STREAMS",
    "SurvivalInputError",
    "USAGE_PRICED_STREAMS",
    "Z90",
    "affordable_compute_gw",
    "archetype_scenario_probabilities",
    "base_inputs",
    "breakeven_horizons",
    "calibration_table",
    "calibration_targets",
    "cash_fan",
    "check_draw_settings",
    "clip_range",
    "commitment_years_by_scenario",
    "correlation_effect",
    "correlation_grid",
    "decimals_supported",
    "draw_inputs",
    "edge_value_to_lab",
    "explorer_grid",
    "export_draws",
    "funding_need_usd_bn",
    "gross_profit_by_first_party_share",
    "gross_profit_from_compute_mix",
    "headline_probabilities",
    "horizon_table",
    "input_quantile",
    "input_specs",
    "input_values",
    "lab_input_table",
    "modelling_choices",
    "priced_margin",
    "project_lab",
    "projection_frame",
    "question_figures",
    "rank_correlations",
    "rd_compute_gw",
    "recentre_on_midpoint",
    "runway_rows",
    "runway_summary",
    "scenario_direction_problems",
    "score_blocks",
    "score_settings",
    "simulate",
    "simulate_cash",
    "simulate_probabilities",
    "simulate_summary",
    "standard_error",
    "survival_probabilities",
    "sustained_breakeven",
    "tornado",
    "uncertainty_budget",
    "with_input_fixed",
    "years_of_revenue",
]

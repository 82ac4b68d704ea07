"""Chapter parameters: one declaration serves defaults, notebooks and validation."""

from __future__ import annotations

from pathlib import Path

import papermill as pm
import pytest

from analysis.data import central_value
from analysis.parameters import (
    BUSINESS_MODELS,
    CHAPTERS,
    ParameterError,
    apply_parameter_overrides,
    validate_parameters,
)
from analysis.paths import REPO_ROOT


@pytest.mark.parametrize("chapter", CHAPTERS.values(), ids=lambda c: c.name)
def test_notebook_parameters_cell_matches_declarations(chapter):
    """papermill reads the same names, types and defaults from the notebook as are declared."""
    found = pm.inspect_notebook(str(REPO_ROOT / chapter.notebook))
    assert set(found) == {p.name for p in chapter.parameters}
    for p in chapter.parameters:
        assert found[p.name]["inferred_type_name"] == p.type.__name__, p.name
        assert eval(found[p.name]["default"]) == p.default, p.name  # literal defaults only
        assert found[p.name]["help"], f"{p.name} has no comment for papermill --help-notebook"


@pytest.mark.parametrize("chapter", CHAPTERS.values(), ids=lambda c: c.name)
def test_reported_defaults_equal_their_facts(chapter, dataset):
    """A default that names a fact is exactly that fact's value."""
    for p in chapter.parameters:
        if not p.fact_ids:
            continue
        defaults = p.default if p.type is list else [p.default]
        for fact_id, default in zip(p.fact_ids, defaults, strict=True):
            fact = dataset.fact(fact_id)
            expected = central_value(fact) if p.fact_field == "value" else fact[p.fact_field]
            assert expected == pytest.approx(default), p.name


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "annual_discount_rate",
            -0.1,
            "parameter 'annual_discount_rate' = -0.1 is not allowed: must be a number >= 0",
        ),
        (
            "freemium_conversion_low",
            1.5,
            "parameter 'freemium_conversion_low' = 1.5 is not allowed: must be a number > 0 and < 1",
        ),
        (
            "researcher_count",
            0,
            "parameter 'researcher_count' = 0 is not allowed: must be a whole number >= 1",
        ),
        ("researcher_count", 2.5, "parameter 'researcher_count' = 2.5 is not allowed"),
        ("cac_multiplier", "high", "parameter 'cac_multiplier' = 'high' is not allowed: must be a number"),
        ("image_generation_cost_usd", -1.0, "parameter 'image_generation_cost_usd' = -1.0 is not allowed"),
    ],
)
def test_bad_values_are_rejected_with_name_value_and_allowed(name, value, message):
    with pytest.raises(ParameterError) as info:
        validate_parameters("business_models", {**BUSINESS_MODELS.defaults, name: value})
    assert message in str(info.value)


def test_a_ranges_end_is_written_as_it_would_be_typed():
    from analysis.parameters import get_chapter

    pricing = get_chapter("pricing")
    with pytest.raises(ParameterError) as info:
        validate_parameters("pricing", {**pricing.defaults, "seed": -1})
    assert "must be a whole number >= 0 and <= 4294967295" in str(info.value)  # not 4.29497e+09
    with pytest.raises(ParameterError) as info:
        validate_parameters("pricing", {**pricing.defaults, "n_users": 0})
    assert "must be a whole number >= 1 and <= 2000000" in str(info.value)


def test_low_above_high_is_rejected():
    values = {**BUSINESS_MODELS.defaults, "freemium_conversion_low": 0.06}
    with pytest.raises(
        ParameterError,
        match="'freemium_conversion_low' = 0.06 is greater than 'freemium_conversion_high' = 0.05",
    ):
        validate_parameters("business_models", values)


def test_missing_parameter_and_unknown_chapter():
    values = dict(BUSINESS_MODELS.defaults)
    del values["cac_multiplier"]
    with pytest.raises(ParameterError, match="parameter 'cac_multiplier' is missing"):
        validate_parameters("business_models", values)
    with pytest.raises(ParameterError, match="unknown chapter 'pricng'; chapters: business_models, pricing"):
        validate_parameters("pricng", {})


def test_override_changes_the_fact_and_marks_it(dataset):
    """A reader's conversion range replaces the reported one; the base is re-centred inside it."""
    params = {
        **BUSINESS_MODELS.defaults,
        "enterprise_annual_retention_low": 0.96,
        "enterprise_annual_retention_high": 0.98,
    }
    changed = apply_parameter_overrides(dataset, "business_models", params)
    fact = changed.fact("enterprise_annual_retention_range")
    assert (fact["low"], fact["high"], fact["kind"]) == (0.96, 0.98, "parameter")
    assert fact["value"] == pytest.approx(0.97)
    assert dataset.fact("enterprise_annual_retention_range")["low"] == 0.90  # original untouched
    untouched = apply_parameter_overrides(dataset, "business_models", BUSINESS_MODELS.defaults)
    assert (untouched["facts"]["kind"] != "parameter").all()


def test_every_notebook_validates_right_after_its_parameters():
    """The cell after the 'parameters' cell opens the chapter, which validates its parameters."""
    import nbformat

    for chapter in CHAPTERS.values():
        nb = nbformat.read(Path(REPO_ROOT / chapter.notebook), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        index = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
        assert ".open(globals())" in code[index + 1].source


def test_values_are_normalised_or_refused_with_a_bounded_message():
    """-0.0 is 0.0; a name with a trailing line break is refused ($ matched before it); a huge value is shown cut."""
    rate = BUSINESS_MODELS.parameter("annual_discount_rate")
    assert repr(rate.check(-0.0)) == "0.0"
    edition = BUSINESS_MODELS.parameter("edition")
    with pytest.raises(ParameterError, match=r"parameter 'edition' = 'memo\\n' is not allowed: must be a plain name"):
        edition.check("memo\n")
    with pytest.raises(ParameterError) as info:
        rate.check(10**5000)
    assert "= a huge integer (an integer of more than 4,000 digits) is not allowed" in str(info.value)
    assert len(str(info.value)) < 300
    for bad in (float("inf"), float("nan")):
        with pytest.raises(ParameterError, match="is not allowed"):
            BUSINESS_MODELS.parameter("researcher_compensation_high_usd").check(bad)


def test_plain_papermill_refuses_a_parameter_the_notebook_does_not_declare(tmp_path):
    """Issue 13: `papermill book/pricing.ipynb out.ipynb -p free_capp 2` fails in the validation cell, naming it."""
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as info:
        pm.execute_notebook(str(REPO_ROOT / "book" / "pricing.ipynb"), str(tmp_path / "out.ipynb"),
                            parameters={"free_capp": 2}, progress_bar=False, cwd=str(tmp_path))  # fmt: skip
    assert info.value.ename == "ParameterError"
    assert "unknown parameter 'free_capp' was passed to the notebook (papermill -p); did you mean free_cap," in (
        info.value.evalue
    )


def corner(chapter, end: str) -> dict:
    """Every numeric parameter at the low or high end of its declared range (lists: increasing, at that end).

    An exclusive bound is approached to within a thousandth of the range; ``free_cap`` stays below the paid cap.
    """
    values = dict(chapter.defaults)
    for p in chapter.parameters:
        if p.type is str or p.minimum is None or p.maximum is None:
            continue
        step = (p.maximum - p.minimum) / 1000 if p.maximum - p.minimum <= 1 else 1e-3
        low = p.minimum + (step if p.exclusive_minimum else 0)
        high = p.maximum - (step if p.exclusive_maximum else 0)
        if p.type is list:
            n = len(p.default)
            values[p.name] = (
                [low + step * i for i in range(n)] if end == "low" else [high - step * (n - 1 - i) for i in range(n)]
            )
        else:
            values[p.name] = p.type(low if end == "low" else high)
    if chapter.name == "pricing" and end == "high":
        values["free_cap"] = values["freemium_paid_cap"] / 2
    return values


@pytest.mark.build
def test_every_chapter_runs_at_both_ends_of_its_declared_ranges(tmp_path):
    """Issue 13: a range the command accepts is one the chapter runs within. Each chapter at the low end of every
    range, and at the high end with the work-sizing parameters at their budgets (pricing: 200,000 users x 24
    months, 200 seeds x 10,000 users; survival: 200,000 draws x 8 years, and 44,444 draws x 36 years)."""
    from analysis.parameters import PRICING, SURVIVAL
    from analysis.pipeline.execution import execute_notebooks

    runs = {
        "bm-low": (BUSINESS_MODELS, corner(BUSINESS_MODELS, "low")),
        "bm-high": (BUSINESS_MODELS, corner(BUSINESS_MODELS, "high")),
        "pricing-low": (PRICING, corner(PRICING, "low")),
        "pricing-high": (PRICING, {**corner(PRICING, "high"), "n_users": 200_000, "n_months": 24, "spread_seeds": 200,
                                   "spread_n_users": 10_000}),
        "survival-low": (SURVIVAL, corner(SURVIVAL, "low")),
        "survival-high-draws": (SURVIVAL, {**SURVIVAL.defaults, "n_draws": 200_000}),
        "survival-high-years": (SURVIVAL, {**corner(SURVIVAL, "high"), "start_year": 2025, "n_draws": 44_444}),
    }  # fmt: skip
    for name, (chapter, values) in runs.items():
        assert validate_parameters(chapter.name, values), name  # each is allowed
    assert runs["survival-low"][1]["n_draws"] == 1_000 and runs["pricing-low"][1]["n_users"] == 1
    tasks = [(REPO_ROOT / chapter.notebook, tmp_path / name, values) for name, (chapter, values) in runs.items()]
    execute_notebooks(tasks, REPO_ROOT, tmp_path / "failed", tmp_path / "cache", jobs=2)
    for name in runs:
        assert list((tmp_path / name).glob("*.ipynb")), name


def test_a_list_override_replaces_one_fact_per_tier_and_only_those_that_change(dataset):
    """tier_caps = [25, 80, 300] changes tiers 2 and 3 (75 -> 80, 250 -> 300), marks them, and leaves tier 1 (25,
    unchanged) as the source's; a list of another length (2 tiers) leaves every tier fact as it was."""
    from analysis.parameters import PRICING

    def marked(facts) -> set[str]:
        return set(facts.index[facts["kind"] == "parameter"])

    defaults = marked(apply_parameter_overrides(dataset, "pricing", PRICING.defaults)["facts"])
    changed = apply_parameter_overrides(dataset, "pricing", {**PRICING.defaults, "tier_caps": [25.0, 80.0, 300.0]})
    facts = changed["facts"]
    assert [float(facts.at[f"tier_{i}_cap", "value"]) for i in (1, 2, 3)] == [25.0, 80.0, 300.0]
    assert [facts.at[f"tier_{i}_cap", "kind"] for i in (1, 2, 3)] == ["assumption", "parameter", "parameter"]
    assert marked(facts) - defaults == {"tier_2_cap", "tier_3_cap"}
    two_tiers = {**PRICING.defaults, "tier_caps": [30.0, 90.0], "tier_prices_usd": [10.0, 30.0]}
    same = apply_parameter_overrides(dataset, "pricing", two_tiers)["facts"]
    assert marked(same) == defaults and not {"tier_1_cap", "tier_2_cap", "tier_3_cap"} & defaults
    assert [float(same.at[f"tier_{i}_cap", "value"]) for i in (1, 2, 3)] == [25.0, 75.0, 250.0]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"tier_caps": [25.0, 75.0]}, "parameters 'tier_prices_usd' (3 values) and 'tier_caps' (2 values) must have"),
        ({"api_volume_discounts": [0.1, 0.2, 0.3]},
         "parameters 'api_volume_thresholds' (2 values) and 'api_volume_discounts' (3 values) must have the same"),
    ],
)  # fmt: skip
def test_paired_lists_of_different_lengths_are_refused_naming_both_and_their_counts(override, message):
    """Each list pair the chapter declares (tier prices and caps, volume thresholds and discounts) is checked."""
    from analysis.parameters import PRICING

    with pytest.raises(ParameterError) as info:
        validate_parameters("pricing", {**PRICING.defaults, **override})
    assert message in str(info.value)
    validate_parameters("pricing", {**PRICING.defaults, "tier_caps": [25.0, 75.0], "tier_prices_usd": [10.0, 30.0]})

"""Chapter parameters: one declaration serves defaults, notebooks and validation."""

from __future__ import annotations

from pathlib import Path

import papermill as pm
import pytest

from analysis.build import REPO_ROOT
from analysis.data import central_value
from analysis.parameters import (
    BUSINESS_MODELS,
    CHAPTERS,
    ParameterError,
    apply_parameter_overrides,
    validate_parameters,
)


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
    """The cell after the 'parameters' cell calls validate_parameters for its chapter."""
    import nbformat

    for chapter in CHAPTERS.values():
        nb = nbformat.read(Path(REPO_ROOT / chapter.notebook), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        index = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
        assert f'validate_parameters("{chapter.name}", globals())' in code[index + 1].source

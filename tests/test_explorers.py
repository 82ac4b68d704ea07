"""The in-page explorers: moved in Debian's Chromium, they show what the Python functions give at that point."""

from __future__ import annotations

import shutil

import pytest

from analysis.models import business_models as bm
from analysis.models import survival as sv
from analysis.parameters import get_chapter

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def explorer_text(html_dir, page: str, figure: str, slider: int, width: int) -> tuple[str, list[str]]:
    """Open the page from file://, press the right arrow once on one slider, return the explorer's text."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        view = browser.new_page(viewport={"width": width, "height": 900})
        view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        view.goto((html_dir / "book" / page).as_uri())
        block = view.locator(f"#{figure}")
        block.locator("input[type=range]").first.wait_for(timeout=20_000)
        block.locator("input[type=range]").nth(slider).focus()
        view.keyboard.press("ArrowRight")
        view.wait_for_timeout(500)
        text = block.locator(".vega-live").inner_text()
        box = block.locator(".vega-live svg").first.bounding_box()
        browser.close()
    assert box is not None and box["x"] + box["width"] <= width + 1, "the explorer is wider than the screen"
    return text, errors


@pytest.mark.parametrize("width", [1366, 390])
def test_survival_explorer_shows_the_python_value_at_a_moved_slider(built_site, dataset, width):
    """Training growth one step up (x1.25): the readout equals explorer_grid at that point, and the command too."""
    defaults = get_chapter("survival").defaults
    text, errors = explorer_text(built_site, "survival.html", "fig-survival-explorer", 1, width)
    assert errors == []
    grid = sv.explorer_grid(dataset, "frontier_leader", "base", {"training_growth": [1.25]}, defaults["n_draws"],
                            defaults["seed"], defaults["price_cost_correlation"], 2025, 2032)  # fmt: skip
    at = grid.set_index("year").loc[defaults["headline_year"]]
    assert f"P(sustained break-even): {at['p_breakeven_by_year']:.0%}" in text
    assert f"P(cash lasts, no new capital): {at['p_cash_lasts']:.0%}" in text
    assert "-p training_growth_scale=1.25" in text and "-p growth_initial_scale=1 " in text


def test_business_models_explorer_shows_the_python_verdicts_at_a_moved_slider(built_site, dataset):
    """Acquisition cost one step up (x1.25): the verdicts are evaluate_claims' at that point."""
    text, errors = explorer_text(built_site, "business_models.html", "fig-business-models-explorer", 0, 1366)
    assert errors == []
    claims = bm.evaluate_claims(dataset, 0.1, 1.25, 1.0)
    names = dataset["business_models"]["name"]
    mapping = dataset["ltv_cac_claims"]
    for claim in mapping.itertuples():
        agrees = bool(claims.set_index("claim_id").at[claim.Index, "agrees"])
        line = (
            f"{names[claim.favoured_model_id]} > {names[claim.other_model_id]}: {'agrees' if agrees else 'disagrees'}"
        )
        assert line in text, line
    assert "-p cac_multiplier=1.25" in text


def test_pricing_explorer_shows_the_python_break_even_at_a_moved_slider(built_site, dataset):
    """Cost per generation one step up ($0.45): the break-even is freemium_breakeven_grid's on the chapter's users."""
    from analysis.models import pricing as pr

    defaults = get_chapter("pricing").defaults
    text, errors = explorer_text(built_site, "pricing.html", "fig-pricing-explorer", 1, 1366)
    assert errors == []
    population = pr.simulate_from_params(defaults, defaults["seed"], defaults["n_users"])
    grid = pr.freemium_breakeven_grid(population, [defaults["free_cap"]], [0.45], defaults["freemium_paid_price_usd"],
                                      defaults["freemium_paid_cap"])  # fmt: skip
    value = float(grid["breakeven_conversion"].iloc[0])
    assert f"Break-even conversion: {value:.1%}" in text
    assert ("does not pay" in text) == (value > defaults["conversion_rate"])
    assert "-p cost_per_generation_usd=0.45" in text

"""The in-page explorers: moved in Debian's Chromium, they show what the Python functions give at that point."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from analysis.models import business_models as bm
from analysis.models import survival as sv
from analysis.parameters import get_chapter
from analysis.present import charts, explorers
from analysis.present import pricing as present_pricing

browser = pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
EXPLORERS = [
    ("business_models", "fig-business-models-explorer"),
    ("pricing", "fig-pricing-explorer"),
    ("pricing", "fig-pricing-deflation-explorer"),
    ("survival", "fig-survival-explorer"),
]
PAGE_WEIGHT_LIMIT_BYTES = 1_500_000  # issue 12: at most 1.5 MB added to a chapter's page by its explorers


def key_figures(html_dir) -> pd.DataFrame:
    """The built site's key figures (value and text), by id."""
    return pd.read_csv(html_dir / "downloads" / "key_figures.csv", keep_default_na=False).set_index("id")


def explorer_text(
    html_dir, page: str, figure: str, slider: int, width: int, presses: int = 1
) -> tuple[str, list[str]]:  # fmt: skip
    """Open the page from file://, press the right arrow ``presses`` times on one slider, return the explorer's
    text."""
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
        for _ in range(presses):
            view.keyboard.press("ArrowRight")
        view.wait_for_timeout(500)
        text = block.locator(".vega-live").inner_text()
        box = block.locator(".vega-live svg").first.bounding_box()
        browser.close()
    assert box is not None and box["x"] + box["width"] <= width + 1, "the explorer is wider than the screen"
    return text, errors


@browser
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


@browser
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


@browser
def test_pricing_explorer_shows_the_python_break_even_at_a_moved_slider(built_site, dataset):
    """Cost per generation one step up ($0.45): the break-even is freemium_breakeven_grid's on the chapter's users,
    printed with the decimals of the chapter's key figure for it."""
    from analysis.models import pricing as pr

    defaults = get_chapter("pricing").defaults
    text, errors = explorer_text(built_site, "pricing.html", "fig-pricing-explorer", 1, 1366)
    assert errors == []
    population = pr.simulate_from_params(defaults, defaults["seed"], defaults["n_users"])
    grid = pr.freemium_breakeven_grid(population, [defaults["free_cap"]], [0.45], defaults["freemium_paid_price_usd"],
                                      defaults["freemium_paid_cap"])  # fmt: skip
    value = float(grid["breakeven_conversion"].iloc[0])
    figure = key_figures(built_site).loc["pr_breakeven_default"]
    d3_format = explorers.readout_format(
        dataset["key_figures"], "pr_breakeven_default", figure["value"], figure["text"]
    )
    assert f"Break-even conversion: {charts.format_d3(value, d3_format)} (chapter {figure['text']})" in text
    assert ("does not pay" in text) == (value > defaults["conversion_rate"])
    assert "-p cost_per_generation_usd=0.45" in text


@browser
def test_pricing_deflation_explorer_shows_the_python_margins_at_a_moved_slider(built_site, dataset):
    """Usage prices falling one step faster (40% a year, cost 35%): each strategy's margin after the chapter's
    3 years is project_deflation's on the chapter's users, as its key figure prints it; the command has both rates.
    Credits: 1 - 0.40 x 0.65^3 / 0.6^3 = 1 - 0.10985 / 0.216 = 49%."""
    from analysis.models import pricing as pr

    defaults = get_chapter("pricing").defaults
    text, errors = explorer_text(built_site, "pricing.html", "fig-pricing-deflation-explorer", 0, 1366)
    assert errors == []
    population = pr.simulate_from_params(defaults, defaults["seed"], defaults["n_users"])
    settings = pr.settings_from_params(defaults)
    later = pr.project_deflation(population, settings, defaults["deflation_years"], 0.4, 0.35)
    names = present_pricing.strategy_names(dataset)
    for strategy, margin in zip(later["strategy"], later["gross_margin_later"], strict=True):
        assert f"{names[strategy]}: {charts.format_d3(margin, '.0%')} (chapter " in text, strategy
    assert "Credits/Pay-per-use: 49% (chapter 60%)" in text
    assert "-p usage_price_decline_per_year=0.4 " in text and "-p serving_cost_decline_per_year=0.35 " in text


@browser
def test_every_explorer_reads_out_the_chapters_key_figures_at_the_start(built_site, dataset):
    """Issue 12: untouched, each explorer prints its quantities exactly as the chapter's key figures print them
    (the survival probabilities, the freemium break-even, each strategy's margin after the decline)."""
    figures = key_figures(built_site)["text"]
    survival, _ = explorer_text(built_site, "survival.html", "fig-survival-explorer", 0, 1366, presses=0)
    assert f"P(sustained break-even): {figures['sv_p_breakeven']} (chapter {figures['sv_p_breakeven']})" in survival
    assert f"P(cash lasts, no new capital): {figures['sv_p_cash']} (chapter {figures['sv_p_cash']})" in survival
    freemium, _ = explorer_text(built_site, "pricing.html", "fig-pricing-explorer", 0, 1366, presses=0)
    assert f"Break-even conversion: {figures['pr_breakeven_default']} (chapter " in freemium
    deflation, _ = explorer_text(built_site, "pricing.html", "fig-pricing-deflation-explorer", 0, 1366, presses=0)
    for strategy, name in present_pricing.strategy_names(dataset).items():
        text = figures[f"pr_margin_later_{strategy}"]
        assert f"{name}: {text} (chapter {text})" in deflation, strategy


def test_each_explorer_adds_at_most_1_5_mb_to_its_chapter_page(built_site):
    """Issue 12: the bytes an explorer adds to its page are its whole section of the built HTML: prose, caption, the
    chart with its grid inline (Vega-Lite spec), the static SVG, the data table and the other tabs; nothing else is
    fetched for it (the Vega bundle serves every chart). Each chapter's explorers together stay under 1.5 MB, and
    the grid measured is the whole grid: one row per slider position (and category or year)."""
    from bs4 import BeautifulSoup

    added: dict[str, int] = {}
    for chapter, figure in EXPLORERS:
        soup = BeautifulSoup((built_site / "book" / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
        section = soup.find(id=figure).find_parent("section")
        assert [f.get("id") for f in section.find_all("figure")] == [figure], "the section holds one figure"
        spec = json.loads(section.find("script", class_="vega-spec").string)
        rows = max(spec["datasets"].values(), key=len) if "datasets" in spec else spec["data"]["values"]
        positions = {
            tuple(row[p["name"]] for p in spec["params"] if p["name"] in rows[0]) for row in rows
        }  # fmt: skip
        expected = 1
        for param in spec["params"]:
            if param["name"] in rows[0]:  # a slider over the grid (the reader's conversion rate only draws a line)
                bind = param["bind"]
                expected *= round((bind["max"] - bind["min"]) / bind["step"]) + 1
        assert len(positions) == expected > 1, (figure, len(positions), expected)
        added[chapter] = added.get(chapter, 0) + len(str(section).encode("utf-8"))
    assert added["business_models"] > 100_000  # the inline grid: 7 models at 7 x 7 x 5 positions
    for chapter, size in added.items():
        assert size <= PAGE_WEIGHT_LIMIT_BYTES, f"{chapter}: the explorers add {size:,} bytes"


def test_explorer_grids_are_computed_in_the_notebook_run_and_come_back_from_the_cache(built_site):
    """Issue 12: each explorer's grid is computed while its chapter's notebook runs, so it is stored with that
    execution in the build's cache: the chart on the page is, byte for byte, the one glued in a cached execution,
    and a rebuild that reuses the execution reuses the grid without computing it again."""
    from bs4 import BeautifulSoup

    glued = {"fig-business-models-explorer": "bm_fig_explorer", "fig-pricing-explorer": "pr_fig_explorer",
             "fig-pricing-deflation-explorer": "pr_fig_deflation_explorer", "fig-survival-explorer": "sv_fig_explorer"}  # fmt: skip
    for chapter, figure in EXPLORERS:
        soup = BeautifulSoup((built_site / "book" / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
        shown = json.loads(soup.find(id=figure).find("script", class_="vega-spec").string)
        cached = []
        for executed in (built_site.parent / "cache").glob(f"*/{chapter}.ipynb"):
            for cell in json.loads(executed.read_text(encoding="utf-8"))["cells"]:
                for output in cell.get("outputs", []):
                    if output.get("metadata", {}).get("scrapbook", {}).get("name") == glued[figure]:
                        cached.append(output["data"][f"application/papermill.record/{charts.CHART_MIME}"])
        assert cached and shown in cached, figure


def test_a_margin_just_below_zero_prints_as_the_readout_prints_it(dataset):
    """At cost_per_generation_usd=0.43 freemium's margin after the declines is -0.15%: the chapter printed '-0%',
    which no d3 format gives (d3 drops the sign of a value that rounds to zero), and the run failed."""
    from analysis.formats import fmt_share
    from analysis.models.pricing.ranking import question_figures

    frame = pd.DataFrame({"case": ["central"], "strategy": ["freemium"], "gross_margin_now": [-2.65],
                          "gross_margin_later": [-0.0015032]})  # fmt: skip
    later = question_figures(frame, {"freemium": "Freemium"}, 0.35, 3)[-1]
    assert later["text"] == fmt_share(-0.0015032) == "0%"
    assert explorers.readout_format(dataset["key_figures"], later["key"], later["value"], later["text"]) == ".0%"
    assert fmt_share(-0.0015032, 1) == "-0.2%" == charts.format_d3(-0.0015032, ".1%")


def test_the_pricing_explorer_reads_never_where_the_break_even_is_never_reached():
    """With a paid plan at $1 a month no conversion pays for the free tier: the grid's break-even is infinite,
    null in the chart's data. The readout printed 'null' and, since null <= x in Vega, said the free tier pays.
    vl-convert evaluates the chart's expressions at the start position, as a browser would."""
    import vl_convert

    from analysis.models import pricing as pr

    params = {**get_chapter("pricing").defaults, "freemium_paid_price_usd": 1.0, "n_users": 2000}
    population = pr.simulate_from_params(params, params["seed"], params["n_users"])
    explorer = explorers.pricing_explorer(population, params, (0.02, 0.05), ".0%")
    svg = vl_convert.vegalite_to_svg(explorer.chart.to_dict())
    assert "Break-even conversion: never (chapter never)" in svg
    assert "conversion the free tier does not pay" in svg

"""The real build: papermill, then Jupyter Book with warnings as errors."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from analysis.build import REPO_ROOT, BuildError, build_book

pytestmark = pytest.mark.build


def _text(page: Path) -> str:
    """Visible text of a page, whitespace collapsed."""
    source = page.read_text(encoding="utf-8")
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", source)).split())


@pytest.fixture(scope="module")
def built(built_site) -> Path:
    return built_site


def test_chapter_shows_tables_charts_and_glued_numbers(built):
    """The business-model chapter has its tables, two rendered-chart containers and computed numbers."""
    page = built / "book" / "business_models.html"
    source = page.read_text(encoding="utf-8")
    text = _text(page)
    for table in ("tbl-business-models", "tbl-unit-economics", "tbl-unit-economics-inputs", "tbl-ltv-cac-claims",
                  "tbl-ltv-cac-flips", "tbl-who-makes-money", "tbl-generation-costs"):  # fmt: skip
        assert f'id="{table}"' in source, table
    assert source.count('class="vega-chart"') == 2
    assert 'id="fig-gross-margins"' in source and 'id="fig-ltv-to-cac"' in source
    # Glued numbers, computed from the data: the credit example and the talent arithmetic.
    assert "is a 60% gross margin" in text
    assert "costs $15M–$50M a year" in text
    assert "$5M+ of revenue per employee" in text
    assert "Table 1.1" in text and "Figure 1.1" in text
    # Every glue key was resolved (an unresolved one would leave its key in the page).
    assert "bm_" not in text


def test_no_script_or_style_comes_from_outside_the_site(built):
    for page in built.rglob("*.html"):
        source = page.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', source)
        assert not external, f"{page.name} loads {external}"
        assert "unpkg.com" not in source and "cdn.jsdelivr" not in source
    assert (built / "_static" / "vega-bundle.js").stat().st_size > 100_000


def test_bibliography_lists_the_sources_without_empty_fields(built, dataset):
    """Every source is in the bibliography; empty cells (NaN) never become text such as 'nan'."""
    text = _text(built / "book" / "intro.html")
    for title in dataset["sources"]["title"]:
        assert title in text
    assert 'href="nan"' not in (built / "book" / "intro.html").read_text(encoding="utf-8")


def test_failing_notebook_names_notebook_cell_and_error_and_keeps_previous_site(built, tmp_path):
    """A bad parameter fails in the validation cell; the earlier site is left as it was."""
    out = tmp_path / "out"
    shutil.copytree(built, out / "html")
    before = (out / "html" / "book" / "business_models.html").read_bytes()
    with pytest.raises(BuildError) as info:
        build_book(output_dir=out, parameters={"business_models": {"annual_discount_rate": 2.0}})
    message = str(info.value)
    assert "book/business_models.ipynb failed in cell" in message
    assert "validate_parameters" in message or "params = validate_parameters" in message
    assert "ParameterError: invalid parameters for chapter 'business_models'" in message
    assert (out / "html" / "book" / "business_models.html").read_bytes() == before
    assert (out / "failed" / "business_models.ipynb").exists()
    assert not list(out.glob(".stage-*"))


def test_a_sphinx_warning_fails_the_build(tmp_path):
    """A broken cross-reference in a page is a warning, and a warning is an error."""
    root = tmp_path / "book_root"
    shutil.copytree(REPO_ROOT / "book", root / "book")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(REPO_ROOT / name, root / name)
    intro = root / "book" / "intro.md"
    intro.write_text(intro.read_text() + "\nSee {numref}`tbl-does-not-exist`.\n")
    with pytest.raises(BuildError, match="tbl-does-not-exist"):
        build_book(root=root, output_dir=tmp_path / "out")
    assert not (tmp_path / "out" / "html").exists()


def test_scenario_edition_names_the_scenario_on_every_page(tmp_path):
    """An edition built under a scenario carries its (escaped) banner on every page."""
    from analysis.runs import load_scenario

    scenario = load_scenario("pessimistic")
    result = build_book(output_dir=tmp_path / "edition", parameters=scenario.chapters,
                        banner=f"Scenario <pessimistic>: {scenario.description}")  # fmt: skip
    # index.html only redirects to the first page; the index and search pages have no body of their own.
    pages = [p for p in (result.html_dir / "book").rglob("*.html")]
    assert len(pages) >= 4
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert "Scenario &lt;pessimistic&gt;: The foundation-model essay" in source, page.name


def test_key_figures_page_and_downloads(built):
    """At least 25 key figures, each registered once, with CSV/JSON downloads and a data package."""
    import json
    import zipfile

    from analysis.data import load_dataset

    figures = json.loads((built / "downloads" / "key_figures.json").read_text())
    registry = load_dataset()["key_figures"]
    assert len(figures) >= 25
    assert sorted(f["id"] for f in figures) == sorted(registry["id"])
    for figure in figures:
        entry = registry.loc[figure["id"]]
        assert (figure["unit"], figure["anchor"]) == (entry["unit"], entry["anchor"]), figure["id"]
    page = _text(built / "book" / "key_figures.html")
    assert "bm_credit_margin" in page and "60% gross margin" in page
    with zipfile.ZipFile(built / "downloads" / "data-package.zip") as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read("datapackage.json"))
    assert {"datapackage.json", "README.md", "LICENSE", "data/facts.csv", "data/sources.csv"} <= names
    assert {r["path"] for r in package["resources"]} >= {"facts.csv", "sources.csv", "business_models.csv"}


def test_every_table_and_figure_has_downloads_and_a_citation(built):
    for page in ("business_models", "pricing", "survival"):
        source = (built / "book" / f"{page}.html").read_text(encoding="utf-8")
        anchors = re.findall(r'<(?:table|figure)\b[^>]*\bid="((?:tbl|fig)-[^"]+)"', source)
        assert anchors, page
        assert source.count('class="cite-this"') == len(anchors)
        for anchor in anchors:
            assert f"downloads/{page}/{anchor}" in source, anchor
        assert source.count("Data of this chart as a table") == len([a for a in anchors if a.startswith("fig-")])


def test_methods_page_lists_every_assumption(built, dataset):
    text = _text(built / "book" / "methods.html")
    assumptions = dataset["facts"][dataset["facts"]["kind"] == "assumption"]
    for fact_id in assumptions["id"]:
        assert fact_id in text, fact_id
    for correction in dataset["corrections"]["id"]:
        assert correction in text


def test_methods_page_lists_each_modelling_choice_with_its_effect(built, dataset):
    """Issue 10: the Methods page names every modelling choice with its computed effect on the headline."""
    from analysis.site import modelling_choices

    text = _text(built / "book" / "methods.html").replace("\u2019", "'").replace("\u2018", "'")
    assert "Modelling choices and what they change" in text
    for choice in (
        "Discount rate",
        "Midpoint of wide ranges",
        "Free tier's compute",
        "Cost per generation",
        "Usage-price decline",
        "Centring of the draws",
        "API price response",
        "Margins",
        "Calibration",
    ):
        assert choice in text, choice
    for effect in modelling_choices(dataset)["Effect on the headline"]:
        assert effect.split(";")[0].split("(")[0].strip() in text, effect


def test_every_page_names_version_and_commit(built):
    for page in (built / "book").glob("*.html"):
        source = page.read_text(encoding="utf-8")
        assert re.search(r"version \S+ · built \d{4}-\d{2}-\d{2} · commit \S+", source), page.name


@pytest.mark.parametrize(
    ("page", "tables", "figures", "phrases"),
    [
        ("pricing", ("tbl-pricing-article", "tbl-pricing-comparison", "tbl-tier-caps", "tbl-deflation",
                     "tbl-pricing-conclusions"),
         ("fig-pricing-tradeoff", "fig-freemium-breakeven", "fig-tier-caps"),
         ("That is a decline of 53.6% a year", "in which a generation sold for $1 leaves 60%")),
        ("survival", ("tbl-lab-inputs", "tbl-lab-projection", "tbl-survival-probabilities", "tbl-correlation-effect",
                      "tbl-sensitivity", "tbl-archetypes-scenarios"),
         ("fig-survival-probabilities", "fig-cash-fan", "fig-tornado", "fig-first-party-share",
          "fig-internal-deployment"),
         ("pays for 2.9-3.7 GW of compute", "it yields $22.4B of gross profit", "survival_draws.csv.gz")),
    ],
)  # fmt: skip
def test_pricing_and_survival_chapters_show_their_tables_charts_and_numbers(built, page, tables, figures, phrases):
    source = (built / "book" / f"{page}.html").read_text(encoding="utf-8")
    text = _text(built / "book" / f"{page}.html")
    for anchor in (*tables, *figures):
        assert f'id="{anchor}"' in source, anchor
    assert source.count('class="vega-chart"') == len(figures)
    for phrase in phrases:
        assert phrase in text, phrase
    assert "pr_" not in text and "sv_" not in text  # every glue key resolved


def test_a_failed_site_swap_leaves_the_previous_site_whole(built, tmp_path, monkeypatch):
    """Issue 13: a failure between taking the old site away and moving the new one in (injected here, on a file
    system that cannot exchange atomically) leaves the previous site complete at html/, nothing missing."""
    import os

    from analysis import folders

    out = tmp_path / "out"
    shutil.copytree(built, out / "html")
    before = {str(p.relative_to(out / "html")): p.read_bytes() for p in (out / "html").rglob("*") if p.is_file()}
    monkeypatch.setattr(folders, "exchange", lambda first, second: False)
    real_rename = os.rename

    def failing_rename(source, target):
        if Path(target) == out / "html" and ".old-" not in Path(source).name:
            raise OSError(28, "No space left on device", str(target))
        real_rename(source, target)

    monkeypatch.setattr(folders.os, "rename", failing_rename)
    with pytest.raises(OSError, match="No space left on device"):
        build_book(output_dir=out, cache_dir=built.parent / "cache", banner="A new banner, so the site is rebuilt")
    after = {str(p.relative_to(out / "html")): p.read_bytes() for p in (out / "html").rglob("*") if p.is_file()}
    assert after == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_a_named_edition_is_executed_once_and_named_exactly_as_if_run_under_its_name(tmp_path):
    """The edition's name is not in the execution key: the chapter runs under a placeholder and the name is
    written in afterwards. Every output equals executing under the name (escaped in table cells)."""
    import nbformat

    from analysis.build import EDITION_PLACEHOLDER, _execute_one, execute_notebooks
    from analysis.parameters import BUSINESS_MODELS

    source = REPO_ROOT / "book" / "business_models.ipynb"
    params = {**BUSINESS_MODELS.defaults, "cac_multiplier": 1.3}
    direct = tmp_path / "direct" / "business_models.ipynb"
    direct.parent.mkdir()
    assert (
        _execute_one((str(source), str(direct), {**params, "edition": "my_memo-1"}, "bm", str(tmp_path), False)) is None
    )
    cached = execute_notebooks(
        [(source, tmp_path / "a", {**params, "edition": "my_memo-1"}), (source, tmp_path / "b", {**params, "edition": "other"})],
        REPO_ROOT, tmp_path / "failed", tmp_path / "cache",
    )  # fmt: skip
    assert cached == [False, False] and len(list((tmp_path / "cache").iterdir())) == 1  # one execution for both

    def outputs(path: Path) -> list:
        return [cell.get("outputs", []) for cell in nbformat.read(str(path), as_version=4).cells]

    named = tmp_path / "a" / "business_models.ipynb"
    assert outputs(named) == outputs(direct)
    assert (
        EDITION_PLACEHOLDER not in named.read_text()
        and EDITION_PLACEHOLDER not in (tmp_path / "b" / "business_models.ipynb").read_text()
    )
    assert "edition: other" in (tmp_path / "b" / "business_models.ipynb").read_text()


def test_the_cache_is_pruned_least_recently_used_first(tmp_path):
    """Four 1 MB entries under a 2.5 MB limit: the two used longest ago go; one in use is kept whatever its age."""
    import os
    import time

    from analysis.build import cache_entries, prune_cache

    now = time.time()
    for i, key in enumerate(["oldest", "old", "recent", "newest"]):
        entry = tmp_path / key
        entry.mkdir()
        (entry / "notebook.ipynb").write_bytes(b"x" * 2**20)
        (entry / "COMPLETE").write_text(key)
        os.utime(entry / "COMPLETE", (now - 86_400 * (4 - i), now - 86_400 * (4 - i)))
    removed = prune_cache(tmp_path, limit_mb=2.5, keep=frozenset({"oldest"}))
    assert removed == ["old", "recent"]
    assert sorted(e.key for e in cache_entries(tmp_path)) == ["newest", "oldest"]
    assert prune_cache(tmp_path, limit_mb=0) == ["oldest", "newest"]
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_a_killed_build_leaves_no_jupyter_book_running(built, tmp_path, signal_name):
    """Issue 13: kill -9 (or -TERM) of the build while Jupyter Book renders ends Jupyter Book too; the previous
    site stays whole."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    out = tmp_path / "out"
    shutil.copytree(built.parent / "cache", out / "cache")  # executions cached: Jupyter Book starts at once
    shutil.copytree(built, out / "html")
    process = subprocess.Popen([sys.executable, "-m", "analysis", "build", "--output", str(out)], cwd=REPO_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))  # fmt: skip

    def jupyter_book() -> list[psutil.Process]:
        try:
            children = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [c for c in children if "jupyter_book" in " ".join(c.cmdline())]

    deadline = time.monotonic() + 120
    while not jupyter_book():
        assert process.poll() is None and time.monotonic() < deadline, "Jupyter Book never started"
        time.sleep(0.1)
    books = jupyter_book()
    process.send_signal(getattr(signal, signal_name))
    process.wait(timeout=30)
    gone, alive = psutil.wait_procs(books, timeout=15)
    assert not alive, "Jupyter Book outlived the build"
    assert (out / "html" / "index.html").exists() and (out / "html" / "book" / "survival.html").exists()


def test_a_failure_from_line_10_of_a_cell_names_that_line(tmp_path):
    """Issue 13: IPython marks line 10 and later with '--->' (not '---->'); the error still quotes the line."""
    from analysis.build import _execute_one

    source = tmp_path / "long.ipynb"
    lines = [f"x{i} = {i}" for i in range(1, 12)] + ["raise ValueError(x11)"]
    source.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]},
                                              "source": "a = 1", "outputs": [], "execution_count": None},
                                             {"cell_type": "code", "metadata": {}, "source": "\n".join(lines),
                                              "outputs": [], "execution_count": None}],
                                   "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                                   "nbformat": 4, "nbformat_minor": 4}))  # fmt: skip
    message = _execute_one(
        (str(source), str(tmp_path / "out.ipynb"), {"a": 2}, "long.ipynb", str(tmp_path / "failed"), False)
    )
    assert "at line 'raise ValueError(x11)'" in message and "ValueError: 11" in message

"""The page of a re-run: rendered like the book (glue, numbered tables and figures, sources), with what changed."""

from __future__ import annotations

import csv
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.data import load_dataset
from analysis.paths import REPO_ROOT

pytestmark = pytest.mark.build


def _text(page: Path) -> str:
    """Visible text of a page, whitespace collapsed."""
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", source)).split())


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A real re-run of the pricing chapter, through the command line, in a private build folder."""
    build_dir = tmp_path_factory.mktemp("build")
    workdir = tmp_path_factory.mktemp("cwd")
    env = dict(os.environ, GENAI_REPORT_BUILD_DIR=str(build_dir), PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "pricing", "-p", "free_cap=2", "--name", "small-free-tier"],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(workdir.iterdir()) == [], "a run writes nothing outside its own folder"
    return build_dir / "runs" / "small-free-tier"


def test_run_page_has_no_raw_markup_labels_or_citation_keys(run):
    """Issue 11, item 5: glue resolved, cross-references numbered as in the book, sources cited by title."""
    text = _text(run / "pricing.html")
    for raw in ("{glue", "{numref", "{cite", "{doc}", "{download}", "System Message"):
        assert raw not in text, raw
    for source_id in load_dataset()["sources"]["source_id"]:
        assert source_id not in re.sub(r"#source-\S+", "", text), source_id
    for label in ("tbl-pricing-comparison", "fig-pricing-tradeoff", "tbl-deflation-cases"):
        assert label not in text, label
    assert "Table 2.2 and Figure 2.1 compare the strategies" in text
    source = (run / "pricing.html").read_text(encoding="utf-8")
    assert re.search(
        r'The first source article <a class="reference external" href="#source-genai_business_models_2026"[^>]*>'
        r"\[1\]</a> lists five ways",
        source,
    )
    assert re.search(r'<li id="source-genai_business_models_2026">The Seven Business Models of Generative AI\.', source)
    assert '<a class="reference external" href="#tbl-pricing-comparison">Table 2.2</a>' in source
    assert re.search(r'<table[^>]*id="tbl-pricing-comparison"', source)
    assert 'id="source-genai_business_models_2026"' in source


def test_run_page_opens_with_the_runs_own_key_findings(run):
    """Issue 11, items 5 and 6: the Key findings box on the run's page carries the run's numbers."""
    with (run / "key_figures.csv").open(encoding="utf-8") as fh:
        sentences = {row["id"]: row["sentence"] for row in csv.DictReader(fh)}
    source = (run / "pricing.html").read_text(encoding="utf-8")
    box = re.search(r'<aside class="admonition key-findings">(.*?)</aside>', source, re.S)
    assert box
    assert html.escape(sentences["pr_breakeven_default"], quote=False) in box.group(1)
    assert "With 2 free generations a month" in sentences["pr_breakeven_default"]


def test_run_page_shows_the_comparison_the_terminal_printed(run):
    """Issue 11, item 5: every key figure that changed, old -> new, on the page, as in comparison.csv."""
    with (run / "comparison.csv").open(encoding="utf-8") as fh:
        changed = list(csv.DictReader(fh))
    assert changed, "free_cap=2 changes the freemium figures"
    quantities = load_dataset()["key_figures"]["quantity"]
    source = (run / "pricing.html").read_text(encoding="utf-8")
    table = re.search(r'<table id="run-comparison">.*?</table>', source, re.S)
    assert table
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table.group(0))
    expected = [
        (html.escape(quantities[r["id"]]), html.escape(r["old_text"]), html.escape(r["new_text"])) for r in changed
    ]
    assert rows == expected
    assert "<td>free_cap</td><td>2</td>" in source


def test_run_page_reads_on_a_phone_opened_from_disk(run):
    """Issue 11, items 1, 2 and 5: a mobile viewport; from file:// every chart is drawn, none overflows, no error."""
    from playwright.sync_api import sync_playwright

    source = (run / "pricing.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in source
    assert 'type="module"' not in source
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 390, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((run / "pricing.html").as_uri(), wait_until="load")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.vega-chart')].every(c => c.classList.contains('vega-rendered'))",
            timeout=20_000,
        )
        seen = page.evaluate(
            "() => ({charts: document.querySelectorAll('.vega-live svg').length,"
            " widest: Math.max(...[...document.querySelectorAll('.vega-live svg')].map(s => s.getBoundingClientRect().right)),"
            " page: document.documentElement.scrollWidth})"
        )
        browser.close()
    assert errors == []
    assert seen["charts"] == 5  # three charts and the two explorers (break-even and deflation)
    assert seen["widest"] <= 390 and seen["page"] <= 390

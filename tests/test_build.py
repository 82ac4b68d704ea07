"""The real build: papermill, then Jupyter Book with warnings as errors."""

from __future__ import annotations

import html
import json
import math
import re
import shutil
from pathlib import Path

import pytest

from analysis.paths import REPO_ROOT
from analysis.pipeline.build import build_book
from analysis.pipeline.execution import BuildError

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
    assert source.count('class="vega-chart"') == 3  # two charts and the explorer
    assert 'id="fig-gross-margins"' in source and 'id="fig-ltv-to-cac"' in source
    assert 'id="fig-business-models-explorer"' in source
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
        # rel="canonical" names the published address; a browser does not fetch it.
        loaded = re.sub(r'<link rel="canonical"[^>]*>', "", source)
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', loaded)
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
    assert "at line 'ch = BusinessModelsChapter.open(globals())'" in message
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
    from analysis.reruns.scenarios import load_scenario

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
    assert {r["path"] for r in package["resources"]} >= {
        "data/facts.csv",
        "data/sources.csv",
        "data/business_models.csv",
    }


def test_the_data_package_is_valid_for_frictionless(built, tmp_path):
    """The downloaded data package validates with frictionless: every resource found where its path says,
    every row against its schema (types, required fields, enums, primary and foreign keys)."""
    import zipfile

    import frictionless

    with zipfile.ZipFile(built / "downloads" / "data-package.zip") as archive:
        archive.extractall(tmp_path)
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])[:10]
    assert report.stats["tasks"] == len(json.loads((tmp_path / "datapackage.json").read_text())["resources"]) >= 12


def test_every_table_and_figure_is_one_block_with_tabs_downloads_and_a_complete_citation(built):
    """Issue 11, items 8 and 9: each figure is one block with Chart / Table / Sources / Download / Cite tabs
    (a table: Table / Sources / Download / Cite); each cite text names the chapter, the number, the edition,
    the version, the commit, the build date and the item's own address, and has a copy button."""
    import yaml

    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    base = config["html"]["baseurl"].rstrip("/")
    for page in ("business_models", "pricing", "survival"):
        source = (built / "book" / f"{page}.html").read_text(encoding="utf-8")
        anchors = re.findall(r'<(?:div class="report-block" |figure\b[^>]*)\bid="((?:tbl|fig)-[^"]+)"', source)
        assert len(anchors) >= 8, page
        for anchor in anchors:
            labels = re.findall(rf'<label class="sd-tab-label" for="tab-{anchor}-(\w+)">', source)
            expected = ["chart", "table", "sources", "download", "cite"] if anchor.startswith("fig-") else [
                "table", "sources", "download", "cite"]  # fmt: skip
            assert labels == expected, (anchor, labels)
            assert f"downloads/{page}/{anchor}" in source, anchor
            cite = re.search(rf'<p class="cite-this" id="cite-{anchor}">(.*?)</p>', source)
            assert cite, anchor
            text = html.unescape(cite.group(1))
            assert re.search(
                rf"^The Economics of Generative AI, “[^”]+”, (Figure|Table) \d\.\d+\. Default edition, "
                rf"version \S+ \(commit [0-9a-f]{{12}}(\+dirty)?\), built \d{{4}}-\d\d-\d\d\. "
                rf"{re.escape(base)}/book/{page}\.html#{anchor}$",
                text,
            ), text
            assert f'<button type="button" class="copy-cite" data-target="cite-{anchor}">Copy</button>' in source
        assert "Cite this:" not in source and "Data of this chart as a table" not in source


def test_citation_files_are_complete_and_agree_with_the_licence(built):
    """Issue 11, item 9: the BibTeX entry and CITATION.cff of the build carry version, commit, date and address;
    the repository's CITATION.cff names the licences of LICENSE, the package's version and the site's address."""
    import tomllib

    import yaml

    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    stamp = re.search(r"version (\S+) · built (\S+) · commit (\S+)", _text(built / "book" / "intro.html"))
    assert stamp
    site_cff = yaml.safe_load((built / "downloads" / "CITATION.cff").read_text())
    assert (site_cff["version"], site_cff["date-released"], site_cff["commit"]) == stamp.groups()
    assert site_cff["license"] == ["CC-BY-4.0", "MIT"] and site_cff["url"] == config["html"]["baseurl"]
    assert site_cff["preferred-citation"]["type"] == "report"
    bib = (built / "downloads" / "report.bib").read_text()
    for field in (f"version     = {{{version}}}", f"url         = {{{config['html']['baseurl']}}}",
                  f"urldate     = {{{stamp.group(2)}}}", f"commit {stamp.group(3)}"):  # fmt: skip
        assert field in bib, field
    assert "Version, edition and commit as shown" not in _text(built / "book" / "citing.html")
    assert re.search(r"@techreport\s*\{\s*economics_of_generative_ai_\d{4}", _text(built / "book" / "citing.html"))
    repo_cff = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())
    licence = (REPO_ROOT / "LICENSE").read_text()
    assert "MIT License (code) and CC BY 4.0" in licence
    assert repo_cff["license"] == ["CC-BY-4.0", "MIT"] and repo_cff["type"] != "software"
    assert repo_cff["version"] == version == repo_cff["preferred-citation"]["version"]
    assert repo_cff["url"] == config["html"]["baseurl"] == repo_cff["preferred-citation"]["url"]


def test_how_to_cite_is_not_numbered_as_a_chapter(built):
    """Issue 11, item 13: chapters 1-5 are numbered; 'How to cite' is not."""
    text = _text(built / "book" / "citing.html")
    assert "How to cite" in text and not re.search(r"\d\.\s+How to cite", text)
    for number, title in ((1, "How generative-AI companies make money"), (3, "Can the labs survive?")):
        assert f"{number}. {title}" in text


def _findings(source: str) -> list[str]:
    box = re.search(r'<div class="key-findings admonition">(.*?)</div>', source, re.S)
    assert box, "no Key findings box"
    return re.findall(r"<li><p>(.*?)</p></li>", box.group(1), re.S)


@pytest.mark.parametrize("page", ["intro", "business_models", "pricing", "survival"])
def test_key_findings_come_first_each_a_key_figure_linking_to_its_figure_or_table(built, page):
    """Issue 11, item 6: a Key findings box before the first section, 3-5 sentences, each a key figure's
    sentence as downloaded (so every number is a glued key figure) with a numbered link to a figure or table."""
    import json

    source = (built / "book" / f"{page}.html").read_text(encoding="utf-8")
    assert source.index('class="key-findings admonition"') < source.index("<section id=", source.index("<h1"))
    sentences = {f["sentence"]: f for f in json.loads((built / "downloads" / "key_figures.json").read_text())}
    findings = _findings(source)
    assert 3 <= len(findings) <= 5, findings
    for item in findings:
        text, _, link = item.partition(" (<a ")
        target = re.fullmatch(r'class="reference internal" href="([\w.]*)#((?:fig|tbl)-[\w-]+)"><span class="std '
                              r'std-numref">(?:Figure|Table) (\d)\.\d+</span></a>\)', link)  # fmt: skip
        assert target, item
        sentence = html.unescape(text).replace("’", "'")
        assert sentence in sentences, sentence
        figure = sentences[sentence]
        assert target.group(1) in ("", f"{figure['page'].removeprefix('book/')}.html"), (target.group(1), figure)
        if page != "intro":
            assert figure["page"] == f"book/{page}"


def test_long_reference_tables_are_collapsed_or_in_an_appendix(built):
    """Issue 11, item 7: the input, flip and parameter tables are collapsed; survival's inputs are an appendix
    after every figure, so the chapter's main flow is findings, charts and short tables."""
    for page, collapsed in (("business_models", ("tbl-unit-economics-inputs", "tbl-ltv-cac-flips",
                                                  "tbl-business-models-parameters")),
                            ("pricing", ("tbl-pricing-parameters",)), ("survival", ("tbl-survival-parameters",))):  # fmt: skip
        source = (built / "book" / f"{page}.html").read_text(encoding="utf-8")
        for anchor in collapsed:
            position = source.index(f'id="{anchor}"')
            opened = source.rfind('<details class="sd-sphinx-override sd-dropdown', 0, position)
            assert opened != -1 and source.find("</details>", opened) > position, anchor
    survival = (built / "book" / "survival.html").read_text(encoding="utf-8")
    appendix = survival.index('<section id="appendix-the-lab-s-inputs">')
    assert survival.index('id="tbl-lab-inputs"') > appendix > survival.index('id="fig-internal-deployment"')


def _reader_text(page: Path) -> str:
    """What a reader reads: the page's text without code (names typed to re-run), navigation, scripts and URLs."""
    source = page.read_text(encoding="utf-8")
    for element in ("script", "style", "code", "nav"):
        source = re.sub(rf"<{element}\b.*?</{element}>", " ", source, flags=re.S)
    # An explorer's re-run command is code too: drawn in a monospace font inside its chart.
    source = re.sub(r'<text\b[^>]*font-family="monospace"[^>]*>.*?</text>', " ", source, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", source)).split())
    return re.sub(r"https?://\S+", " ", text)


@pytest.mark.parametrize("page", ["intro", "business_models", "pricing", "survival", "methods"])
def test_no_internal_names_and_numbers_written_for_people(built, dataset, page):
    """Issue 11, item 12: no source id, snake_case name or raw role on the page (outside code), and no number
    printed as a machine prints it: '300000.0', '1e+08', '-0', '0.0% ± 0.0%', '$142.20 [$37.34-$608.53]'."""
    text = _reader_text(built / "book" / f"{page}.html")
    for source_id in dataset["sources"]["source_id"]:
        assert source_id not in text, source_id
    assert re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", text) == []
    for raw in ("{glue", "{numref", "{cite", "{doc}", "{download}"):
        assert raw not in text, raw
    for machine in (r"\b\d{4,}\.0\b", r"\de[+-]\d", r"(?<![\w.])-0(?![.\d])", r"0\.0% ± 0\.0%", r"\[\$"):
        found = re.findall(r".{25}" + machine + r".{10}", text)
        assert found == [], (machine, found[:3])


def test_one_key_figures_file_with_values_everywhere_most_important_first(built):
    """Issue 11, item 11: the data package's key_figures.csv is the download, with values; the page and the
    files list the report's lead findings first, and each figure that has an interval shows it."""
    import csv
    import io
    import json
    import zipfile

    download = (built / "downloads" / "key_figures.csv").read_bytes()
    with zipfile.ZipFile(built / "downloads" / "data-package.zip") as archive:
        assert archive.read("data/key_figures.csv") == download
        package = json.loads(archive.read("datapackage.json"))
    resource = next(r for r in package["resources"] if r["path"] == "data/key_figures.csv")
    assert {"name": "value", "type": "number"} in resource["schema"]["fields"]
    rows = list(csv.DictReader(io.StringIO(download.decode())))
    assert all(row["value"] != "" for row in rows if row["id"] != "sv_runway_median")
    intro = (built / "book" / "intro.html").read_text(encoding="utf-8")
    lead = re.findall(r'href="(\w+)\.html#((?:fig|tbl)-[\w-]+)"', intro.split('class="key-findings admonition"')[1])
    assert [r["id"] for r in rows[: len(lead)]] == ["bm_best_ltv_to_cac", "pr_breakeven_default", "sv_p_breakeven",
                                                    "sv_p_cash"]  # fmt: skip
    with_interval = [r for r in rows if r["interval"]]
    assert {"bm_saas_ltv_to_cac", "pr_breakeven_default", "sv_p_breakeven"} <= {r["id"] for r in with_interval}
    for row in with_interval:
        if row["low"] and row["high"]:
            assert float(row["low"]) <= float(row["value"]) <= float(row["high"]), row["id"]
    page = _text(built / "book" / "key_figures.html")
    assert page.index("bm_best_ltv_to_cac") < page.index("sv_p_cash") < page.index("bm_team_cost_low")
    headline = next(r for r in rows if r["id"] == "sv_p_breakeven")
    low, high = float(headline["low"]), float(headline["high"])
    assert f"Interval: {low:.0%}–{high:.0%}, the largest move under the modelling choices, either way." in page


def test_exported_charts_carry_title_number_source_edition_and_address(built):
    """Issue 11, item 10: a chart pasted into a memo is citable alone: its SVG and PNG name the figure number
    and caption, the source articles, the edition, version and commit, and the figure's own address."""
    import json

    import yaml

    base = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())["html"]["baseurl"].rstrip("/")
    stamp = re.search(r"version (\S+) · built (\S+) · commit (\S+)", _text(built / "book" / "intro.html"))
    assert stamp
    svg = html.unescape((built / "downloads" / "survival" / "fig-survival-probabilities.svg").read_text())
    texts = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))
    for expected in ("Figure 3.1. Probability, by year, that the lab has reached sustained break-even",
                     "Source: The Economics of Generative AI, “Can the labs survive?”, computed from",
                     "“How the AI Labs Make Profit (Maybe, Eventually)”",
                     f"Default edition, version {stamp.group(1)}, commit {stamp.group(3)}, built {stamp.group(2)}.",
                     f"{base}/book/survival.html#fig-survival-probabilities"):  # fmt: skip
        assert expected in texts, expected
    png = (built / "downloads" / "survival" / "fig-survival-probabilities.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 30_000
    spec = json.loads((built / "downloads" / "survival" / "fig-survival-probabilities.vl.json").read_text())
    assert "title" not in spec and spec["width"] == "container"  # the Vega-Lite JSON stays the chart's own spec


def test_methods_page_lists_every_assumption(built, dataset):
    text = _text(built / "book" / "methods.html")
    assumptions = dataset["facts"][dataset["facts"]["kind"] == "assumption"]
    for fact_id in assumptions["id"]:
        assert fact_id in text, fact_id
    for correction in dataset["corrections"]["id"]:
        assert correction in text


def test_methods_page_lists_each_modelling_choice_with_its_effect(built, dataset):
    """Issue 10: the Methods page names every modelling choice with its computed effect on the headline."""
    from analysis.pipeline.site import modelling_choices

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


def test_questions_page_answers_every_question_after_the_chapters(built, dataset):
    """Issue 15: the Questions page follows the chapters in the contents and answers all six questions."""
    text = _text(built / "book" / "questions.html").replace("\u2019", "'")
    faq = dataset["reader_questions"]
    for question in faq.loc[faq["kind"] == "faq", "question"]:
        assert question.replace("’", "'") in text, question
    assert text.count("How sure.") == len(faq)
    survival = (built / "book" / "survival.html").read_text(encoding="utf-8")
    assert 'href="questions.html"' in survival  # the next page after the last chapter


def test_every_page_names_version_and_commit(built):
    for page in (built / "book").glob("*.html"):
        source = page.read_text(encoding="utf-8")
        assert re.search(r"version \S+ · built \d{4}-\d{2}-\d{2} · commit \S+", source), page.name


@pytest.mark.parametrize(
    ("page", "tables", "figures", "phrases"),
    [
        ("pricing", ("tbl-pricing-article", "tbl-pricing-comparison", "tbl-tier-caps", "tbl-deflation",
                     "tbl-pricing-conclusions"),
         ("fig-pricing-tradeoff", "fig-freemium-breakeven", "fig-pricing-explorer", "fig-tier-caps",
          "fig-pricing-deflation-explorer"),
         ("That is a decline of 53.6% a year", "in which a generation sold for $1 leaves 60%")),
        ("survival", ("tbl-lab-inputs", "tbl-lab-projection", "tbl-survival-probabilities", "tbl-correlation-effect",
                      "tbl-sensitivity", "tbl-archetypes-scenarios"),
         ("fig-survival-probabilities", "fig-cash-fan", "fig-survival-explorer", "fig-tornado",
          "fig-first-party-share", "fig-internal-deployment"),
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

    from analysis.pipeline import folders

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

    from analysis.parameters import BUSINESS_MODELS
    from analysis.pipeline.execution import EDITION_PLACEHOLDER, execute_notebooks, execute_one

    source = REPO_ROOT / "book" / "business_models.ipynb"
    params = {**BUSINESS_MODELS.defaults, "cac_multiplier": 1.3}
    direct = tmp_path / "direct" / "business_models.ipynb"
    direct.parent.mkdir()
    assert (
        execute_one((str(source), str(direct), {**params, "edition": "my_memo-1"}, "bm", str(tmp_path), False)) is None
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

    from analysis.pipeline.execution import cache_entries, prune_cache

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
    from analysis.pipeline.execution import execute_one

    source = tmp_path / "long.ipynb"
    lines = [f"x{i} = {i}" for i in range(1, 12)] + ["raise ValueError(x11)"]
    source.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {"tags": ["parameters"]},
                                              "source": "a = 1", "outputs": [], "execution_count": None},
                                             {"cell_type": "code", "metadata": {}, "source": "\n".join(lines),
                                              "outputs": [], "execution_count": None}],
                                   "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                                   "nbformat": 4, "nbformat_minor": 4}))  # fmt: skip
    message = execute_one(
        (str(source), str(tmp_path / "out.ipynb"), {"a": 2}, "long.ipynb", str(tmp_path / "failed"), False)
    )
    assert "at line 'raise ValueError(x11)'" in message and "ValueError: 11" in message


def test_default_key_figures_are_unchanged_by_refactoring(built_site):
    """Issue 14: a change that only moves code keeps every number of the default build. The snapshot
    (``tests/data/key_figures_default.json``) is regenerated on purpose, in its own commit, when a model or
    a default changes; then the diff of that file is the list of what moved."""
    expected = json.loads((Path(__file__).parent / "data" / "key_figures_default.json").read_text())
    built = {f["id"]: f for f in json.loads((built_site / "downloads" / "key_figures.json").read_text())}
    assert sorted(built) == sorted(expected)
    moved = [
        f"{key}.{field}: {want[field]!r} -> {built[key].get(field)!r}"
        for key, want in expected.items()
        for field in ("unit", "text", "interval")
        if want[field] != built[key].get(field)
    ]
    moved += [
        f"{key}.{field}: {want[field]!r} -> {built[key].get(field)!r}"
        for key, want in expected.items()
        for field in ("value", "low", "high")
        if (want[field] is None) != (built[key].get(field) is None)
        or (want[field] is not None and not math.isclose(want[field], built[key][field], rel_tol=1e-9, abs_tol=1e-12))
    ]
    assert not moved, "key figures moved:\n" + "\n".join(moved)


def test_execution_key_sees_a_change_in_any_layer_of_the_package(tmp_path, monkeypatch):
    """The package is in layers (analysis/models, present, ...): a change in a sub-package module must
    re-execute, and a compiled-Python cache must not."""
    from analysis.pipeline import execution as build

    package = tmp_path / "analysis"
    (package / "models" / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "models" / "survival.py").write_text("RATE = 0.35\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "facts.csv").write_text("id\n")
    notebook = tmp_path / "chapter.ipynb"
    notebook.write_text("{}")
    monkeypatch.setattr(build, "PACKAGE_DIR", package)
    key = build.execution_key(notebook, {}, tmp_path / "data")
    (package / "models" / "__pycache__" / "survival.cpython-311.pyc").write_bytes(b"\x00")
    assert build.execution_key(notebook, {}, tmp_path / "data") == key
    (package / "models" / "survival.py").write_text("RATE = 0.30\n")
    assert build.execution_key(notebook, {}, tmp_path / "data") != key


def test_a_cache_entry_in_use_or_incomplete_is_never_pruned(tmp_path):
    """Under a 0.5 MB limit, an entry used a minute ago (another command may be copying it out) stays, as does
    a folder without COMPLETE (being written); only the entry used a day ago goes. The limit 0 empties all."""
    import os
    import time

    from analysis.pipeline.execution import CACHE_GRACE_SECONDS, cache_entries, prune_cache

    now = time.time()
    for key, age in (("day-old", 86_400), ("in-use", 60)):
        (tmp_path / key).mkdir()
        (tmp_path / key / "notebook.ipynb").write_bytes(b"x" * 2**20)
        (tmp_path / key / "COMPLETE").write_text(key)
        os.utime(tmp_path / key / "COMPLETE", (now - age, now - age))
    (tmp_path / "being-written").mkdir()
    (tmp_path / "being-written" / "notebook.ipynb").write_bytes(b"x" * 2**20)
    assert 60 < CACHE_GRACE_SECONDS < 86_400
    assert prune_cache(tmp_path, limit_mb=0.5) == ["day-old"]
    assert [e.key for e in cache_entries(tmp_path)] == ["in-use"]
    assert prune_cache(tmp_path, limit_mb=0) == ["in-use"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["being-written"]


def test_the_execution_key_follows_notebook_parameters_data_and_code_but_not_the_name(tmp_path, monkeypatch):
    """The key changes with the notebook, a parameter, a data file or a module of the package; it stays with
    the same content (a touched file, parameters in another order) and with the run's or edition's name."""
    import os

    import analysis.pipeline.execution as build

    notebook = tmp_path / "chapter.ipynb"
    notebook.write_text('{"cells": []}')
    data = tmp_path / "data"
    (data / "scenarios").mkdir(parents=True)
    (data / "facts.csv").write_text("id,value\na,1\n")
    (data / "scenarios" / "base.yaml").write_text("name: base\n")
    package = tmp_path / "package"
    package.mkdir()
    (package / "model.py").write_text("RATE = 0.1\n")
    monkeypatch.setattr(build, "PACKAGE_DIR", package)

    def key(**parameters: object) -> str:
        return build.execution_key(notebook, {"rate": 0.1, "edition": "default", **parameters}, data)

    base = key()
    assert len(base) == 32 and key() == base
    os.utime(data / "facts.csv", (1, 1))
    assert build.execution_key(notebook, {"edition": "default", "rate": 0.1}, data) == base
    assert key(edition="cac-stress") == key(edition="another-name") != base  # named runs share one execution
    assert key(rate=0.2) != base
    changes = [
        (notebook, '{"cells": [1]}'),
        (data / "facts.csv", "id,value\na,2\n"),
        (data / "scenarios" / "base.yaml", "name: other\n"),
        (package / "model.py", "RATE = 0.2\n"),
    ]
    for path, text in changes:
        before = path.read_text()
        path.write_text(text)
        assert key() != base, path.name
        path.write_text(before)
        assert key() == base, path.name
    (package / "notes.txt").write_text("not code")  # only the package's modules count
    assert key() == base


def test_an_unchanged_book_is_not_rendered_again_and_a_changed_one_is(built, tmp_path, monkeypatch):
    """Built twice with nothing changed, the second build takes every notebook from the cache and keeps the site
    as it is without starting Jupyter Book; when the recorded site key differs, Jupyter Book is started."""
    import analysis.pipeline.build as build

    out = tmp_path / "out"
    shutil.copytree(built.parent, out, symlinks=True)
    index = out / "html" / "index.html"
    before = (index.stat().st_ino, index.stat().st_mtime_ns)
    rendered = []

    def fake_jupyter_book(stage: Path, target: Path) -> None:
        rendered.append(stage)
        raise BuildError("rendered")

    monkeypatch.setattr(build, "run_jupyter_book", fake_jupyter_book)
    result = build_book(output_dir=out)
    assert result.html_dir == out / "html" and rendered == []
    assert (index.stat().st_ino, index.stat().st_mtime_ns) == before
    (out / ".html-key").write_text("a site built from other sources")
    with pytest.raises(BuildError, match="rendered"):
        build_book(output_dir=out)
    assert len(rendered) == 1
    assert (index.stat().st_ino, index.stat().st_mtime_ns) == before  # a failed render leaves the site


def _notebook_with_injected_cell(path: str) -> None:
    import nbformat

    cell = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["injected-parameters"]})
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)


def test_a_kernel_that_fails_to_start_is_retried(tmp_path, monkeypatch):
    """A kernel failing to start once (two kernels racing for a port) costs one retry, not the build; one that
    never starts is reported after 3 attempts; an error in the notebook's own code is never retried."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from analysis.pipeline.execution import execute_one

    calls: list[int] = []

    def starts_second_time(source, target, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        _notebook_with_injected_cell(target)

    monkeypatch.setattr(papermill, "execute_notebook", starts_second_time)
    target = str(tmp_path / "chapter.ipynb")
    task = ("book/chapter.ipynb", target, {}, "book/chapter.ipynb", str(tmp_path / "failed"), False)
    assert execute_one(task) is None and len(calls) == 2
    assert nbformat.read(target, as_version=4).cells[0].metadata["tags"] == ["injected-parameters", "remove-cell"]

    calls.clear()
    monkeypatch.setattr(
        papermill, "execute_notebook", lambda *a, **k: calls.append(1) or _raise(RuntimeError("no port"))
    )
    message = execute_one(task)
    assert message == "book/chapter.ipynb could not be executed (3 attempts): RuntimeError: no port" and len(calls) == 3

    calls.clear()
    error = PapermillExecutionError(2, 1, "raise ValueError(1)", "ValueError", "1", ["---> 1 raise ValueError(1)"])

    def fails_in_cell(source, target, **kwargs):
        calls.append(1)
        _notebook_with_injected_cell(target)
        raise error

    monkeypatch.setattr(papermill, "execute_notebook", fails_in_cell)
    message = execute_one(task)
    assert message.startswith("book/chapter.ipynb failed in cell 3") and len(calls) == 1
    assert "ValueError: 1" in message and (tmp_path / "failed" / "chapter.ipynb").exists()


def _raise(error: Exception) -> None:
    raise error


def test_the_code_version_is_the_commit_with_dirty_when_a_tracked_file_changed(tmp_path):
    """'+dirty' marks a changed tracked file, not an untracked one; outside git the version is 'unknown'."""
    import subprocess

    from analysis.pipeline.build import code_version

    def git(*args: str) -> str:
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args]
        return subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, text=True).stdout.strip()

    assert code_version(tmp_path) == "unknown"
    git("init", "-q")
    (tmp_path / "model.py").write_text("RATE = 0.1\n")
    git("add", "model.py")
    git("commit", "-qm", "first")
    commit = git("rev-parse", "--short=12", "HEAD")
    assert re.fullmatch(r"[0-9a-f]{12}", commit) and code_version(tmp_path) == commit
    (tmp_path / "scratch.txt").write_text("untracked")
    assert code_version(tmp_path) == commit
    (tmp_path / "model.py").write_text("RATE = 0.2\n")
    assert code_version(tmp_path) == commit + "+dirty"


def test_the_kept_source_builds_with_plain_jupyter_book(built, tmp_path):
    """`jupyter-book build _build/source` (no driver, warnings as errors) renders every chapter with the same text
    as the driver's site, and the Monte Carlo draws as a download: the kept source is a complete book."""
    import subprocess
    import sys

    source = built.parent / "source"
    assert {"_config.yml", "_toc.yml", "references.bib", "site_extra"} <= {p.name for p in source.iterdir()}
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(source), "--path-output", str(tmp_path), "--warningiserror", "--nitpick"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    html = tmp_path / "_build" / "html"
    for page in ("intro", "business_models", "pricing", "survival", "questions", "key_figures", "methods", "citing"):
        assert _text(html / "book" / f"{page}.html") == _text(built / "book" / f"{page}.html"), page
    assert len(list(html.glob("_downloads/*/survival_draws.csv.gz"))) == 1
    assert (html / "downloads" / "data-package.zip").exists()


def test_a_notebook_writes_its_files_beside_itself_only_where_the_build_runs_it(built, tmp_path):
    """In the build's execution folder (marked) a file goes there and travels with the notebook (the marker does
    not); anywhere else, such as the repository or the notebooks' folder, it goes under _build/notebook-files."""
    from analysis.paths import EXECUTION_MARKER, LOOSE_FILES_DIR, notebook_file

    (tmp_path / EXECUTION_MARKER).write_text("key")
    assert notebook_file("survival_draws.csv.gz", tmp_path) == tmp_path / "survival_draws.csv.gz"
    for folder in (REPO_ROOT, REPO_ROOT / "book", tmp_path / "elsewhere"):
        assert notebook_file("survival_draws.csv.gz", folder) == LOOSE_FILES_DIR / "survival_draws.csv.gz"
    assert LOOSE_FILES_DIR.is_relative_to(REPO_ROOT / "_build")
    with pytest.raises(ValueError, match=r"notebook_file\('../x.csv'\): expected a plain file name"):
        notebook_file("../x.csv", tmp_path)
    book = built.parent / "source" / "book"
    assert (book / "survival_draws.csv.gz").exists()
    assert not [p for p in built.parent.rglob(EXECUTION_MARKER) if "cache" not in p.relative_to(built.parent).parts]
    assert (
        not (REPO_ROOT / "survival_draws.csv.gz").exists()
        and not (REPO_ROOT / "book" / "survival_draws.csv.gz").exists()
    )
    from analysis.present.chapters import survival as chapter

    # The chapter writes its draws through notebook_file, and only there.
    source = (REPO_ROOT / "analysis" / "present" / "chapters" / "survival.py").read_text()
    assert chapter.DRAWS_FILE == "survival_draws.csv.gz" and source.count("notebook_file(DRAWS_FILE)") == 1


def test_every_chart_of_the_book_is_valid_vega_lite(built):
    """Charts are shown without altair validating them again (``charts.ShownChart``): the schema is checked
    here, on every chart the book publishes."""
    from altair.vegalite.v6.schema.core import Root

    specs = sorted((built / "downloads").glob("*/*.vl.json"))
    assert len(specs) >= 14
    for path in specs:
        Root.validate(json.loads(path.read_text(encoding="utf-8")))

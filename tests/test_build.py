"""The real build: papermill, then Jupyter Book with warnings as errors."""

from __future__ import annotations

import html
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
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    result = build_book(output_dir=out)
    assert result.html_dir == out / "html"
    return out / "html"


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
    pages = [p for p in result.html_dir.rglob("*.html") if p.name not in ("genindex.html", "search.html")]
    assert len(pages) >= 4
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert "Scenario &lt;pessimistic&gt;: The foundation-model essay" in source, page.name

"""Re-runs through the real command line: changed figures, nothing lost, bad input refused with exit 2."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import runs
from analysis.build import REPO_ROOT

pytestmark = pytest.mark.build


def cli(*args: str, build_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GENAI_REPORT_BUILD_DIR=str(build_dir))
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def key_figures(run: Path) -> dict[str, str]:
    with (run / "key_figures.csv").open() as fh:
        return {row["id"]: row["value"] for row in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("build")
    # Stand-in for the default book: a re-run must not touch it.
    (folder / "html").mkdir()
    (folder / "html" / "index.html").write_text("<p>default book</p>")
    return folder


@pytest.fixture(scope="module")
def stress_run(build_dir) -> Path:
    result = cli("run", "business_models", "-p", "cac_multiplier=2", "--name", "stress", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert "bm_saas_ltv_to_cac: -20 -> -10" in result.stdout
    return build_dir / "runs" / "stress"


def test_run_writes_every_artefact(stress_run):
    files = {str(p.relative_to(stress_run)) for p in stress_run.rglob("*") if p.is_file()}
    for expected in ("business_models.ipynb", "business_models.html", "manifest.json", "comparison.csv",
                     "key_figures.csv", "tables/tbl-unit-economics.csv", "charts/ltv-to-cac.svg",
                     "charts/ltv-to-cac.png", "charts/ltv-to-cac.vl.json", "charts/ltv-to-cac-data.csv"):  # fmt: skip
        assert expected in files, expected
    manifest = json.loads((stress_run / "manifest.json").read_text())
    assert manifest["changed_parameters"] == {"cac_multiplier": 2.0}
    assert manifest["parameters"]["annual_discount_rate"] == 0.10
    assert manifest["code_version"] and manifest["data_version"].startswith("sha256:")
    assert manifest["created_utc"].endswith("+00:00")
    assert "bm_saas_ltv_to_cac" in manifest["key_figures"]


def test_changed_parameter_changes_the_expected_figure_only(stress_run, build_dir):
    """Doubling CAC halves every LTV/CAC; the credit margin and the team cost do not move."""
    with (stress_run / "comparison.csv").open() as fh:
        changed = {row["id"]: (float(row["old_value"]), float(row["new_value"])) for row in csv.DictReader(fh)}
    old, new = changed["bm_saas_ltv_to_cac"]
    assert new == pytest.approx(old / 2)
    assert "bm_credit_margin" not in changed and "bm_team_cost_low" not in changed
    assert (build_dir / "html" / "index.html").read_text() == "<p>default book</p>"


def test_same_parameters_give_identical_key_figures(stress_run, build_dir):
    again = cli("run", "business_models", "-p", "cac_multiplier=2.0", "--name", "stress-again", build_dir=build_dir)
    assert again.returncode == 0, again.stderr
    assert key_figures(build_dir / "runs" / "stress-again") == key_figures(stress_run)


def test_existing_run_is_refused_and_left_as_it_was(stress_run, build_dir):
    before = snapshot(build_dir)
    result = cli("run", "business_models", "-p", "cac_multiplier=3", "--name", "stress", build_dir=build_dir)
    assert result.returncode == 2
    assert "already exists" in result.stderr and "--overwrite" in result.stderr
    assert snapshot(build_dir) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "cac_multiplyer=2"], "unknown parameter 'cac_multiplyer' for chapter 'business_models' (-p); did you "
                                     "mean cac_multiplier"),
        (["-p", "cac_multiplier=abc"], "parameter 'cac_multiplier' = 'abc' is not allowed: must be a number"),
        (["-p", "cac_multiplier=50"], "parameter 'cac_multiplier' = 50 is not allowed: must be a number >= 0.1 and <= 10"),
        (["-p", "cac_multiplier"], "expected NAME=VALUE"),
        (["--name", "../escape"], "run name '../escape' is not allowed"),
        (["--name", ".hidden"], "run name '.hidden' is not allowed"),
        (["--name", "a/b"], "run name 'a/b' is not allowed"),
        (["--scenario", "optimistc"], "unknown scenario 'optimistc'"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_and_writes_nothing(build_dir, args, message):
    before = snapshot(build_dir)
    result = cli("run", "business_models", *args, build_dir=build_dir)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert snapshot(build_dir) == before


def test_malformed_yaml_names_file_and_line(build_dir, tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("cac_multiplier: 1.5\nchurn_multiplier: [1.0\n")
    before = snapshot(build_dir)
    result = cli("run", "business_models", "-f", str(bad), build_dir=build_dir)
    assert result.returncode == 2
    assert f"{bad}, line 3" in result.stderr and "malformed YAML" in result.stderr
    assert snapshot(build_dir) == before


def test_yaml_is_loaded_safely(tmp_path):
    """A YAML tag that would construct a Python object is refused, not executed."""
    evil = tmp_path / "evil.yaml"
    evil.write_text("cac_multiplier: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(runs.UsageError, match="malformed YAML"):
        runs.load_yaml_mapping(evil)


def test_failing_run_leaves_earlier_runs_untouched(stress_run, build_dir, monkeypatch):
    """If anything fails after execution, the temporary folder goes and the earlier run is as it was."""
    before = snapshot(build_dir)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "render_run_page", broken)
    monkeypatch.setattr(runs, "BUILD_DIR", build_dir)
    params, changed = runs.resolve_parameters("business_models", assignments=["cac_multiplier=2"])
    with pytest.raises(RuntimeError, match="disk full"):
        runs.run_chapter("business_models", params, changed, "stress", overwrite=True, runs_dir=build_dir / "runs")
    after = snapshot(build_dir)
    assert {k: v for k, v in after.items() if not k.startswith("cache/")} == {
        k: v for k, v in before.items() if not k.startswith("cache/")
    }


def test_run_page_escapes_user_text(stress_run, tmp_path):
    """A scenario description with markup is shown as text, not run."""
    outputs = runs.read_outputs(stress_run / "business_models.ipynb")
    scenario = runs.Scenario("evil", "<script>alert(1)</script>", (), {})
    target = tmp_path / "page.html"
    runs.render_run_page(stress_run / "business_models.ipynb", outputs, target, "r1", "business_models",
                         {"x": "<b>"}, scenario)  # fmt: skip
    page = target.read_text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#x27;&lt;b&gt;&#x27;" in page
    assert 'class="vega-chart"' in page and "tbl-unit-economics" in page


def test_scenario_run_and_listing(build_dir):
    listing = cli("scenarios", build_dir=build_dir)
    assert listing.returncode == 0
    for name in ("base", "optimistic", "pessimistic", "price_war", "capital_crunch"):
        assert name in listing.stdout
    result = cli("run", "business_models", "--scenario", "price_war", "--name", "war", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((build_dir / "runs" / "war" / "manifest.json").read_text())
    assert manifest["scenario"]["name"] == "price_war"
    assert manifest["changed_parameters"] == {"churn_multiplier": 1.5}


def test_every_scenario_preset_is_valid():
    for name in runs.list_scenarios():
        scenario = runs.load_scenario(name)
        assert scenario.description and scenario.sources


def test_sweep_writes_one_row_per_point_and_figure(build_dir):
    result = cli("sweep", "business_models", "-p", "cac_multiplier=1:2:2", "--name", "cac", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    with (build_dir / "sweeps" / "cac" / "sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    saas = {float(r["cac_multiplier"]): float(r["value"]) for r in rows if r["key_figure"] == "bm_saas_ltv_to_cac"}
    assert saas[2.0] == pytest.approx(saas[1.0] / 2)
    assert (build_dir / "sweeps" / "cac" / "sweep.svg").read_text().startswith("<svg")


def test_help_explains_the_commands(build_dir):
    result = cli("--help", build_dir=build_dir)
    for word in ("run", "sweep", "params", "scenarios", "--overwrite", "_build/runs/NAME"):
        assert word in result.stdout
    params = cli("params", "survival", build_dir=build_dir)
    assert "price_cost_correlation" in params.stdout
    assert "assumption (foundation_model_economics_2025" in params.stdout

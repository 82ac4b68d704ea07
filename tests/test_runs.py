"""Re-runs through the real command line: changed figures, nothing lost, bad input refused with exit 2."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.paths import REPO_ROOT
from analysis.pipeline.folders import process_token
from analysis.reruns import inputs, runs, scenarios, sweeps

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
                     "key_figures.csv", "tables/tbl-unit-economics.csv", "charts/fig-ltv-to-cac.svg",
                     "charts/fig-ltv-to-cac.png", "charts/fig-ltv-to-cac.vl.json",
                     "charts/fig-ltv-to-cac-data.csv"):  # fmt: skip
        assert expected in files, expected  # chart files named as on the site (issue 13)
    manifest = json.loads((stress_run / "manifest.json").read_text())
    assert manifest["changed_parameters"] == {"cac_multiplier": 2.0}
    assert manifest["parameters"]["annual_discount_rate"] == 0.10
    assert manifest["code_version"] and manifest["data_version"].startswith("sha256:")
    assert manifest["created_utc"].endswith("+00:00")
    assert "bm_saas_ltv_to_cac" in manifest["key_figures"]


def test_changed_parameter_changes_the_expected_figure_only(stress_run, build_dir):
    """Doubling CAC halves every LTV/CAC; the credit margin and the team cost do not move. Each row says what the
    figure is and how much it moved (issue 13), with values rounded to 6 significant digits."""
    with (stress_run / "comparison.csv").open() as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    changed = {k: (float(r["old_value"]), float(r["new_value"])) for k, r in rows.items()}
    old, new = changed["bm_saas_ltv_to_cac"]
    assert new == pytest.approx(old / 2, rel=1e-5)
    saas = rows["bm_saas_ltv_to_cac"]
    assert saas["description"].startswith("LTV/CAC") or "LTV/CAC" in saas["description"]
    assert float(saas["change"]) == pytest.approx(new - old, rel=1e-5)
    assert float(saas["change_percent"]) == pytest.approx(100 * (new - old) / abs(old), rel=1e-5)
    assert all(len(r["old_value"].replace("-", "").replace(".", "")) <= 8 for r in rows.values())
    assert "bm_credit_margin" not in changed and "bm_team_cost_low" not in changed
    assert (build_dir / "html" / "index.html").read_text() == "<p>default book</p>"


def test_same_parameters_give_identical_key_figures(stress_run, build_dir):
    """The run's name is not part of the execution key: a second name reuses the first execution, and its
    captions name the second run (escaped in table cells, as executing under the name would)."""
    again = cli("run", "business_models", "-p", "cac_multiplier=2.0", "--name", "stress_again", build_dir=build_dir)
    assert again.returncode == 0, again.stderr
    folder = build_dir / "runs" / "stress_again"
    assert key_figures(folder) == key_figures(stress_run)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["reused_cached_execution"] is True
    assert manifest["execution_key"] == json.loads((stress_run / "manifest.json").read_text())["execution_key"]
    notebook = (folder / "business_models.ipynb").read_text()
    assert "EDITION-PLACEHOLDER" not in notebook
    assert "edition: stress_again" in notebook and "stress\\\\_again" in notebook  # caption; escaped table cell


def test_run_folders_follow_the_umask(stress_run):
    """Run folders are created with the user's umask (022 here: 0755), not tempfile's 0700."""
    assert stress_run.stat().st_mode & 0o777 == 0o755
    assert (stress_run / "charts").stat().st_mode & 0o777 == 0o755


def test_two_runs_with_one_name_never_overwrite_each_other(build_dir):
    """The name is claimed when a run starts: a second run of that name is refused at once, with or without
    --overwrite, and the first run's result is the one kept."""
    env = dict(os.environ, GENAI_REPORT_BUILD_DIR=str(build_dir))
    first = subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", "business_models", "--name", "dup", "-p", "cac_multiplier=1.7"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lock = build_dir / "runs" / ".lock-dup"
    deadline = time.monotonic() + 60
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lock.exists(), "the first run did not claim its name"
    for extra in ([], ["--overwrite"]):
        second = cli("run", "business_models", "--name", "dup", "-p", "cac_multiplier=2.3", *extra,
                     build_dir=build_dir)  # fmt: skip
        assert second.returncode == 2, second.stderr
        assert "is being written by another command" in second.stderr
        assert "Traceback" not in second.stderr
    _, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    manifest = json.loads((build_dir / "runs" / "dup" / "manifest.json").read_text())
    assert manifest["changed_parameters"] == {"cac_multiplier": 1.7}
    assert not lock.exists()


def test_overwrite_never_deletes_a_file_of_that_name(build_dir):
    notes = build_dir / "runs" / "notes"
    notes.parent.mkdir(parents=True, exist_ok=True)
    notes.write_text("my notes")
    result = cli("run", "business_models", "--name", "notes", "--overwrite", build_dir=build_dir)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "is a file, not a run folder; it is left as it is" in result.stderr
    assert notes.read_text() == "my notes"


def test_leftovers_of_killed_commands_are_removed_at_the_next_start(stress_run, build_dir):
    """A killed run leaves its temporary folder; the next command removes it (its owner is gone), and keeps
    temporaries of commands still running."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    dead = process_token(child.pid)
    child.wait()
    leftovers = [build_dir / "runs" / f".tmp-{dead}-killed-x1", build_dir / "cache" / f".tmp-{dead}-0123-x2"]
    for folder in leftovers:
        folder.mkdir(parents=True)
        (folder / "draws.bin").write_bytes(b"0" * 100_000)
    alive = build_dir / "runs" / f".tmp-{process_token()}-running-x3"
    alive.mkdir()
    result = cli("run", "business_models", "-p", "cac_multiplier=2", "--name", "after-kill", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    assert not any(f.exists() for f in leftovers)
    assert alive.exists()
    alive.rmdir()


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
    with pytest.raises(inputs.UsageError, match="malformed YAML"):
        inputs.load_yaml_mapping(evil)


def test_failing_run_leaves_earlier_runs_untouched(stress_run, build_dir, monkeypatch):
    """If anything fails after execution, the temporary folder goes and the earlier run is as it was."""
    before = snapshot(build_dir)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "render_run_page", broken)
    monkeypatch.setattr(runs, "BUILD_DIR", build_dir)
    params, changed = scenarios.resolve_parameters("business_models", assignments=["cac_multiplier=2"])
    with pytest.raises(RuntimeError, match="disk full"):
        runs.run_chapter("business_models", params, changed, "stress", overwrite=True, runs_dir=build_dir / "runs")
    after = snapshot(build_dir)
    assert {k: v for k, v in after.items() if not k.startswith("cache/")} == {
        k: v for k, v in before.items() if not k.startswith("cache/")
    }


def test_run_page_escapes_user_text(stress_run, tmp_path):
    """A scenario description with markup is shown as text, not run."""
    outputs = runs.read_outputs(stress_run / "business_models.ipynb")
    scenario = scenarios.Scenario("evil", "<script>alert(1)</script>", (), {})
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
    for name in scenarios.list_scenarios():
        scenario = scenarios.load_scenario(name)
        assert scenario.description and scenario.sources


def test_sweep_writes_one_row_per_point_and_figure(build_dir):
    result = cli("sweep", "business_models", "-p", "cac_multiplier=1:2:2", "--name", "cac", build_dir=build_dir)
    assert result.returncode == 0, result.stderr
    with (build_dir / "sweeps" / "cac" / "sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    saas = {float(r["cac_multiplier"]): float(r["value"]) for r in rows if r["key_figure"] == "bm_saas_ltv_to_cac"}
    assert saas[2.0] == pytest.approx(saas[1.0] / 2)
    svg = (build_dir / "sweeps" / "cac" / "sweep.svg").read_text()
    assert svg.startswith("<svg")
    # Issue 13: only the figures that move, titled in words; the credit margin does not move with CAC.
    assert "LTV/CAC of the SaaS subscription model" in svg and "bm_saas_ltv_to_cac" not in svg
    assert "credit example" not in svg


def test_help_explains_the_commands(build_dir):
    result = cli("--help", build_dir=build_dir)
    for word in ("run", "sweep", "params", "scenarios", "--overwrite", "_build/runs/NAME"):
        assert word in result.stdout
    params = cli("params", "survival", build_dir=build_dir)
    assert "price_cost_correlation" in params.stdout
    assert "assumption (foundation_model_economics_2025" in " ".join(params.stdout.split())
    # Issue 13: fits a 100-column terminal; so does the list of scenarios, which says what each changes.
    assert max(len(line) for line in params.stdout.splitlines()) <= 100
    scenarios = cli("scenarios", build_dir=build_dir).stdout
    assert max(len(line) for line in scenarios.splitlines()) <= 100
    assert "changes business_models: churn_multiplier = 1.5; pricing: credit_price_per_generation_usd = 0.7" in (
        " ".join(scenarios.split())
    )


ALIAS_BOMB = (
    "[&a [1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], "
    "&d [*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e,*e], "
    "&g [*f,*f,*f,*f,*f,*f,*f,*f,*f], &h [*g,*g,*g,*g,*g,*g,*g,*g,*g], &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]]"
)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "pricing", "-p", f"tier_caps={ALIAS_BOMB}"], "line 1, column 2: malformed YAML: anchors (&a) are not allowed"),
        (["run", "business_models", "-f", "/dev/zero"], "/dev/zero: not a regular file"),
        (["run", "business_models", "-p", "cac_multiplier=" + "9" * 400],
         "(an integer of 400 digits) is not allowed: must be a number >= 0.1 and <= 10"),
        (["run", "business_models", "-p", "cac_multiplier=" + "9" * 5000], "longer than 4,000 characters"),
        (["run", "business_models", "-p", "cac_multiplier=1e6"],
         "parameter 'cac_multiplier' = 1000000.0 is not allowed: must be a number >= 0.1 and <= 10"),
        (["run", "business_models", "--name", "dup\n"], "run name 'dup\\n' is not allowed"),
        (["run", "survival", "-p", "n_draws=1"],
         "parameter 'n_draws' = 1 is not allowed: must be a whole number >= 1000 and <= 200000"),
        (["run", "survival", "-p", "n_draws=5000000"], "parameter 'n_draws' = 5000000 is not allowed"),
        (["run", "survival", "-p", "end_year=2060", "-p", "n_draws=100000"],
         "n_draws x (end_year - start_year + 1) = 3,600,000 draw-years is more than the chapter serves: at most 1,600,000"),
        (["run", "pricing", "-p", "n_users=2000000"], "n_users x n_months = 48,000,000 simulated user-months is more than"),
        (["run", "pricing", "-p", "free_cap=100"], "parameter 'free_cap' = 100.0 is not below 'freemium_paid_cap' = 75.0"),
        (["run", "pricing", "-p", "tier_caps=[1, 2, 3, 4, 5, 6, 7, 8, 9]"], "must be a list of 1 to 8 numbers"),
        (["sweep", "business_models", "-p", "cac_multiplier=0.5:2:1000000", "-p", "churn_multiplier=0.5:2:1000000"],
         "POINTS (the number of values) must be 2 to 2000"),
        (["sweep", "business_models", "-p", "cac_multiplier=0.5:2:50", "-p", "churn_multiplier=0.5:2:50"],
         "the grid has 2,500 points (50 x 50); a sweep may have at most 2,000"),
        (["sweep", "business_models", "-p", "cac_multiplier=0.5:2:30"],
         "this sweep has 30 points and would take about "),
    ],
)  # fmt: skip
def test_every_bad_input_exits_2_with_one_line_and_writes_nothing(build_dir, args, message):
    """Issue 13: memory bombs, limits the chapter cannot serve, huge integers and names with a line break."""
    before = snapshot(build_dir)
    result = cli(*args, "--jobs", "2", build_dir=build_dir) if args[0] == "sweep" else cli(*args, build_dir=build_dir)
    assert result.returncode == 2, result.stderr[-2000:]
    assert message in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") <= 2, result.stderr
    assert "Traceback" not in result.stderr
    if "--yes" in result.stderr:
        assert re.search(r"about \d+ (s|min) on 2 worker\(s\); pass --yes to run it", result.stderr)
    assert snapshot(build_dir) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("cac_multiplier: 1.5\n# caf\xe9\n".encode("latin-1"), "mine.yaml, line 2: byte 0xe9 is not UTF-8"),
        (b"1: 2\n", "mine.yaml, line 1, column 1: malformed YAML: key 1 is not a name"),
        (b"cac_multiplier: 1.5\ncac_multiplier: 2\n", "line 2, column 1: malformed YAML: duplicate key 'cac_multiplier'"),
        (f"churn_multiplier: 1.5\ncac_multiplier: {ALIAS_BOMB}\n".encode(), "line 2, column 18: malformed YAML: anchors"),
        (b"cac_multiplier: 2\nedition: \"memo\\n\"\n", "mine.yaml: parameter 'edition' = 'memo\\n' is not allowed"),
    ],
)  # fmt: skip
def test_a_bad_parameter_file_exits_2_naming_file_and_line(build_dir, tmp_path, content, message):
    path = tmp_path / "mine.yaml"
    path.write_bytes(content)
    result = cli("run", "business_models", "-f", str(path), build_dir=build_dir)
    assert result.returncode == 2 and message in result.stderr, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("description: x\nsources: [genai_business_models_2026]\nchapters: {marketing: {a: 1}}\n",
         "broken.yaml, key 'chapters': unknown chapter 'marketing'; chapters: business_models, pricing, survival"),
        ("description: x\nsources: 5\nchapters: {}\n", "broken.yaml, key 'sources': must be a list of source ids, got 5"),
        ("description: x\nsources: [genai_business_models_2026]\nchapters: {pricing: [1, 2]}\n",
         "broken.yaml, key 'chapters.pricing': must map parameter names to values, got [1, 2]"),
        ("description: x\nsources: [genai_business_models_2026]\nchapters: {pricing: {free_cap: -1}}\n",
         "broken.yaml, key 'chapters.pricing': parameter 'free_cap' = -1 is not allowed"),
    ],
)  # fmt: skip
def test_a_broken_scenario_is_named_and_the_others_still_listed(tmp_path, monkeypatch, capsys, text, message):
    from analysis.__main__ import main

    shutil.copy(REPO_ROOT / "data" / "scenarios" / "base.yaml", tmp_path / "base.yaml")
    (tmp_path / "broken.yaml").write_text(text)
    monkeypatch.setattr(scenarios, "SCENARIOS_DIR", tmp_path)
    assert main(["scenarios"]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("base\n") and "broken" not in out
    assert err.count("\n") == 1 and message in err
    assert main(["run", "pricing", "--scenario", "broken"]) == 2
    assert message in capsys.readouterr().err


def test_a_full_or_read_only_runs_folder_exits_2_before_any_work(tmp_path, monkeypatch, capsys):
    import errno

    from analysis.__main__ import main
    from analysis.pipeline import folders

    monkeypatch.setattr(runs, "RUNS_DIR", tmp_path / "runs")
    monkeypatch.setattr(runs, "BUILD_DIR", tmp_path)
    monkeypatch.setattr(runs, "execute_chapter", lambda *a, **k: pytest.fail("a refused run must not execute"))
    monkeypatch.setattr(folders.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(2**30, 2**30, 2**20))
    assert main(["run", "business_models", "--name", "r"]) == 2
    assert "has 1 MB free, less than the 50 MB a run needs" in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setattr(runs, "BUILD_DIR", tmp_path)
    monkeypatch.setattr(runs, "execute_chapter", lambda *a, **k: pytest.fail("a refused run must not execute"))
    real_open = os.open

    def read_only(path, flags, mode=0o777):
        if ".lock-" in str(path):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(folders.os, "open", read_only)
    assert main(["run", "business_models", "--name", "r"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write in" in err and "Read-only file system" in err


def start(*args: str, build_dir: Path) -> tuple[subprocess.Popen, list[str]]:
    """Start the command line in the background; its stderr lines are collected as they come."""
    import threading

    env = dict(os.environ, GENAI_REPORT_BUILD_DIR=str(build_dir))
    process = subprocess.Popen([sys.executable, "-m", "analysis", *args], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True).start()
    return process, lines


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def all_ended(pids: list[int], seconds: float = 15) -> bool:
    import psutil

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize(("signal_name", "grid"), [("SIGINT", "1.31:1.39:6"), ("SIGTERM", "1.41:1.49:6")])
def test_a_stopped_sweep_ends_its_workers_and_kernels_and_keeps_finished_points(build_dir, signal_name, grid):
    """Issue 13: kill -INT or kill -TERM of the sweep's main process alone ends its pool workers (which run the
    chapter in-process, without kernels) at once, and the points already finished are written (the manifest
    says it is incomplete)."""
    import signal

    import psutil

    process, lines = start("sweep", "business_models", "-p", f"cac_multiplier={grid}", "--jobs", "2", "--name",
                           f"stopped-{signal_name}", build_dir=build_dir)  # fmt: skip
    wait_for(lambda: any("point 1/6 done" in line for line in lines) or process.poll() is not None)
    assert process.poll() is None, "".join(lines)
    descendants = [p.pid for p in psutil.Process(process.pid).children(recursive=True)]
    assert len(descendants) >= 2  # two workers
    process.send_signal(getattr(signal, signal_name))
    try:
        assert process.wait(timeout=60) == 130, "".join(lines)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the sweep did not stop:\n" + "".join(lines))
    assert all_ended(descendants), "workers or kernels outlived the sweep"
    folder = build_dir / "sweeps" / f"stopped-{signal_name}"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["complete"] is False and 1 <= manifest["points_finished"] < 6
    with (folder / "sweep.csv").open() as fh:
        points = {row["point"] for row in csv.DictReader(fh)}
    assert len(points) == manifest["points_finished"]


def test_a_sweep_killed_with_sigkill_leaves_no_worker_or_kernel_running(build_dir):
    import signal

    import psutil

    process, lines = start("sweep", "business_models", "-p", "cac_multiplier=1.51:1.59:6", "--jobs", "2",
                           "--name", "killed", build_dir=build_dir)  # fmt: skip
    wait_for(lambda: len(psutil.Process(process.pid).children(recursive=True)) >= 2 or process.poll() is not None)
    descendants = [p.pid for p in psutil.Process(process.pid).children(recursive=True)]
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert all_ended(descendants), "workers or kernels outlived the sweep"
    assert not (build_dir / "sweeps" / "killed").exists()


def test_a_sweep_reads_listed_values_and_rounds_whole_number_parameters():
    """'a,b,c' is the list as numbers in its order (-0 read as 0); a whole-number parameter swept over
    1000:1003:3 (1000, 1001.5, 1003) runs at 1000, 1002 and 1003 (half to even), as ints."""
    from analysis.parameters import CHAPTERS

    assert sweeps.parse_sweep(["churn_multiplier=2,0.5,1", "cac_multiplier=-0,1e0"]) == {
        "churn_multiplier": [2.0, 0.5, 1.0],
        "cac_multiplier": [0.0, 1.0],
    }
    grid = sweeps.parse_sweep(["n_draws=1000:1003:3"])
    assert grid == {"n_draws": [1000.0, 1001.5, 1003.0]}
    points = sweeps.sweep_points("survival", CHAPTERS["survival"].defaults, grid)
    assert [p["n_draws"] for p in points] == [1000, 1002, 1003]
    assert all(type(p["n_draws"]) is int for p in points)
    with pytest.raises(
        inputs.UsageError,
        match=r"-p 'churn_multiplier=1,x': expected NAME=START:STOP:POINTS or NAME=a,b,c with numbers",
    ):
        sweeps.parse_sweep(["churn_multiplier=1,x"])
    # Swept twice, the second -p used to replace the first without a word.
    with pytest.raises(inputs.UsageError, match=r"-p 'cac_multiplier=3,4': 'cac_multiplier' is swept twice"):
        sweeps.parse_sweep(["cac_multiplier=1,2", "cac_multiplier=3,4"])

"""The benchmark runs at tiny sizes and writes its table (timings are never asserted in tests)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np

from analysis.models import survival
from analysis.paths import REPO_ROOT


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench", REPO_ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


def test_plain_python_loop_is_the_same_model(dataset):
    """The per-draw loop the benchmark compares against computes exactly the vectorised projection."""
    bench = _bench_module()
    table = survival.lab_input_table(dataset, "frontier_leader", "base")
    draws = survival.draw_inputs(table, 5, 3, 0.8)
    vectorised = survival.project_lab(draws, 2025, 2032)
    for i in range(5):
        ocf, cash = bench.scalar_projection({k: float(v[i]) for k, v in draws.items()}, 2025, 2032)
        np.testing.assert_allclose(ocf, vectorised.operating_cash_flow[i], rtol=1e-10)
        np.testing.assert_allclose(cash, vectorised.cash_without_new_capital[i], rtol=1e-10)


def test_benchmark_runs_at_tiny_sizes_and_writes_its_table(tmp_path):
    output = tmp_path / "BENCHMARKS.md"
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "bench.py"), "--quick", "--output", str(output)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = output.read_text()
    assert "| benchmark | median (s)" in text
    assert "survival Monte Carlo" in text and "pricing simulation" in text
    # make test installs no benchmark stack (make bench does): the comparison row is there exactly when squigglepy is.
    compared = "squigglepy, same model and distributions" in text
    assert compared == _bench_module().squigglepy_installed()
    assert ("squigglepy not installed (make bench installs it)" in text) != compared
    assert "cores" in text and "Python" in text


def test_make_bench_runs_the_reruns_beside_the_builds_and_engines(tmp_path, monkeypatch):
    """`make bench` (bench.py without options) measures the re-run targets too: they ran only with --reruns-only."""
    bench = _bench_module()
    ran = []
    monkeypatch.setattr(bench, "squigglepy_installed", lambda: True)  # make test does not install it
    monkeypatch.setattr(bench, "machine", lambda: ["- the machine"])
    monkeypatch.setattr(bench, "build_benchmarks", lambda *a, **k: ran.append("builds"))
    monkeypatch.setattr(bench, "rerun_benchmarks", lambda *a, **k: ran.append("reruns"))
    monkeypatch.setattr(bench, "engine_benchmarks", lambda *a, **k: ran.append("engines"))
    assert bench.main(["--output", str(tmp_path / "BENCHMARKS.md"), "--analysis", str(tmp_path / "none.md")]) == 0
    assert ran == ["builds", "reruns", "engines"]

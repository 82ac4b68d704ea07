"""Benchmarks of the report: builds, re-runs and the engines under them.

``make bench`` runs this script; it prints a table and writes ``BENCHMARKS.md``: the machine,
the date, and for every figure the median of 5 runs with its minimum and maximum. Timing
targets are checked here, not in the test suite; ``--quick`` runs tiny sizes once (used by
the test that checks the benchmark itself works).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from analysis.data import load_dataset  # noqa: E402
from analysis.models import pricing, survival  # noqa: E402
from analysis.parameters import PRICING  # noqa: E402

YEARS = (2025, 2032)


@dataclass
class Result:
    name: str
    seconds: list[float]
    note: str = ""
    target: float | None = None
    peak_mb: float | None = None
    per_second: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "met" if self.median <= self.target else "MISSED"


def timed(function: Callable[[], Any], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def peak_memory_mb(function: Callable[[], Any]) -> float:
    """Peak traced allocation (numpy reports its buffers to tracemalloc) in MB."""
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


# --- the same survival model, three ways ----------------------------------------------------


def numpy_monte_carlo(table: Any, n: int) -> survival.MonteCarloSummary:
    return survival.simulate_summary(table, n, 1, 0.8, *YEARS)


def numpy_floor(table: Any, n: int) -> np.ndarray:
    """The floor: drawing the same number of normal variates as the model draws, and nothing else."""
    n_uncertain = int(table["uncertain"].sum())
    return np.random.default_rng(1).standard_normal((n_uncertain, n))


def _two_piece(z: float, low: float, base: float, high: float, lognormal: bool) -> float:
    """Median ``base``, 5th/95th percentiles ``low``/``high``, written out again in plain Python."""
    z90 = survival.Z90
    if lognormal:
        spread = math.log(base / low) if z < 0 else math.log(high / base)
        return base * math.exp(spread * z / z90)
    return base + ((base - low) if z < 0 else (high - base)) * z / z90


def squigglepy_installed() -> bool:
    """Whether the benchmark stack is here: make bench installs it; make test does not (--quick then skips it)."""
    return importlib.util.find_spec("squigglepy") is not None


def squigglepy_monte_carlo(table: Any, n: int) -> float:
    """Squigglepy draws the normal scores (Iman-Conover for the correlated pair), mapped through each input's
    two-piece quantile; then the model is evaluated vectorised. Returns P(cash lasts to the horizon)."""
    import squigglepy as sq

    draws: dict[str, np.ndarray] = {}
    scores = {}
    for name in table.index:
        low, high, base = (float(table.at[name, c]) for c in ("low", "high", "base"))
        if high <= low:
            draws[name] = np.full(n, base)
        else:
            scores[name] = sq.norm(mean=0, sd=1)
    price, cost = sq.correlate((scores.pop("api_price_decline"), scores.pop("serving_cost_decline")), 0.8)
    sampled = {"api_price_decline": price, "serving_cost_decline": cost, **scores}
    for name, dist in sampled.items():
        low, high, base = (float(table.at[name, c]) for c in ("low", "high", "base"))
        lognormal = name in survival.LOGNORMAL_INPUTS and low > 0
        values = np.asarray(survival.input_quantile(np.asarray(sq.sample(dist, n=n), dtype=float), low, base, high,
                                                    lognormal))  # fmt: skip
        draws[name] = values if lognormal else np.clip(values, *survival.clip_range(table, name))
    projection = survival.project_lab(draws, *YEARS)
    return float(np.mean((projection.cash_without_new_capital >= 0).all(axis=1)))


def _priced(margin_start: float, unit_cost: float, list_price: float) -> tuple[float, float]:
    cost = (1.0 - margin_start) * unit_cost
    price = min(max(list_price, cost / (1.0 - survival.MARGIN_FLOOR)), cost / (1.0 - survival.MARGIN_CAP))
    return price, 1.0 - cost / price


def scalar_projection(x: dict[str, float], start: int, end: int) -> tuple[list[float], list[float]]:
    """One draw, year by year, in plain Python: operating cash flow and cash without new capital."""
    ocf_by_year, cash_by_year = [], []
    cash = x["cash_start_usd_bn"]
    growth, decay, r0 = x["growth_initial"], x["growth_decay"], x["revenue_start_usd_bn"]
    indices = {k: 1.0 for k in ("api", "consumer", "enterprise", "cloud")}
    new_index = {"ads": 1.0, "outcome": 1.0}
    training_index, talent_index = 1.0, 1.0
    first_inference = 0.0
    multiples = {"api": x["api_growth_multiple"], "consumer": x["consumer_growth_multiple"],
                 "enterprise": x["enterprise_growth_multiple"], "cloud": x["cloud_growth_multiple"]}  # fmt: skip
    for t, year in enumerate(range(start, end + 1)):
        if t > 0:
            slowdown = (1.0 - decay) ** (t - 1)
            for k in indices:
                indices[k] *= 1.0 + growth * multiples[k] * slowdown
            training_index *= 1.0 + x["training_growth"] * slowdown
            talent_index *= 1.0 + x["headcount_growth"] * slowdown
        list_price = (1.0 - x["api_price_decline"]) ** t
        cost = (1.0 - x["serving_cost_decline"]) ** t
        flat_cost = cost * (1.0 + x["flat_usage_growth"]) ** t
        revenue, margin = {}, {}
        for k in ("api", "cloud"):
            price, margin[k] = _priced(x[f"{k}_margin"], cost, list_price)
            revenue[k] = r0 * x[f"share_{k}"] * indices[k] * price ** (1.0 - x["api_price_elasticity"])
        for k in ("consumer", "enterprise"):
            price, margin[k] = _priced(x[f"{k}_margin"], flat_cost, 1.0)
            revenue[k] = r0 * x[f"share_{k}"] * indices[k] * price
        for key, prefix in (("ads", "ads"), ("outcome", "outcome")):
            since = year - x[f"{prefix}_start_year"]
            if since >= 1:
                new_index[key] *= 1.0 + x["new_stream_growth"] * (1.0 - decay) ** (since - 1)
            revenue[key] = x[f"{prefix}_start_usd_bn"] * new_index[key] if since >= 0 else 0.0
            margin[key] = x[f"{prefix}_margin"]
        gross_profit = sum(revenue[k] * margin[k] for k in revenue)
        total = sum(revenue.values())
        training = x["final_run_cost_usd_bn"] * x["compute_multiple"] * training_index
        talent = x["headcount"] * x["compensation_usd_m"] / 1000.0 * talent_index
        inference = total - gross_profit
        if t == 0:
            first_inference = inference
        served = inference / first_inference if first_inference > 0 else 1.0
        infrastructure = x["infrastructure_to_inference"] * first_inference * served ** x["infrastructure_scaling"]
        data = x["data_to_training"] * training
        ocf = gross_profit - training - talent - x["other_opex_share"] * total - data - infrastructure
        cash += ocf
        ocf_by_year.append(ocf)
        cash_by_year.append(cash)
    return ocf_by_year, cash_by_year


def python_loop_monte_carlo(table: Any, n: int) -> float:
    """The same model and distributions, one draw at a time in plain Python (random.gauss)."""
    rng = random.Random(1)
    specs = []
    for name in table.index:
        low, high, base = (float(table.at[name, c]) for c in ("low", "high", "base"))
        lo, hi = survival.clip_range(table, name)
        specs.append((name, low, high, base, name in survival.LOGNORMAL_INPUTS and low > 0, lo, hi))
    rho_spend = (
        float(table.at["revenue_spend_correlation", "base"]) if "revenue_spend_correlation" in table.index else 0
    )
    lasting = 0
    for _ in range(n):
        x: dict[str, float] = {}
        z_price = z_revenue = 0.0
        for name, low, high, base, lognormal, lo, hi in specs:
            if high <= low:
                x[name] = base
                continue
            z = rng.gauss(0.0, 1.0)
            if name == "api_price_decline":
                z_price = z
            if name == "revenue_start_usd_bn":
                z_revenue = z
            if name == "serving_cost_decline":
                z = 0.8 * z_price + math.sqrt(1 - 0.8**2) * z
            if name == "final_run_cost_usd_bn":
                z = rho_spend * z_revenue + math.sqrt(1 - rho_spend**2) * z
            value = _two_piece(z, low, base, high, lognormal)
            x[name] = value if lognormal else min(max(value, lo), hi)
        _, cash = scalar_projection(x, *YEARS)
        lasting += all(c >= 0 for c in cash)
    return lasting / n


# --- builds and re-runs -----------------------------------------------------------------------


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr[-3000:]}")


def build_benchmarks(repeats: int, results: list[Result], clean_only: bool = False) -> None:
    """The clean build, then (unless ``clean_only``) the no-change rebuild and the re-runs."""
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        out = Path(tmp) / "build"
        loads: list[float] = []

        def clean() -> None:
            shutil.rmtree(out, ignore_errors=True)
            loads.append(os.getloadavg()[0])  # the machine is shared: say how busy it was at each run
            run([python, "-m", "analysis", "build", "--output", str(out)])

        seconds = timed(clean, repeats)
        note = "1-minute load average at the start of each run: " + ", ".join(f"{x:.1f}" for x in loads)
        results.append(Result("clean build (no _build, every notebook executed)", seconds, note, target=45))
        if clean_only:
            return
        results.append(
            Result(
                "no-change rebuild",
                timed(lambda: run([python, "-m", "analysis", "build", "--output", str(out)]), repeats),
                target=3,
            )
        )
        rerun_benchmarks(repeats, out, results)


# One parameter per chapter, a new value at each re-run (a real execution, not the cache).
RERUNS = (
    ("business_models", "cac_multiplier", lambda i: 1.0 + i / 100, 2.5),
    ("pricing", "cost_per_generation_usd", lambda i: 0.40 + i / 1000, 4.0),
    ("survival", "price_cost_correlation", lambda i: 0.80 - i / 1000, 4.0),
)


def rerun_benchmarks(repeats: int, build_dir: Path, results: list[Result]) -> None:
    """Re-runs end to end through the command line: cold (no warm process) and consecutive (warm), with where the
    time of a warm re-run goes (from the seconds each step records in the run's manifest)."""
    import json

    python = sys.executable
    cold_env = dict(os.environ, GENAI_REPORT_BUILD_DIR=str(build_dir), GENAI_REPORT_WARM="0")
    warm_env = dict(cold_env, GENAI_REPORT_WARM="1")
    counter = iter(range(1, 100_000))

    def rerun(chapter: str, name: str, value: float, env: dict[str, str]) -> None:
        run([python, "-m", "analysis", "run", chapter, "-p", f"{name}={value:g}", "--name", f"bench-{next(counter)}"],
            env=env)  # fmt: skip

    for chapter, _, _, _ in RERUNS:  # the default editions, cached as after `make book`
        run([python, "-m", "analysis", "run", chapter, "--name", f"defaults-{chapter}"], env=cold_env)
    values = iter(range(1, 100_000))
    results.append(Result(
        "one-parameter re-run, cold (no warm process; business_models)",
        timed(lambda: rerun("business_models", "cac_multiplier", 1.0 + next(values) / 100, cold_env), repeats),
        target=4,
    ))  # fmt: skip
    rerun("business_models", "cac_multiplier", 3.0, warm_env)  # starts the warm process
    sock = build_dir / ".rerun.sock"
    deadline = time.monotonic() + 60
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # its spare starts the chart engine
    try:
        for chapter, name, value_of, target in RERUNS:
            runs_before = set((build_dir / "runs").iterdir())
            times = timed(lambda c=chapter, n=name, v=value_of: rerun(c, n, v(next(values)), warm_env), repeats)
            manifests = [json.loads((p / "manifest.json").read_text())
                         for p in set((build_dir / "runs").iterdir()) - runs_before]  # fmt: skip
            steps: dict[str, list[float]] = {}
            for manifest in manifests:
                for step, seconds in manifest.get("seconds", {}).items():
                    steps.setdefault(step, []).append(seconds)
            inside = sum(statistics.median(v) for v in steps.values())
            breakdown = "; ".join(f"{step} {statistics.median(v):.2f}" for step, v in steps.items())
            overhead = statistics.median(times) - inside
            results.append(Result(
                f"consecutive one-parameter re-runs, warm ({chapter})", times, target=target,
                note=f"{breakdown}; starting the command, the warm process and writing the folder {overhead:.2f}",
            ))  # fmt: skip
    finally:
        sock.unlink(missing_ok=True)  # the warm process exits when its socket goes


def engine_benchmarks(repeats: int, sizes: tuple[int, ...], loop_sizes: tuple[int, ...], results: list[Result]) -> None:
    table = survival.lab_input_table(load_dataset(), "frontier_leader", "base")
    compare = squigglepy_installed()
    for n in sizes:
        numpy_times = timed(lambda n=n: numpy_monte_carlo(table, n), repeats)
        floor_times = timed(lambda n=n: numpy_floor(table, n), repeats)
        squiggle_times = timed(lambda n=n: squigglepy_monte_carlo(table, n), repeats) if compare else []
        peak = peak_memory_mb(lambda n=n: numpy_monte_carlo(table, n))
        label = f"{n:.0e}".replace("+0", "").replace("e", "e")
        median = statistics.median(numpy_times)
        results.append(
            Result(
                f"survival Monte Carlo, {label} draws x 8 years (numpy)",
                numpy_times,
                peak_mb=peak,
                per_second=n / median,
                note=f"{median / statistics.median(floor_times):.2f}x the numpy floor; "
                + (
                    f"squigglepy takes {statistics.median(squiggle_times) / median:.2f}x as long"
                    if compare
                    else "squigglepy not installed (make bench installs it)"
                ),
                target=None,
            )  # fmt: skip
        )
        results.append(Result(f"  numpy floor: the same number of normal variates ({label})", floor_times))
        if compare:
            results.append(Result(f"  squigglepy, same model and distributions ({label})", squiggle_times))
        if n in loop_sizes:
            loop_times = timed(lambda n=n: python_loop_monte_carlo(table, n), 1 if n >= 100_000 else repeats)
            results.append(
                Result(
                    f"  plain per-draw Python loop ({label})",
                    loop_times,
                    note=f"{statistics.median(loop_times) / median:.0f}x the numpy engine",
                )  # fmt: skip
            )
    d = PRICING.defaults
    settings = pricing.PricingSettings(
        d["cost_per_generation_usd"], d["credit_price_per_generation_usd"], tuple(d["tier_prices_usd"]),
        tuple(d["tier_caps"]), d["free_cap"], d["freemium_paid_price_usd"], d["freemium_paid_cap"],
        d["conversion_rate"], d["enterprise_contract_usd_per_year"], d["enterprise_users_per_account"],
        d["enterprise_sales_cycle_months_low"], d["enterprise_sales_cycle_months_high"], d["api_list_price_usd"],
        tuple(d["api_volume_thresholds"]), tuple(d["api_volume_discounts"]),
    )  # fmt: skip
    users = 100_000 if sizes[-1] >= 100_000 else 1000

    def pricing_simulation() -> None:
        population = pricing.simulate_population(users, 24, 30, 1.2, 0.4, 0.15, 1.5, 0.8, seed=1)
        pricing.compare_strategies(pricing.run_all_strategies(population, settings))

    results.append(
        Result(
            f"pricing simulation, {users:,} users x 24 months, five strategies",
            timed(pricing_simulation, repeats),
            target=0.5 if users == 100_000 else None,
            peak_mb=peak_memory_mb(pricing_simulation),
        )  # fmt: skip
    )


def machine() -> list[str]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    libraries = ", ".join(
        f"{p} {version(p)}" for p in ("numpy", "pandas", "scipy", "papermill", "jupyter-book", "altair")
    ) + (f", squigglepy {version('squigglepy')}" if squigglepy_installed() else "")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; load average at the end {load} "
        "(the machine is shared: above the core count, every figure is slower than alone)",
        f"- Machine: {os.cpu_count()} cores, {memory:.0f} GiB memory, {platform.machine()}, {platform.platform()}",
        f"- Python {platform.python_version()}; {libraries}",
    ]


def table(results: list[Result], repeats: int) -> list[str]:
    lines = [
        "| benchmark | median (s) | min (s) | max (s) | target (s) | result | peak memory | draws/s | note |",
        "|---|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.median:.3f} | {min(r.seconds):.3f} | {max(r.seconds):.3f} | "
            f"{'' if r.target is None else r.target} | {r.verdict()} | "
            f"{'' if r.peak_mb is None else f'{r.peak_mb:,.0f} MB'} | "
            f"{'' if r.per_second is None else f'{r.per_second:,.0f}'} | {r.note} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat, no builds (for the tests)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each figure (default 5)")
    parser.add_argument("--reruns-only", action="store_true", help="only the re-runs (cold and warm, each chapter)")
    parser.add_argument("--clean-build-only", action="store_true", help="only the clean build (every notebook run)")
    parser.add_argument("--engines-only", action="store_true", help="only the engines, no builds")
    parser.add_argument("--output", default=str(REPO / "BENCHMARKS.md"), help="where to write the report")
    parser.add_argument("--analysis", default=str(REPO / "benchmarks" / "ANALYSIS.md"),
                        help="profiling notes appended to the report if present")  # fmt: skip
    args = parser.parse_args(argv)
    if not args.quick and not squigglepy_installed():
        parser.error("squigglepy is not installed: make bench installs benchmarks/requirements.txt")
    repeats = 1 if args.quick else max(1, args.repeats)
    results: list[Result] = []
    if args.quick:
        engine_benchmarks(repeats, (1_000,), (1_000,), results)
    elif args.clean_build_only:
        build_benchmarks(repeats, results, clean_only=True)
    elif args.engines_only:
        engine_benchmarks(repeats, (10_000, 100_000, 1_000_000), (10_000, 100_000), results)
    elif args.reruns_only:
        with tempfile.TemporaryDirectory(prefix="bench-reruns-") as tmp:
            rerun_benchmarks(repeats, Path(tmp) / "build", results)
    else:
        build_benchmarks(repeats, results)
        with tempfile.TemporaryDirectory(prefix="bench-reruns-") as tmp:
            rerun_benchmarks(repeats, Path(tmp) / "build", results)
        engine_benchmarks(repeats, (10_000, 100_000, 1_000_000), (10_000, 100_000), results)
    lines = ["# Benchmarks", "", *machine(), f"- Each figure: median of {repeats} run(s), with min and max.", "",
             *table(results, repeats), ""]  # fmt: skip
    analysis = Path(args.analysis)
    if analysis.exists() and not args.quick:
        lines += ["", analysis.read_text(encoding="utf-8")]
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(table(results, repeats)))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

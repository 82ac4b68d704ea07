"""Sweeps: one chapter over a grid of parameter values, in parallel, with a table and a chart of what moved."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

import numpy as np

from analysis.parameters import ParameterError, get_chapter, validate_parameters
from analysis.paths import BUILD_DIR
from analysis.pipeline.artifacts import read_outputs
from analysis.pipeline.build import code_version
from analysis.pipeline.folders import claim, remove_stale, written_in_place
from analysis.pipeline.processes import worker_pool
from analysis.reruns.inputs import UsageError, split_assignment
from analysis.reruns.runs import check_run_name, data_version, execute_chapter, key_figure_quantities, write_csv
from analysis.reruns.scenarios import check_names

SWEEP_CONFIRM_POINTS = 25
SWEEP_MAX_POINTS = 2_000
# Seconds one grid point takes on one worker (measured on a 2-core machine; BENCHMARKS.md), for the estimate.
SECONDS_PER_POINT = {"business_models": 4.0, "pricing": 8.0, "survival": 8.0}


def parse_sweep(assignments: Sequence[str]) -> dict[str, list[float]]:
    """``NAME=START:STOP:POINTS`` to evenly spaced values (POINTS >= 2), or ``NAME=a,b,c`` to a list.

    Examples
    --------
    >>> parse_sweep(["cac_multiplier=1:2:3"])
    {'cac_multiplier': [1.0, 1.5, 2.0]}
    """
    grid: dict[str, list[float]] = {}
    for item in assignments:
        shown, name, spec = split_assignment(item, "NAME=START:STOP:POINTS or NAME=a,b,c")
        if name in grid:
            raise UsageError(f"-p {shown}: {name!r} is swept twice; give all its values in one -p")
        parts = spec.split(":")
        try:
            if len(parts) == 3:
                start, stop, points = _number(parts[0]), _number(parts[1]), int(parts[2])
                if not 2 <= points <= SWEEP_MAX_POINTS:
                    raise UsageError(f"-p {shown}: POINTS (the number of values) must be 2 to {SWEEP_MAX_POINTS}")
                grid[name] = [float(v) for v in np.linspace(start, stop, points)]
            else:
                values = [_number(v) for v in spec.split(",")]
                if len(values) > SWEEP_MAX_POINTS:
                    raise UsageError(f"-p {shown}: at most {SWEEP_MAX_POINTS} values")
                grid[name] = values
        except UsageError:
            raise
        except ValueError:
            raise UsageError(f"-p {shown}: expected NAME=START:STOP:POINTS or NAME=a,b,c with numbers") from None
    return grid


def _number(text: str) -> float:
    value = float(text)
    if not np.isfinite(value):
        raise ValueError(text)
    return value + 0.0  # -0.0 becomes 0.0


def _sweep_point(task: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    chapter_name, params, point_dir = task
    notebook, _ = execute_chapter(chapter_name, params, Path(point_dir), BUILD_DIR / "cache")
    outputs = read_outputs(notebook)
    shutil.rmtree(point_dir, ignore_errors=True)
    return {f["id"]: f["value"] for f in outputs.key_figures}


def describe_duration(seconds: float) -> str:
    """A duration in words, rounded: '40 s', '12 min', '3.5 h', '2.1 days'.

    Examples
    --------
    >>> describe_duration(40), describe_duration(700), describe_duration(12_600), describe_duration(180_000)
    ('40 s', '12 min', '3.5 h', '2.1 days')
    """
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"


def sweep_points(
    chapter_name: str, base_params: Mapping[str, Any], grid: Mapping[str, Sequence[float]]
) -> list[dict[str, Any]]:
    """Every point of the grid as full, checked parameters; refused before any work if there are too many."""
    chapter = get_chapter(chapter_name)
    check_names(chapter, grid, "-p")
    size = math.prod(len(v) for v in grid.values())
    if size > SWEEP_MAX_POINTS:
        raise UsageError(
            f"the grid has {size:,} points ({' x '.join(str(len(v)) for v in grid.values())}); "
            f"a sweep may have at most {SWEEP_MAX_POINTS:,}"
        )
    points = []
    for combo in itertools.product(*grid.values()):
        values = dict(base_params, **dict(zip(grid, combo, strict=True)))
        for p in chapter.parameters:
            if p.type is int and p.name in grid:
                values[p.name] = int(round(values[p.name]))
        try:
            points.append(validate_parameters(chapter_name, values))
        except ParameterError as error:
            raise UsageError(f"grid point {dict(zip(grid, combo, strict=True))}: {error}") from None
    return points


def sweep(
    chapter_name: str,
    base_params: Mapping[str, Any],
    grid: Mapping[str, Sequence[float]],
    name: str,
    *,
    overwrite: bool = False,
    jobs: int | None = None,
    yes: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Path:
    """Run every point of a parameter grid (in parallel) and write one tidy CSV of key figures and a chart.

    A grid of more than :data:`SWEEP_CONFIRM_POINTS` points needs ``yes`` (the error says how long it
    would take). Stopped part-way (Ctrl-C, SIGTERM), the points already finished are written, with
    ``"complete": false`` in the manifest, and the stop is re-raised.
    """
    check_run_name(name)
    points = sweep_points(chapter_name, base_params, grid)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(points)))
    estimate = describe_duration(len(points) * SECONDS_PER_POINT[chapter_name] / workers)
    if len(points) > SWEEP_CONFIRM_POINTS and not yes:
        raise UsageError(
            f"this sweep has {len(points):,} points and would take about {estimate} on {workers} worker(s); "
            "pass --yes to run it"
        )
    final = BUILD_DIR / "sweeps" / name
    stopped: KeyboardInterrupt | None = None
    with claim(final, overwrite=overwrite, what="sweep"), written_in_place(final, replace=overwrite) as work:
        remove_stale(final.parent)
        progress(f"running {len(points)} grid points on {workers} worker(s), about {estimate}")
        tasks = [(chapter_name, p, str(work / f"point-{i:04d}")) for i, p in enumerate(points)]
        results: dict[int, dict[str, Any]] = {}
        try:
            with worker_pool(workers) as pool:
                futures = {pool.submit(_sweep_point, task): i for i, task in enumerate(tasks)}
                for future in as_completed(futures):
                    i = futures[future]
                    results[i] = future.result()
                    point = ", ".join(f"{k} = {points[i][k]:g}" for k in grid)
                    progress(f"point {len(results)}/{len(points)} done ({point})")
        except KeyboardInterrupt as error:
            stopped = error
            progress(f"stopped: keeping the {len(results)} of {len(points)} points already finished")
        rows = []
        for i in sorted(results):
            for figure_id, value in results[i].items():
                rows.append({"point": i, **{k: points[i][k] for k in grid}, "key_figure": figure_id, "value": value})
        write_csv(work / "sweep.csv", rows, ["point", *grid, "key_figure", "value"])
        if rows:
            _sweep_chart(rows, list(grid), work)
        (work / "manifest.json").write_text(
            json.dumps({"sweep": name, "chapter": chapter_name, "grid": dict(grid), "points": len(points),
                        "points_finished": len(results), "complete": stopped is None,
                        "code_version": code_version(), "data_version": data_version(),
                        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, indent=2),
            encoding="utf-8",
        )  # fmt: skip
        for leftover in work.glob("point-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    if stopped is not None:
        raise stopped
    return final


def _sweep_chart(rows: list[dict[str, Any]], names: list[str], folder: Path) -> None:
    """One small line chart per key figure that moves over the grid, against the first swept parameter, as SVG.

    Figures that do not move are left out; each panel is titled with what the figure measures, in words.
    """
    import textwrap

    import altair as alt
    import pandas as pd
    import vl_convert

    from analysis.present import charts

    charts.enable()
    frame = pd.DataFrame(rows).dropna(subset=["value"])
    spread = frame.groupby("key_figure")["value"].agg(lambda v: v.max() - v.min())
    scale = frame.groupby("key_figure")["value"].agg(lambda v: v.abs().max())
    moving = spread[spread > 1e-9 * scale.clip(lower=1e-12)].index
    if moving.empty:
        moving = spread.index  # nothing moves: show every figure, flat
    frame = frame[frame["key_figure"].isin(moving)].copy()
    quantities = key_figure_quantities()
    frame["figure"] = frame["key_figure"].map(lambda k: "\n".join(textwrap.wrap(str(quantities.get(k, k)), 34)[:3]))
    x = names[0]
    color = alt.Color(f"{names[1]}:N") if len(names) > 1 else alt.value(charts.ACCENT)
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:Q", axis=alt.Axis(labelAngle=0, tickCount=4, format="~g", labelOverlap=True)),
            y=alt.Y("value:Q", title=None),
            color=color,
        )  # fmt: skip
        .properties(width=220, height=120)
        .facet(
            facet=alt.Facet("figure:N", title=None, header=alt.Header(labelExpr="split(datum.value, '\\n')")), columns=3
        )  # fmt: skip
        .resolve_scale(y="independent")
    )
    (folder / "sweep.svg").write_text(vl_convert.vegalite_to_svg(chart.to_dict()), encoding="utf-8")

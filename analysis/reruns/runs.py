"""Re-running chapters with new parameters: runs, scenario presets, comparisons and sweeps.

A run executes one chapter (through papermill, with the build's execution cache) into a
temporary folder beside ``_build/runs`` and moves it into place only when everything in it
is written, so a failing or interrupted run leaves earlier runs and the default book as they
were. Every value is checked against the chapter's declared parameters before any work.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import itertools
import json
import math
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.data import load_dataset
from analysis.parameters import CHAPTERS, Chapter, ParameterError, bounded_repr, get_chapter, validate_parameters

# BUILD_DIR is re-exported: the command line and tests read (and move) it here.
from analysis.paths import BUILD_DIR as BUILD_DIR
from analysis.paths import DATA_DIR, REPO_ROOT
from analysis.pipeline.artifacts import ChapterOutputs, read_outputs, write_chart_files, write_table_csv
from analysis.pipeline.build import BuildError, code_version, execute_notebooks, execution_key, tree_digest
from analysis.pipeline.folders import claim, make_temporary, remove_stale, written_in_place
from analysis.pipeline.processes import worker_pool
from analysis.pipeline.site import figure_names
from analysis.reruns.inputs import MAX_VALUE_CHARS, UsageError, load_yaml_mapping, parse_assignments
from analysis.reruns.run_page import render_run_page

RUNS_DIR = BUILD_DIR / "runs"
SCENARIOS_DIR = DATA_DIR / "scenarios"
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # matched whole, with fullmatch


def check_names(chapter: Chapter, values: Mapping[str, Any], origin: str) -> None:
    """Reject unknown parameter names, suggesting the closest valid ones."""
    valid = [p.name for p in chapter.parameters]
    for name in values:
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=3, cutoff=0.5) if isinstance(name, str) else []
            hint = f"; did you mean {', '.join(close)}?" if close else f"; valid names: {', '.join(valid)}"
            raise UsageError(f"unknown parameter {bounded_repr(name)} for chapter {chapter.name!r} ({origin}){hint}")


def check_values(chapter: Chapter, values: Mapping[str, Any], origin: str) -> None:
    """Check each value on its own, so an error names where the value came from (``-p``, a file, a scenario)."""
    check_names(chapter, values, origin)
    for name, value in values.items():
        try:
            chapter.parameter(name).check(value)
        except ParameterError as error:
            raise UsageError(f"{origin}: {error}") from None


@dataclass(frozen=True)
class Scenario:
    """A scenario preset: a description, its sources, and parameter values per chapter."""

    name: str
    description: str
    sources: tuple[str, ...]
    chapters: dict[str, dict[str, Any]]


def list_scenarios(folder: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (folder or SCENARIOS_DIR).glob("*.yaml"))


SCENARIO_KEYS = ("description", "sources", "chapters")


def load_scenario(name: str, folder: Path | None = None) -> Scenario:
    """Load and check a scenario preset: its keys and their types, known sources, known chapters, valid parameters.

    Every problem is a :class:`UsageError` naming the file and the key.
    """
    folder = folder or SCENARIOS_DIR
    path = folder / f"{name}.yaml"
    if not RUN_NAME.fullmatch(name) or not path.is_file():
        available = list_scenarios(folder)
        close = difflib.get_close_matches(name, available, n=2)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"unknown scenario {bounded_repr(name)}; scenarios: {', '.join(available)}{hint}")
    raw = load_yaml_mapping(path)
    for key in SCENARIO_KEYS:
        if key not in raw:
            raise UsageError(f"{path}: missing key {key!r} (a scenario needs description, sources and chapters)")
    extra = [k for k in raw if k not in SCENARIO_KEYS]
    if extra:
        raise UsageError(f"{path}: unknown key {bounded_repr(extra[0])}; a scenario has {', '.join(SCENARIO_KEYS)}")
    description, sources, chapters = raw["description"], raw["sources"], raw["chapters"] or {}
    if not isinstance(description, str) or not description.strip():
        raise UsageError(f"{path}, key 'description': must be a sentence of text, got {bounded_repr(description)}")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise UsageError(f"{path}, key 'sources': must be a list of source ids, got {bounded_repr(sources)}")
    known_sources = set(load_dataset()["sources"]["source_id"])
    unknown = [s for s in sources if s not in known_sources]
    if unknown:
        raise UsageError(f"{path}, key 'sources': unknown source id(s) {unknown}; known: {sorted(known_sources)}")
    if not isinstance(chapters, dict):
        raise UsageError(
            f"{path}, key 'chapters': must map chapter names to parameter values, got {bounded_repr(chapters)}"
        )
    for chapter_name, values in chapters.items():
        if chapter_name not in CHAPTERS:
            raise UsageError(
                f"{path}, key 'chapters': unknown chapter {bounded_repr(chapter_name)}; chapters: {', '.join(CHAPTERS)}"
            )
        if values is not None and not isinstance(values, dict):
            raise UsageError(
                f"{path}, key 'chapters.{chapter_name}': must map parameter names to values, got {bounded_repr(values)}"
            )
        chapter = get_chapter(chapter_name)
        check_values(chapter, values or {}, f"{path}, key 'chapters.{chapter_name}'")
        try:
            validate_parameters(chapter_name, {**chapter.defaults, **(values or {})})
        except ParameterError as error:
            raise UsageError(f"{path}: {error}") from None
    return Scenario(name, description, tuple(sources), {k: dict(v or {}) for k, v in chapters.items()})


def resolve_parameters(
    chapter_name: str,
    scenario: str | None = None,
    files: Sequence[Path | str] = (),
    assignments: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Defaults, then the scenario's values, then each file, then ``-p`` values; all checked.

    Returns the full, validated parameters and the subset that differs from the defaults.
    """
    chapter = get_chapter(chapter_name)
    values: dict[str, Any] = dict(chapter.defaults)
    if scenario:
        values.update(load_scenario(scenario).chapters.get(chapter_name, {}))
    for file in files:
        loaded = load_yaml_mapping(file)
        check_values(chapter, loaded, str(file))
        values.update(loaded)
    given = parse_assignments(list(assignments))
    check_values(chapter, given, "-p")
    values.update(given)
    try:
        checked = validate_parameters(chapter_name, values)
    except ParameterError as error:
        raise UsageError(str(error)) from None
    changed = {k: v for k, v in checked.items() if v != chapter.defaults[k] and k != "edition"}
    return checked, changed


def check_run_name(name: str) -> str:
    """A run name is a plain name: letters, digits, '-' and '_', not starting with a dot or dash."""
    if not isinstance(name, str) or not RUN_NAME.fullmatch(name):
        raise UsageError(
            f"run name {bounded_repr(name)} is not allowed: use 1-64 letters, digits, '-' or '_', starting with a "
            "letter or digit (no path separators, no '..', no leading dot, no line breaks)"
        )
    return name


# --- executing and writing a run ------------------------------------------------------------


def data_version(data_dir: Path = DATA_DIR) -> str:
    """Digest of every data file, so a manifest says which data a run used."""
    return "sha256:" + tree_digest(data_dir)[:16]


def execute_chapter(chapter_name: str, params: Mapping[str, Any], out_dir: Path, cache_dir: Path) -> tuple[Path, bool]:
    """Execute a chapter into ``out_dir`` (cached); return the executed notebook and whether it was cached."""
    chapter = get_chapter(chapter_name)
    source = REPO_ROOT / chapter.notebook
    # In this process, without a kernel: the published build keeps kernels, the outputs are the same.
    cached = execute_notebooks([(source, out_dir, dict(params))], REPO_ROOT, out_dir.parent / f".failed-{out_dir.name}",
                               cache_dir, jobs=1, in_process=True)  # fmt: skip
    return out_dir / source.name, cached[0]


def key_figures_table(outputs: ChapterOutputs) -> list[dict[str, Any]]:
    return [
        {"id": f["id"], "value": f["value"], "unit": f["unit"], "text": f["text"], "sentence": f["sentence"]}
        for f in outputs.key_figures
    ]


def compare_key_figures(default: ChapterOutputs, run: ChapterOutputs) -> list[dict[str, Any]]:
    """Key figures whose value differs from the default edition's: what each is, old and new value, the change.

    Values are rounded to 6 significant digits (the computed floats carry noise in their last digits);
    ``change`` is new minus old, ``change_percent`` relative to the old value.
    """
    old = {f["id"]: f for f in default.key_figures}
    quantities = _key_figure_quantities()
    rows = []
    for figure in run.key_figures:
        before = old.get(figure["id"])
        if before is None or _same(before["value"], figure["value"]):
            continue
        old_value, new_value = _rounded(before["value"]), _rounded(figure["value"])
        change = new_value - old_value if old_value is not None and new_value is not None else None
        rows.append(
            {"id": figure["id"], "description": quantities.get(figure["id"], ""), "unit": figure["unit"],
             "old_value": old_value, "new_value": new_value,
             "change": _rounded(change) if change is not None else None,
             "change_percent": _rounded(100 * change / abs(old_value))
             if change is not None and old_value else None,
             "old_text": before["text"], "new_text": figure["text"]}
        )  # fmt: skip
    return rows


COMPARISON_FIELDS = ("id", "description", "unit", "old_value", "new_value", "change", "change_percent", "old_text",
                     "new_text")  # fmt: skip


def _rounded(value: float | None) -> float | None:
    """6 significant digits, so a CSV shows 0.35, not 0.35000000000000003.

    Examples
    --------
    >>> _rounded(0.35000000000000003), _rounded(-0.0), _rounded(None)
    (0.35, 0.0, None)
    """
    return None if value is None else float(f"{value:.6g}") + 0.0


def _key_figure_quantities() -> dict[str, str]:
    """What each key figure measures, in words, from the registry ``data/key_figures.csv``."""
    with (DATA_DIR / "key_figures.csv").open(newline="", encoding="utf-8") as fh:
        return {row["id"]: row["quantity"] for row in csv.DictReader(fh)}


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(np.isclose(a, b, rtol=1e-12, atol=0.0))


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fields))
        writer.writeheader()
        writer.writerows(rows)


@dataclass(frozen=True)
class RunResult:
    folder: Path
    outputs: ChapterOutputs
    changed_parameters: dict[str, Any]
    comparison: list[dict[str, Any]]


def run_chapter(
    chapter_name: str,
    params: Mapping[str, Any],
    changed: Mapping[str, Any],
    name: str,
    *,
    scenario: Scenario | None = None,
    overwrite: bool = False,
    runs_dir: Path = RUNS_DIR,
    progress: Callable[[str], None] = lambda message: None,
) -> RunResult:
    """Execute a chapter with ``params`` into ``runs_dir / name``, with every artefact and a comparison.

    The folder is written under a temporary name and renamed into place at the end; an existing
    run is refused unless ``overwrite``.
    """
    check_run_name(name)
    final = runs_dir / name
    with claim(final, overwrite=overwrite, what="run"):
        remove_stale(runs_dir)
        cache_dir = BUILD_DIR / "cache"
        # vl-convert's engine takes most of a second to start: start it while the notebook runs.
        warm_up = threading.Thread(target=_warm_up_chart_engine, daemon=True)
        warm_up.start()
        with written_in_place(final, replace=overwrite) as work:
            outputs, comparison = _write_run(work, chapter_name, params, changed, name, scenario, cache_dir, progress)
    return RunResult(final, outputs, dict(changed), comparison)


def _write_run(
    work: Path,
    chapter_name: str,
    params: Mapping[str, Any],
    changed: Mapping[str, Any],
    name: str,
    scenario: Scenario | None,
    cache_dir: Path,
    progress: Callable[[str], None],
) -> tuple[ChapterOutputs, list[dict[str, Any]]]:
    """Execute the chapter and write every artefact of a run into ``work``; the manifest records how long each
    step took (``seconds``)."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = round(now - clock, 3)
        clock = now

    progress(f"executing {chapter_name} with {len(changed)} changed parameter(s)")
    notebook, cached = execute_chapter(chapter_name, params, work, cache_dir)
    outputs = read_outputs(notebook)
    lap("executing the chapter (or reading it from the cache)")
    defaults = get_chapter(chapter_name).defaults
    if all(params[k] == v for k, v in defaults.items() if k != "edition"):
        default_outputs = outputs  # the default edition under another name: nothing else to execute
    else:
        progress("reading the default edition's key figures for the comparison")
        default_dir = make_temporary(work.parent, "tmp", "defaults")
        try:
            default_nb, _ = execute_chapter(chapter_name, defaults, default_dir, cache_dir)
            default_outputs = read_outputs(default_nb)
        finally:
            shutil.rmtree(default_dir, ignore_errors=True)
    lap("the default edition's key figures (cached)")
    progress(f"writing {len(outputs.tables)} tables and {len(outputs.charts)} charts")
    (work / "tables").mkdir()
    for table in outputs.tables.values():
        write_table_csv(table, work / "tables" / f"{table['name']}.csv")
    (work / "charts").mkdir()
    names = figure_names(notebook)  # the site's names: fig-ltv-to-cac.svg, as on its download links
    for key, spec in outputs.charts.items():
        write_chart_files(spec, work / "charts" / names.get(key, key.split("_fig_", 1)[-1].replace("_", "-")))
    lap("tables (CSV) and charts (SVG, PNG, Vega-Lite)")
    figures = key_figures_table(outputs)
    write_csv(work / "key_figures.csv", figures, ["id", "value", "unit", "text", "sentence"])
    comparison = compare_key_figures(default_outputs, outputs)
    write_csv(work / "comparison.csv", comparison, COMPARISON_FIELDS)
    seed = params.get("seed")
    manifest: dict[str, Any] = {
        "run": name,
        "chapter": chapter_name,
        "scenario": None if scenario is None else {"name": scenario.name, "description": scenario.description,
                                                   "sources": list(scenario.sources)},
        "parameters": dict(params),
        "changed_parameters": dict(changed),
        "random_seed": seed,
        "code_version": code_version(),
        "data_version": data_version(),
        "execution_key": execution_key(REPO_ROOT / get_chapter(chapter_name).notebook, params),
        "reused_cached_execution": cached,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "key_figures": {f["id"]: f["value"] for f in figures},
        "files": [],
    }  # fmt: skip
    lap("key figures, comparison and provenance")
    progress("rendering the run's HTML page")
    render_run_page(
        notebook,
        outputs,
        work / f"{chapter_name}.html",
        name,
        chapter_name,
        changed,
        scenario,
        comparison,
        BUILD_DIR / ".vega-static",
    )
    lap("the run's HTML page")
    manifest["seconds"] = seconds
    manifest["files"] = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return outputs, comparison


# --- sweeps ---------------------------------------------------------------------------------


# A sweep of more points than this asks for --yes (saying how long it would take); none may exceed the maximum.
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
        shown = bounded_repr(item)
        if len(item) > MAX_VALUE_CHARS:
            raise UsageError(f"-p {shown}: longer than {MAX_VALUE_CHARS} characters")
        name, sep, spec = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-p {shown}: expected NAME=START:STOP:POINTS or NAME=a,b,c")
        parts = spec.split(":")
        try:
            if len(parts) == 3:
                start, stop, points = _number(parts[0]), _number(parts[1]), int(parts[2])
                if not 2 <= points <= SWEEP_MAX_POINTS:
                    raise UsageError(f"-p {shown}: POINTS (the number of values) must be 2 to {SWEEP_MAX_POINTS}")
                grid[name.strip()] = [float(v) for v in np.linspace(start, stop, points)]
            else:
                values = [_number(v) for v in spec.split(",")]
                if len(values) > SWEEP_MAX_POINTS:
                    raise UsageError(f"-p {shown}: at most {SWEEP_MAX_POINTS} values")
                grid[name.strip()] = values
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
    quantities = _key_figure_quantities()
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


def _warm_up_chart_engine() -> None:
    import vl_convert

    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}})


def default_run_name(chapter_name: str) -> str:
    return f"{chapter_name}-{dt.datetime.now(dt.UTC).strftime('%Y%m%d-%H%M%S')}"


__all__ = [
    "BuildError",
    "UsageError",
    "check_run_name",
    "load_scenario",
    "load_yaml_mapping",
    "parse_assignments",
    "resolve_parameters",
    "run_chapter",
    "sweep",
]


def print_progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)

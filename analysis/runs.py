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
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from analysis.artifacts import ChapterOutputs, read_outputs, write_chart_files, write_table_csv
from analysis.build import REPO_ROOT, BuildError, _tree_digest, code_version, execute_notebooks, execution_key
from analysis.data import DATA_DIR, load_dataset
from analysis.parameters import Chapter, ParameterError, get_chapter, validate_parameters
from analysis.run_page import render_run_page

# Tests (and readers who want their runs elsewhere) set GENAI_REPORT_BUILD_DIR.
BUILD_DIR = Path(os.environ.get("GENAI_REPORT_BUILD_DIR", REPO_ROOT / "_build"))
RUNS_DIR = BUILD_DIR / "runs"
SCENARIOS_DIR = DATA_DIR / "scenarios"
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class UsageError(ValueError):
    """A command-line input is wrong; the command exits with status 2 and writes nothing."""


# --- parameters from the command line, files and scenarios ----------------------------------


def parse_assignments(assignments: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs to a dict; values are read as YAML (numbers, lists, strings), safely.

    Examples
    --------
    >>> parse_assignments(["cac_multiplier=1.5", "tier_caps=[10, 20, 40]", "scenario=optimistic"])
    {'cac_multiplier': 1.5, 'tier_caps': [10, 20, 40], 'scenario': 'optimistic'}
    """
    values: dict[str, Any] = {}
    for item in assignments:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-p {item!r}: expected NAME=VALUE")
        try:
            values[name.strip()] = yaml.safe_load(raw) if raw.strip() else raw
        except yaml.YAMLError as error:
            raise UsageError(f"-p {item!r}: the value is not valid YAML ({error})") from None
    return values


def load_yaml_mapping(path: Path | str) -> dict[str, Any]:
    """A YAML file holding a mapping, loaded safely; errors name the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path}: cannot read the file ({error.strerror})") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise UsageError(f"{path}{where}: malformed YAML: {problem}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"{path}: expected a mapping of NAME: VALUE, got {type(loaded).__name__}")
    return loaded


def check_names(chapter: Chapter, values: Mapping[str, Any], origin: str) -> None:
    """Reject unknown parameter names, suggesting the closest valid ones."""
    valid = [p.name for p in chapter.parameters]
    for name in values:
        if name not in valid:
            close = difflib.get_close_matches(name, valid, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; valid names: {', '.join(valid)}"
            raise UsageError(f"unknown parameter {name!r} for chapter {chapter.name!r} ({origin}){hint}")


@dataclass(frozen=True)
class Scenario:
    """A scenario preset: a description, its sources, and parameter values per chapter."""

    name: str
    description: str
    sources: tuple[str, ...]
    chapters: dict[str, dict[str, Any]]


def list_scenarios(folder: Path = SCENARIOS_DIR) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.yaml"))


def load_scenario(name: str, folder: Path = SCENARIOS_DIR) -> Scenario:
    """Load and check a scenario preset: known sources, known chapters, valid parameters."""
    path = folder / f"{name}.yaml"
    if not RUN_NAME.match(name) or not path.exists():
        available = list_scenarios(folder)
        close = difflib.get_close_matches(name, available, n=2)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"unknown scenario {name!r}; scenarios: {', '.join(available)}{hint}")
    raw = load_yaml_mapping(path)
    for key in ("description", "sources", "chapters"):
        if key not in raw:
            raise UsageError(f"{path}: missing key {key!r} (a scenario needs description, sources and chapters)")
    known_sources = set(load_dataset()["sources"]["source_id"])
    unknown = [s for s in raw["sources"] if s not in known_sources]
    if unknown:
        raise UsageError(f"{path}: unknown source id(s) {unknown}; known: {sorted(known_sources)}")
    chapters = raw["chapters"] or {}
    for chapter_name, values in chapters.items():
        chapter = get_chapter(chapter_name)
        check_names(chapter, values or {}, str(path))
        try:
            validate_parameters(chapter_name, {**chapter.defaults, **(values or {})})
        except ParameterError as error:
            raise UsageError(f"{path}: {error}") from None
    return Scenario(
        name, str(raw["description"]), tuple(raw["sources"]), {k: dict(v or {}) for k, v in chapters.items()}
    )


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
        check_names(chapter, loaded, str(file))
        values.update(loaded)
    given = parse_assignments(assignments)
    check_names(chapter, given, "-p")
    values.update(given)
    try:
        checked = validate_parameters(chapter_name, values)
    except ParameterError as error:
        raise UsageError(str(error)) from None
    changed = {k: v for k, v in checked.items() if v != chapter.defaults[k] and k != "edition"}
    return checked, changed


def check_run_name(name: str) -> str:
    """A run name is a plain name: letters, digits, '-' and '_', not starting with a dot or dash."""
    if not RUN_NAME.match(name):
        raise UsageError(
            f"run name {name!r} is not allowed: use 1-64 letters, digits, '-' or '_', starting with a letter "
            "or digit (no path separators, no '..', no leading dot)"
        )
    return name


# --- executing and writing a run ------------------------------------------------------------


def data_version(data_dir: Path = DATA_DIR) -> str:
    """Digest of every data file, so a manifest says which data a run used."""
    return "sha256:" + _tree_digest(data_dir)[:16]


def execute_chapter(chapter_name: str, params: Mapping[str, Any], out_dir: Path, cache_dir: Path) -> tuple[Path, bool]:
    """Execute a chapter into ``out_dir`` (cached); return the executed notebook and whether it was cached."""
    chapter = get_chapter(chapter_name)
    source = REPO_ROOT / chapter.notebook
    cached = execute_notebooks(
        [(source, out_dir, dict(params))], REPO_ROOT, out_dir.parent / f".failed-{out_dir.name}", cache_dir, jobs=1
    )
    return out_dir / source.name, cached[0]


def key_figures_table(outputs: ChapterOutputs) -> list[dict[str, Any]]:
    return [
        {"id": f["id"], "value": f["value"], "unit": f["unit"], "text": f["text"], "sentence": f["sentence"]}
        for f in outputs.key_figures
    ]


def compare_key_figures(default: ChapterOutputs, run: ChapterOutputs) -> list[dict[str, Any]]:
    """Key figures whose value differs from the default edition's: id, old and new value and text."""
    old = {f["id"]: f for f in default.key_figures}
    rows = []
    for figure in run.key_figures:
        before = old.get(figure["id"])
        if before is None or _same(before["value"], figure["value"]):
            continue
        rows.append(
            {"id": figure["id"], "unit": figure["unit"], "old_value": before["value"], "new_value": figure["value"],
             "old_text": before["text"], "new_text": figure["text"]}
        )  # fmt: skip
    return rows


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
    if final.exists() and not overwrite:
        raise UsageError(f"run folder {final} already exists; choose another --name or pass --overwrite")
    runs_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = BUILD_DIR / "cache"
    # vl-convert's engine takes most of a second to start: start it while the notebook runs.
    warm_up = threading.Thread(target=_warm_up_chart_engine, daemon=True)
    warm_up.start()
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=runs_dir))
    try:
        progress(f"executing {chapter_name} with {len(changed)} changed parameter(s)")
        notebook, cached = execute_chapter(chapter_name, params, work, cache_dir)
        outputs = read_outputs(notebook)
        progress("reading the default edition's key figures for the comparison")
        default_dir = Path(tempfile.mkdtemp(prefix=".tmp-defaults-", dir=runs_dir))
        try:
            default_nb, _ = execute_chapter(chapter_name, get_chapter(chapter_name).defaults, default_dir, cache_dir)
            default_outputs = read_outputs(default_nb)
        finally:
            shutil.rmtree(default_dir, ignore_errors=True)
        progress(f"writing {len(outputs.tables)} tables and {len(outputs.charts)} charts")
        (work / "tables").mkdir()
        for table in outputs.tables.values():
            write_table_csv(table, work / "tables" / f"{table['name']}.csv")
        (work / "charts").mkdir()
        for key, spec in outputs.charts.items():
            write_chart_files(spec, work / "charts" / key.split("_fig_", 1)[-1].replace("_", "-"))
        figures = key_figures_table(outputs)
        write_csv(work / "key_figures.csv", figures, ["id", "value", "unit", "text", "sentence"])
        comparison = compare_key_figures(default_outputs, outputs)
        write_csv(work / "comparison.csv", comparison, ["id", "unit", "old_value", "new_value", "old_text", "new_text"])
        seed = params.get("seed")
        manifest = {
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
        manifest["files"] = sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file())
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        if final.exists():  # only with --overwrite
            shutil.rmtree(final)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return RunResult(final, outputs, dict(changed), comparison)


# --- sweeps ---------------------------------------------------------------------------------


def parse_sweep(assignments: Sequence[str]) -> dict[str, list[float]]:
    """``NAME=START:STOP:STEPS`` to evenly spaced values (STEPS >= 2), or ``NAME=a,b,c`` to a list.

    Examples
    --------
    >>> parse_sweep(["cac_multiplier=1:2:3"])
    {'cac_multiplier': [1.0, 1.5, 2.0]}
    """
    grid: dict[str, list[float]] = {}
    for item in assignments:
        name, sep, spec = item.partition("=")
        if not sep:
            raise UsageError(f"-p {item!r}: expected NAME=START:STOP:STEPS")
        parts = spec.split(":")
        try:
            if len(parts) == 3:
                start, stop, steps = float(parts[0]), float(parts[1]), int(parts[2])
                if steps < 2:
                    raise UsageError(f"-p {item!r}: STEPS must be at least 2")
                grid[name] = [float(v) for v in np.linspace(start, stop, steps)]
            else:
                grid[name] = [float(v) for v in spec.split(",")]
        except ValueError:
            raise UsageError(f"-p {item!r}: expected NAME=START:STOP:STEPS with numbers") from None
    return grid


def _sweep_point(task: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    chapter_name, params, point_dir = task
    notebook, _ = execute_chapter(chapter_name, params, Path(point_dir), BUILD_DIR / "cache")
    outputs = read_outputs(notebook)
    return {f["id"]: f["value"] for f in outputs.key_figures}


def sweep(
    chapter_name: str,
    base_params: Mapping[str, Any],
    grid: Mapping[str, Sequence[float]],
    name: str,
    *,
    overwrite: bool = False,
    jobs: int | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> Path:
    """Run every point of a parameter grid (in parallel) and write one tidy CSV of key figures and a chart."""
    chapter = get_chapter(chapter_name)
    check_names(chapter, grid, "-p")
    check_run_name(name)
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
    final = BUILD_DIR / "sweeps" / name
    if final.exists() and not overwrite:
        raise UsageError(f"sweep folder {final} already exists; choose another --name or pass --overwrite")
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=final.parent))
    try:
        progress(f"running {len(points)} grid points")
        tasks = [(chapter_name, p, str(work / f"point-{i:04d}")) for i, p in enumerate(points)]
        workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_sweep_point, tasks))
        rows = []
        for i, (params, figures) in enumerate(zip(points, results, strict=True)):
            for figure_id, value in figures.items():
                rows.append({"point": i, **{k: params[k] for k in grid}, "key_figure": figure_id, "value": value})
            shutil.rmtree(work / f"point-{i:04d}", ignore_errors=True)
        write_csv(work / "sweep.csv", rows, ["point", *grid, "key_figure", "value"])
        _sweep_chart(rows, list(grid), work)
        (work / "manifest.json").write_text(
            json.dumps({"sweep": name, "chapter": chapter_name, "grid": dict(grid), "points": len(points),
                        "code_version": code_version(), "data_version": data_version(),
                        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}, indent=2),
            encoding="utf-8",
        )  # fmt: skip
        if final.exists():
            shutil.rmtree(final)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _sweep_chart(rows: list[dict[str, Any]], names: list[str], folder: Path) -> None:
    """One small line chart per key figure against the first swept parameter, as SVG."""
    import altair as alt
    import pandas as pd
    import vl_convert

    from analysis import charts

    charts.enable()
    frame = pd.DataFrame(rows).dropna(subset=["value"])
    x = names[0]
    color = alt.Color(f"{names[1]}:N") if len(names) > 1 else alt.value(charts.ACCENT)
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(x=alt.X(f"{x}:Q"), y=alt.Y("value:Q", title=None), color=color)
        .properties(width=220, height=120)
        .facet(facet=alt.Facet("key_figure:N", title=None), columns=3)
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
    "parse_assignments",
    "resolve_parameters",
    "run_chapter",
    "sweep",
]


def _print_progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)

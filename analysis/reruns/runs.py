"""Re-running chapters with new parameters: runs and their comparison with the default edition.

A run executes one chapter (through papermill, with the build's execution cache) into a
temporary folder beside ``_build/runs`` and moves it into place only when everything in it
is written, so a failing or interrupted run leaves earlier runs and the default book as they
were. Every value is checked against the chapter's declared parameters before any work.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.parameters import bounded_repr, get_chapter

# BUILD_DIR is re-exported: the command line and tests read (and move) it here.
from analysis.paths import BUILD_DIR as BUILD_DIR
from analysis.paths import DATA_DIR, REPO_ROOT
from analysis.pipeline.artifacts import ChapterOutputs, ChartFile, read_outputs, write_charts, write_table_csv
from analysis.pipeline.build import code_version
from analysis.pipeline.execution import execute_notebooks, execution_key, tree_digest
from analysis.pipeline.folders import claim, make_temporary, remove_stale, written_in_place
from analysis.pipeline.site import figure_names
from analysis.reruns.inputs import UsageError
from analysis.reruns.run_page import render_run_page
from analysis.reruns.scenarios import RUN_NAME, Scenario

RUNS_DIR = BUILD_DIR / "runs"


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
    quantities = key_figure_quantities()
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


def key_figure_quantities() -> dict[str, str]:
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
    write_charts([ChartFile(spec, work / "charts" / names.get(key, key.split("_fig_", 1)[-1].replace("_", "-")))
                  for key, spec in outputs.charts.items()])  # fmt: skip
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
def _warm_up_chart_engine() -> None:
    import vl_convert

    vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}})


def default_run_name(chapter_name: str) -> str:
    return f"{chapter_name}-{dt.datetime.now(dt.UTC).strftime('%Y%m%d-%H%M%S')}"


def print_progress(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)

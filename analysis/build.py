"""The build driver: papermill executes every chapter, then Jupyter Book renders the result.

One executor: notebooks are run by papermill (in parallel, one kernel per notebook) into a
staging folder together with a copy of the book's sources; Jupyter Book then renders the
staged, already-executed notebooks with execution off and warnings as errors. The new site
replaces ``_build/html`` only when everything succeeded, so a failing build leaves the
previous site as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data import DATA_DIR, load_dataset
from analysis.parameters import CHAPTERS

REPO_ROOT = Path(__file__).resolve().parent.parent
BOOK_FILES = ("_config.yml", "_toc.yml")


class BuildError(RuntimeError):
    """The book could not be built; the message names the notebook, cell and error, or the warnings."""


@dataclass(frozen=True)
class BuildResult:
    html_dir: Path
    notebooks: tuple[str, ...]
    seconds: float


def _first_line(text: str, limit: int = 160) -> str:
    line = next((x for x in str(text).splitlines() if x.strip()), "")
    return line if len(line) <= limit else line[: limit - 3] + "..."


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _failing_line(traceback: list[str], source: str) -> str:
    """The line of the cell that raised, from IPython's '---->' marker; else the cell's first line."""
    for frame in traceback or []:
        for line in _ANSI.sub("", frame).splitlines():
            if line.lstrip().startswith("---->"):
                return line.split("---->", 1)[1].strip().lstrip("0123456789 ").strip()
    return _first_line(source)


def _hide_injected_parameters(path: str) -> None:
    """Tag papermill's injected-parameters cell so the site shows the parameters table, not code."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(notebook, path)


def _execute_one(task: tuple[str, str, dict[str, Any], str, str]) -> str | None:
    """Run one notebook with papermill; return None on success or a one-paragraph error message.

    The notebook runs in the folder of ``target``, so files it writes (downloads) land beside it.
    A failed notebook, with its traceback in the failing cell, is kept in ``failed_dir``.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source, target, parameters, label, failed_dir = task
    kept = Path(failed_dir) / Path(source).name
    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            pm.execute_notebook(
                source,
                target,
                parameters=parameters,
                cwd=str(Path(target).parent),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
            )
            break
        except PapermillExecutionError as error:
            # An error in the notebook's own code: reported at once, never retried.
            # papermill counts cells from 0 including the cell it injects; people count from 1.
            return (
                f"{label} failed in cell {error.cell_index + 1} (counting every cell from 1, papermill's "
                f"injected parameters included), at line {_failing_line(error.traceback, error.source)!r}:\n"
                f"    {error.ename}: {error.evalue}\n"
                f"    The executed notebook with the full traceback is kept at {_keep(target, kept)}"
            )
        except Exception as error:
            # A kernel that fails to start (two kernels racing for a port) is retried, then reported.
            if attempt == attempts:
                return (
                    f"{label} could not be executed ({attempts} attempts): "
                    f"{type(error).__name__}: {_first_line(str(error), 2000)}"
                )
    _hide_injected_parameters(target)
    return None


def _keep(target: str, kept: Path) -> Path:
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, kept)
    return kept


PACKAGE_DIR = Path(__file__).resolve().parent


def execution_key(source: Path, parameters: Mapping[str, Any], data_dir: Path = DATA_DIR) -> str:
    """Cache key of one execution: the notebook, its parameters, the data files and the analysis package.

    Any change to one of them gives a new key, so exactly the notebooks it affects are re-executed.
    """
    import numpy
    import pandas

    digest = hashlib.sha256()
    digest.update(Path(source).read_bytes())
    digest.update(json.dumps(dict(parameters), sort_keys=True, default=str).encode())
    digest.update(f"{sys.version}|numpy {numpy.__version__}|pandas {pandas.__version__}".encode())
    for folder, pattern in ((Path(data_dir), "**/*"), (PACKAGE_DIR, "*.py")):
        for path in sorted(p for p in folder.glob(pattern) if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def execute_notebooks(
    tasks: list[tuple[Path, Path, dict[str, Any]]],
    root: Path,
    failed_dir: Path,
    cache_dir: Path,
    jobs: int | None = None,
    data_dir: Path = DATA_DIR,
) -> list[bool]:
    """Execute ``(source, out_dir, parameters)`` notebooks, in parallel, reusing cached executions.

    Each notebook's executed copy (and any file it wrote) is placed in ``out_dir``. Returns, per
    task, whether it came from the cache. Raises :class:`BuildError` listing every failure.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    keys = [execution_key(src, params, data_dir) for src, _, params in tasks]
    pending = []
    for (src, _, params), key in zip(tasks, keys, strict=True):
        if (cache_dir / key / "COMPLETE").exists():
            continue
        workdir = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=cache_dir))
        label = str(src.relative_to(root)) if src.is_relative_to(root) else str(src)
        pending.append(((str(src), str(workdir / src.name), dict(params), label, str(failed_dir)), key, workdir))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    if workers == 1:
        errors = [_execute_one(p) for p, _, _ in pending]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            errors = list(pool.map(_execute_one, [p for p, _, _ in pending]))
    failures = []
    for (_, key, workdir), error in zip(pending, errors, strict=True):
        if error:
            failures.append(error)
            shutil.rmtree(workdir, ignore_errors=True)
            continue
        (workdir / "COMPLETE").write_text(key)
        final = cache_dir / key
        shutil.rmtree(final, ignore_errors=True)
        workdir.rename(final)
    if failures:
        raise BuildError("notebook execution failed:\n" + "\n".join(failures))
    for (_, out_dir, _), key in zip(tasks, keys, strict=True):
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copytree(cache_dir / key, out_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("COMPLETE"))
    fresh = {key for _, key, _ in pending}
    return [key not in fresh for key in keys]


def code_version(root: Path = REPO_ROOT) -> str:
    """The git commit of the code, with '+dirty' when the work tree has changes; 'unknown' outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def report_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("genai-economics-report")
    except PackageNotFoundError:
        return "unknown"


def publish_site_files(stage: Path, notebooks: list[Path], data_dir: Path) -> None:
    """Downloads, key-figures page, methods page, data package, and the extra pages in the table of contents."""
    import yaml

    from analysis.business_models import source_disagreements
    from analysis.site import (
        intro_findings,
        key_figure_rows,
        key_figures_page,
        methods_page,
        modelling_choices,
        write_chapter_downloads,
        write_citation_files,
        write_data_package,
        write_key_figures,
    )

    dataset = load_dataset(data_dir)
    downloads = stage / "site_extra" / "downloads"
    meta = write_citation_files(stage, downloads)
    outputs = [write_chapter_downloads(stage / nb, downloads / nb.stem, meta) for nb in notebooks]
    rows = key_figure_rows(outputs, dataset)
    write_key_figures(rows, downloads)
    (stage / "book" / "intro_key_findings.md").write_text(intro_findings(outputs), encoding="utf-8")
    write_data_package(
        dataset, data_dir, downloads / "data-package.zip", report_version(), downloads / "key_figures.csv"
    )
    (stage / "book" / "key_figures.md").write_text(key_figures_page(rows), encoding="utf-8")
    (stage / "book" / "methods.md").write_text(
        methods_page(dataset, source_disagreements(dataset), modelling_choices(dataset)), encoding="utf-8"
    )
    toc = yaml.safe_load((stage / "_toc.yml").read_text(encoding="utf-8"))
    toc["parts"][0]["chapters"] += [{"file": "book/key_figures"}, {"file": "book/methods"}]
    toc["parts"].append({"caption": "About this report", "numbered": False, "chapters": [{"file": "book/citing"}]})
    (stage / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((stage / "_config.yml").read_text(encoding="utf-8"))
    config["sphinx"]["config"]["html_extra_path"] = ["site_extra"]
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def _add_favicon_to_redirect(index: Path) -> None:
    """Jupyter Book's root index.html only redirects; give it the site icon so browsers ask for no /favicon.ico."""
    if index.exists():
        text = index.read_text(encoding="utf-8")
        if 'rel="icon"' not in text:
            index.write_text('<link rel="icon" href="_static/favicon.svg" />\n' + text, encoding="utf-8")


def _tree_digest(folder: Path) -> str:
    """Digest of every file's path and bytes under ``folder`` (caches of compiled Python left out)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_bibliography(data_dir: Path, target: Path) -> None:
    """Write ``references.bib`` from ``data/sources.csv`` (the one source of truth for sources)."""
    sources = load_dataset(data_dir)["sources"]
    entries = []
    for s in sources.itertuples(index=False):
        fields = {"title": s.title, "year": str(s.date)[:4], "note": _text_or_empty(s.note)}
        # Empty cells load as NaN; only real text goes into the bibliography.
        for name in ("author", "publisher", "url"):
            if _text_or_empty(getattr(s, name)):
                fields[name] = getattr(s, name)
        if "publisher" in fields:
            fields["howpublished"] = fields.pop("publisher")
        # Double braces keep the title's capitals (BibTeX styles would lower-case it).
        body = ",\n".join(
            f"  {k} = {{{{{_bib_escape(v)}}}}}" if k == "title" else f"  {k} = {{{_bib_escape(v)}}}"
            for k, v in fields.items()
            if v
        )
        entries.append(f"@misc{{{s.source_id},\n{body}\n}}\n")
    target.write_text("\n".join(entries), encoding="utf-8")


def _text_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""


def _bib_escape(text: str) -> str:
    return str(text).replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}").replace("%", "\\%")


def stage_book(root: Path, stage: Path, data_dir: Path, banner: str = "") -> list[Path]:
    """Copy the book's sources into ``stage``; return the notebooks that must be executed."""
    import yaml

    for name in BOOK_FILES:
        shutil.copy2(root / name, stage / name)
    config = yaml.safe_load((stage / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("sphinx", {}).setdefault("config", {})["genai_report_banner"] = banner
    (stage / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    notebooks = []
    for path in sorted((root / "book").rglob("*")):
        if path.is_dir() or ".ipynb_checkpoints" in path.parts:
            continue
        relative = path.relative_to(root)
        if path.suffix == ".ipynb":
            notebooks.append(relative)
            continue
        (stage / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, stage / relative)
    write_bibliography(data_dir, stage / "references.bib")
    return notebooks


def run_jupyter_book(stage: Path, out: Path) -> None:
    """Render the staged book with execution off; any Sphinx warning fails the build."""
    command = [
        sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(stage),
        "--path-output", str(out), "--warningiserror", "--nitpick", "--keep-going",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        log = (result.stdout + result.stderr).splitlines()
        important = [x for x in log if "WARNING" in x or "ERROR" in x or "Error" in x] or log[-30:]
        raise BuildError("Jupyter Book failed (warnings are errors):\n  " + "\n  ".join(important[:40]))


def build_book(
    root: Path = REPO_ROOT,
    output_dir: Path | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    data_dir: Path = DATA_DIR,
    jobs: int | None = None,
    banner: str = "Default edition: every chapter with its default parameters.",
    cache_dir: Path | None = None,
) -> BuildResult:
    """Execute every chapter and build the site into ``output_dir / "html"``.

    Parameters
    ----------
    root
        Repository root (holds ``_config.yml``, ``_toc.yml`` and ``book/``).
    output_dir
        Build folder (default ``root / "_build"``); the site goes to its ``html`` folder.
    parameters
        Per chapter name, parameter values passed to papermill (default: the notebooks' own).
    data_dir
        Data folder; validated before any notebook runs.
    jobs
        Notebooks executed at once (default: one per core).
    banner
        Text shown at the top of every page (the edition or scenario); escaped when rendered.
    cache_dir
        Execution cache (default ``output_dir / "cache"``).
    """
    started = time.perf_counter()
    root = Path(root).resolve()
    output_dir = Path(output_dir or root / "_build").resolve()
    load_dataset(data_dir)  # fail on bad data before any work
    parameters = dict(parameters or {})
    unknown = sorted(set(parameters) - set(CHAPTERS))
    if unknown:
        raise BuildError(f"parameters given for unknown chapter(s) {unknown}; chapters: {sorted(CHAPTERS)}")
    # Every chapter runs with its full parameter set, so an execution is cached under the same key
    # whether it came from the book or from a re-run with the defaults.
    by_notebook = {c.notebook: {**c.defaults, **parameters.get(c.name, {})} for c in CHAPTERS.values()}
    output_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".stage-", dir=output_dir))
    try:
        stamp = f"version {report_version()} · built {time.strftime('%Y-%m-%d')} · commit {code_version(root)}"
        notebooks = stage_book(root, stage, data_dir, f"{banner} · {stamp}")
        tasks = [(root / nb, (stage / nb).parent, dict(by_notebook.get(nb.as_posix(), {}))) for nb in notebooks]
        execute_notebooks(tasks, root, output_dir / "failed", cache_dir or output_dir / "cache", jobs, data_dir)
        # Everything the site is made from is in the stage now (executed notebooks, sources, data copies
        # come next from these): with the package code, it decides whether anything must be rendered.
        site_key = _tree_digest(stage) + ":" + _tree_digest(PACKAGE_DIR)
        key_file = output_dir / ".html-key"
        final = output_dir / "html"
        if final.exists() and key_file.exists() and key_file.read_text() == site_key:
            # Nothing the site is made from has changed since the last build: keep it as it is.
            return BuildResult(final, tuple(nb.as_posix() for nb in notebooks), time.perf_counter() - started)
        key_file.unlink(missing_ok=True)
        publish_site_files(stage, notebooks, data_dir)
        run_jupyter_book(stage, stage / "out")
        new_html = stage / "out" / "_build" / "html"
        _add_favicon_to_redirect(new_html / "index.html")
        previous = output_dir / f".html-previous-{os.getpid()}"
        if final.exists():
            final.rename(previous)
        new_html.rename(final)
        shutil.rmtree(previous, ignore_errors=True)
        executed = output_dir / "executed"
        shutil.rmtree(executed, ignore_errors=True)
        shutil.copytree(stage / "book", executed, ignore=shutil.ignore_patterns("*.md", "*.bib"))
        key_file.write_text(site_key)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return BuildResult(final, tuple(nb.as_posix() for nb in notebooks), time.perf_counter() - started)


def describe_parameters(chapter: str) -> pd.DataFrame:
    """A chapter's parameters as a table: name, type, default, allowed, unit, provenance."""
    spec = CHAPTERS[chapter]
    facts = load_dataset()["facts"]
    rows = []
    for p in spec.parameters:
        if p.fact_ids:
            fact = facts.loc[p.fact_ids[0]]
            origin = f"{fact['kind']} ({fact['source_id']}, fact {', '.join(p.fact_ids)}.{p.fact_field})"
        else:
            origin = "modelling choice of the report"
        rows.append(
            {
                "name": p.name,
                "type": p.type.__name__,
                "default": p.default,
                "allowed": p.allowed(),
                "unit": p.unit,
                "description": p.description,
                "default_from": origin,
            }
        )
    return pd.DataFrame(rows)

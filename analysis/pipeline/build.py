"""The build driver: papermill executes every chapter, then Jupyter Book renders the result.

One executor: notebooks are run by papermill (in parallel, one kernel per notebook) into a
staging folder together with a copy of the book's sources; Jupyter Book then renders the
staged, already-executed notebooks with execution off and warnings as errors. The new site
replaces ``_build/html`` only when everything succeeded, so a failing build leaves the
previous site as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data import load_dataset
from analysis.parameters import CHAPTERS
from analysis.paths import DATA_DIR, EXECUTION_MARKER, PACKAGE_DIR, REPO_ROOT
from analysis.pipeline.folders import (
    FolderError,
    claim,
    make_temporary,
    move_into_place,
    remove_stale,
    written_in_place,
)
from analysis.pipeline.processes import jupyter_book_command, worker_pool

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


_MARKER = re.compile(r"^\s*-+>\s*\d+\s?(.*)$")


def _failing_line(traceback: list[str], source: str) -> str:
    r"""The line of the cell that raised, from IPython's arrow (``---->`` on lines 1-9, ``--->`` from line 10);
    else the cell's first line.

    Examples
    --------
    >>> _failing_line(["Cell In[3], line 12\n     11 y = 2\n---> 12 raise ValueError(y)\n"], "x = 1")
    'raise ValueError(y)'
    >>> _failing_line(["Cell In[3], line 2\n      1 y = 2\n----> 2 raise ValueError(y)\n"], "x = 1")
    'raise ValueError(y)'
    """
    for frame in traceback or []:
        for line in _ANSI.sub("", frame).splitlines():
            match = _MARKER.match(line)
            if match:
                return match.group(1).strip()
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


def ipc_kernel_manager() -> type:
    """nbclient's kernel manager, with the kernel reached over local sockets (IPC) instead of TCP.

    Over TCP without encryption every kernel prints "[IPKernelApp] WARNING | Kernel is running over TCP
    without encryption ... susceptible to eavesdropping" to the terminal. IPC sockets are files in
    Jupyter's runtime folder, named after the kernel, readable by the user only, and removed with the kernel.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_ipc(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_socket_path(self) -> str:
            # Absolute: a relative path would be resolved in the kernel's folder and the client's, apart.
            folder = Path(jupyter_runtime_dir())
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            return str(folder / f"kernel-{uuid.uuid4().hex[:12]}-ipc")

    return IPCKernelManager


def _execute_one(task: tuple[str, str, dict[str, Any], str, str, bool]) -> str | None:
    """Run one notebook with papermill; return None on success or a one-paragraph error message.

    The notebook runs in the folder of ``target``, so files it writes (downloads) land beside it.
    A failed notebook, with its traceback in the failing cell, is kept in ``failed_dir``. With
    ``in_process`` the code cells run in this process (:mod:`analysis.pipeline.inprocess`), not in a kernel.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source, target, parameters, label, failed_dir, in_process = task
    kept = Path(failed_dir) / Path(source).name
    if in_process:
        from analysis.pipeline.inprocess import register_engine

        engine = {"engine_name": register_engine(), "request_save_on_cell_execute": False}
    else:
        engine = {"kernel_manager_class": ipc_kernel_manager()}
    attempts = 1 if in_process else 3
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
                **engine,
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
    if not in_process:  # the in-process engine tags the cell before it writes the notebook
        _hide_injected_parameters(target)
    return None


def _keep(target: str, kept: Path) -> Path:
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, kept)
    return kept


# A named edition is executed under this placeholder and its name written in when the result is
# copied out of the cache, so runs and editions that differ only in name share one execution.
EDITION_PLACEHOLDER = "EDITION-PLACEHOLDER-7c1e"


def executed_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters an execution is keyed on and run with: a named edition becomes the placeholder.

    Examples
    --------
    >>> executed_parameters({"edition": "cac-stress", "cac_multiplier": 2.0})
    {'edition': 'EDITION-PLACEHOLDER-7c1e', 'cac_multiplier': 2.0}
    >>> executed_parameters({"edition": "default"})
    {'edition': 'default'}
    """
    params = dict(parameters)
    if params.get("edition", "default") != "default":
        params["edition"] = EDITION_PLACEHOLDER
    return params


def execution_key(source: Path, parameters: Mapping[str, Any], data_dir: Path = DATA_DIR) -> str:
    """Cache key of one execution: the notebook, its parameters, the data files and the analysis package.

    Any change to one of them gives a new key, so exactly the notebooks it affects are re-executed.
    The name of a run or edition is not part of it (see :func:`executed_parameters`).
    """
    import numpy
    import pandas

    digest = hashlib.sha256()
    digest.update(Path(source).read_bytes())
    digest.update(json.dumps(executed_parameters(parameters), sort_keys=True, default=str).encode())
    digest.update(f"{sys.version}|numpy {numpy.__version__}|pandas {pandas.__version__}".encode())
    hash_tree(digest, Path(data_dir))
    # Every module of every layer: a change anywhere in the package can change what a notebook computes.
    hash_tree(digest, PACKAGE_DIR, "**/*.py")
    return digest.hexdigest()[:32]


_TABLE_CELL = re.compile(r"^(?:\* |  )- ")


def _name_edition(value: Any, edition: str, markdown: bool = False) -> Any:
    """``value`` (a notebook's JSON) with the placeholder replaced by the edition's name.

    In Markdown the name is escaped inside table cells (as :func:`analysis.present.tables.myst_table` escapes
    every cell) and written as it is in captions and prose, exactly as executing under the name would.
    """
    if isinstance(value, str):
        if EDITION_PLACEHOLDER not in value:
            return value
        if not markdown:
            return value.replace(EDITION_PLACEHOLDER, edition)
        from analysis.present.tables import escape_markdown

        escaped = escape_markdown(edition)
        return "".join(
            line.replace(EDITION_PLACEHOLDER, escaped if _TABLE_CELL.match(line) else edition)
            for line in value.splitlines(keepends=True)
        )
    if isinstance(value, list):
        return [_name_edition(v, edition, markdown) for v in value]
    if isinstance(value, dict):
        return {k: _name_edition(v, edition, markdown or k.endswith("text/markdown")) for k, v in value.items()}
    return value


def restore_edition_name(notebook: Path, edition: str) -> None:
    """Write the edition's name into a notebook executed under :data:`EDITION_PLACEHOLDER`."""
    text = notebook.read_text(encoding="utf-8")
    if EDITION_PLACEHOLDER not in text:
        return
    named = _name_edition(json.loads(text), edition)
    notebook.write_text(json.dumps(named, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


CACHE_LIMIT_MB = float(os.environ.get("GENAI_REPORT_CACHE_MB", "500"))
# An entry used this recently is never pruned: another command may be copying it out.
CACHE_GRACE_SECONDS = 600


@dataclass(frozen=True)
class CacheEntry:
    key: str
    path: Path
    size_bytes: int
    last_used: float


def cache_entries(cache_dir: Path) -> list[CacheEntry]:
    """The complete entries of an execution cache, least recently used first."""
    from analysis.pipeline.folders import folder_size_bytes

    entries: list[CacheEntry] = []
    if not cache_dir.is_dir():
        return entries
    for path in cache_dir.iterdir():
        complete = path / "COMPLETE"
        if path.name.startswith(".") or not complete.exists():
            continue
        try:
            last_used = complete.stat().st_mtime
        except OSError:
            continue
        entries.append(CacheEntry(path.name, path, folder_size_bytes(path), last_used))
    return sorted(entries, key=lambda e: e.last_used)


def prune_cache(cache_dir: Path, limit_mb: float = CACHE_LIMIT_MB, keep: frozenset[str] = frozenset()) -> list[str]:
    """Delete least recently used entries until the cache holds at most ``limit_mb``; return their keys.

    Entries in ``keep`` and entries used in the last :data:`CACHE_GRACE_SECONDS` are kept.
    ``limit_mb=0`` empties the cache (``python -m analysis cache --clear``).
    """
    entries = cache_entries(cache_dir)
    total = sum(e.size_bytes for e in entries)
    limit = limit_mb * 2**20
    removed = []
    now = time.time()
    for entry in entries:
        if total <= limit:
            break
        if entry.key in keep or (limit_mb > 0 and now - entry.last_used < CACHE_GRACE_SECONDS):
            continue
        aside = make_temporary(cache_dir, "old", entry.key)
        try:
            os.replace(entry.path, aside / entry.key)
        except OSError:
            shutil.rmtree(aside, ignore_errors=True)
            continue
        shutil.rmtree(aside, ignore_errors=True)
        total -= entry.size_bytes
        removed.append(entry.key)
    return removed


def execute_notebooks(
    tasks: list[tuple[Path, Path, dict[str, Any]]],
    root: Path,
    failed_dir: Path,
    cache_dir: Path,
    jobs: int | None = None,
    data_dir: Path = DATA_DIR,
    in_process: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> list[bool]:
    """Execute ``(source, out_dir, parameters)`` notebooks, in parallel, reusing cached executions.

    Each notebook's executed copy (and any file it wrote) is placed in ``out_dir``. Returns, per
    task, whether it came from the cache. Raises :class:`BuildError` listing every failure.
    ``in_process`` runs them in this process without kernels (re-runs; the published build keeps
    kernels); the outputs, and so the cache, are the same either way.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    remove_stale(cache_dir)
    keys = [execution_key(src, params, data_dir) for src, _, params in tasks]
    # (what _execute_one takes: source, target, parameters, label, failed folder, in process), key, work folder
    pending: list[tuple[tuple[str, str, dict[str, Any], str, str, bool], str, Path]] = []
    for (src, _, params), key in zip(tasks, keys, strict=True):
        if (cache_dir / key / "COMPLETE").exists() or key in {k for _, k, _ in pending}:
            continue
        workdir = make_temporary(cache_dir, "tmp", key)
        (workdir / EXECUTION_MARKER).write_text(key)
        label = str(src.relative_to(root)) if src.is_relative_to(root) else str(src)
        task = (str(src), str(workdir / src.name), executed_parameters(params), label, str(failed_dir), in_process)
        pending.append((task, key, workdir))
    workers = 1 if in_process else max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    try:
        if pending:
            progress(f"executing {len(pending)} notebook(s) ({len(tasks) - len(pending)} from the cache)")
        errors: list[str | None] = [None] * len(pending)
        if workers == 1:
            for i, (task, _, _) in enumerate(pending):
                errors[i] = _execute_one(task)
                progress(f"executed {task[3]} ({i + 1}/{len(pending)})")
        else:
            with worker_pool(workers) as pool:
                futures = {pool.submit(_execute_one, task): i for i, (task, _, _) in enumerate(pending)}
                for done, future in enumerate(as_completed(futures), 1):
                    errors[futures[future]] = future.result()
                    progress(f"executed {pending[futures[future]][0][3]} ({done}/{len(pending)})")
        failures = []
        for (_, key, workdir), error in zip(pending, errors, strict=True):
            if error:
                failures.append(error)
                continue
            (workdir / "COMPLETE").write_text(key)
            # If another command finished the same execution first, its result is the same: keep that one.
            with contextlib.suppress(FolderError):
                move_into_place(workdir, cache_dir / key, replace=False)
    finally:
        for _, _, workdir in pending:
            shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        raise BuildError("notebook execution failed:\n" + "\n".join(failures))
    for (src, out_dir, params), key in zip(tasks, keys, strict=True):
        out_dir.mkdir(parents=True, exist_ok=True)
        entry = cache_dir / key
        os.utime(entry / "COMPLETE")  # used now: the least recently used entries are pruned first
        shutil.copytree(entry, out_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("COMPLETE", EXECUTION_MARKER))
        restore_edition_name(out_dir / Path(src).name, str(params.get("edition", "default")))
    prune_cache(cache_dir, keep=frozenset(keys))
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


def questions_markdown(dataset: Any, rows: list[dict[str, Any]], outputs: list[Any]) -> str:
    """The Questions page of this edition, answered from its key figures (see :mod:`analysis.present.questions`)."""
    from analysis.present import questions
    from analysis.present.common import ARCHETYPE_NAMES
    from analysis.present.pricing import strategy_names

    parameters = {o.chapter: o.parameters for o in outputs}
    built = questions.answers(dataset, rows, parameters, strategy_names(dataset), ARCHETYPE_NAMES)
    return questions.questions_page(dataset, built)


def publish_site_files(stage: Path, notebooks: list[Path], data_dir: Path) -> None:
    """Downloads, key-figures page, methods page, data package, and the extra pages in the table of contents."""
    import yaml

    from analysis.models.business_models import source_disagreements
    from analysis.pipeline.citation import write_citation_files, write_data_package
    from analysis.pipeline.site import (
        intro_findings,
        key_figure_rows,
        key_figures_page,
        methods_page,
        modelling_choices,
        write_chapter_downloads,
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
    (stage / "book" / "questions.md").write_text(questions_markdown(dataset, rows, outputs), encoding="utf-8")
    (stage / "book" / "methods.md").write_text(
        methods_page(dataset, source_disagreements(dataset), modelling_choices(dataset)), encoding="utf-8"
    )
    toc = yaml.safe_load((stage / "_toc.yml").read_text(encoding="utf-8"))
    toc["parts"][0]["chapters"] += [
        {"file": "book/questions"},
        {"file": "book/key_figures"},
        {"file": "book/methods"},
    ]
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


def hash_tree(digest: Any, folder: Path, pattern: str = "**/*") -> None:
    """Feed ``digest`` every matching file's path (relative to ``folder``) and bytes, in a fixed order;
    caches of compiled Python are left out."""
    for path in sorted(p for p in folder.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())


def tree_digest(folder: Path) -> str:
    """Digest of every file's path and bytes under ``folder`` (caches of compiled Python left out)."""
    digest = hashlib.sha256()
    hash_tree(digest, folder)
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
        *jupyter_book_command(os.getpid()), "build", str(stage),
        "--path-output", str(out), "--warningiserror", "--nitpick", "--keep-going",
    ]  # fmt: skip
    # An exception here (Ctrl-C, SIGTERM) makes subprocess.run kill Jupyter Book; a kill -9 of this
    # process reaches it through die_with_parent.
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
    overwrite: bool = True,
    progress: Callable[[str], None] = lambda message: None,
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
    overwrite
        Replace an existing site (the default book does); without it an existing
        ``output_dir / "html"`` is refused before any work (scenario editions).
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
    final = output_dir / "html"
    with claim(final, overwrite=overwrite, what="site", hint="choose another --output"):
        remove_stale(output_dir)
        stage = make_temporary(output_dir, "stage", "book")
        try:
            stamp = f"version {report_version()} · built {time.strftime('%Y-%m-%d')} · commit {code_version(root)}"
            notebooks = stage_book(root, stage, data_dir, f"{banner} · {stamp}")
            tasks = [(root / nb, (stage / nb).parent, dict(by_notebook.get(nb.as_posix(), {}))) for nb in notebooks]
            execute_notebooks(tasks, root, output_dir / "failed", cache_dir or output_dir / "cache", jobs, data_dir,
                              progress=progress)  # fmt: skip
            # Everything the site is made from is in the stage now (executed notebooks, sources, data copies
            # come next from these): with the package code, it decides whether anything must be rendered.
            site_key = tree_digest(stage) + ":" + tree_digest(PACKAGE_DIR)
            key_file = output_dir / ".html-key"
            source = output_dir / "source"
            if final.exists() and source.is_dir() and key_file.exists() and key_file.read_text() == site_key:
                # Nothing the site is made from has changed since the last build: keep it as it is.
                return BuildResult(final, tuple(nb.as_posix() for nb in notebooks), time.perf_counter() - started)
            key_file.unlink(missing_ok=True)
            progress("writing the downloads, key figures and methods pages")
            publish_site_files(stage, notebooks, data_dir)
            progress("rendering the site with Jupyter Book")
            run_jupyter_book(stage, stage / "out")
            new_html = stage / "out" / "_build" / "html"
            _add_favicon_to_redirect(new_html / "index.html")
            # One atomic exchange: at every instant a complete site is at _build/html.
            move_into_place(new_html, final, replace=True)
            # The complete book source as rendered (executed notebooks, generated pages, references.bib, downloads):
            # `jupyter-book build _build/source` renders the same site without this driver.
            with written_in_place(source, replace=True) as kept:
                # Jupyter Book's own output (stage/out) is not part of the source.
                shutil.copytree(stage, kept, dirs_exist_ok=True,
                                ignore=lambda folder, names: ["out"] if Path(folder) == stage else [])  # fmt: skip
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

"""Executing the chapters: papermill with one kernel per notebook (or in this process), cached under a key of
the notebook, its parameters, the data and the package, with a failing cell reported by notebook, cell and line."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.paths import DATA_DIR, EXECUTION_MARKER, PACKAGE_DIR
from analysis.pipeline.folders import (
    FolderError,
    make_temporary,
    move_into_place,
    remove_stale,
)
from analysis.pipeline.processes import worker_pool


class BuildError(RuntimeError):
    """The book could not be built; the message names the notebook, cell and error, or the warnings."""


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


def execute_one(task: tuple[str, str, dict[str, Any], str, str, bool]) -> str | None:
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
    # (what execute_one takes: source, target, parameters, label, failed folder, in process), key, work folder
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
                errors[i] = execute_one(task)
                progress(f"executed {task[3]} ({i + 1}/{len(pending)})")
        else:
            with worker_pool(workers) as pool:
                futures = {pool.submit(execute_one, task): i for i, (task, _, _) in enumerate(pending)}
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

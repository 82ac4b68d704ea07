"""The build driver: papermill executes every chapter, then Jupyter Book renders the result.

One executor: notebooks are run by papermill (in parallel, one kernel per notebook) into a
staging folder together with a copy of the book's sources; Jupyter Book then renders the
staged, already-executed notebooks with execution off and warnings as errors. The new site
replaces ``_build/html`` only when everything succeeded, so a failing build leaves the
previous site as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data import load_dataset
from analysis.parameters import CHAPTERS
from analysis.paths import DATA_DIR, PACKAGE_DIR, REPO_ROOT
from analysis.pipeline.execution import BuildError, execute_notebooks, tree_digest
from analysis.pipeline.folders import (
    claim,
    make_temporary,
    move_into_place,
    remove_stale,
    written_in_place,
)
from analysis.pipeline.processes import jupyter_book_command

BOOK_FILES = ("_config.yml", "_toc.yml")


@dataclass(frozen=True)
class BuildResult:
    html_dir: Path
    notebooks: tuple[str, ...]
    seconds: float


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

"""Every folder the code knows, in one place.

The repository's layout: the package, its page assets, the data, the book's sources, the build
output (movable with ``GENAI_REPORT_BUILD_DIR``, e.g. for tests) and the source articles beside
the repository (movable with ``GENAI_REPORT_SEEDS_DIR``).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
ASSETS_DIR = PACKAGE_DIR / "assets"
DATA_DIR = REPO_ROOT / "data"
BOOK_DIR = REPO_ROOT / "book"
BUILD_DIR = Path(os.environ.get("GENAI_REPORT_BUILD_DIR", REPO_ROOT / "_build"))
SEEDS_DIR = Path(os.environ.get("GENAI_REPORT_SEEDS_DIR", REPO_ROOT.parent / "shared" / "seeds"))

# The build and the re-runs execute a notebook in a folder of their own that holds this file; what the notebook
# writes there (downloads) travels with the executed notebook. Run any other way, a notebook writes under _build.
EXECUTION_MARKER = ".genai-report-execution"
LOOSE_FILES_DIR = BUILD_DIR / "notebook-files"


def notebook_file(name: str, cwd: Path | None = None) -> Path:
    """Where a notebook writes the file ``name`` (a download such as the Monte Carlo draws).

    Executed by the build or a re-run: ``name`` in the folder it runs in, beside the executed notebook, where the
    site's download links and the run's folder pick it up. Run any other way (Jupyter, plain papermill): under
    ``_build/notebook-files/``, never into the folder someone happens to work in.

    Examples
    --------
    >>> notebook_file("draws.csv.gz", REPO_ROOT / "book") == LOOSE_FILES_DIR / "draws.csv.gz"
    True
    """
    if Path(name).name != name or name in ("", ".", ".."):
        raise ValueError(f"notebook_file({name!r}): expected a plain file name, without folders")
    folder = Path.cwd() if cwd is None else Path(cwd)
    if (folder / EXECUTION_MARKER).is_file():
        return folder / name
    LOOSE_FILES_DIR.mkdir(parents=True, exist_ok=True)
    return LOOSE_FILES_DIR / name

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

"""Dependencies as a reader needs them: the book's, the tests' and the benchmarks' packages, each pinned once.

``make book`` installs requirements.txt, ``make test`` adds requirements-test.txt, ``make bench`` adds
benchmarks/requirements.txt; pyproject.toml names the direct dependencies of each.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import distributions, packages_distributions
from pathlib import Path

import pytest

from analysis.paths import REPO_ROOT

FILES = {
    "book": REPO_ROOT / "requirements.txt",
    "test": REPO_ROOT / "requirements-test.txt",
    "bench": REPO_ROOT / "benchmarks" / "requirements.txt",
}
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]


def _normal(name: str) -> str:
    """PEP 503's normal form: 'Jinja2' and 'jupyter_client' as pip compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#") or line == "-e .":
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][A-Za-z0-9.+!-]*)", line)
        assert match, f"{path.name}:{number}: {line!r} is not pinned exactly (name==version)"
        pins[_normal(match.group(1))] = match.group(2)
    return pins


def _declared(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in requirements}


def _third_party_imports(folder: Path) -> dict[str, str]:
    """Top-level names of every module imported anywhere (also inside functions) in ``folder``'s .py files."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in ("analysis", "bench", "__future__") and top not in sys.stdlib_module_names:
                    found.setdefault(top, path.name)
    return found


def test_every_pin_is_exact_and_every_package_is_pinned_in_one_file():
    """Each line is name==version, and no package is pinned twice (so the files cannot disagree)."""
    pins = {kind: _pins(path) for kind, path in FILES.items()}
    for a, b in (("book", "test"), ("book", "bench"), ("test", "bench")):
        assert not set(pins[a]) & set(pins[b]), f"pinned in both {FILES[a].name} and {FILES[b].name}"
    assert "-e ." in FILES["book"].read_text().splitlines()


def test_the_book_installs_no_test_or_benchmark_tool():
    """requirements.txt (make book) holds none of the test or benchmark stack; those hold their tools."""
    book, test, bench = (_pins(FILES[k]) for k in ("book", "test", "bench"))
    for tool in ("pytest", "hypothesis", "ruff", "mypy", "playwright", "frictionless", "squigglepy", "pyinstrument"):
        assert tool not in book, tool
    # A test may use what the book already installs (pinned once, in requirements.txt).
    assert _declared(PROJECT["optional-dependencies"]["test"]) <= set(test) | set(book)
    assert _declared(PROJECT["optional-dependencies"]["bench"]) <= set(bench)
    assert _declared(PROJECT["dependencies"]) <= set(book)
    assert {"pytest", "hypothesis", "ruff", "mypy", "playwright", "frictionless"} <= set(test)


@pytest.mark.parametrize(
    ("folder", "allowed"),
    [("analysis", ("dependencies",)), ("tests", ("dependencies", "test")), ("benchmarks", ("dependencies", "bench"))],
)
def test_every_third_party_import_is_declared(folder, allowed):
    """What analysis/ imports is a runtime dependency of pyproject.toml; tests and benchmarks may add their extras."""
    declared = set()
    for group in allowed:
        declared |= _declared(PROJECT[group] if group == "dependencies" else PROJECT["optional-dependencies"][group])
    providers = packages_distributions()
    missing = {}
    for module, file in _third_party_imports(REPO_ROOT / folder).items():
        # A module of a package that is not installed here (the benchmark stack under make test) is looked up by name.
        dists = {_normal(d) for d in providers.get(module, [module])}
        if not dists & declared:
            missing[module] = file
    assert not missing, f"imported in {folder}/ but not declared in pyproject.toml {allowed}: {missing}"


def test_the_environment_is_what_the_files_pin():
    """Every installed distribution is pinned, at its installed version, in one of the files (no drift)."""
    pins = {**_pins(FILES["book"]), **_pins(FILES["test"]), **_pins(FILES["bench"])}
    installed = {_normal(d.metadata["Name"]): d.version for d in distributions()}
    unpinned = {
        name: version
        for name, version in installed.items()
        if name not in ("pip", "setuptools", "wheel", _normal(PROJECT["name"])) and pins.get(name) != version
    }
    assert not unpinned, f"installed but not pinned at this version in a requirements file: {unpinned}"
    for name in _pins(FILES["book"]) | _pins(FILES["test"]):
        assert name in installed, f"{name} is pinned for make test but not installed"

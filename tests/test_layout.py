"""Issue 14, item 4: analysis/ in layers that the folder shows, each module small, no private names across modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.paths import PACKAGE_DIR

MODULES = sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)
MAX_LINES = 420  # "no module above about 400 lines"
# What each layer may import from the package: the foundation (data, parameters, paths, formats), then
# models, presentation, the published build, re-runs. Nothing imports a layer above its own.
LAYERS = ["foundation", "models", "present", "pipeline", "reruns"]
FOUNDATION = {"data", "parameters", "paths", "formats", "seeds"}


def layer_of(module: str) -> str:
    """'analysis.models.survival.inputs' -> 'models'; 'analysis.data.schema' -> 'foundation'."""
    part = module.split(".")[1]
    return "foundation" if part in FOUNDATION else part


def imports_of(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.startswith("analysis"):
            found += [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.startswith("analysis")]
    return found


def test_layer_of_names_the_layer():
    assert layer_of("analysis.models.survival.inputs") == "models"
    assert layer_of("analysis.data.schema") == "foundation" and layer_of("analysis.reruns.runs") == "reruns"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_module_is_small(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES, f"{path.name}: split it by topic"


@pytest.mark.parametrize("path", [p for p in MODULES if p.parent != PACKAGE_DIR or p.stem in FOUNDATION],
                         ids=lambda p: str(p.relative_to(PACKAGE_DIR)))  # fmt: skip
def test_no_layer_imports_a_layer_above_it_nor_a_private_name(path):
    module = ".".join(("analysis", *path.relative_to(PACKAGE_DIR).with_suffix("").parts))
    own = LAYERS.index(layer_of(module))
    for imported, line in imports_of(path):
        if imported.count(".") >= 1 and imported.split(".")[1] not in ("__main__",):
            assert LAYERS.index(layer_of(imported)) <= own, f"{module}:{line} imports {imported} from a layer above"
        assert not imported.rsplit(".", 1)[-1].startswith("_") or imported.endswith(".__main__"), (
            f"{module}:{line} imports the private name {imported}"
        )

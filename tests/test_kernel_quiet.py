"""The published build's kernels print nothing to the terminal (issue 13, item 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from analysis.paths import REPO_ROOT

SCRIPT = """
import sys
from analysis.pipeline.execution import execute_one
print(execute_one((sys.argv[1], sys.argv[2], {}, "tiny", sys.argv[3], False)))
"""


def test_a_kernel_executed_notebook_prints_no_eavesdropping_warning(tmp_path: Path) -> None:
    """papermill's kernel over TCP printed "[IPKernelApp] WARNING | Kernel is running over TCP without encryption
    ... susceptible to eavesdropping" for every notebook; over IPC sockets it prints nothing, and leaves none."""
    from jupyter_core.paths import jupyter_runtime_dir

    source, target = tmp_path / "tiny.ipynb", tmp_path / "out" / "tiny.ipynb"
    target.parent.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")]), source)
    runtime = Path(jupyter_runtime_dir())
    before = set(runtime.glob("kernel-*-ipc*")) if runtime.exists() else set()
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(source), str(target), str(tmp_path / "failed")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=180, check=True)  # fmt: skip
    assert done.stdout.strip() == "None", done.stdout + done.stderr
    assert "eavesdropping" not in done.stderr and "IPKernelApp" not in done.stderr, done.stderr
    assert nbformat.read(target, as_version=4).cells[-1].outputs[0]["text"] == "42\n"
    assert set(runtime.glob("kernel-*-ipc*")) <= before  # the sockets went with the kernel

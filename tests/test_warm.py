"""The warm re-run process: answers a re-run in the caller's terminal, never a stale result, ends itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from analysis.paths import REPO_ROOT

pytestmark = pytest.mark.build


def cli(*args: str, build_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GENAI_REPORT_BUILD_DIR=str(build_dir), GENAI_REPORT_WARM="1",
               GENAI_REPORT_WARM_IDLE_SECONDS="120")  # fmt: skip
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=600)  # fmt: skip


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_warm_process_answers_reruns_and_never_a_stale_one(tmp_path):
    build = tmp_path / "build"
    first = cli("run", "business_models", "-p", "cac_multiplier=1.21", "--name", "first", build_dir=build)
    assert first.returncode == 0, first.stderr
    assert "warm re-run process" not in first.stderr
    wait_for(lambda: (build / ".rerun.sock").exists() and (build / ".rerun.pid").exists())
    server = int((build / ".rerun.pid").read_text())
    try:
        second = cli("run", "business_models", "-p", "cac_multiplier=2", "--name", "second", build_dir=build)
        assert second.returncode == 0, second.stderr
        assert "answered by the warm re-run process" in second.stderr
        assert "bm_saas_ltv_to_cac: -20 -> -10" in second.stdout  # the caller's own terminal got the answer
        manifest = json.loads((build / "runs" / "second" / "manifest.json").read_text())
        assert manifest["changed_parameters"] == {"cac_multiplier": 2.0}
        # Bad input through the warm process: exit 2, one line, in the caller's terminal.
        bad = cli("run", "business_models", "-p", "cac_multiplier=50", build_dir=build)
        assert bad.returncode == 2 and bad.stderr.splitlines()[-1].startswith("error: ")
        # A changed notebook, data file or module: the process declines and exits; the caller runs it itself.
        touched = REPO_ROOT / "book" / "intro.md"
        os.utime(touched)
        third = cli("run", "business_models", "-p", "cac_multiplier=2.5", "--name", "third", build_dir=build)
        assert third.returncode == 0, third.stderr
        assert "warm re-run process" not in third.stderr
        if psutil.pid_exists(server):
            _, alive = psutil.wait_procs([psutil.Process(server)], timeout=15)
            assert not alive, "a stale warm process went on"
    finally:
        # The third run starts a fresh warm process (its code is current again): wait until it listens, then stop it.
        deadline = time.monotonic() + 30
        while not (build / ".rerun.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        (build / ".rerun.sock").unlink(missing_ok=True)  # a warm process exits when its socket goes
        for pid_file in [build / ".rerun.pid"]:
            if pid_file.exists():
                pid = int(pid_file.read_text())
                if psutil.pid_exists(pid):
                    process = psutil.Process(pid)
                    family = [process, *process.children(recursive=True)]
                    assert psutil.wait_procs(family, timeout=20)[1] == [], "the warm process outlived its socket"

"""A warm re-run process, so that ``python -m analysis run`` answers in a second or two after the first run.

After a ``run`` finishes, it starts (in the background, once) a process that has imported
everything a chapter needs and listens on a Unix socket in the build folder
(``_build/.rerun.sock``). It keeps one *spare*: a forked copy that has also started the chart
engine and waits for the next request. The next ``run`` sends the spare its arguments, working
directory, environment and its terminal itself (the file descriptors, passed over the socket);
the spare runs the command exactly as ``python -m analysis`` would, in the caller's terminal,
and returns its exit status, while the process forks a new spare. Ctrl-C or ``kill`` of the
caller is passed on to the spare running its command; if the caller dies, the spare stops.

It never serves a stale result: before each request the spare compares the code, data and
notebooks the process started from (the size and modification time of every file of
``analysis/``, ``data/`` and ``book/``) with what is on disk, and when they differ it declines
and the process exits; the caller then runs the command itself and starts a fresh process. The
process ends itself after :data:`IDLE_SECONDS` without a request. ``GENAI_REPORT_WARM=0`` turns
it off (the tests do, except those of this module).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from analysis.paths import REPO_ROOT

IDLE_SECONDS = float(os.environ.get("GENAI_REPORT_WARM_IDLE_SECONDS", "300"))
SOCKET_NAME = ".rerun.sock"
WARM_COMMANDS = ("run",)


def enabled() -> bool:
    return os.environ.get("GENAI_REPORT_WARM", "1") != "0"


def socket_path(build_dir: Path) -> Path:
    return build_dir / SOCKET_NAME


def build_dir_from_environment() -> Path:
    """The build folder, as :mod:`analysis.reruns.runs` computes it, without importing it."""
    return Path(os.environ.get("GENAI_REPORT_BUILD_DIR", REPO_ROOT / "_build")).absolute()


def fingerprint(root: Path = REPO_ROOT) -> str:
    """Size and modification time of every file the process's answers depend on (code, data, notebooks)."""
    parts = []
    for folder in ("analysis", "data", "book"):
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    info = os.stat(path)
                    parts.append(f"{os.path.relpath(path, root)}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


# --- the caller's side --------------------------------------------------------------------------


def _send(connection: socket.socket, message: Mapping[str, Any], fds: list[int] | None = None) -> None:
    data = (json.dumps(message) + "\n").encode()
    if fds:
        socket.send_fds(connection, [data], fds)
    else:
        connection.sendall(data)


def _receive_lines(connection: socket.socket) -> list[dict[str, Any]] | None:
    """The next complete message(s); None when the other side closed the connection."""
    buffer = b""
    while not buffer.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    return [json.loads(line) for line in buffer.decode().splitlines() if line.strip()]


def serve_through_warm_process(argv: list[str]) -> int | None:
    """Run the command in the warm process if one is listening and current; None to run it here.

    Returns the command's exit status.
    """
    if not enabled() or not argv or argv[0] not in WARM_COMMANDS:
        return None
    path = socket_path(build_dir_from_environment())
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        _send(connection, request, [sys.stdin.fileno(), sys.stdout.fileno(), sys.stderr.fileno()])
        first = _receive_lines(connection)
    except (OSError, ValueError):
        connection.close()
        return None
    if not first or "pid" not in first[0]:
        connection.close()
        return None  # stale or busy: run here
    pid = int(first[0]["pid"])

    def pass_on(signum: int, frame: object) -> None:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)

    previous = {s: signal.signal(s, pass_on) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        messages = first[1:]
        while not any("exit" in m for m in messages):
            received = _receive_lines(connection)
            if received is None:
                print("error: the warm re-run process ended without an answer", file=sys.stderr)
                return 1
            messages += received
        return int(next(m["exit"] for m in messages if "exit" in m))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        connection.close()


def start_warm_process() -> None:
    """Start the warm process in the background for this build folder, unless one is running."""
    if not enabled():
        return
    build_dir = build_dir_from_environment()
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(socket_path(build_dir)))
        return  # one is listening
    except OSError:
        pass
    finally:
        probe.close()
    subprocess.Popen(
        [sys.executable, "-m", "analysis.reruns.warm"],
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "GENAI_REPORT_BUILD_DIR": str(build_dir)},
    )


# --- the warm process ---------------------------------------------------------------------------


def _import_everything() -> None:
    """What a chapter and a run import, so a spare starts with it loaded (no thread is started)."""
    import altair  # noqa: F401
    import docutils.core
    import docutils.writers.html5_polyglot  # noqa: F401
    import IPython.core.interactiveshell  # noqa: F401
    import jupyter_client.session  # noqa: F401
    import markdown_it  # noqa: F401
    import myst_nb
    import myst_nb.docutils_  # noqa: F401  (the run's page: about 0.35 s to import)
    import nbformat  # noqa: F401
    import papermill
    import papermill.engines  # noqa: F401
    import scipy.optimize
    import scipy.stats  # noqa: F401
    import vl_convert  # noqa: F401

    import analysis.__main__  # noqa: F401
    from analysis.models import business_models, pricing, survival  # noqa: F401
    from analysis.pipeline import inprocess, sphinx_site  # noqa: F401
    from analysis.present import charts  # noqa: F401
    from analysis.present.chapters import business_models as _bm  # noqa: F401
    from analysis.reruns import runs  # noqa: F401

    inprocess.register_engine()


def _spare(listener: socket.socket, started_from: str, parent: socket.socket) -> None:
    """A forked spare: warm the chart engine, take one request, run it, report its exit status."""
    import vl_convert

    with contextlib.suppress(Exception):  # started here, after the fork: its threads belong to this process
        vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]},
                                    "encoding": {"x": {"field": "x"}}})  # fmt: skip
    connection, _ = listener.accept()
    listener.close()
    message, fds, _, _ = socket.recv_fds(connection, 1_048_576, 3)
    request = json.loads(message.decode().splitlines()[0])
    if fingerprint() != started_from:
        _send(connection, {"stale": True})
        parent.sendall(b"stale\n")
        os._exit(0)
    parent.sendall(b"taken\n")
    parent.close()
    _send(connection, {"pid": os.getpid()})
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the caller's terminal, for the whole of this process
    sys.stdout = open(1, "w", closefd=False, buffering=1)  # noqa: SIM115
    sys.stderr = open(2, "w", closefd=False, buffering=1)  # noqa: SIM115
    os.environ.clear()
    os.environ.update(request["env"], GENAI_REPORT_WARM="0")  # this process answers; it starts no other
    os.chdir(request["cwd"])
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def stop_when_caller_goes() -> None:
        with contextlib.suppress(OSError):
            while connection.recv(1):
                pass
        os.kill(os.getpid(), signal.SIGTERM)  # the caller is gone: stop as if killed, cleaning up

    threading.Thread(target=stop_when_caller_goes, daemon=True).start()
    from analysis.__main__ import main

    print(f"  … answered by the warm re-run process (process {os.getpid()})", file=sys.stderr, flush=True)
    try:
        code = main(request["argv"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the caller closes the connection once it has the answer
    with contextlib.suppress(OSError):
        _send(connection, {"exit": code})
    os._exit(code)


def serve() -> None:
    """The warm process: keep one spare listening until idle or stale; never serves itself."""
    build_dir = build_dir_from_environment()
    started_from = fingerprint()
    _import_everything()
    build_dir.mkdir(parents=True, exist_ok=True)
    path = socket_path(build_dir)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = build_dir / f".rerun-{os.getpid()}.sock"
    listener.bind(str(temporary))
    os.chmod(temporary, 0o600)  # only this user may hand it a command to run
    listener.listen(8)
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
        temporary.unlink()
        return  # another warm process got there first
    except OSError:
        pass
    finally:
        probe.close()
    os.replace(temporary, path)
    own = os.stat(path).st_ino
    (build_dir / ".rerun.pid").write_text(str(os.getpid()))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # spares are reaped automatically
    last_request = time.monotonic()
    failed_spares = 0
    try:
        while failed_spares < 3:
            ours, theirs = socket.socketpair()
            pid = os.fork()
            if pid == 0:
                ours.close()
                try:
                    _spare(listener, started_from, theirs)
                finally:
                    os._exit(1)
            theirs.close()
            ours.settimeout(5.0)
            answer = b""
            while not answer:
                try:
                    answer = ours.recv(64)
                except TimeoutError:
                    gone = not path.exists() or os.stat(path).st_ino != own
                    if gone or time.monotonic() - last_request > IDLE_SECONDS or fingerprint() != started_from:
                        with contextlib.suppress(OSError):
                            os.kill(pid, signal.SIGKILL)
                        return
                    continue
                if not answer:  # the spare died before taking a request
                    break
            ours.close()
            if answer.startswith(b"stale"):
                return
            failed_spares = 0 if answer else failed_spares + 1
            last_request = time.monotonic()
    finally:
        with contextlib.suppress(OSError):
            if os.stat(path).st_ino == own:
                path.unlink()
                (build_dir / ".rerun.pid").unlink()


if __name__ == "__main__":
    serve()

"""Child processes that end with the command that started them: pool workers, kernels, Jupyter Book.

A command stopped by Ctrl-C, ``kill -INT``, ``kill -TERM`` or even ``kill -9`` leaves nothing running:
SIGTERM is turned into :class:`Stopped` (like Ctrl-C), so every ``finally`` block runs and ends the
children (SIGTERM, which a worker answers by ending its own children); pool workers and Jupyter Book
ask Linux to kill them when their parent dies (``PR_SET_PDEATHSIG``). Kernels watch their parent
themselves (ipykernel's parent poller).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


class Stopped(KeyboardInterrupt):
    """The command was asked to stop (SIGTERM); handled like Ctrl-C."""


def die_with_parent(parent_pid: int, signum: int = signal.SIGKILL) -> None:
    """Ask Linux to send ``signum`` to this process when its parent ends; end now if it already has.

    SIGKILL by default: a parent that died without cleaning up (kill -9) cannot wait for its children
    to clean up either, and a Python handler may not run at once; their temporary folders are removed
    by the next command (:func:`analysis.pipeline.folders.remove_stale`), a kernel ends by its own parent poller.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(AttributeError, OSError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(128 + signum)


def end_descendants(timeout_seconds: float = 3.0) -> int:
    """Terminate every process this one started (and theirs), then kill what is left; return how many."""
    import psutil

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return 0
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=timeout_seconds)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=timeout_seconds)
    return len(children)


def _end_worker(signum: int, frame: object) -> None:
    end_descendants(timeout_seconds=2.0)
    os._exit(128 + signum)


def _start_worker(parent_pid: int) -> None:
    # SIGTERM (from the parent, or from Linux when the parent dies) ends the worker and its kernel.
    signal.signal(signal.SIGTERM, _end_worker)
    die_with_parent(parent_pid)


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers end with the command; on any error or interruption they are ended at once.

    (``ProcessPoolExecutor``'s own exit waits for every queued task, so Ctrl-C would not stop it.)
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        end_descendants()
        raise
    pool.shutdown(wait=True)


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(f"stopped by signal {signal.Signals(signum).name}")


@contextlib.contextmanager
def stop_on_terminate() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`Stopped` in the main thread and SIGINT KeyboardInterrupt.

    SIGINT is set even where the parent ignored it (a command started with ``&`` from a script inherits
    SIG_IGN), so ``kill -INT`` stops the command in any case.
    """
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, _raise_stopped),
                signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler)}  # fmt: skip
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def jupyter_book_command(parent_pid: int) -> list[str]:
    """The command that runs Jupyter Book in a child that ends when ``parent_pid`` does."""
    code = (
        "from analysis.pipeline.processes import die_with_parent; "
        f"die_with_parent({parent_pid}); "
        "from jupyter_book.cli.main import main; main()"
    )
    return [sys.executable, "-c", code]

"""Folders written without losing anything: claimed names, temporary folders moved into place, atomic swaps.

Every folder the report writes for a reader (a run, a sweep, a site, an entry of the execution cache)
is written under a temporary name beside its final place and moved into place only when complete.
A name is *claimed* first, with a lock file created exclusively, so two commands never write the same
run; a folder that exists is replaced only when the caller says so, and then in one atomic exchange,
so at every instant the complete old or the complete new folder is in place.

Temporary names carry the writing process's id and start time (``.tmp-PID.START-...``), so the
leftovers of a process that died are recognised and removed by the next command (:func:`remove_stale`),
and never those of a process still running.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TEMPORARY_KINDS = ("tmp", "stage", "old", "lock")
# A command refuses to start with less free space than this where it writes.
MIN_FREE_BYTES = 50 * 2**20
# Temporaries of older versions of the report carry no owner; they count as stale after this long.
UNOWNED_STALE_SECONDS = 3600
_OWNED = re.compile(r"^\.(?:tmp|stage|old)-(\d+)\.(\d+)-")
_UNOWNED = re.compile(r"^\.(?:tmp-|stage-|html-previous-)")


class FolderError(RuntimeError):
    """A folder cannot be claimed or written as asked; the message names it and what to do."""


# --- who owns a temporary ---------------------------------------------------------------------


def _start_ticks(pid: int) -> int:
    """When process ``pid`` started (clock ticks since boot, from /proc); 0 where /proc is absent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    # The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return int(stat.rsplit(")", 1)[1].split()[19])


def process_token(pid: int | None = None) -> str:
    """``PID.START``: names one process, even after its id is reused by another.

    Examples
    --------
    >>> process_token().startswith(f"{os.getpid()}.")
    True
    """
    pid = os.getpid() if pid is None else pid
    return f"{pid}.{_start_ticks(pid)}"


def token_alive(token: str) -> bool:
    """Whether the process a token names is still running.

    Examples
    --------
    >>> token_alive(process_token()), token_alive("999999999.1")
    (True, False)
    """
    pid_text, _, ticks_text = token.partition(".")
    try:
        pid, ticks = int(pid_text), int(ticks_text or 0)
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    return ticks == 0 or _start_ticks(pid) in (0, ticks)


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def make_temporary(parent: Path, kind: str, label: str) -> Path:
    """A new, empty folder ``parent/.KIND-PID.START-LABEL-xxxx``, with the permissions the user's umask gives.

    (``tempfile.mkdtemp`` alone makes it 0700, and the folder keeps that mode when moved into place.)
    """
    if kind not in TEMPORARY_KINDS:
        raise ValueError(f"kind {kind!r} is not one of {TEMPORARY_KINDS}")
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{kind}-{process_token()}-{label[:40]}-", dir=parent))
    folder.chmod(0o777 & ~_umask())
    return folder


def remove_stale(parent: Path) -> list[Path]:
    """Remove the temporaries and lock files in ``parent`` left by processes that are no longer running.

    Returns what was removed. A temporary of a running process, or anything that is not a
    temporary, is left alone.
    """
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir())
    except OSError:
        return removed
    now = time.time()
    for path in entries:
        name = path.name
        if name.startswith(".lock-"):
            stale = not _lock_owner_alive(path)
        elif match := _OWNED.match(name):
            stale = not token_alive(f"{match.group(1)}.{match.group(2)}")
        elif name.startswith(".html-previous-") and name.removeprefix(".html-previous-").isdigit():
            stale = not token_alive(name.removeprefix(".html-previous-"))
        elif _UNOWNED.match(name):
            try:
                stale = now - path.stat().st_mtime > UNOWNED_STALE_SECONDS
            except OSError:
                continue
        else:
            continue
        if stale:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.unlink()
            removed.append(path)
    return removed


# --- claiming a name --------------------------------------------------------------------------


def _lock_owner_alive(lock: Path) -> bool:
    try:
        token = lock.read_text(encoding="utf-8").strip()
    except OSError:
        return True  # cannot tell: leave it
    if not token:
        # Created an instant ago and not yet written, or written by a process that died at once.
        try:
            return time.time() - lock.stat().st_mtime < 60
        except OSError:
            return False
    return token_alive(token)


def _describe_os_error(error: OSError) -> str:
    return error.strerror or type(error).__name__


class Claim:
    """An exclusive claim on ``final``: a lock file ``.lock-NAME`` beside it, created atomically.

    Taken with :func:`claim`; released (the lock file removed) when the ``with`` block ends.
    """

    def __init__(self, final: Path, lock: Path, overwrite: bool):
        self.final, self.lock, self.overwrite = final, lock, overwrite

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            if self.lock.read_text(encoding="utf-8").strip() == process_token():
                self.lock.unlink()

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def claim(final: Path, *, overwrite: bool, what: str = "run", hint: str = "choose another --name") -> Claim:
    """Claim the folder ``final`` for writing, before any work; raise :class:`FolderError` if it is taken.

    It is taken when another running command holds its lock, or when it exists and ``overwrite``
    is false. A file (not a folder) of that name is never replaced. The parent folder must be
    writable and have room: that is checked here too, so a command fails before it starts.
    """
    parent = final.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FolderError(f"cannot create the folder {parent}: {_describe_os_error(error)}") from None
    try:
        free = shutil.disk_usage(parent).free
    except OSError as error:
        raise FolderError(f"cannot use the folder {parent}: {_describe_os_error(error)}") from None
    if free < MIN_FREE_BYTES:
        raise FolderError(
            f"{parent} has {free / 2**20:.0f} MB free, less than the {MIN_FREE_BYTES / 2**20:.0f} MB a "
            f"{what} needs; free some space first"
        )
    lock = parent / f".lock-{final.name}"
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if _lock_owner_alive(lock):
                owner = lock.read_text(encoding="utf-8").strip().partition(".")[0] or "?"
                raise FolderError(
                    f"{what} folder {final} is being written by another command (process {owner}); "
                    f"wait for it to finish or {hint}"
                ) from None
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
            continue
        except OSError as error:
            raise FolderError(f"cannot write in {parent}: {_describe_os_error(error)}") from None
        try:
            os.write(fd, process_token().encode())
        except OSError as error:
            os.close(fd)
            lock.unlink(missing_ok=True)
            raise FolderError(f"cannot write in {parent}: {_describe_os_error(error)}") from None
        os.close(fd)
        break
    else:
        raise FolderError(f"{what} folder {final} is being claimed by another command; {hint}")
    taken = Claim(final, lock, overwrite)
    try:
        if final.is_symlink() or (final.exists() and not final.is_dir()):
            raise FolderError(
                f"{final} is a file, not a {what} folder; it is left as it is: {hint} or move the file away"
            )
        if final.exists() and not overwrite:
            raise FolderError(f"{what} folder {final} already exists; {hint} or pass --overwrite")
    except BaseException:
        taken.release()
        raise
    return taken


# --- moving a finished folder into place ------------------------------------------------------

_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_AT_FDCWD = -100


def _renameat2(source: Path, target: Path, flags: int) -> bool:
    """``renameat2(2)`` with ``flags``; False where the system does not offer it (then the caller falls back)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # not supported by this kernel or file system
    raise OSError(code, os.strerror(code), str(target))


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the file system cannot."""
    return _renameat2(first, second, _RENAME_EXCHANGE)


def move_into_place(work: Path, final: Path, *, replace: bool) -> None:
    """Move the finished folder ``work`` to ``final``.

    Without ``replace`` an existing ``final`` is never touched (:class:`FolderError`). With it, the
    two are exchanged atomically and the old one is deleted afterwards, so at every instant a
    complete folder is at ``final``; where the file system cannot exchange, the old folder is
    renamed aside and restored if the move fails.
    """
    if not (final.exists() or final.is_symlink()):
        try:
            if not _renameat2(work, final, _RENAME_NOREPLACE):
                if final.exists():
                    raise FileExistsError(errno.EEXIST, "File exists", str(final))
                os.rename(work, final)
            return
        except FileExistsError:
            if not replace:
                raise FolderError(f"{final} appeared while this command ran; it is left as it is") from None
    if not replace:
        raise FolderError(f"{final} already exists; it is left as it is")
    if final.is_symlink() or not final.is_dir():
        raise FolderError(f"{final} is a file, not a folder; it is left as it is")
    if exchange(work, final):
        shutil.rmtree(work, ignore_errors=True)  # now holds the old folder
        return
    aside = final.parent / f".old-{process_token()}-{final.name}"
    os.rename(final, aside)
    try:
        os.rename(work, final)
    except BaseException:
        os.rename(aside, final)
        raise
    shutil.rmtree(aside, ignore_errors=True)


@contextlib.contextmanager
def written_in_place(final: Path, *, replace: bool, label: str | None = None) -> Iterator[Path]:
    """A temporary folder beside ``final`` to write into; moved into place when the block ends without error.

    On any error (or interruption) the temporary folder is removed and ``final`` is as it was.
    """
    work = make_temporary(final.parent, "tmp", label or final.name)
    try:
        yield work
        move_into_place(work, final, replace=replace)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def folder_size_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder``."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total

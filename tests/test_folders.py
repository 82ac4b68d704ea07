"""Folders written without losing anything: claims, atomic swaps with injected failures, stale leftovers, umask."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.pipeline import folders
from analysis.pipeline.folders import (
    FolderError,
    claim,
    make_temporary,
    move_into_place,
    remove_stale,
    written_in_place,
)


def dead_token() -> str:
    """The token of a process that has ended (a real one, so its id may be reused only later)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    token = folders.process_token(child.pid)
    child.wait()
    return token


def site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "book").mkdir()
    (folder / "book" / "page.html").write_text(text)
    return folder


def test_a_claimed_name_is_refused_to_a_second_claim_and_free_after(tmp_path):
    """Two commands with the same name: the second is refused while the first holds the lock, not after."""
    final = tmp_path / "runs" / "dup"
    with claim(final, overwrite=False), pytest.raises(FolderError, match="is being written by another command"):
        # The lock holder is alive (this process): a second claim, even with --overwrite, is refused.
        claim(final, overwrite=True)
    assert not (tmp_path / "runs" / ".lock-dup").exists()
    claim(final, overwrite=False).release()


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    (tmp_path / ".lock-run").write_text(dead_token())
    with claim(tmp_path / "run", overwrite=False) as taken:
        assert taken.lock.read_text() == folders.process_token()


def test_an_existing_run_or_a_file_is_never_claimed_without_overwrite(tmp_path):
    (tmp_path / "old").mkdir()
    with pytest.raises(FolderError, match="already exists; choose another --name or pass --overwrite"):
        claim(tmp_path / "old", overwrite=False)
    (tmp_path / "notes").write_text("my notes")
    with pytest.raises(FolderError, match="is a file, not a run folder; it is left as it is"):
        claim(tmp_path / "notes", overwrite=True)
    assert (tmp_path / "notes").read_text() == "my notes"
    assert not list(tmp_path.glob(".lock-*"))


def test_a_full_or_unwritable_folder_is_refused_before_work(tmp_path, monkeypatch):
    monkeypatch.setattr(folders.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(2**30, 2**30, 10 * 2**20))
    with pytest.raises(FolderError, match=r"has 10 MB free, less than the 50 MB a run needs"):
        claim(tmp_path / "run", overwrite=False)
    monkeypatch.undo()
    (tmp_path / "file").write_text("x")
    with pytest.raises(FolderError, match=r"cannot create the folder .*file"):
        claim(tmp_path / "file" / "runs" / "r", overwrite=False)


def test_replacing_swaps_atomically_and_keeps_the_new_complete_folder(tmp_path, monkeypatch):
    """With an atomic exchange the old site is in place until the instant the new one is."""
    final = site(tmp_path / "html", "old")
    new = site(tmp_path / "stage" / "html", "new")
    seen = []
    real_rmtree = folders.shutil.rmtree

    def watching_rmtree(path, *args, **kwargs):
        seen.append((final / "index.html").read_text())  # what a reader sees while the old site is deleted
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(folders.shutil, "rmtree", watching_rmtree)
    move_into_place(new, final, replace=True)
    assert (final / "index.html").read_text() == "new" and (final / "book" / "page.html").read_text() == "new"
    assert seen == ["new"]
    assert not new.exists()


def test_a_failure_between_the_two_renames_restores_the_old_site(tmp_path, monkeypatch):
    """Where the file system cannot exchange, the old site is renamed aside; a failure moving the new one in
    (a kill, an I/O error) puts it back, so _build/html is never missing."""
    final = site(tmp_path / "html", "old")
    new = site(tmp_path / "stage" / "html", "new")
    monkeypatch.setattr(folders, "exchange", lambda a, b: False)
    real_rename = os.rename

    def failing_rename(source, target):
        if Path(source) == new:
            raise OSError(5, "Input/output error", str(target))
        real_rename(source, target)

    monkeypatch.setattr(folders.os, "rename", failing_rename)
    with pytest.raises(OSError, match="Input/output error"):
        move_into_place(new, final, replace=True)
    assert (final / "index.html").read_text() == "old" and (final / "book" / "page.html").read_text() == "old"
    assert not list(tmp_path.glob(".old-*"))


def test_without_replace_an_existing_folder_is_never_touched(tmp_path):
    final = site(tmp_path / "run", "mine")
    with pytest.raises(FolderError, match="already exists"), written_in_place(final, replace=False) as work:
        (work / "index.html").write_text("other")
    assert (final / "index.html").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_stale_temporaries_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    dead = dead_token()
    for name in (f".tmp-{dead}-run-a1", f".stage-{dead}-book-b2", f".old-{dead}-html"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "big.bin").write_bytes(b"x" * 1000)
    (tmp_path / ".lock-run").write_text(dead)
    (tmp_path / ".html-previous-999999999").mkdir()
    mine = make_temporary(tmp_path, "tmp", "live")
    (tmp_path / "kept-run").mkdir()
    removed = remove_stale(tmp_path)
    assert len(removed) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, "kept-run"])


def test_temporaries_follow_the_umask(tmp_path):
    """tempfile.mkdtemp makes 0700 folders; a run folder gets what the user's umask gives (0755 under 022)."""
    previous = os.umask(0o022)
    try:
        assert make_temporary(tmp_path, "tmp", "x").stat().st_mode & 0o777 == 0o755
        os.umask(0o002)
        assert make_temporary(tmp_path, "tmp", "y").stat().st_mode & 0o777 == 0o775
    finally:
        os.umask(previous)

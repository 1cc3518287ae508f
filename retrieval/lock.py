"""One writer at a time for a local index folder, across processes (the app and the CLI).

Chroma's local mode is not safe for two processes writing the same folder at once, and a
Counterpoint app and a `counterpoint index` run in another terminal are exactly that. Every
write to a local index (adding or deleting vectors, dropping or moving the collection) holds
an exclusive `flock` on a file beside the folder (`<folder>.lock`). Reading takes no lock, so
a `counterpoint search` never waits for the app.

Inside one process the lock is counted per folder: nested and concurrent writers of the same
process share it (Chroma itself shares one client per folder inside a process), and the
threads of one process take turns through a per-folder thread lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

WAIT_SECONDS = 120.0  # a writer in another process finishes its batch well within this
_POLL = 0.05


class IndexBusy(RuntimeError):
    """Another process kept the index folder locked for longer than we wait."""


class _FolderLock:
    """The thread lock and the held `flock` of one folder in this process."""

    def __init__(self, path: Path) -> None:
        self.path, self.threads, self.depth, self.handle = path, threading.RLock(), 0, -1


_folders: dict[str, _FolderLock] = {}
_registry = threading.Lock()


def lock_path(folder: Path) -> Path:
    folder = Path(folder)
    return folder.with_name(folder.name + ".lock")


@contextlib.contextmanager
def writing(folder: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the folder's write lock for the block (waiting up to `wait` seconds for it)."""
    folder = Path(folder).resolve()
    with _registry:
        lock = _folders.setdefault(str(folder), _FolderLock(lock_path(folder)))
    with lock.threads:
        if lock.depth == 0:
            lock.handle = _acquire(lock.path, wait)
        lock.depth += 1
        try:
            yield
        finally:
            lock.depth -= 1
            if lock.depth == 0:
                os.close(lock.handle)  # closing the descriptor releases the flock
                lock.handle = -1


def _acquire(path: Path, wait: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _holder(path)
                os.close(handle)
                raise IndexBusy(f"the index is being written by another Counterpoint process"
                                f"{holder}; try again when it has finished") from None
            time.sleep(_POLL)
    os.ftruncate(handle, 0)
    os.write(handle, f"{os.getpid()}\n".encode())
    return handle


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""

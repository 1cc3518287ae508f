"""The corpus lock: one writer at a time across processes and threads."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_POLL_SECONDS = 0.05


@dataclass
class _Holder:
    """This process's hold on one corpus: a thread lock, and the locked folder while held."""

    thread_lock: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    fd: int | None = None


_holders: dict[Path, _Holder] = {}
_holders_guard = threading.Lock()


@contextmanager
def corpus_lock(corpus_dir: Path, timeout: float | None = 120.0) -> Iterator[None]:
    """Hold the corpus exclusively: wrap every read-modify-write of the corpus in it.

    `add_document` takes it around reading the manifest, choosing the id and writing the
    files, so two `counterpoint add` processes, or two uploads in the app, never lose each
    other's documents. Callers may hold it around more (adding then indexing): it is
    re-entrant within a thread, excludes other threads of this process, and excludes other
    processes with `fcntl.flock` on the corpus folder itself. Locking the folder, not a lock
    file in it, leaves nothing behind: a refused add changes no file, and the shipped
    `corpus/` gains no stray file. The kernel drops the lock when its process dies, even by
    `kill -9`, so a crash never leaves the corpus locked. A file system that refuses flock
    on a folder (some network ones) gives a one-line OSError, never an unlocked write.
    Readers need not hold it: every file is replaced whole (see `documents.durable`).
    Raises TimeoutError when another holder keeps it for more than `timeout` seconds.
    """
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    holder = _holder(corpus_dir)
    deadline = None if timeout is None else time.monotonic() + timeout
    if not holder.thread_lock.acquire(timeout=-1 if timeout is None else timeout):
        raise _busy(corpus_dir, timeout)
    try:
        if holder.depth == 0:
            holder.fd = _locked_folder(corpus_dir, deadline, timeout)
        holder.depth += 1
        try:
            yield
        finally:
            holder.depth -= 1
            if holder.depth == 0:
                _release(holder)
    finally:
        holder.thread_lock.release()


def _holder(corpus_dir: Path) -> _Holder:
    with _holders_guard:
        return _holders.setdefault(corpus_dir.resolve(), _Holder())


def _locked_folder(corpus_dir: Path, deadline: float | None, timeout: float | None) -> int:
    """Open the folder and flock it, polling so a stuck holder gives an error, not a hang."""
    fd = os.open(corpus_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise _busy(corpus_dir, timeout) from None
                time.sleep(_POLL_SECONDS)
            except OSError as error:  # e.g. EBADF: flock on a folder over NFS
                raise OSError(error.errno, f"{corpus_dir}: cannot lock the corpus folder "
                                           f"({error.strerror}); keep it on a local disk") from None
    except BaseException:
        os.close(fd)
        raise


def _release(holder: _Holder) -> None:
    fd, holder.fd = holder.fd, None
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _busy(corpus_dir: Path, timeout: float | None) -> TimeoutError:
    return TimeoutError(f"{corpus_dir}: another add has been changing the corpus for over "
                        f"{timeout:g} s; try again when it has finished")

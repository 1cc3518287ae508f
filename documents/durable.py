"""Durable file writes: a file is either its old bytes or its new bytes, even after a crash."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TEMPORARY_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> Path:
    """Replace `path` with `data`: a unique hidden temp file, fsync, then rename over `path`.

    A unique name keeps two writers from writing into one temp file; fsync before the rename
    keeps a power cut from leaving the new name on empty data. A reader sees the old file or
    the new one, never a part. The rename survives a power cut once `fsync_folder` has run:
    callers call it when they choose, since after it a rename can no longer be undone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                     suffix=_TEMPORARY_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; a corpus file is for all to read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def fsync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_temporaries(folder: Path) -> None:
    """Delete temp files a killed writer left; call only while holding the corpus lock."""
    if folder.is_dir():
        for path in folder.glob(f".*{_TEMPORARY_SUFFIX}"):
            path.unlink(missing_ok=True)

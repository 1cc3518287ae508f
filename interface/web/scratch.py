"""Where the web app writes download files: folders under one per-process temporary folder.

Gradio copies a returned file into its own cache (cleaned by `delete_cache`), so the files
written here are needed only until the callback returns. Folders older than an hour are
removed whenever a new one is made, and the whole folder when the process exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from pathlib import Path

MAX_AGE = 3600  # seconds
_ROOT: list[Path] = []  # made on first use: importing this module writes nothing


def scratch_folder(prefix: str) -> Path:
    """A new empty folder for one set of downloads; older ones are removed first."""
    root = scratch_root()
    _prune(root, time.time() - MAX_AGE)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=root))


def scratch_root() -> Path:
    """This process's scratch folder, removed at exit."""
    if not _ROOT:
        root = Path(tempfile.mkdtemp(prefix="counterpoint-web-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _ROOT.append(root)
    return _ROOT[0]


def _prune(root: Path, before: float) -> None:
    for folder in root.iterdir():
        if folder.stat().st_mtime < before:
            shutil.rmtree(folder, ignore_errors=True)

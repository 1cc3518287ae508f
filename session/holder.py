"""`Session`: the embedder, the searcher and the models, each loaded once, on first use.

Creating a Session loads nothing; the first caller that needs the searcher or a model loads
it, and every later caller reuses it. Thread-safe: the app's callbacks share one Session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import retrieval  # called as retrieval.X so tests can substitute a loader
from documents import Document, load_corpus
from retrieval import Embedder, IndexLocation, IndexReport, Searcher

if TYPE_CHECKING:
    from generation import ModelHandle

Log = Callable[[str], None]


def _silent(line: str) -> None:
    """A log that shows nothing."""


class Session:
    """Where the corpus and index live, which model to use, and the loaded parts."""

    def __init__(self, index: IndexLocation, model_cache: Path, llm: str = "local",
                 embedder: Embedder | None = None, models: dict | None = None,
                 log: Log = _silent) -> None:
        """`embedder` and `models` (spec -> loaded handle) are given by tests; others load.
        `log` hears what indexing does (the CLI prints it to stderr)."""
        self.index, self.model_cache, self.llm = index, Path(model_cache), llm
        self._log = log
        self._embedder = embedder
        self._searcher: Searcher | None = None
        self._models: dict[str, ModelHandle] = dict(models or {})
        self._index_lock = threading.RLock()
        self._model_lock = threading.Lock()

    @property
    def corpus_dir(self) -> Path:
        return Path(self.index.corpus_dir)

    def documents(self) -> dict[str, Document]:
        """The corpus as stored now (cheap: the texts are small and parsed on demand)."""
        return {d.doc_id: d for d in load_corpus(self.corpus_dir)}

    def embedder(self) -> Embedder:
        with self._index_lock:
            if self._embedder is None:
                self._embedder = retrieval.load_embedder()
            return self._embedder

    def has_searcher(self) -> bool:
        return self._searcher is not None

    def searcher(self) -> Searcher:
        """The hybrid searcher over the corpus; indexes new passages first if there are any."""
        with self._index_lock:
            if self._searcher is None:
                self._searcher = retrieval.open_searcher(self.index, embedder=self.embedder(),
                                                         log=self._log)
            return self._searcher

    def reindex(self, log: Log = _silent) -> IndexReport:
        """Bring the index up to date with the corpus and reopen the searcher."""
        with self._index_lock:
            self.close()
            log("Loading the embedding model")
            embedder = self.embedder()
            log("Embedding and indexing the new passages")
            report = retrieval.build_index(self.index, embedder, log=log)
            log("Reopening the index")
            self.searcher()
            return report

    def close(self) -> None:
        """Close the searcher (the next call to `searcher` opens it again)."""
        with self._index_lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def has_model(self, spec: str) -> bool:
        return spec in self._models

    def model(self, spec: str | None = None, log: Log = _silent) -> ModelHandle:
        """The model for a provider spec (default: the session's), loaded once."""
        from generation import load_model  # here: searching alone never loads the model stack

        spec = spec or self.llm
        with self._model_lock:
            if spec not in self._models:
                log(f"Loading the model ({spec}); the first time takes a while")
                self._models[spec] = load_model(spec, self.model_cache)
            return self._models[spec]

    def warm_up(self, log: Log = print) -> None:
        """Load the searcher and the default model ahead of the first question (`serve` runs
        this in a background thread while the server starts). A failure is only reported:
        the first caller that needs the part meets the same error and shows it."""
        try:
            self.searcher().search("warm up", k=1)
            self.model()
            log("Counterpoint is ready: the index and the model are loaded.")
        except Exception as error:  # the callbacks show it again, in the page
            log(f"Warm-up stopped: {error}")

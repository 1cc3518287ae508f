"""`Session`: the embedder, the searcher and the models, each loaded once, on first use.

Creating a Session loads nothing; the first caller that needs the searcher or a model loads
it, and every later caller reuses it. Thread-safe: the app's callbacks share one Session.
"""

from __future__ import annotations

import threading
import time
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


class _Stopped(Exception):
    """Raised inside background embedding when the session closes."""


class Session:
    """Where the corpus and index live, which model to use, and the loaded parts."""

    def __init__(self, index: IndexLocation, model_cache: Path, llm: str = "local",
                 embedder: Embedder | None = None, models: dict | None = None,
                 log: Log = _silent, llm_timeout: float = 120.0,
                 background_indexing: bool = False, data_dir: Path | None = None) -> None:
        """`embedder` and `models` (spec -> loaded handle) are given by tests; others load.
        `log` hears what indexing does (the CLI prints it to stderr); `llm_timeout` is how
        long a remote model server may stay silent. With `background_indexing` (the app),
        passages without a vector are embedded by a background thread while BM25 already
        finds them, so a big corpus never holds the first question for minutes.
        `data_dir` holds what users save (map corrections); by default the model cache's
        parent, as in `Settings`."""
        self.index, self.model_cache, self.llm = index, Path(model_cache), llm
        self.data_dir = Path(data_dir) if data_dir is not None else self.model_cache.parent
        self.llm_timeout = llm_timeout
        self.background_indexing = background_indexing
        self._log = log
        self._embedder = embedder
        self._searcher: Searcher | None = None
        self._models: dict[str, ModelHandle] = dict(models or {})
        self._index_lock = threading.RLock()
        self._model_lock = threading.Lock()
        self._embed_lock = threading.Lock()  # one background embedding run at a time
        self._embedding: threading.Thread | None = None
        self._stop = threading.Event()
        self._embed_error: str | None = None

    @property
    def corpus_dir(self) -> Path:
        return Path(self.index.corpus_dir)

    @property
    def corrections_dir(self) -> Path:
        """Where users' corrections of pro/con maps are saved, one file per proposition."""
        return self.data_dir / "corrections"

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
                self._searcher = retrieval.open_searcher(
                    self.index, embedder=self.embedder(), log=self._log,
                    embed_missing=not self.background_indexing)
                if self.background_indexing and self._searcher.pending():
                    self._embed_in_background()
            return self._searcher

    def reindex(self, log: Log = _silent, background: bool = False) -> IndexReport:
        """Bring the index up to date with the corpus and swap in a new searcher.

        The old searcher is not closed: an answer in progress keeps using it (it shares the
        open index), and the next caller of `searcher()` gets the new one. With `background`,
        the new searcher is returned before its new passages are embedded: BM25 finds them at
        once, and a background thread embeds them (`index_status` says how far it got).
        """
        with self._index_lock:
            started = time.perf_counter()
            if self._searcher is None:
                log("Opening the index")
                old = retrieval.open_searcher(self.index, embedder=self.embedder(), log=log,
                                              embed_missing=False)
            else:
                old = self._searcher
            log("Reading the corpus")
            new = retrieval.searcher_over(old.store, self.index, self.embedder())
            existing = old.store.ids()
            removed = retrieval.remove_stale(old.store, existing - {p.id for p in new.passages})
            missing = sum(1 for p in new.passages if p.id not in existing)
            self._searcher = new
            embedded = 0
            if background and missing:
                self._embed_in_background()
            elif missing:
                log(f"Embedding {missing} new passages")
                embedded = retrieval.embed_pending(
                    new, lambda done, total: log(f"Embedding passages ({done} of {total})"))
            return IndexReport(old.store.location, len(new.passages), embedded, removed,
                               old.store.rebuilt, time.perf_counter() - started,
                               pending=missing - embedded)

    def _embed_in_background(self) -> None:
        thread = threading.Thread(target=self._embed_newest, name="counterpoint-embedding",
                                  daemon=True)
        self._embedding = thread
        thread.start()

    def _embed_newest(self) -> None:
        """Embed what the newest searcher still lacks (runs in the background thread)."""
        def check(done: int, total: int) -> None:
            if self._stop.is_set():
                raise _Stopped

        with self._embed_lock:
            searcher = self._searcher
            if searcher is None or self._stop.is_set():
                return
            try:
                retrieval.embed_pending(searcher, check)
                self._embed_error = None
            except _Stopped:
                return
            except Exception as error:  # shown by index_status; the next reindex retries
                self._embed_error = str(error).strip().splitlines()[0] if str(error) else \
                    type(error).__name__
                self._log(f"Background embedding stopped: {self._embed_error}")

    def index_status(self) -> dict:
        """Passages in the searcher, how many still lack a vector, and whether embedding runs."""
        searcher = self._searcher
        if searcher is None:
            return {"passages": None, "pending": None, "embedding": False, "error": None}
        running = self._embedding is not None and self._embedding.is_alive()
        return {"passages": len(searcher.passages), "pending": searcher.pending(),
                "embedding": running, "error": self._embed_error}

    def wait_for_embedding(self, timeout: float | None = None) -> bool:
        """Block until background embedding is done; False if it still runs after `timeout`."""
        thread = self._embedding
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def close(self) -> None:
        """Stop background embedding after its batch and close the index (the next call to
        `searcher` opens it again)."""
        self._stop.set()
        self.wait_for_embedding()
        self._stop.clear()
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
                self._models[spec] = load_model(spec, self.model_cache,
                                                timeout=self.llm_timeout)
            return self._models[spec]

    def warm_up(self, log: Log = print) -> None:
        """Load the searcher and the default model ahead of the first question (`serve` runs
        this in a background thread while the server starts). A failure is only reported:
        the first caller that needs the part meets the same error and shows it."""
        try:
            searcher = self.searcher()
            searcher.search("warm up", k=1)
            self.model()
            if searcher.pending():
                log(f"Embedding {searcher.pending()} passages in the background; keyword "
                    "search finds them meanwhile.")
                self.wait_for_embedding()
            log("Counterpoint is ready: the index and the model are loaded.")
        except Exception as error:  # the callbacks show it again, in the page
            log(f"Warm-up stopped: {error}")

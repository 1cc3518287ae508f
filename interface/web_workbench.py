"""What the app's callbacks share in one process: settings, the index and models, loaded lazily.

Building the app creates a Workbench and loads nothing; the first callback that needs the
searcher or a model loads it once, and every later callback reuses it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from documents import Document, load_corpus
from interface.settings import Settings

Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that shows nothing (plain calls and tests)."""


def required_text(text: str | None, example: str) -> str:
    """The text with its whitespace collapsed; an empty one is a clear error with an example."""
    text = " ".join((text or "").split())
    if not text:
        raise ValueError(example)
    return text


@dataclass(frozen=True)
class Preferences:
    """One browser session's choices from the Settings tab."""

    llm: str = "local"
    k: int = 6
    include_comments: bool = True
    map_passages: int = 16  # passages judged per map (arguments.maps.MAX_CANDIDATES)

    @classmethod
    def of(cls, settings: Settings) -> Preferences:
        return cls(llm=settings.llm, k=settings.k, include_comments=settings.include_comments)


class Workbench:
    """Settings plus the embedder, the searcher and the models, each loaded on first use."""

    def __init__(self, settings: Settings, embedder=None, models: dict | None = None):
        """`embedder` and `models` (spec -> loaded handle) are given by tests; the app loads."""
        self.settings = settings
        self._embedder = embedder
        self._searcher = None
        self._models: dict[str, object] = dict(models or {})
        self._index_lock = threading.RLock()
        self._model_lock = threading.Lock()

    def documents(self) -> dict[str, Document]:
        """The corpus as stored now (cheap: the texts are small and parsed on demand)."""
        return {d.doc_id: d for d in load_corpus(self.settings.corpus_dir)}

    def embedder(self):
        with self._index_lock:
            if self._embedder is None:
                from retrieval import load_embedder

                self._embedder = load_embedder()
            return self._embedder

    def searcher(self, progress: Progress = no_progress):
        """The hybrid searcher over the corpus; indexes new passages first if there are any."""
        with self._index_lock:
            if self._searcher is None:
                from retrieval import open_searcher

                progress(0.05, "Loading the embedding model")
                embedder = self.embedder()
                progress(0.15, "Opening the index")
                self._searcher = open_searcher(self.settings, embedder=embedder,
                                               log=lambda line: progress(0.2, line))
            return self._searcher

    def reindex(self, progress: Progress = no_progress):
        """Bring the index up to date with the corpus and reopen the searcher."""
        from retrieval import build_index

        with self._index_lock:
            self.close_searcher()
            progress(0.3, "Loading the embedding model")
            embedder = self.embedder()
            progress(0.5, "Embedding and indexing the new passages")
            report = build_index(self.settings, embedder, log=lambda line: progress(0.6, line))
            progress(0.9, "Reopening the index")
            self.searcher()
            return report

    def close_searcher(self) -> None:
        with self._index_lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def warm_up(self, log: Callable[[str], None] = print) -> None:
        """Load the searcher and the default model ahead of the first question (`serve` runs
        this in a background thread while the server starts). A failure is only reported:
        the first callback that needs the part meets the same error and shows it."""
        try:
            self.searcher().search("warm up", k=1)
            self.model(self.settings.llm)
            log("Counterpoint is ready: the index and the model are loaded.")
        except Exception as error:  # the callbacks show it again, in the page
            log(f"Warm-up stopped: {error}")

    def judging_tools(self, preferences: Preferences, progress: Progress, searching: str):
        """(model, searcher) for a tab that judges passages: the model reports each call as
        progress, and the searcher is opened after it."""
        progress(0.02, "Loading the model")
        model = ProgressModel(self.model(preferences.llm), progress)
        progress(0.1, searching)
        return model, self.searcher()

    def has_model(self, spec: str) -> bool:
        return spec in self._models

    def model(self, spec: str, progress: Progress = no_progress):
        """The model for a provider spec (local, ollama:NAME, openai:NAME@URL), loaded once."""
        with self._model_lock:
            if spec not in self._models:
                from generation import load_model

                progress(0.2, f"Loading the model ({spec}); the first time takes a while")
                self._models[spec] = load_model(spec, replace(self.settings, llm=spec))
            return self._models[spec]


class ProgressModel:
    """A model handle that reports each model call as progress (maps, positions)."""

    def __init__(self, model, progress: Progress):
        self._model, self._progress, self.calls = model, progress, 0

    def __getattr__(self, name):
        return getattr(self._model, name)

    def _tick(self) -> None:
        self.calls += 1
        self._progress(0.2 + 0.6 * (1 - 1 / (1 + self.calls / 15)),
                       f"Judging passages for and against ({self.calls} model calls)")

    def label_probabilities(self, messages, labels):
        self._tick()
        return self._model.label_probabilities(messages, labels)

    def reply(self, messages, *args, **kwargs):
        self._tick()
        return self._model.reply(messages, *args, **kwargs)

    def limited(self, max_tokens: int):
        self._tick()
        return self._model.limited(max_tokens)


@dataclass(frozen=True)
class TabContext:
    """What every tab builder gets: the workbench, the session's state and queue options."""

    workbench: Workbench
    preferences: object  # gr.State holding Preferences
    session_log: object  # gr.State holding the audit rows of this session
    model_queue: dict  # event options that put model calls in one shared queue slot
    loaders: list = field(default_factory=list)  # (fn, outputs) to run when a page loads

    def on_page_load(self, fn, outputs) -> None:
        self.loaders.append((fn, outputs))

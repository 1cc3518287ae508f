"""What every tab gets: the process's Session, the browser session's preferences, queue options.

Building the app creates a Session and loads nothing; the first callback that needs the
searcher or a model loads it once, and every later callback reuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from interface.settings import Settings
from session import Session

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


def judging_tools(session: Session, preferences: Preferences, progress: Progress,
                  searching: str):
    """(model, searcher) for a tab that judges passages: the model reports each call as
    progress, and the searcher is opened after it."""
    progress(0.02, "Loading the model")
    model = ProgressModel(session.model(preferences.llm), progress)
    progress(0.1, searching)
    return model, session.searcher()


def searcher_with_progress(session: Session, progress: Progress):
    """The session's searcher, its loading steps shown as progress."""
    return session.searcher(lambda line: progress(0.2, line))


def reindex_with_progress(session: Session, progress: Progress):
    """Re-index the session's corpus, its steps shown as progress."""
    return session.reindex(lambda line: progress(0.6, line))


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
    """What every tab builder gets: the Session, the browser session's state and queue options."""

    session: Session
    defaults: Preferences  # the operator's settings, before a browser session changes them
    preferences: object  # gr.State holding Preferences
    session_log: object  # gr.State holding the audit rows of this session
    model_queue: dict  # event options that put model calls in one shared queue slot
    loaders: list = field(default_factory=list)  # (fn, outputs) to run when a page loads

    def on_page_load(self, fn, outputs) -> None:
        self.loaders.append((fn, outputs))

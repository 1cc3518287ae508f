"""What every tab gets: the process's Session, the browser session's preferences, queue options.

Building the app creates a Session and loads nothing; the first callback that needs the
searcher or a model loads it once, and every later callback reuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from arguments.maps import MAX_CANDIDATES
from generation import Progress as StepProgress  # (step, detail), as the pipeline reports it
from interface.settings import Settings
from session import Session

Progress = Callable[[float, str], None]  # (fraction done, message), as the page shows it
_COUNT = re.compile(r"(\d+) of (\d+)")


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
    map_passages: int = MAX_CANDIDATES  # passages per map, as `counterpoint map` uses

    @classmethod
    def of(cls, settings: Settings) -> Preferences:
        return cls(llm=settings.llm, k=settings.k, include_comments=settings.include_comments)


def judging_tools(session: Session, preferences: Preferences, progress: Progress,
                  searching: str):
    """(model, searcher) for a tab that judges passages, loading each with a progress line."""
    progress(0.02, "Loading the model")
    model = session.model(preferences.llm)
    progress(0.1, searching)
    return model, session.searcher()


def step_progress(progress: Progress, steps: dict[str, tuple[float, float, str]]
                  ) -> StepProgress:
    """A pipeline's (step, detail) reports shown as (fraction, message) on the page.

    `steps` maps a step name to (fraction at its start, at its end, message); a detail such
    as "passage 3 of 12" places the bar between the two and is shown after the message.
    Steps not in `steps` show nothing, and the bar never moves back.
    """
    shown = [0.0]

    def report(step: str, detail: str) -> None:
        if step in steps:
            start, end, message = steps[step]
            shown[0] = max(shown[0], start + (end - start) * done_share(detail))
            progress(shown[0], f"{message} ({detail})" if detail else message)

    return report


def done_share(detail: str) -> float:
    """The share of the work done before the counted item starts: "document 2 of 4,
    passage 3 of 5" is 1/4 + 2/20 = 0.35 (each count nests in the one before)."""
    share, scale = 0.0, 1.0
    for number, total in _COUNT.findall(detail):
        scale /= max(int(total), 1)
        share += (int(number) - 1) * scale
    return share


def reindex_with_progress(session: Session, progress: Progress):
    """Re-index the session's corpus, its steps shown as progress.

    New passages are searchable by keyword at once and embedded in the background, so a large
    upload never holds the page (or other users' questions) for minutes.
    """
    return session.reindex(lambda line: progress(0.6, line), background=True)


@dataclass(frozen=True)
class TabContext:
    """What every tab builder gets: the Session, the browser session's state and queue options."""

    session: Session
    defaults: Preferences  # the operator's settings, before a browser session changes them
    preferences: object  # gr.State holding Preferences
    session_log: object  # gr.State holding the audit rows of this session
    model_queue: dict  # event options that put model calls in one shared queue slot
    models: dict[str, str] = field(default_factory=dict)  # name -> spec the operator offers
    loaders: list = field(default_factory=list)  # (fn, outputs) to run when a page loads

    def on_page_load(self, fn, outputs) -> None:
        self.loaders.append((fn, outputs))

"""Named pipeline steps: seconds per step, and a callback told when each step starts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# (step name, detail such as "passage 3 of 12" or ""): the steps a pipeline times.
Progress = Callable[[str, str], None]


def no_progress(step: str, detail: str) -> None:
    """A progress callback that ignores every step (plain calls and tests)."""


class Stopwatch:
    """Seconds per named step, accumulated; `progress` hears when each step starts."""

    def __init__(self, progress: Progress = no_progress) -> None:
        self.seconds: dict[str, float] = {}
        self._progress = progress
        self._started = time.perf_counter()

    @contextmanager
    def __call__(self, step: str, detail: str = "") -> Iterator[None]:
        self.started(step, detail)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(step, time.perf_counter() - start)

    def started(self, step: str, detail: str = "") -> None:
        """Report that `step` starts (for a step timed by hand with `add`)."""
        self._progress(step, detail)

    def add(self, step: str, seconds: float) -> None:
        self.seconds[step] = self.seconds.get(step, 0.0) + seconds

    def total(self) -> dict[str, float]:
        """The seconds per step so far, and the seconds since the stopwatch was made."""
        return {**self.seconds, "total": time.perf_counter() - self._started}

"""The README's Reliability table, written from a test run so it claims only what tests showed.

A test marked `@pytest.mark.reliability(area, tried, held)` is one row. When the environment
variable COUNTERPOINT_RELIABILITY names a file, the session's outcomes are written there as a
Markdown table; a row says "held" only if every case of that test function passed.
"""

from __future__ import annotations

import datetime
import os
import shlex
from collections import Counter
from pathlib import Path

import pytest

ENVIRONMENT = "COUNTERPOINT_RELIABILITY"
AREAS = ("load", "faults", "bad input", "attacks")


def register(config: pytest.Config) -> None:
    """Start recording when COUNTERPOINT_RELIABILITY names a file; otherwise do nothing."""
    if os.environ.get(ENVIRONMENT):
        config.pluginmanager.register(ReliabilityTable(Path(os.environ[ENVIRONMENT]), config))


def _fields(test: str, area: str, tried: str, held: str) -> tuple[str, str, str]:
    if area not in AREAS:
        raise pytest.UsageError(f"{test}: reliability area must be one of {AREAS}, not {area!r}")
    return area, tried, held


def _status(result: str) -> str:
    """The worst thing a row's result says, for the count line."""
    worst = {"FAILED": "failed", "xfail": "failed", "skipped": "skipped", "not run": "not run"}
    return next((status for word, status in worst.items() if word in result), "held")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


class ReliabilityTable:
    """Collects marked tests and their outcomes; writes the table when the session ends."""

    def __init__(self, path: Path, config: pytest.Config):
        self.path, self.config = path, config
        self.rows: dict[str, tuple[str, str, str]] = {}  # test function -> area, tried, held
        self.outcomes: dict[str, str] = {}  # test case (node id) -> its outcome

    @pytest.hookimpl(tryfirst=True)  # before -m / -k deselect: those rows say "not run"
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if mark := item.get_closest_marker("reliability"):
                test = item.nodeid.split("[")[0]
                self.rows.setdefault(test, _fields(test, *mark.args, **mark.kwargs))
                self.outcomes[item.nodeid] = "not run"

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.outcomes.get(report.nodeid, "FAILED") == "FAILED":
            return  # not marked, or already failed (a teardown error cannot undo that)
        if report.failed or hasattr(report, "wasxfail"):
            self.outcomes[report.nodeid] = "FAILED" if report.failed else "xfail"
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            self.outcomes[report.nodeid] = "skipped: " + reason.removeprefix("Skipped: ")
        elif report.when == "call":
            self.outcomes[report.nodeid] = "passed"

    def result(self, test: str) -> str:
        """Held only if every case of the test function passed; otherwise what the others did."""
        cases = [o for node, o in self.outcomes.items() if node.split("[")[0] == test]
        if set(cases) == {"passed"}:
            return "held" if len(cases) == 1 else f"held (all {len(cases)} cases)"
        others = Counter(o for o in cases if o != "passed")
        if len(cases) == 1:
            return cases[0]
        return "; ".join(f"{o} ({n} of {len(cases)} cases)" for o, n in others.items())

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        order = list(self.rows)
        tests = sorted(order, key=lambda t: (AREAS.index(self.rows[t][0]), order.index(t)))
        results = {test: self.result(test) for test in tests}
        command = shlex.join(["pytest", *self.config.invocation_params.args])
        lines = [f"Produced by `{command}` on {datetime.date.today().isoformat()}.", "",
                 "| area | what was tried | what held | result | test |", "|---|---|---|---|---|"]
        lines += [f"| {' | '.join(_cell(f) for f in self.rows[t])} | {_cell(results[t])} "
                  f"| `{t}` |" for t in tests]
        counts = Counter(_status(r) for r in results.values())
        lines += ["", f"{len(tests)} tests ({len(self.outcomes)} cases): " + ", ".join(
            f"{counts[s]} {s}" for s in ("held", "failed", "skipped", "not run"))]
        if exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            lines.append(f"The run stopped early (exit status {int(exitstatus)}).")
        self.path.write_text("\n".join(lines) + "\n", "utf-8")

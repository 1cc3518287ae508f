"""The Reliability table plugin (tests/reliability.py) reports what a run showed, nothing more:
a failed, skipped or deselected test is never "held"."""

from __future__ import annotations

import datetime
import textwrap

import pytest
from reliability import ENVIRONMENT

pytest_plugins = ["pytester"]

# The wiring tests/conftest.py uses, in a throwaway project with the marker registered.
CONFTEST = "import reliability\n\ndef pytest_configure(config):\n    reliability.register(config)\n"
INI = "[pytest]\nmarkers =\n    reliability(area, tried, held): a row\n    llm: the model\n"
TESTS = textwrap.dedent("""
    import pytest

    def test_unmarked():
        pass

    @pytest.mark.reliability("attacks", "a planted | pipe", "nothing was obeyed")
    @pytest.mark.parametrize("n", [1, 2])
    def test_breaks(n):
        assert n == 1

    @pytest.mark.reliability("faults", "the server stopped", "one clear line")
    @pytest.mark.parametrize("n", [1, 2, 3])
    def test_holds(n):
        pass

    @pytest.mark.reliability("load", "eight users", "verbatim citations")
    def test_skipped():
        pytest.skip("no model here")

    @pytest.mark.reliability("bad input", "a corrupt PDF", "refused in one line")
    @pytest.mark.llm
    def test_deselected():
        pass
""")


@pytest.fixture()
def project(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    pytester.makepyfile(test_tiny=TESTS)
    return pytester


def test_the_table_has_one_row_per_marked_test_and_says_held_only_when_all_cases_passed(
        project, monkeypatch):
    table = project.path / "reliability.md"
    monkeypatch.setenv(ENVIRONMENT, str(table))
    run = project.runpytest("--strict-markers", "-p", "no:cacheprovider", "-m", "not llm")
    run.assert_outcomes(passed=5, failed=1, skipped=1, deselected=1)
    lines = table.read_text("utf-8").splitlines()
    assert lines[0].startswith("Produced by `pytest --strict-markers -p no:cacheprovider -m "
                               "'not llm' --basetemp=")  # pytester adds --basetemp
    assert lines[0].endswith("` on " + datetime.date.today().isoformat() + ".")
    assert lines[2:] == [
        "| area | what was tried | what held | result | test |",
        "|---|---|---|---|---|",
        "| load | eight users | verbatim citations | skipped: no model here "
        "| `test_tiny.py::test_skipped` |",
        "| faults | the server stopped | one clear line | held (all 3 cases) "
        "| `test_tiny.py::test_holds` |",
        "| bad input | a corrupt PDF | refused in one line | not run "
        "| `test_tiny.py::test_deselected` |",
        "| attacks | a planted \\| pipe | nothing was obeyed | FAILED (1 of 2 cases) "
        "| `test_tiny.py::test_breaks` |",
        "",
        "4 tests (7 cases): 1 held, 1 failed, 1 skipped, 1 not run",
    ]


def test_without_the_variable_nothing_is_written(project, monkeypatch):
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=6, failed=1, skipped=1)
    assert sorted(p.name for p in project.path.iterdir()) == ["conftest.py", "test_tiny.py",
                                                              "tox.ini"]


def test_an_unknown_area_stops_the_run(project, monkeypatch):
    monkeypatch.setenv(ENVIRONMENT, str(project.path / "reliability.md"))
    project.makepyfile(test_tiny=TESTS.replace('"faults"', '"speed"'))
    run = project.runpytest("-p", "no:cacheprovider")
    assert run.ret == pytest.ExitCode.USAGE_ERROR
    run.stderr.fnmatch_lines(["*reliability area must be one of*not 'speed'*"])

"""Evaluation stage: every figure in the README, measured on the dev set and ArgKP, with how it
was made (`run` runs the sections, `provenance` records the setup, `markdown` renders tables)."""

from evaluation.markdown import (
    check_readme,
    render_markdown,
    render_tables,
    update_readme,
    write_report,
)
from evaluation.run import EvalOptions, Metric, Section, evaluate_all, run_section

__all__ = [
    "EvalOptions",
    "Metric",
    "Section",
    "check_readme",
    "evaluate_all",
    "render_markdown",
    "render_tables",
    "run_section",
    "update_readme",
    "write_report",
]

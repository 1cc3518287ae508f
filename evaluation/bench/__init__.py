"""Benchmarks: `counterpoint bench` runs them all (`run_all`); `retrieval` and `memory` also
run alone as `python -m evaluation.bench.<name>`."""

from evaluation.bench.run import render_markdown, render_tables, run_all

__all__ = ["render_markdown", "render_tables", "run_all"]

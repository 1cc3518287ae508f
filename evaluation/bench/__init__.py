"""Benchmarks that `counterpoint bench` and `python -m benchmarks.<name>` run."""

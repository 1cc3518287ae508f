"""The `counterpoint` command: one module per command group, each a thin adapter."""

from interface.cli.main import build_parser, main

__all__ = ["build_parser", "main"]

"""Argument types and output helpers every command group shares."""

from __future__ import annotations

import argparse
import json


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def print_json(value) -> None:
    """Print a JSON document to stdout (UTF-8, readable)."""
    print(json.dumps(value, ensure_ascii=False, indent=2))

"""Argument types, output helpers and the session every command group shares."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from interface.settings import Settings, session_of


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


@contextmanager
def opened(settings: Settings) -> Iterator:
    """The Session the settings name (parts load on first use), closed when the command ends."""
    session = session_of(settings, log=_stderr)
    try:
        yield session
    finally:
        session.close()


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)

"""Argument types, output helpers and the session every command group shares."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from interface.settings import Settings, session_of

# Terminal control characters (C0 but tab and newline, DEL, C1): from a document they could
# move the cursor, clear the screen or retitle the window. json.dumps escapes C0 only.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_CONTROL = re.compile("[\x7f-\x9f]")


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
    """Print a JSON document to stdout (UTF-8, readable, no raw control character)."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    print(_JSON_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def terminal_text(text: str) -> str:
    """Text safe to print: each control character shown as a visible \\xNN escape."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def print_text(text: str = "", **options) -> None:
    """Print text that may come from documents or a model (see terminal_text)."""
    print(terminal_text(text), **options)


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

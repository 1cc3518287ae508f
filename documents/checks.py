"""Checks of the numbers callers pass in (an API, a form field, a CLI option)."""

from __future__ import annotations

import operator


def whole_number(value, largest: int, what: str) -> int:
    """`value` as an int; ValueError naming `what` unless it is a whole number from 1 to
    `largest` (ints and numpy ints pass; floats, strings, bools and None do not)."""
    try:
        number = operator.index(value)
    except TypeError:
        number = None
    if number is None or isinstance(value, bool) or not 1 <= number <= largest:
        raise ValueError(f"{what} must be a whole number from 1 to {largest}, not {value!r}")
    return number

"""Sentence splitting with character offsets."""

from __future__ import annotations

import re

# Words whose trailing period does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "u.s", "u.k", "u.n", "e.u", "approx", "e.g", "i.e", "mr", "mrs", "ms", "dr", "st",
        "vs", "no", "gen", "col", "lt", "sgt", "gov", "sen", "rep", "jan", "feb", "mar",
        "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co",
        "corp", "fig", "cf", "al", "jr", "sr", "prof", "mt", "ft", "est",
    }
)

# A candidate boundary: terminal punctuation, closing quotes/brackets, footnote markers.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?:\[\d+\])*")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[\"“‘'(\[]?[A-Z0-9]")


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` closes an abbreviation or an initial."""
    match = re.search(r"([A-Za-z.]+)$", text[:dot])
    if not match:
        return False
    word = match.group(1).lower().strip(".")
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1  # an initial such as "J." in "J. Smith"


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences; return (start, end) offsets with no outer spaces."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _END.finditer(text, start, end):
        follow = _NEXT_STARTS_SENTENCE.match(text, match.end(), end)
        if not follow:
            continue
        if text[match.start()] == "." and _ends_with_abbreviation(text, match.start()):
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[0] < s[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

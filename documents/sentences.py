"""Sentence splitting with character offsets, in linear time and for any script."""

from __future__ import annotations

import re
import unicodedata

# Words whose trailing period does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "u.s", "u.k", "u.n", "e.u", "approx", "e.g", "i.e", "mr", "mrs", "ms", "dr", "st",
        "vs", "no", "gen", "col", "lt", "sgt", "gov", "sen", "rep", "jan", "feb", "mar",
        "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co",
        "corp", "fig", "cf", "al", "jr", "sr", "prof", "mt", "ft", "est",
    }
)

# Full stops of Chinese and Japanese end a sentence whatever follows (no space, no capitals).
_CJK_ENDS = "。！？｡"
# A candidate boundary: terminal punctuation, closing quotes/brackets, footnote markers.
_CLOSERS = "\"'”’»›)]」』）】》"
_END = re.compile(rf"[.!?{_CJK_ENDS}]+[{re.escape(_CLOSERS)}]*(?:\[\d+\])*")
# After a Latin full stop a sentence starts after white space, perhaps an opening quote.
_NEXT_WORD = re.compile(r"\s+[\"“‘'(\[«„‚‹¿¡「『（【《]?(\w)")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences; return (start, end) offsets with no outer spaces."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _END.finditer(text, start, end):
        if _is_boundary(text, match, end):
            spans.append((cursor, match.end()))
            cursor = match.end()
    spans.append((cursor, end))
    return [s for s in (_strip(text, a, b) for a, b in spans) if s[0] < s[1]]


def _is_boundary(text: str, match: re.Match, end: int) -> bool:
    """True when the punctuation in `match` ends a sentence."""
    if any(c in _CJK_ENDS for c in match.group()):
        # 「…。」と言った: a quoted sentence the text runs on from is not a boundary.
        runs_on = match.end() < end and text[match.end()].isalpha()
        return not (match.group()[-1] in _CLOSERS and runs_on)
    follow = _NEXT_WORD.match(text, match.end(), end)
    if not follow or not _starts_sentence(follow.group(1)):
        return False
    return text[match.start()] != "." or not _ends_with_abbreviation(text, match.start())


def _starts_sentence(char: str) -> bool:
    """An uppercase letter or a digit in any script, or a letter of a script without case."""
    return (char.isupper() or char.istitle() or char.isdecimal()
            or unicodedata.category(char) == "Lo")


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` closes an abbreviation or an initial."""
    # Scan back only over the word before the dot (letters and dots), never the whole text:
    # the words before two candidate dots never overlap, so the splitter stays linear.
    begin = dot
    while begin > 0 and (text[begin - 1] == "." or text[begin - 1].isalpha()):
        begin -= 1
    word = text[begin:dot].lower().strip(".")
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1 and word.upper() != word  # an initial such as "J." in "J. Smith"


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

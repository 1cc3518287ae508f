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
_CLOSERS = "\"'”’»›)]」』）】》"
_TAIL = rf"[{re.escape(_CLOSERS)}]*(?:\[\d+\])*"  # closing quotes/brackets, footnote markers
# A candidate boundary: a CJK full stop, or Latin terminal punctuation followed by white space,
# perhaps an opening quote or bracket, then a capital A-Z, a digit, or (in group "other") a
# letter outside ASCII, whose case Python checks: `re` has no class for "uppercase letter".
_END = re.compile(
    rf"(?P<cjk>[.!?]*[{_CJK_ENDS}][.!?{_CJK_ENDS}]*{_TAIL})"
    rf"|[.!?]+{_TAIL}(?=\s+[\"“‘'(\[«„‚‹¿¡「『（【《]?(?:[A-Z\d]|(?P<other>[^\W\d_A-Za-z])))"
)


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
    return [s for s in (strip_span(text, a, b) for a, b in spans) if s[0] < s[1]]


def _is_boundary(text: str, match: re.Match, end: int) -> bool:
    """True when the punctuation in `match` ends a sentence."""
    if match.group("cjk"):
        # 「…。」と言った: a quoted sentence the text runs on from is not a boundary.
        runs_on = match.end() < end and text[match.end()].isalpha()
        return not (match.group()[-1] in _CLOSERS and runs_on)
    other = match.group("other")
    if other and not _starts_sentence(other):
        return False
    return text[match.start()] != "." or not _ends_with_abbreviation(text, match.start())


def _starts_sentence(char: str) -> bool:
    """An uppercase letter in any script, or a letter of a script without case."""
    return char.isupper() or char.istitle() or unicodedata.category(char) == "Lo"


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


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

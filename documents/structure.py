"""Find the structural units of a document (headings, paragraphs, bio, comments, references)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_REFERENCE = re.compile(r"^\[(\d+)\]\s+(\S.*)$")
_HEADING_MAX_CHARS = 90
_MIN_QUOTE_CHARS = 20


@dataclass(frozen=True)
class Unit:
    """A block of a document: one paragraph, heading, bio line, reference or comment part."""

    kind: str  # article | heading | bio | comment | reference
    start: int
    end: int
    section: str | None = None
    paragraph: int | None = None
    comment: int | None = None
    quotation: bool = False  # a comment's verbatim quote of the article


def lines(text: str) -> list[tuple[int, int]]:
    """Offsets of the non-blank lines, without surrounding white space."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


def _is_heading(line: str) -> bool:
    return (
        len(line) <= _HEADING_MAX_CHARS
        and not _REFERENCE.match(line)
        and line[-1] not in ".!?:;,\"”’)]"
        and len(line.split()) <= 12
    )


def section_units(text: str) -> list[Unit]:
    """Units of a policy analysis: headings, paragraphs under them, the reference list."""
    units: list[Unit] = []
    section: str | None = None
    paragraph = 0
    for start, end in lines(text):
        line = text[start:end]
        if _REFERENCE.match(line):
            units.append(Unit("reference", start, end, section="References"))
        elif _is_heading(line):
            section = line
            units.append(Unit("heading", start, end, section=section))
        else:
            paragraph += 1
            units.append(Unit("article", start, end, section=section, paragraph=paragraph))
    return units


def column_units(text: str, bio: str | None, comments_after: str | None) -> list[Unit]:
    """Units of a column: article paragraphs, the bio line, then one comment per line."""
    all_lines = lines(text)
    split = _comments_start(text, all_lines, comments_after)
    article_lines, comment_lines = all_lines[:split], all_lines[split:]
    units: list[Unit] = []
    paragraph = 0
    for start, end in article_lines:
        if bio and text[start:end].startswith(bio):
            units.append(Unit("bio", start, end))
        elif comments_after and text[start:end] == comments_after:
            units.append(Unit("heading", start, end))  # a converter's own "Reader comments" line
        else:
            paragraph += 1
            units.append(Unit("article", start, end, paragraph=paragraph))
    article_text = " ".join(text[s:e] for s, e in article_lines)
    units.extend(_comment_units(text, comment_lines, article_text))
    return units


def _comments_start(text: str, spans: list[tuple[int, int]], marker: str | None) -> int:
    """Index of the first comment line: the line after the one containing `marker`."""
    if not marker:
        return len(spans)
    for index, (start, end) in enumerate(spans):
        if marker in text[start:end]:
            return index + 1
    raise ValueError(f"comments marker not found in the text: {marker!r}")


def _comment_units(text: str, spans: list[tuple[int, int]], article: str) -> list[Unit]:
    """One comment per line; a line quoting the article joins the reply that follows it."""
    units: list[Unit] = []
    number = 0
    pending_quote = False
    for start, end in spans:
        line = text[start:end]
        quotes = len(line) >= _MIN_QUOTE_CHARS and line in article
        if not pending_quote:
            number += 1
        units.append(Unit("comment", start, end, comment=number, quotation=quotes))
        pending_quote = quotes
    return units


def reference_urls(text: str, units: list[Unit]) -> dict[int, str]:
    """Footnote number -> URL, from the reference units."""
    urls = {}
    for unit in units:
        if unit.kind == "reference":
            match = _REFERENCE.match(text[unit.start : unit.end])
            if match:
                urls[int(match.group(1))] = match.group(2).strip()
    return urls

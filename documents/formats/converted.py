"""`Converted`: a file of any supported format as the one text Counterpoint stores.

Whatever the format, a document is converted once; every offset and every citation is into
`text`, and the original file is kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass


class UnsupportedFile(ValueError):
    """A file that cannot be added, with one line saying why (no text layer, encrypted, ...)."""


@dataclass(frozen=True)
class Converted:
    """The stored text of a file and what the converter learned about it."""

    text: str  # the text to store; every offset is into it
    structure: str  # "sections" (headings, footnotes, references) | "column" (article, comments)
    format: str  # html | pdf | docx | markdown | text
    title: str = ""
    author: str = ""
    date: str = ""
    comments_after: str | None = None  # column: comments start on the line after this one
    comment_meta: tuple[dict, ...] = ()  # per comment, in order: {"author": ..., "date": ...}
    pages: tuple[int, ...] = ()  # PDF: the offset in `text` where each page starts

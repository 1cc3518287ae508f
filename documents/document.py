"""The document: one source text as stored, with its manifest entry."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One source text as stored, with its manifest entry."""

    doc_id: str
    text: str
    file: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    date: str = ""
    structure: str = "sections"
    bio: str | None = None
    comments_after: str | None = None
    sha256: str = ""  # of the file as added (the original, for a converted format)
    format: str = "text"  # html | pdf | docx | markdown | text: what the text was converted from
    original: str = ""  # the original file, relative to the corpus folder ("" for plain text)
    pages: tuple[int, ...] = ()  # PDF: the offset in `text` where each page starts
    comment_meta: tuple[dict, ...] = ()  # per reader comment, in order: {"author", "date"}


def page_of(document: Document, offset: int) -> int | None:
    """The 1-based page on which `offset` of the stored text lies; None without page starts."""
    if not document.pages:
        return None
    return max(1, bisect_right(document.pages, offset))

"""The document: one source text as stored, with its manifest entry."""

from __future__ import annotations

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
    sha256: str = ""

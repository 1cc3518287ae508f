"""Cut a document into sentence-sized passages that keep their offsets and provenance."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from documents.document import Document
from documents.sentences import sentence_spans
from documents.structure import Unit, column_units, reference_urls, section_units

KINDS = ("article", "comment", "reference", "heading", "bio")
_FOOTNOTE = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Passage:
    """A sentence-sized span of a document; `text == document.text[start:end]`."""

    doc_id: str
    kind: str
    start: int
    end: int
    text: str
    section: str | None = None
    paragraph: int | None = None
    comment: int | None = None
    quotation: bool = False
    footnotes: tuple[int, ...] = ()
    urls: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        """Stable id derived from content, so re-indexing is idempotent."""
        key = f"{self.doc_id}\x00{self.start}\x00{self.end}\x00{self.text}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def units_of(document: Document) -> list[Unit]:
    """Structural units of a document, by its declared structure."""
    if document.structure == "column":
        return column_units(document.text, document.bio, document.comments_after)
    if document.structure == "sections":
        return section_units(document.text)
    raise ValueError(f"unknown structure {document.structure!r} for {document.doc_id}")


def split_passages(document: Document) -> list[Passage]:
    """All passages of a document in text order."""
    units = units_of(document)
    urls = reference_urls(document.text, units)
    passages = []
    for unit in units:
        spans = [(unit.start, unit.end)]
        if unit.kind in ("article", "comment"):
            spans = sentence_spans(document.text, unit.start, unit.end)
        passages.extend(_passage(document, unit, start, end, urls) for start, end in spans)
    return passages


def _passage(document: Document, unit: Unit, start: int, end: int, urls: dict) -> Passage:
    text = document.text[start:end]
    notes = ()
    if unit.kind != "reference":
        notes = tuple(int(n) for n in _FOOTNOTE.findall(text))
    return Passage(
        doc_id=document.doc_id,
        kind=unit.kind,
        start=start,
        end=end,
        text=text,
        section=unit.section,
        paragraph=unit.paragraph,
        comment=unit.comment,
        quotation=unit.quotation,
        footnotes=notes,
        urls=tuple(urls[n] for n in notes if n in urls),
    )

"""Citations: provenance as a type. The quote is always document.text[start:end]."""

from __future__ import annotations

from dataclasses import dataclass

from documents.document import Document
from documents.passages import Passage


@dataclass(frozen=True)
class Citation:
    """A span of a stored document that a claim rests on."""

    doc_id: str
    kind: str
    start: int
    end: int
    quote: str

    @classmethod
    def of(cls, passage: Passage) -> Citation:
        return cls(passage.doc_id, passage.kind, passage.start, passage.end, passage.text)

    @classmethod
    def at(cls, document: Document, start: int, end: int, kind: str) -> Citation:
        """Cite document.text[start:end]; offsets are checked, the quote is cut by code."""
        if not 0 <= start < end <= len(document.text):
            raise ValueError(f"span {start}:{end} is outside {document.doc_id} "
                             f"(0:{len(document.text)})")
        return cls(document.doc_id, kind, start, end, document.text[start:end])

    def is_verbatim(self, documents: dict[str, Document]) -> bool:
        """True when the quote still stands at its offsets in the current text."""
        document = documents.get(self.doc_id)
        return document is not None and document.text[self.start : self.end] == self.quote

    def to_dict(self) -> dict:
        return {"doc_id": self.doc_id, "kind": self.kind, "start": self.start,
                "end": self.end, "quote": self.quote}

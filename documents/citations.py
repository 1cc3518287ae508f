"""Citations: provenance as a type. The quote is always document.text[start:end].

Also the attribution rule: a sentence resting only on reader comments is presented as
"A reader comment argues that ...", never as the article's claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from documents.document import Document, page_of
from documents.passages import Passage

COMMENT_KIND = "comment"
# Attribution frames an answer may put around a claim ("a reader comment argues that ...").
_FRAME = re.compile(
    r"^(?:according to (?:the|a|one|some) (?:article|passages?|documents?|text|reader"
    r"(?: comment)?s?|comments?)\s*,?\s*|(?:the|a|one|some) (?:article|passages?|text|"
    r"reader(?: comment)?s?|comments?|commenters?) (?:argues?|says?|states?|notes?|claims?|"
    r"writes?|suggests?|mentions?)(?: that)?\s*)",
    re.I,
)
_MENTIONS_READERS = re.compile(r"\b(readers?|comments?|commenters?)\b", re.I)
_COMMON_STARTS = frozenset({"The", "A", "An", "It", "This", "That", "There", "These", "Those",
                            "They", "He", "She", "Some", "One", "In", "If"})


@dataclass(frozen=True)
class Citation:
    """A span of a stored document that a claim rests on."""

    doc_id: str
    kind: str
    start: int
    end: int
    quote: str
    page: int | None = None  # PDF: the page the quote starts on

    @classmethod
    def of(cls, passage: Passage, document: Document | None = None) -> Citation:
        """Cite a passage (a PDF passage says its page; `document` is for older callers that
        made passages by hand without one)."""
        page = passage.page
        if page is None and document is not None:
            page = page_of(document, passage.start)
        return cls(passage.doc_id, passage.kind, passage.start, passage.end, passage.text, page)

    @classmethod
    def at(cls, document: Document, start: int, end: int, kind: str) -> Citation:
        """Cite document.text[start:end]; offsets are checked, the quote is cut by code."""
        if not 0 <= start < end <= len(document.text):
            raise ValueError(f"span {start}:{end} is outside {document.doc_id} "
                             f"(0:{len(document.text)})")
        return cls(document.doc_id, kind, start, end, document.text[start:end],
                   page_of(document, start))

    def is_verbatim(self, documents: dict[str, Document]) -> bool:
        """True when the quote still stands at its offsets in the current text."""
        document = documents.get(self.doc_id)
        return document is not None and document.text[self.start : self.end] == self.quote

    def to_dict(self) -> dict:
        page = {"page": self.page} if self.page is not None else {}
        return {"doc_id": self.doc_id, "kind": self.kind, "start": self.start,
                "end": self.end, "quote": self.quote, **page}


def claim_of(sentence: str) -> str:
    """The sentence without an attribution frame such as "According to the article,"."""
    stripped = _FRAME.sub("", sentence.strip(), count=1)
    return stripped[:1].upper() + stripped[1:] if stripped else sentence


def attributed(text: str, cited: Sequence[Citation | Passage]) -> str:
    """The sentence as shown: one resting only on reader comments says a reader argues it."""
    if not cited or any(c.kind != COMMENT_KIND for c in cited):
        return text
    if _MENTIONS_READERS.search(text):
        return text
    claim = claim_of(text)
    first, _, rest = claim.partition(" ")
    if first in _COMMON_STARTS:
        claim = f"{first.lower()} {rest}"
    return f"A reader comment argues that {claim}"

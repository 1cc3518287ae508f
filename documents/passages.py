"""Cut a document into sentence-sized passages that keep their offsets and provenance."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from documents.document import Document, page_of
from documents.sentences import sentence_spans, strip_span
from documents.structure import Unit, column_units, reference_urls, section_units

KINDS = ("article", "comment", "reference", "heading", "bio")
# The longest passage. A prompt holds several passages, the question and the answer in the
# bundled model's 4,096 tokens; 600 characters is about 150 tokens. The shipped corpus's
# longest passage is 513 characters, so the cap changes none of them.
MAX_PASSAGE_CHARS = 600
_FOOTNOTE = re.compile(r"\[(\d+)\]")
# Where a long sentence is cut, best first (the last such place that keeps a piece at most
# MAX_PASSAGE_CHARS long): clause punctuation before a space (or CJK punctuation), dashes, a space.
_CUTS = (
    re.compile(r";(?=\s)|；"),
    re.compile(r":(?=\s)|："),
    re.compile(r",(?=\s)|[，、]"),
    re.compile(r"[—–]"),
    re.compile(r"\s"),
)
_CACHE_SIZE = 32
_cache: OrderedDict[tuple, tuple[Passage, ...]] = OrderedDict()
_cache_lock = threading.Lock()


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
    page: int | None = None  # PDF: the page the passage starts on

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
    """All passages of a document in text order, computed once per text and structure."""
    key = _cache_key(document)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return list(_cache[key])
    passages = tuple(_split(document))
    with _cache_lock:
        _cache[key] = passages
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return list(passages)


def _cache_key(document: Document) -> tuple:
    """Everything passages depend on, with the text as its digest (pages reload the corpus)."""
    digest = hashlib.sha256(document.text.encode("utf-8")).digest()
    return (document.doc_id, document.structure, document.bio, document.comments_after, digest)


def _split(document: Document) -> list[Passage]:
    units = units_of(document)
    urls = reference_urls(document.text, units)
    passages = []
    for unit in units:
        spans = [(unit.start, unit.end)]
        if unit.kind in ("article", "comment"):
            spans = sentence_spans(document.text, unit.start, unit.end)
        for start, end in spans:
            passages.extend(_passage(document, unit, a, b, urls)
                            for a, b in capped_spans(document.text, start, end))
    return passages


def capped_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most MAX_PASSAGE_CHARS, at clause boundaries."""
    pieces = []
    while end - start > MAX_PASSAGE_CHARS:
        cut = _cut_point(text, start, start + MAX_PASSAGE_CHARS)
        pieces.append(strip_span(text, start, cut))
        start = strip_span(text, cut, end)[0]
    pieces.append((start, end))
    return [(a, b) for a, b in pieces if a < b]


def _cut_point(text: str, start: int, limit: int) -> int:
    """Offset just after the best boundary in text[start:limit]; `limit` if there is none."""
    floor = start + MAX_PASSAGE_CHARS // 3  # no piece shorter than a third of the cap
    for pattern in _CUTS:
        matches = list(pattern.finditer(text, floor, limit))
        if matches:
            return matches[-1].end()
    return limit


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
        page=page_of(document, start),
    )

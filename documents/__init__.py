"""Corpus stage: documents on disk, their structure, sentence-sized passages, citations.

Text helpers (words, numbers, names, negation, stop words) are in `documents.text`."""

from documents.citations import Citation, attributed, claim_of
from documents.document import Document, page_of
from documents.library import CorpusError, add_document, decode_text, load_corpus
from documents.lock import corpus_lock
from documents.passages import KINDS, Passage, split_passages
from documents.sentences import sentence_spans

__all__ = [
    "KINDS",
    "Citation",
    "CorpusError",
    "Document",
    "Passage",
    "add_document",
    "attributed",
    "claim_of",
    "corpus_lock",
    "decode_text",
    "load_corpus",
    "page_of",
    "sentence_spans",
    "split_passages",
]

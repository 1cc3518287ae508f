"""Corpus stage: documents on disk, their structure, and sentence-sized passages."""

from documents.citations import Citation
from documents.document import Document
from documents.library import CorpusError, add_document, decode_text, load_corpus
from documents.passages import KINDS, Passage, split_passages
from documents.sentences import sentence_spans

__all__ = [
    "KINDS",
    "Citation",
    "CorpusError",
    "Document",
    "Passage",
    "add_document",
    "decode_text",
    "load_corpus",
    "sentence_spans",
    "split_passages",
]

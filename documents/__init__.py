"""Corpus stage: documents on disk, their structure, sentence-sized passages, and text helpers."""

from documents.citations import Citation, attributed, claim_of
from documents.document import Document
from documents.library import CorpusError, add_document, decode_text, load_corpus
from documents.passages import KINDS, Passage, split_passages
from documents.sentences import sentence_spans
from documents.text import (
    ANSWER_STOP_WORDS,
    CLAIM_STOP_WORDS,
    NEGATION_WORDS,
    SEARCH_STOP_WORDS,
    content_stems,
    content_words,
    figures,
    is_negated,
    likely_names,
    normalise,
    numerals,
    proper_names,
    search_terms,
    words,
)

__all__ = [
    "ANSWER_STOP_WORDS",
    "CLAIM_STOP_WORDS",
    "KINDS",
    "NEGATION_WORDS",
    "SEARCH_STOP_WORDS",
    "Citation",
    "CorpusError",
    "Document",
    "Passage",
    "add_document",
    "attributed",
    "claim_of",
    "content_stems",
    "content_words",
    "decode_text",
    "figures",
    "is_negated",
    "likely_names",
    "load_corpus",
    "normalise",
    "numerals",
    "proper_names",
    "search_terms",
    "sentence_spans",
    "split_passages",
    "words",
]

"""Retrieval stage: a persistent Chroma index plus BM25, fused into one hybrid search."""

from retrieval.embeddings import BUNDLED_MODEL, Embedder, load_embedder, offline_environment
from retrieval.fusion import FUSIONS
from retrieval.index import (
    IndexLocation,
    IndexReport,
    IndexUnavailable,
    build_index,
    corpus_passages,
    remove_stale,
)
from retrieval.retriever import PassageRetriever, as_retriever, hit_document
from retrieval.search import MODES, Hit, Searcher, embed_pending, open_searcher, searcher_over

__all__ = [
    "BUNDLED_MODEL",
    "FUSIONS",
    "MODES",
    "Embedder",
    "Hit",
    "IndexLocation",
    "IndexReport",
    "IndexUnavailable",
    "PassageRetriever",
    "Searcher",
    "as_retriever",
    "build_index",
    "corpus_passages",
    "embed_pending",
    "hit_document",
    "load_embedder",
    "offline_environment",
    "open_searcher",
    "remove_stale",
    "searcher_over",
]

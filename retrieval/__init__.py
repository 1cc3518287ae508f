"""Retrieval stage: a persistent Chroma index plus BM25, fused into one hybrid search.

The LangChain retriever (`retrieval.retriever`) is imported on first use of its names: LangChain
costs about a second to import and searching does not use it.
"""

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
from retrieval.query_encoder import query_encoder_for
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
    "query_encoder_for",
    "remove_stale",
    "searcher_over",
]

_LANGCHAIN = {"PassageRetriever", "as_retriever", "hit_document"}  # in retrieval.retriever


def __getattr__(name: str):
    """The LangChain names, imported when first asked for (PEP 562)."""
    if name in _LANGCHAIN:
        from retrieval import retriever

        return getattr(retriever, name)
    raise AttributeError(f"module 'retrieval' has no attribute {name!r}")

"""Retrieval stage: a persistent Chroma index plus BM25, fused into one hybrid search."""

from retrieval.embeddings import BUNDLED_MODEL, Embedder, load_embedder

__all__ = ["BUNDLED_MODEL", "Embedder", "load_embedder"]

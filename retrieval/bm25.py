"""Okapi BM25 over an inverted index held in numpy arrays (fast at 100k passages)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from documents.text import search_terms

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class BM25Index:
    """Postings sorted by term: passages `rows[ptr[t]:ptr[t+1]]` contain term t with `weights`."""

    vocabulary: dict[str, int]
    ptr: np.ndarray  # (terms + 1,) int64 offsets into rows/weights
    rows: np.ndarray  # (postings,) int32 passage index
    weights: np.ndarray  # (postings,) float32 precomputed BM25 term weight
    size: int

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the query (0 where no query term occurs)."""
        terms = [self.vocabulary[t] for t in set(search_terms(query)) if t in self.vocabulary]
        if not terms:
            return np.zeros(self.size, dtype=np.float32)
        rows = np.concatenate([self.rows[self.ptr[t] : self.ptr[t + 1]] for t in terms])
        weights = np.concatenate([self.weights[self.ptr[t] : self.ptr[t + 1]] for t in terms])
        return np.bincount(rows, weights=weights, minlength=self.size).astype(np.float32)


def build_bm25(texts: list[str], k1: float = K1, b: float = B) -> BM25Index:
    """Index the texts; passage i of the index is texts[i]."""
    vocabulary: dict[str, int] = {}
    term_ids: list[int] = []
    lengths = np.zeros(len(texts), dtype=np.float32)
    for i, text in enumerate(texts):
        tokens = search_terms(text)
        lengths[i] = len(tokens)
        term_ids.extend(vocabulary.setdefault(t, len(vocabulary)) for t in tokens)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths.astype(np.int64))
    terms = np.asarray(term_ids, dtype=np.int64)
    # One posting per (term, passage): unique keys give the term frequency as their count.
    width = max(len(texts), 1)
    keys, tf = np.unique(terms * width + rows, return_counts=True)
    post_terms, post_rows = keys // width, keys % width
    df = np.bincount(post_terms, minlength=len(vocabulary))
    idf = np.log1p((len(texts) - df + 0.5) / (df + 0.5))
    average = max(float(lengths.mean()), 1e-9) if len(texts) else 1.0
    norm = k1 * (1 - b + b * lengths[post_rows] / average)
    weights = idf[post_terms] * tf * (k1 + 1) / (tf + norm)
    ptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    return BM25Index(vocabulary, ptr, post_rows.astype(np.int32), weights.astype(np.float32),
                     len(texts))

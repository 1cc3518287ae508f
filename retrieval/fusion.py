"""Fusing the dense and BM25 rankings: reciprocal rank fusion or a weighted score blend."""

from __future__ import annotations

import numpy as np

FUSIONS = ("rrf", "weighted")
RRF_K = 60  # the constant of Cormack et al. (2009); damps the weight of the very top ranks
DENSE_WEIGHT = 0.5  # weighted fusion: share of the (min-max normalised) dense score


def fuse(rankings: dict[str, list[int]], method: str, dense: dict[int, float],
         bm25: np.ndarray) -> list[tuple[int, float]]:
    """(passage index, score) best first, from one ranking ("single") or two fused ones."""
    if method == "single":
        (name, ranking), = rankings.items()
        scores = {i: dense[i] if name == "dense" else float(bm25[i]) for i in ranking}
    elif method == "rrf":
        scores = reciprocal_rank(rankings.values())
    elif method == "weighted":
        scores = weighted(set().union(*rankings.values()), dense, bm25)
    else:
        raise ValueError(f"unknown fusion {method!r}")
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def reciprocal_rank(rankings, k: int = RRF_K) -> dict[int, float]:
    """Sum over rankings of 1 / (k + rank), rank counted from 1."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, index in enumerate(ranking, start=1):
            scores[index] = scores.get(index, 0.0) + 1.0 / (k + rank)
    return scores


def weighted(candidates: set[int], dense: dict[int, float], bm25: np.ndarray,
             dense_weight: float = DENSE_WEIGHT) -> dict[int, float]:
    """Blend of min-max normalised dense similarity and BM25 score over the candidates."""
    order = sorted(candidates)
    if not order:
        return {}
    d = _unit(np.array([dense[i] for i in order], dtype=np.float64))
    b = _unit(np.array([bm25[i] for i in order], dtype=np.float64))
    blend = dense_weight * d + (1 - dense_weight) * b
    return dict(zip(order, blend.tolist(), strict=True))


def _unit(values: np.ndarray) -> np.ndarray:
    spread = values.max() - values.min()
    return (values - values.min()) / spread if spread > 0 else np.ones_like(values)

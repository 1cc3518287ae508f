"""Retrieval quality on the `qa` items of an evaluation set: recall@1/5/10 and MRR, per kind."""

from __future__ import annotations

from dataclasses import dataclass, replace

from evaluation.dataset import gold_span

CUTOFFS = (1, 5, 10)
# Each configuration: (label, search mode, fusion used when the mode is hybrid).
CONFIGURATIONS = (
    ("dense", "dense", "rrf"),
    ("bm25", "bm25", "rrf"),
    ("hybrid-rrf", "hybrid", "rrf"),
    ("hybrid-weighted", "hybrid", "weighted"),
)


@dataclass(frozen=True)
class ItemResult:
    """Rank of the first hit overlapping the gold quote (None: not in the top 10)."""

    item_id: str
    kind: str
    rank: int | None


@dataclass(frozen=True)
class RetrievalScores:
    """Recall at each cutoff and MRR@10 for one configuration over a group of items."""

    configuration: str
    kind: str  # "all" or the gold passage kind
    items: int
    recall: dict[int, float]
    mrr: float

    def to_dict(self) -> dict:
        return {"configuration": self.configuration, "kind": self.kind, "items": self.items,
                **{f"recall@{k}": round(v, 4) for k, v in self.recall.items()},
                "mrr": round(self.mrr, 4)}


def overlaps(passage, gold: tuple[str, int, int]) -> bool:
    doc_id, start, end = gold
    return passage.doc_id == doc_id and passage.start < end and start < passage.end


def rank_items(searcher, items: list[dict], mode: str) -> list[ItemResult]:
    """For each qa item, the rank of the first hit overlapping its gold quote."""
    results = []
    for item in items:
        gold = gold_span(searcher.documents, item["doc"], item["quote"])
        hits = searcher.search(item["q"], k=max(CUTOFFS), mode=mode)
        rank = next((n for n, hit in enumerate(hits, 1) if overlaps(hit.passage, gold)), None)
        results.append(ItemResult(item["id"], item.get("kind", "article"), rank))
    return results


def summarize(configuration: str, results: list[ItemResult]) -> list[RetrievalScores]:
    """Scores over all items and per gold kind."""
    groups = {"all": results}
    for result in results:
        groups.setdefault(result.kind, []).append(result)
    return [_scores(configuration, kind, group) for kind, group in groups.items()]


def _scores(configuration: str, kind: str, results: list[ItemResult]) -> RetrievalScores:
    n = len(results)
    recall = {k: sum(r.rank is not None and r.rank <= k for r in results) / n for k in CUTOFFS}
    mrr = sum(1 / r.rank for r in results if r.rank is not None) / n
    return RetrievalScores(configuration, kind, n, recall, mrr)


def evaluate_retrieval(searcher, eval_set: dict,
                       configurations=CONFIGURATIONS) -> tuple[list[RetrievalScores], dict]:
    """Scores for every configuration, and each configuration's per-item ranks."""
    items = eval_set.get("qa", [])
    if not items:
        raise ValueError("the evaluation set has no `qa` items")
    scores, ranks = [], {}
    for label, mode, fusion in configurations:
        results = rank_items(replace(searcher, fusion=fusion), items, mode)
        ranks[label] = {r.item_id: r.rank for r in results}
        scores.extend(summarize(label, results))
    return scores, ranks


def format_table(scores: list[RetrievalScores]) -> str:
    """A plain-text table: one row per configuration and kind."""
    header = f"{'configuration':<16} {'kind':<8} {'n':>3} " + " ".join(
        f"{'R@' + str(k):>6}" for k in CUTOFFS) + f" {'MRR':>6}"
    rows = [f"{s.configuration:<16} {s.kind:<8} {s.items:>3} "
            + " ".join(f"{s.recall[k]:>6.3f}" for k in CUTOFFS) + f" {s.mrr:>6.3f}"
            for s in scores]
    return "\n".join([header, *rows])

"""Issue 13 experiment: embed each passage with its context (not adopted).

Passages are single sentences; a sentence can lean on its neighbours for what it is about.
Here every passage is also embedded with the sentence before it (prev), with both neighbours
in its paragraph or comment (nb), and as its whole paragraph (para), and ranked by those
similarities, alone or combined, dense alone and fused with BM25 (reciprocal rank fusion, as
the app does). Scored by the gold passage's rank on the 36 dev and 20 fresh questions:

    .venv/bin/python docs/experiments/context_embeddings.py

Measured 2026-12-05, before the place expansion of `retrieval/places.py` (gold in the
top 4, dev / fresh; hybrid = fused with BM25):
the passage alone (shipped) dense 32 / 18, hybrid 31 / 20; prev 30 / 17 and 31 / 19;
nb 29 / 16 and 31 / 19; para 22 / 6 and 26 / 16; max(self, nb) 32 / 18 and 30 / 19;
mean(self, nb) 32 / 18 and 32 / 19; three rankings (self, nb, BM25) hybrid 32 / 19.
The two dev paraphrase misses stay out of reach (e-q05 at rank 28 or worse in every
variant). Nothing beats the passage alone on both sets.
"""
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from evaluation.dataset import gold_span  # noqa: E402
from evaluation.retrieval import overlaps  # noqa: E402
from retrieval.fusion import reciprocal_rank  # noqa: E402

SETS = ("dev", "fresh")


def unit(p):
    return (p.doc_id, p.kind, p.paragraph, p.comment)


def variants(passages) -> dict[str, list[str]]:
    """The text embedded for each passage, per variant."""
    n = len(passages)
    prev = [(passages[i - 1].text + " " if i and unit(passages[i - 1]) == unit(passages[i])
             else "") + passages[i].text for i in range(n)]
    nb = [prev[i] + (" " + passages[i + 1].text
                     if i + 1 < n and unit(passages[i + 1]) == unit(passages[i]) else "")
          for i in range(n)]
    groups: dict[tuple, list[int]] = {}
    for i, p in enumerate(passages):
        groups.setdefault(unit(p), []).append(i)
    para = [" ".join(passages[j].text for j in groups[unit(p)]) for p in passages]
    return {"self": [p.text for p in passages], "prev": prev, "nb": nb, "para": para}


def first_hit(order, passages, gold) -> int:
    return next((n for n, i in enumerate(order, 1) if overlaps(passages[i], gold)), 999)


def main() -> None:
    from interface.settings import Settings, session_of

    searcher = session_of(Settings()).searcher()
    passages = searcher.passages
    vectors = {name: searcher.embed(texts) for name, texts in variants(passages).items()}
    items = [item for name in SETS
             for item in json.loads((ROOT / f"data/eval/{name}.json").read_text("utf-8"))["qa"]]
    queries = searcher.embed([item["q"] for item in items])
    results: dict[str, list[tuple[str, int, int]]] = {}
    for n, item in enumerate(items):
        gold = gold_span(searcher.documents, item["doc"], item["quote"])
        bm25 = searcher.bm25.scores(item["q"])
        bm25_order = [i for i in np.argsort(-bm25)[:50] if bm25[i] > 0]
        sims = {name: v @ queries[n] for name, v in vectors.items()}
        sims["max(self,nb)"] = np.maximum(sims["self"], sims["nb"])
        sims["mean(self,para)"] = (sims["self"] + sims["para"]) / 2
        sims["mean(self,nb)"] = (sims["self"] + sims["nb"]) / 2
        for name, scores in sims.items():
            dense_order = list(np.argsort(-scores)[:50])
            fused = reciprocal_rank([dense_order, bm25_order])
            hybrid = sorted(fused, key=lambda i: (-fused[i], i))
            results.setdefault(name, []).append(
                (item["id"], first_hit(dense_order, passages, gold),
                 first_hit(hybrid, passages, gold)))
        fused = reciprocal_rank([list(np.argsort(-sims["self"])[:50]),
                                 list(np.argsort(-sims["nb"])[:50]), bm25_order])
        hybrid = sorted(fused, key=lambda i: (-fused[i], i))
        results.setdefault("rrf(self,nb,bm25)", []).append(
            (item["id"], 999, first_hit(hybrid, passages, gold)))
    for name, rows in results.items():
        dev, fresh = rows[:36], rows[36:]

        def top4(rows, column):
            return sum(row[column] <= 4 for row in rows)

        ranks = dict((row[0], row[2]) for row in rows)
        print(f"{name:18s} dense top 4: dev {top4(dev, 1)} fresh {top4(fresh, 1)} | "
              f"hybrid top 4: dev {top4(dev, 2)} fresh {top4(fresh, 2)} | "
              f"hybrid rank e-q05 {ranks['e-q05']}, e-q19 {ranks['e-q19']}")


if __name__ == "__main__":
    main()

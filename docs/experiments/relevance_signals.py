"""Issue 12 experiment: embedding-only relevance signals against the shipped MiniLM cosine
(not adopted).

Scored by ROC AUC of labelled pro/con passages against off-topic ones (borderline left out)
for each data/eval/maps.json proposition, over all article and comment passages and over the
24 closest by cosine; and by how many labelled passages are among each proposition's 12
closest:
- centring: cosine after subtracting the corpus's mean embedding (and, "abtt1", also its first
  principal component: "all-but-the-top");
- a logistic head on MiniLM features ([u*v, |u-v|, cosine]) trained on the ArgKP train split's
  argument/key point matches, scored as the max over the proposition and its rule-made denial.

    .venv/bin/python docs/experiments/relevance_signals.py [--argkp ../shared/benchmarks/argkp]

About 3 minutes on 2 cores (embeds the ArgKP train and dev texts). README, "What we tried":
centring 0.96 and 0.95 against 0.94 over all passages, with 21 and 22 labelled passages
among the 12 closest (cosine 21); the head reaches ArgKP dev AUC 0.656 (cosine 0.646) and is
below the cosine on 4 of the 5 propositions.
"""
import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from arguments.negation import negate  # noqa: E402

DEFAULT_ARGKP = ROOT.parent / "shared" / "benchmarks" / "argkp"


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    pos, neg = scores[labels == 1], scores[labels == 0]
    return float(np.mean([(a > b) + 0.5 * (a == b) for a in pos for b in neg]))


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.hstack([u * v, np.abs(u - v), (u * v).sum(1, keepdims=True)])


def argkp_pairs(folder: Path, split: str, embed):
    def rows(name):
        with open(folder / f"{name}_{split}.csv", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    arguments = {r["arg_id"]: r["argument"] for r in rows("arguments")}
    key_points = {r["key_point_id"]: r["key_point"] for r in rows("key_points")}
    labels = rows("labels")
    u = embed([arguments[r["arg_id"]] for r in labels])
    v = embed([key_points[r["key_point_id"]] for r in labels])
    return features(u, v), np.array([int(r["label"]) for r in labels])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--argkp", type=Path, default=DEFAULT_ARGKP)
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression

    from evaluation.maps import load_maps_set
    from interface.settings import Settings, session_of

    searcher = session_of(Settings()).searcher()
    passages = [p for p in searcher.passages if p.kind in ("article", "comment")]
    vectors = searcher.embed([p.text for p in passages])
    mean = vectors.mean(0)
    top = np.linalg.svd(vectors - mean, full_matrices=False)[2][:1]

    def abtt(x):
        centred = x - mean
        return unit(centred - centred @ top.T @ top)

    head = None
    if (args.argkp / "labels_train.csv").is_file():
        x_train, y_train = argkp_pairs(args.argkp, "train", searcher.embed)
        x_dev, y_dev = argkp_pairs(args.argkp, "dev", searcher.embed)
        head = LogisticRegression(C=0.1, max_iter=3000).fit(x_train, y_train)
        print(f"ArgKP dev AUC: head {auc(y_dev, head.decision_function(x_dev)):.3f}, "
              f"cosine {auc(y_dev, x_dev[:, -1]):.3f}")
    else:
        print(f"no ArgKP data at {args.argkp}: the trained head is skipped")
    for labels in load_maps_set(searcher.documents):
        claim, denial = searcher.embed([labels.proposition, negate(labels.proposition)])
        gold = np.array([labels.gold_of(p.doc_id, p.start, p.end) for p in passages])
        scored = np.isin(gold, ["pro", "con", "off"])
        y = np.isin(gold, ["pro", "con"]).astype(int)
        signals = {"cosine": vectors @ claim,
                   "centred": unit(vectors - mean) @ unit(claim - mean),
                   "abtt1": abtt(vectors) @ abtt(claim[None])[0]}
        if head is not None:
            signals["argkp head"] = np.maximum(*(
                head.decision_function(features(vectors, np.tile(q, (len(vectors), 1))))
                for q in (claim, denial)))
        closest = np.zeros(len(passages), bool)
        closest[np.argsort(-signals["cosine"])[:24]] = True
        parts = []
        for name, score in signals.items():
            near = closest & scored
            top12 = np.argsort(-score)[:12]
            parts.append(f"{name} {auc(y[scored], score[scored]):.2f} "
                         f"(24 closest {auc(y[near], score[near]):.2f}, "
                         f"labelled in top 12: {int(y[top12].sum())})")
        print(f"{labels.proposition}\n  " + "\n  ".join(parts))


if __name__ == "__main__":
    main()

"""Stance evaluation on the dev set's `stance` items: accuracy and macro-F1."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from arguments.stance import STANCES, stance
from documents import Citation
from evaluation.dataset import gold_span


@dataclass(frozen=True)
class ClassificationScore:
    """Accuracy and macro-F1 of predicted labels against gold labels."""

    n: int
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]
    seconds_per_item: float
    rows: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        return {"n": self.n, "accuracy": round(self.accuracy, 4),
                "macro_f1": round(self.macro_f1, 4),
                "per_label_f1": {k: round(v, 4) for k, v in self.per_label_f1.items()},
                "seconds_per_item": round(self.seconds_per_item, 2), "items": list(self.rows)}


def score_labels(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str],
                 seconds: float = 0.0, rows: Sequence[dict] = ()) -> ClassificationScore:
    """Accuracy and macro-F1 over `labels` (a label never seen nor predicted counts F1 0)."""
    if len(gold) != len(predicted) or not gold:
        raise ValueError("need as many predictions as gold labels, and at least one")
    f1 = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        f1[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return ClassificationScore(len(gold), accuracy, sum(f1.values()) / len(f1), f1,
                               seconds / len(gold), tuple(rows))


def evaluate_stance(items: Sequence[dict], documents, model) -> ClassificationScore:
    """Run stance(claim, quote) on each dev item (the quote located verbatim in its doc)."""
    gold, predicted, rows = [], [], []
    started = time.perf_counter()
    for item in items:
        doc_id, start, end = gold_span(documents, item["doc"], item["quote"])
        citation = Citation.at(documents[doc_id], start, end, item.get("kind", "article"))
        label, score = stance(item["claim"], citation.quote, model)
        gold.append(item["label"])
        predicted.append(label)
        rows.append({"id": item["id"], "gold": item["label"], "predicted": label,
                     "score": round(score, 3)})
    return score_labels(gold, predicted, STANCES, time.perf_counter() - started, rows)

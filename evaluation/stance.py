"""Stance evaluation on the dev set's `stance` items: accuracy, macro-F1, and cross-validated
accuracy (constants chosen on half the pairs, scored on the other half)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from arguments.stance import STANCES, read_signals
from documents import Citation, split_passages
from evaluation.dataset import gold_span
from evaluation.tuning import SHIPPED, Judgment, cross_validated_accuracy, label


@dataclass(frozen=True)
class ClassificationScore:
    """Accuracy and macro-F1 of predicted labels against gold labels."""

    n: int
    accuracy: float
    macro_f1: float
    per_label_f1: dict[str, float]
    seconds_per_item: float
    rows: tuple[dict, ...] = ()
    cross_validated: float | None = None  # held-out accuracy, constants tuned on the rest

    def to_dict(self) -> dict:
        cross = None if self.cross_validated is None else round(self.cross_validated, 4)
        return {"n": self.n, "accuracy": round(self.accuracy, 4),
                "macro_f1": round(self.macro_f1, 4),
                "per_label_f1": {k: round(v, 4) for k, v in self.per_label_f1.items()},
                "cross_validated_accuracy": cross,
                "seconds_per_item": round(self.seconds_per_item, 2), "items": list(self.rows)}


def score_labels(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str],
                 seconds: float = 0.0, rows: Sequence[dict] = ()) -> ClassificationScore:
    """Accuracy and macro-F1 over `labels` (a label never seen nor predicted counts F1 0)."""
    if len(gold) != len(predicted) or not gold:
        raise ValueError("need as many predictions as gold labels, and at least one")
    f1 = {}
    for label_ in labels:
        tp = sum(g == p == label_ for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label_ != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label_ != p for g, p in zip(gold, predicted, strict=True))
        f1[label_] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return ClassificationScore(len(gold), accuracy, sum(f1.values()) / len(f1), f1,
                               seconds / len(gold), tuple(rows))


def stance_judgments(items: Sequence[dict], documents, model, embed) -> list[Judgment]:
    """Each dev item's quote located verbatim, its topic cosine and the model's signals (the
    support questions read the passage around the quote)."""
    judgments = []
    for item in items:
        doc_id, start, end = gold_span(documents, item["doc"], item["quote"])
        citation = Citation.at(documents[doc_id], start, end, item.get("kind", "article"))
        context = next((p.text for p in split_passages(documents[doc_id])
                        if p.start <= start and end <= p.end), None)
        vectors = embed([item["claim"], citation.quote])
        judgments.append(Judgment(item["claim"], citation.quote, float(vectors[0] @ vectors[1]),
                                  read_signals(item["claim"], citation.quote, model, context),
                                  item["label"], item["id"]))
    return judgments


def evaluate_stance(items: Sequence[dict], documents, model, embed) -> ClassificationScore:
    """Stance of each dev item with the shipped constants, and the cross-validated figure."""
    started = time.perf_counter()
    judgments = stance_judgments(items, documents, model, embed)
    seconds = time.perf_counter() - started
    predicted = [label(j, SHIPPED) for j in judgments]
    rows = [{"id": j.group, "gold": j.gold, "predicted": p, "topic": round(j.topic, 3),
             **{name: round(value, 3) for name, value in j.signals._asdict().items()}}
            for j, p in zip(judgments, predicted, strict=True)]
    score = score_labels([j.gold for j in judgments], predicted, STANCES, seconds, rows)
    cross = cross_validated_accuracy(judgments) if len(judgments) >= 4 else None
    return ClassificationScore(score.n, score.accuracy, score.macro_f1, score.per_label_f1,
                               score.seconds_per_item, score.rows, cross)

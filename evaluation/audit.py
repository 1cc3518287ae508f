"""Audit evaluation on the dev set's `audit` items: is "supported" right or wrong."""

from __future__ import annotations

import time
from collections.abc import Sequence

from arguments.audit import audit_citation
from documents import Citation
from evaluation.dataset import gold_span
from evaluation.stance import ClassificationScore, score_labels


def evaluate_audit(items: Sequence[dict], documents, model) -> ClassificationScore:
    """Accuracy of verdict == "supported" against each item's gold `supported` flag.

    Any other verdict (partial, unsupported, contradicted) counts as "not supported".
    """
    gold, predicted, rows = [], [], []
    started = time.perf_counter()
    for item in items:
        doc_id, start, end = gold_span(documents, item["doc"], item["quote"])
        citation = Citation.at(documents[doc_id], start, end, item.get("kind", "article"))
        verdict = audit_citation(item["claim"], citation, documents, model)
        expected = "supported" if item["supported"] else "not supported"
        got = "supported" if verdict.verdict == "supported" else "not supported"
        gold.append(expected)
        predicted.append(got)
        rows.append({"id": item["id"], "gold": expected, "verdict": verdict.verdict,
                     "score": round(verdict.score, 3), "reason": verdict.reason})
    return score_labels(gold, predicted, ("supported", "not supported"),
                        time.perf_counter() - started, rows)

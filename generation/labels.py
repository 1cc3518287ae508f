"""Turn next-token scores into a probability for each of a few labels."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def label_distribution(log_probs: np.ndarray, variants: Mapping[str, set[int]]
                       ) -> dict[str, float]:
    """P(label) over `variants` (label -> first-token ids), normalised to sum to 1."""
    _check_distinct(variants)
    mass = {label: float(np.exp(log_probs[sorted(ids)]).sum()) for label, ids in variants.items()}
    return _normalise(mass)


def labels_from_top_logprobs(top: Sequence[tuple[str, float]], labels: Sequence[str]
                             ) -> dict[str, float] | None:
    """P(label) from an API's top tokens of the first reply position; None if none match."""
    mass = dict.fromkeys(labels, 0.0)
    for token, logprob in top:
        label = match_label(token, labels)
        if label is not None:
            mass[label] += math.exp(logprob)
    return _normalise(mass) if sum(mass.values()) > 0 else None


def match_label(text: str, labels: Sequence[str]) -> str | None:
    """The one label that `text` (a reply or its first token) starts, ignoring case."""
    head = text.strip().strip("\"'*:.").lower()
    if not head:
        return None
    found = [label for label in labels
             if label.lower().startswith(head) or head.startswith(label.lower())]
    return found[0] if len(found) == 1 else None


def _check_distinct(variants: Mapping[str, set[int]]) -> None:
    seen: dict[int, str] = {}
    for label, ids in variants.items():
        for token in ids:
            if seen.setdefault(token, label) != label:
                raise ValueError(f"labels {seen[token]!r} and {label!r} start with the same "
                                 "token; choose labels with distinct first tokens")


def _normalise(mass: dict[str, float]) -> dict[str, float]:
    total = sum(mass.values())
    if total <= 0:
        return {label: 1 / len(mass) for label in mass}
    return {label: value / total for label, value in mass.items()}

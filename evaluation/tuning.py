"""Cross-validation of the stance constants, so a figure tuned on what it is scored on shows.

The stance decision (arguments.stance.decide) has three constants: ON_TOPIC (relevance),
TRUTH_WEIGHT and MARGIN (direction). Given the model's signals for labelled pairs, these
functions re-decide the pairs under every constant in GRID without calling the model again:
choose the constants on one part of the data, score them on the other.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from arguments.stance import MARGIN, ON_TOPIC, TRUTH_WEIGHT, Signals, decide


@dataclass(frozen=True)
class Constants:
    on_topic: float = ON_TOPIC
    truth_weight: float = TRUTH_WEIGHT
    margin: float = MARGIN

    def to_dict(self) -> dict:
        return {"on_topic": self.on_topic, "truth_weight": self.truth_weight,
                "margin": self.margin}


SHIPPED = Constants()
GRID = tuple(Constants(*values) for values in itertools.product(
    (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45),
    (0.0, 0.25, 0.5, 0.75, 1.0),
    (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0)))


@dataclass(frozen=True)
class Judgment:
    """A labelled pair with what the model said: enough to re-decide it under any constants."""

    claim: str
    text: str
    topic: float  # claim-passage cosine
    signals: Signals
    gold: str  # pro | con | neutral (stance pairs) or pro | con | either | off (map labels)
    group: str = ""  # what cross-validation keeps together (a map's proposition)


def label(judgment: Judgment, constants: Constants) -> str:
    """The stance the constants give the pair ("neutral" for off-topic or no side)."""
    if judgment.topic < constants.on_topic:
        return "neutral"
    return decide(judgment.claim, judgment.text, judgment.signals,
                  margin=constants.margin, truth_weight=constants.truth_weight).label


def accuracy(judgments: Sequence[Judgment], constants: Constants) -> float:
    return sum(label(j, constants) == j.gold for j in judgments) / len(judgments)


def map_counts(judgments: Sequence[Judgment], constants: Constants) -> tuple[int, int, int, int]:
    """(correct, scored, found, expected) as evaluation.maps defines map precision/recall."""
    return side_counts((label(j, constants), j.gold) for j in judgments)


def side_counts(decided: Iterable[tuple[str, str]]) -> tuple[int, int, int, int]:
    """(correct, scored, found, expected) over (decided side, gold label) pairs: a side
    ("pro", "con"; "neutral" is none) is scored unless its passage is borderline ("either"),
    and each "pro"/"con" passage is expected on its side."""
    correct = scored = found = expected = 0
    for side, gold in decided:
        if side != "neutral" and gold != "either":
            scored += 1
            correct += side == gold
        if gold in ("pro", "con"):
            expected += 1
            found += side == gold
    return correct, scored, found, expected


def map_objective(judgments: Sequence[Judgment], constants: Constants) -> float:
    """F1 of map precision and recall (how the shipped constants were chosen, with dev
    stance accuracy beside it)."""
    correct, scored, found, expected = map_counts(judgments, constants)
    precision = correct / scored if scored else 0.0
    recall = found / expected if expected else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def best(judgments: Sequence[Judgment], objective: Callable, grid=GRID) -> Constants:
    """The grid's constants that score highest (ties: the first in grid order)."""
    return max(grid, key=lambda constants: objective(judgments, constants))


def cross_validated_accuracy(judgments: Sequence[Judgment], repeats: int = 10,
                             seed: int = 13) -> float:
    """Mean held-out accuracy over `repeats` random halvings: tune on one half, score the
    other, both ways round."""
    scores = []
    for repeat in range(repeats):
        order = list(range(len(judgments)))
        random.Random(seed + repeat).shuffle(order)
        halves = (order[: len(order) // 2], order[len(order) // 2 :])
        for tune, test in (halves, halves[::-1]):
            chosen = best([judgments[i] for i in tune], accuracy)
            scores.append(accuracy([judgments[i] for i in test], chosen))
    return sum(scores) / len(scores)


def leave_one_group_out(judgments: Sequence[Judgment], expected: dict[str, int]) -> dict:
    """Map precision and recall with each group (proposition) scored under constants chosen
    on the others; `expected` counts each group's labelled pro/con passages (recall's
    denominator: retrieval may not have found them all)."""
    totals = [0, 0, 0, 0]
    chosen = {}
    for group in sorted({j.group for j in judgments}):
        tune = [j for j in judgments if j.group != group]
        test = [j for j in judgments if j.group == group]
        constants = best(tune, map_objective)
        chosen[group] = constants.to_dict()
        correct, scored, found, _ = map_counts(test, constants)
        totals = [a + b for a, b in zip(totals, (correct, scored, found, expected[group]),
                                        strict=True)]
    correct, scored, found, expected_total = totals
    return {"precision": round(correct / scored, 4) if scored else None,
            "recall": round(found / expected_total, 4) if expected_total else None,
            "correct": correct, "scored": scored, "found": found, "expected": expected_total,
            "constants_chosen": chosen}

"""ArgKP evaluation: the KPA-2021 Track 1 metric (strict and relaxed mAP) and its data.

Implemented from the shared task's published definition and its evaluation script:
1. For each argument, take its highest-scoring key point (among the key points of the same
   topic and stance that the system scored). An argument with no scored key point gets a
   dummy key point with score 0 and label 0.
2. Label each (argument, best key point) pair from the gold labels; a pair that is missing
   from the labels file (the annotators were undecided) counts as 0 in `strict` and as 1 in
   `relaxed`.
3. Per (topic, stance): sort the pairs by score, keep the top int(50% of n) and compute
   average precision over them as sklearn's `average_precision_score` does
   (sum over distinct score thresholds of (R_i - R_{i-1}) * P_i; 0 when no positive).
4. The score is the unweighted mean of the per-(topic, stance) APs.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DUMMY_KEY_POINT = "dummy_id"
# The shared benchmark data beside the checkout (../shared/benchmarks/argkp); `--argkp` overrides.
DEFAULT_ARGKP = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "argkp"


@dataclass(frozen=True)
class Track1Score:
    """Strict and relaxed mAP with the per-group APs they average."""

    strict: float
    relaxed: float
    groups: dict[str, tuple[float, float]]  # "topic | stance" -> (strict AP, relaxed AP)

    def to_dict(self) -> dict:
        return {"map_strict": round(self.strict, 4), "map_relaxed": round(self.relaxed, 4),
                "map_mean": round((self.strict + self.relaxed) / 2, 4),
                "groups": {k: {"strict": round(s, 4), "relaxed": round(r, 4)}
                           for k, (s, r) in sorted(self.groups.items())}}


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Average precision of a ranking, grouping tied scores as one threshold (like sklearn)."""
    labels = np.asarray(labels, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    positives = labels.sum()
    if len(labels) == 0 or positives == 0:
        return 0.0
    order = np.argsort(-scores, kind="stable")
    labels, scores = labels[order], scores[order]
    # The last index of each run of equal scores is one threshold.
    last = np.r_[np.flatnonzero(np.diff(scores) != 0), len(scores) - 1]
    true_positives = np.cumsum(labels)[last]
    precision = true_positives / (last + 1)
    recall = true_positives / positives
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def best_key_points(predictions: Mapping[str, Mapping[str, float]]) -> dict[str, tuple[str, float]]:
    """argument id -> (its highest-scoring key point id, that score)."""
    best = {}
    for arg_id, scores in predictions.items():
        if scores:
            key_point = max(scores, key=lambda k: scores[k])
            best[arg_id] = (key_point, float(scores[key_point]))
    return best


def track1_map(predictions: Mapping[str, Mapping[str, float]],
               arguments: Sequence[tuple[str, str, int]],
               labels: Mapping[tuple[str, str], int],
               top_fraction: float = 0.5) -> Track1Score:
    """Strict and relaxed mAP of `predictions` (arg id -> key point id -> score).

    `arguments` are (arg_id, topic, stance) rows of the gold arguments file; `labels` maps
    (arg_id, key_point_id) to 0/1 for the labelled pairs only.
    """
    best = best_key_points(predictions)
    groups: dict[tuple[str, int], list[tuple[float, float | None]]] = defaultdict(list)
    for arg_id, topic, stance in arguments:
        key_point, score = best.get(arg_id, (DUMMY_KEY_POINT, 0.0))
        label = 0 if key_point == DUMMY_KEY_POINT else labels.get((arg_id, key_point))
        groups[(topic, stance)].append((score, label))
    per_group = {}
    for (topic, stance), pairs in groups.items():
        per_group[f"{topic} | {stance:+d}"] = (_group_ap(pairs, 0, top_fraction),
                                               _group_ap(pairs, 1, top_fraction))
    strict = float(np.mean([s for s, _ in per_group.values()])) if per_group else 0.0
    relaxed = float(np.mean([r for _, r in per_group.values()])) if per_group else 0.0
    return Track1Score(strict, relaxed, per_group)


def _group_ap(pairs: list[tuple[float, int | None]], undecided: int, top_fraction: float
              ) -> float:
    ranked = sorted(pairs, key=lambda pair: -pair[0])[: int(len(pairs) * top_fraction)]
    labels = [undecided if label is None else label for _, label in ranked]
    return average_precision(labels, [score for score, _ in ranked])


# --- The ArgKP data set ------------------------------------------------------------------


@dataclass(frozen=True)
class Argument:
    """A crowd argument with its gold stance toward the topic (1 pro, -1 con)."""

    arg_id: str
    text: str
    topic: str
    stance: int


@dataclass(frozen=True)
class ArgKP:
    """One split of ArgKP: arguments, key points and the labelled (argument, key point) pairs."""

    arguments: tuple[Argument, ...]
    key_points: tuple[Argument, ...]  # same shape: id, text, topic, stance
    labels: dict[tuple[str, str], int]


class BenchmarkMissing(FileNotFoundError):
    """The ArgKP files are not where the evaluation was told to look."""


def load_argkp(directory: Path, split: str = "test") -> ArgKP:
    """Read arguments_, key_points_ and labels_<split>.csv from `directory`."""
    paths = [directory / f"{name}_{split}.csv" for name in ("arguments", "key_points", "labels")]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise BenchmarkMissing(f"ArgKP is not in {directory} (missing {', '.join(missing)}); "
                               "pass --argkp DIR pointing at the folder with the ArgKP csv files")
    arguments = tuple(_rows(paths[0], "arg_id", "argument"))
    key_points = tuple(_rows(paths[1], "key_point_id", "key_point"))
    with paths[2].open(encoding="utf-8", newline="") as handle:
        labels = {(r["arg_id"], r["key_point_id"]): int(r["label"])
                  for r in csv.DictReader(handle)}
    return ArgKP(arguments, key_points, labels)


def _rows(path: Path, id_column: str, text_column: str) -> list[Argument]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Argument(r[id_column], r[text_column], r["topic"], int(r["stance"]))
                for r in csv.DictReader(handle)]


def stratified_sample(arguments: Sequence[Argument], per_topic: int, seed: int
                      ) -> list[Argument]:
    """A fixed sample: `per_topic` arguments drawn at random (seeded) from each topic."""
    by_topic: dict[str, list[Argument]] = defaultdict(list)
    for argument in arguments:
        by_topic[argument.topic].append(argument)
    rng = random.Random(seed)
    sample = []
    for topic in sorted(by_topic):
        rows = by_topic[topic]
        sample.extend(rng.sample(rows, min(per_topic, len(rows))))
    return sorted(sample, key=lambda a: (a.topic, a.arg_id))


# --- Track 1 with an embedding matcher ------------------------------------------------------


def match_predictions(data: ArgKP, embed: Callable[[list[str]], np.ndarray]
                      ) -> dict[str, dict[str, float]]:
    """arg id -> key point id -> score, for the key points of the argument's topic and stance."""
    from arguments.keypoints import match_confidence, match_scores

    predictions: dict[str, dict[str, float]] = {}
    for (topic, stance), arguments in _grouped(data.arguments).items():
        key_points = _grouped(data.key_points).get((topic, stance), [])
        if not key_points:
            continue
        scores = match_confidence(
            match_scores([a.text for a in arguments], [k.text for k in key_points], embed))
        for row, argument in enumerate(arguments):
            predictions[argument.arg_id] = {k.arg_id: float(scores[row, col])
                                            for col, k in enumerate(key_points)}
    return predictions


def evaluate_track1(data: ArgKP, embed: Callable[[list[str]], np.ndarray]) -> Track1Score:
    """Track 1 strict/relaxed mAP of the embedding key point matcher on one split."""
    predictions = match_predictions(data, embed)
    rows = [(a.arg_id, a.topic, a.stance) for a in data.arguments]
    return track1_map(predictions, rows, data.labels)


def _grouped(rows: Sequence[Argument]) -> dict[tuple[str, int], list[Argument]]:
    groups: dict[tuple[str, int], list[Argument]] = defaultdict(list)
    for row in rows:
        groups[(row.topic, row.stance)].append(row)
    return groups


# --- Stance toward the topic ------------------------------------------------------------------

# Published KPA-2021 Track 1 figures on this test split, as summarised in the team's notes
# (shared/notes/anchors.md): zero-shot baselines and the best fine-tuned system.
PUBLISHED = {
    "zero_shot_nli_cross_encoder_strict": 0.69,
    "zero_shot_paraphrase_model_strict": 0.71,
    "best_fine_tuned_strict": 0.913,
    "best_fine_tuned_relaxed": 0.96,
}


def evaluate_argkp_stance(data: ArgKP, model, per_topic: int | None = None, seed: int = 13):
    """Stance of each argument toward its topic (pro/con only), on all or a stratified sample."""
    import time

    from arguments.stance import stance
    from evaluation.stance import score_labels

    arguments = (list(data.arguments) if per_topic is None
                 else stratified_sample(data.arguments, per_topic, seed))
    gold, predicted, rows = [], [], []
    started = time.perf_counter()
    for argument in arguments:
        label, score, _ = stance(argument.topic, argument.text, model, labels=("pro", "con"))
        gold.append("pro" if argument.stance == 1 else "con")
        predicted.append(label)
        rows.append({"id": argument.arg_id, "gold": gold[-1], "predicted": label,
                     "score": round(score, 3)})
    return score_labels(gold, predicted, ("pro", "con"), time.perf_counter() - started, rows)

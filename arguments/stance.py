"""Stance: does a passage argue for a claim, against it, or neither (read from label logits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from generation import render_prompt

PROMPT = "stance.txt"
PROMPT_VARIABLES = {PROMPT: {"claim", "passage"}}
STANCES = ("pro", "con", "neutral")
# The model answers with a letter; its next-token probabilities give the label's score.
_LETTERS = {"pro": "A", "con": "B", "neutral": "C"}
_MAX_PASSAGE_CHARS = 2000


class Stance(NamedTuple):
    """A stance label and the model's probability for it."""

    label: str
    score: float


def stance_messages(claim: str, passage: str) -> list[tuple[str, str]]:
    """The chat sent to the model (claim first, so calls for one claim share a prefix)."""
    claim, passage = " ".join(claim.split()), " ".join(passage.split())
    if not claim or not passage:
        raise ValueError("stance needs a non-empty claim and passage")
    return [("human", render_prompt(PROMPT, claim=claim, passage=passage[:_MAX_PASSAGE_CHARS]))]


def stance_probabilities(claim: str, passage: str, model) -> dict[str, float]:
    """P(pro), P(con), P(neutral) for the passage toward the claim."""
    letters = model.label_probabilities(stance_messages(claim, passage), list(_LETTERS.values()))
    return {label: letters[letter] for label, letter in _LETTERS.items()}


def stance(claim: str, text: str, model, labels: Sequence[str] = STANCES) -> Stance:
    """The most probable of `labels` (renormalised over them) and its probability."""
    unknown = set(labels) - set(STANCES)
    if unknown or len(labels) < 2:
        raise ValueError(f"labels must be two or more of {', '.join(STANCES)}")
    probabilities = stance_probabilities(claim, text, model)
    total = sum(probabilities[label] for label in labels) or 1.0
    label = max(labels, key=lambda name: probabilities[name])
    return Stance(label, probabilities[label] / total)

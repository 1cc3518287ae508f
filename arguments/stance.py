"""Stance: does a passage argue for a claim, against it, or neither (read from label logits).

The model picks a letter for three listed options. Small models favour some letters, so
the options are asked in three rotated orders and each stance's probability is averaged
over its three letters (dev set: 0.83 accuracy rotated against 0.75 in one order). The
rotations share the claim-and-passage prefix, so llama.cpp's cache makes them cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from generation import load_prompt, render_prompt

PROMPT = "stance.txt"
OPTIONS = "stance_options.txt"
PROMPT_VARIABLES = {PROMPT: {"claim", "passage", "option_a", "option_b", "option_c"},
                    OPTIONS: set()}
STANCES = ("pro", "con", "neutral")
LETTERS = ("A", "B", "C")
ROTATIONS = (("pro", "con", "neutral"), ("con", "neutral", "pro"), ("neutral", "pro", "con"))
_MAX_PASSAGE_CHARS = 2000


class Stance(NamedTuple):
    """A stance label and the model's probability for it."""

    label: str
    score: float


def _options() -> dict[str, str]:
    """Stance -> the option text shown to the model (from prompts/stance_options.txt)."""
    lines = load_prompt(OPTIONS).format().splitlines()
    options = dict(line.split(": ", 1) for line in lines if line.strip())
    if set(options) != set(STANCES):
        raise ValueError(f"{OPTIONS} must define exactly {', '.join(STANCES)}")
    return options


def stance_messages(claim: str, passage: str, order: Sequence[str] = ROTATIONS[0]
                    ) -> list[tuple[str, str]]:
    """The chat sent to the model, options in `order` (claim first, so calls share a prefix)."""
    claim, passage = " ".join(claim.split()), " ".join(passage.split())
    if not claim or not passage:
        raise ValueError("stance needs a non-empty claim and passage")
    options = _options()
    text = render_prompt(PROMPT, claim=claim, passage=passage[:_MAX_PASSAGE_CHARS],
                         option_a=options[order[0]], option_b=options[order[1]],
                         option_c=options[order[2]])
    return [("human", text)]


def stance_probabilities(claim: str, passage: str, model) -> dict[str, float]:
    """P(pro), P(con), P(neutral) of the passage toward the claim, averaged over rotations."""
    totals = dict.fromkeys(STANCES, 0.0)
    for order in ROTATIONS:
        letters = model.label_probabilities(stance_messages(claim, passage, order), LETTERS)
        for letter, label in zip(LETTERS, order, strict=True):
            totals[label] += letters[letter] / len(ROTATIONS)
    return totals


def stance(claim: str, text: str, model, labels: Sequence[str] = STANCES) -> Stance:
    """The most probable of `labels` (renormalised over them) and its probability."""
    unknown = set(labels) - set(STANCES)
    if unknown or len(labels) < 2:
        raise ValueError(f"labels must be two or more of {', '.join(STANCES)}")
    probabilities = stance_probabilities(claim, text, model)
    total = sum(probabilities[label] for label in labels) or 1.0
    label = max(labels, key=lambda name: probabilities[name])
    return Stance(label, probabilities[label] / total)

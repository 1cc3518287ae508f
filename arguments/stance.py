"""Stance: does a passage argue for a claim, against it, or neither (read from Yes/No logits).

Two closed questions: does the passage support the claim, and does it support the claim's
denial (made by rule, `negate`)? The passage leans toward whichever it supports more; when
the two are nearly even it takes no side, unless code sees it deny the claim's subject in so
many words ("Sanctions won't change ..."), which the small model often misses. Both questions
start with the passage, so llama.cpp's cache evaluates it once. Measured against the earlier
method (one A/B/C question in three rotated option orders): ArgKP dev split, 60 arguments,
0.80 against 0.53; ArgKP train, 72 arguments, 0.78 against an A/B/C few-shot prompt's 0.61;
dev set 12/12 against 10/12.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from arguments.negation import denies_subject, is_denial, negate
from generation import render_prompt

if TYPE_CHECKING:
    from generation import Model

PROMPT = "stance.txt"
PROMPT_VARIABLES = {PROMPT: {"passage", "statement"}}
STANCES = ("pro", "con", "neutral")
# A lean this close to an even split is no side. Tuned on the dev set; on ArgKP about a
# third of the arguments fall inside it, and the side read for those is right only ~2 in 3.
NEUTRAL_MARGIN = 0.1
_MAX_PASSAGE_CHARS = 2000


class Stance(NamedTuple):
    """A stance label and how clearly the passage takes it (0.5-1; for neutral, how even)."""

    label: str
    score: float


def support_messages(statement: str, passage: str) -> list[tuple[str, str]]:
    """The yes/no question sent to the model (the passage first, so calls share a prefix)."""
    statement, passage = " ".join(statement.split()), " ".join(passage.split())
    if not statement or not passage:
        raise ValueError("stance needs a non-empty claim and passage")
    text = render_prompt(PROMPT, passage=passage[:_MAX_PASSAGE_CHARS], statement=statement)
    return [("human", text)]


def lean(claim: str, passage: str, model) -> float:
    """0-1: how far the passage supports the claim rather than its denial (0.5: even)."""
    for_claim, for_denial = (
        model.label_probabilities(support_messages(statement, passage), ["Yes", "No"])["Yes"]
        for statement in (claim, negate(claim)))
    total = for_claim + for_denial
    return for_claim / total if total > 0 else 0.5


def stance(claim: str, text: str, model: Model, labels: Sequence[str] = STANCES) -> Stance:
    """The passage's stance toward the claim; `labels` without "neutral" forces a side."""
    unknown = set(labels) - set(STANCES)
    if unknown or len(set(labels)) < 2:
        raise ValueError(f"labels must be two or more of {', '.join(STANCES)}")
    toward = lean(claim, text, model)
    side, score = ("pro", toward) if toward >= 0.5 else ("con", 1 - toward)
    undecided = abs(toward - 0.5) < NEUTRAL_MARGIN
    if undecided and denies_subject(claim, text):
        side, score, undecided = ("pro" if is_denial(claim) else "con"), 0.5 + NEUTRAL_MARGIN, False
    if "neutral" in labels and (undecided or side not in labels):
        return Stance("neutral", 1 - abs(2 * toward - 1))
    return Stance(side, score)

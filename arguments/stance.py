"""Stance: is a passage about a claim at all, and if so, does it argue for it or against it.

Two decisions, made apart (the bundled 1.5B model says Yes to anything on the topic, so it
is never asked whether a passage is relevant):
1. Relevance, by code: the cosine of the claim's and the passage's embeddings (MiniLM) must
   reach ON_TOPIC. Below it the passage is "off-topic" and the model is not asked at all.
2. Direction, from three closed questions read from the model's logits, all starting with the
   passage so llama.cpp evaluates it once:
   - support: does the passage support the claim (P(Yes));
   - denial: does it support the claim's rule-made denial (P(Yes));
   - truth: according to the passage, is the claim true, false, or unclear (True vs False).
   The support and denial questions share the yes-bias, so their ratio cancels most of it;
   the truth question asks for a verdict instead of agreement, and errs on other pairs.
   direction = TRUTH_WEIGHT * logit(truth) + (1 - TRUTH_WEIGHT) * logit(support share);
   a direction within MARGIN of zero is no side, unless code sees the passage deny the
   claim's subject in so many words ("Sanctions won't change ...").
The support and denial questions read the judged text's `context` when one is given (the
passage or whole reader comment around a quoted sentence), so "He'd probably shake putin's
hand." is read as being about Trump. What each constant was chosen on, and what the methods
we tried scored, is in README.md ("How stance is decided").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from arguments.negation import denies_subject, is_denial, negate
from generation import render_prompt

if TYPE_CHECKING:
    from generation import Model

SUPPORT_PROMPT, TRUTH_PROMPT = "stance.txt", "truth.txt"
PROMPT_VARIABLES = {SUPPORT_PROMPT: {"passage", "statement"},
                    TRUTH_PROMPT: {"passage", "statement"}}
STANCES = ("pro", "con", "neutral")
# Chosen on the dev set's 41 stance pairs and the 5 propositions of data/eval/maps.json
# (cross-validated figures in README.md); never on ArgKP's test split.
ON_TOPIC = 0.4  # cosine below which a passage is off-topic for the claim
TRUTH_WEIGHT = 0.5  # share of the truth question in the direction
MARGIN = 0.2  # |direction| (log-odds) below which the passage takes no side
_MAX_PASSAGE_CHARS = 2000


class Stance(NamedTuple):
    """A stance label, how clearly the passage takes it (0.5-1; for neutral, how even), and
    why a neutral passage took no side ("off-topic" or "no side")."""

    label: str
    score: float
    reason: str = ""


class Signals(NamedTuple):
    """What the model said about one passage and claim (probabilities, 0-1)."""

    support: float  # P(Yes): the passage supports the claim
    denial: float  # P(Yes): the passage supports the claim's denial
    truth: float  # P(True) / (P(True) + P(False)): the claim is true according to it

    def direction(self, truth_weight: float = TRUTH_WEIGHT) -> float:
        """Log-odds that the passage argues for the claim rather than against it."""
        share = self.support / (self.support + self.denial) if self.support + self.denial else .5
        return truth_weight * _logit(self.truth) + (1 - truth_weight) * _logit(share)


def support_messages(statement: str, passage: str) -> list[tuple[str, str]]:
    """The yes/no question sent to the model (the passage first, so calls share a prefix)."""
    return _messages(SUPPORT_PROMPT, statement, passage)


def truth_messages(statement: str, passage: str) -> list[tuple[str, str]]:
    """The true/false/unclear question (the passage first, like the others)."""
    return _messages(TRUTH_PROMPT, statement, passage)


def _messages(prompt: str, statement: str, passage: str) -> list[tuple[str, str]]:
    statement, passage = " ".join(statement.split()), " ".join(passage.split())
    if not statement or not passage:
        raise ValueError("stance needs a non-empty claim and passage")
    return [("human", render_prompt(prompt, passage=passage[:_MAX_PASSAGE_CHARS],
                                    statement=statement))]


def read_signals(claim: str, text: str, model: Model, context: str | None = None) -> Signals:
    """Ask the three questions: support and denial about `context` (or the text), truth
    about the text itself."""
    around = context or text
    support, denial = (
        model.label_probabilities(support_messages(statement, around), ["Yes", "No"])["Yes"]
        for statement in (claim, negate(claim)))
    verdict = model.label_probabilities(truth_messages(claim, text),
                                        ["True", "False", "Unclear"])
    decided = verdict["True"] + verdict["False"]
    return Signals(support, denial, verdict["True"] / decided if decided > 0 else 0.5)


def stance(claim: str, text: str, model: Model, labels: Sequence[str] = STANCES, *,
           topic: float | None = None, context: str | None = None) -> Stance:
    """The passage's stance toward the claim; `labels` without "neutral" forces a side.

    `topic` is the claim-passage cosine (None: not measured, so no relevance decision).
    """
    unknown = set(labels) - set(STANCES)
    if unknown or len(set(labels)) < 2:
        raise ValueError(f"labels must be two or more of {', '.join(STANCES)}")
    if "neutral" in labels and topic is not None and topic < ON_TOPIC:
        return Stance("neutral", 1.0, "off-topic")
    return decide(claim, text, read_signals(claim, text, model, context), labels)


def decide(claim: str, text: str, signals: Signals, labels: Sequence[str] = STANCES,
           margin: float = MARGIN, truth_weight: float = TRUTH_WEIGHT) -> Stance:
    """The label the signals give (see the module's docstring)."""
    direction = signals.direction(truth_weight)
    side = "pro" if direction >= 0 else "con"
    clearly = 1 / (1 + math.exp(-abs(direction)))
    undecided = abs(direction) < margin
    if undecided and denies_subject(claim, text):
        side, undecided = ("pro" if is_denial(claim) else "con"), False
        clearly = 1 / (1 + math.exp(-margin))
    if "neutral" in labels and (undecided or side not in labels):
        return Stance("neutral", 1 - clearly + 0.5, "no side")
    return Stance(side, clearly)


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-4), 1 - 1e-4)
    return math.log(probability / (1 - probability))

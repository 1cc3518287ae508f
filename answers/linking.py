"""Attach citations by code: link each answer sentence to the evidence passages that back it.

Candidates are ranked by embedding similarity plus word overlap; the model then judges
"does this passage support the statement?" (Yes/No read from logits). Every number and
name in the sentence must also appear in what it cites (or in the question).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from answers.evidence import passages_prompt
from documents import Passage, claim_of
from documents.text import content_stems, figures, likely_names, numerals

PROMPT_VARIABLES = {"support_shown.txt": {"statement", "number"},
                    "support_other.txt": {"statement", "passage"}}

SIMILARITY_WEIGHT = 0.6  # the rest is word overlap
CANDIDATE_FLOOR = 0.25  # below this a passage is not worth asking the model about
MAX_CANDIDATES = 3
SUPPORT_THRESHOLD = 0.5  # P(Yes) needed to accept a passage as support


@dataclass(frozen=True)
class Link:
    """The passages one sentence rests on, and whether they support it."""

    passages: tuple[Passage, ...]
    supported: bool


def unbacked_details(claim: str, sources: Sequence[str]) -> set[str]:
    """Numbers, fractions ("one-fifth", "a third") and names in the claim that none of the
    source texts contains (a fraction may be written either way: "half" and "1/2" differ)."""
    pooled = " ".join(sources)
    missing = numerals(claim) - numerals(pooled)
    stated = set(figures(pooled).values())
    # Word numbers ("two") are left out: the model counts the items it lists.
    missing |= {form for form, value in figures(claim).items()
                if value[0] == "fraction" and value not in stated}
    lowered = pooled.replace("’", "'").lower()
    missing |= {name for name in likely_names(claim) if name not in lowered}
    return missing


def overlap(claim: str, passage: str) -> float:
    """Share of the claim's content words that the passage contains."""
    stems = content_stems(claim)
    return len(stems & content_stems(passage)) / len(stems) if stems else 0.0


def rank_candidates(claim_vector: np.ndarray, claim: str, passages: Sequence[Passage],
                    vectors: np.ndarray, preferred: int = 0) -> list[int]:
    """Indices of passages worth judging: the first `preferred` (what the answer was written
    from) before the rest, each group best first by similarity plus word overlap."""
    similarity = vectors @ claim_vector
    scored = [(SIMILARITY_WEIGHT * float(similarity[i])
               + (1 - SIMILARITY_WEIGHT) * overlap(claim, p.text), i)
              for i, p in enumerate(passages)]
    kept = [(i >= preferred, -score, i) for score, i in scored if score >= CANDIDATE_FLOOR]
    return [i for _, _, i in sorted(kept)][:MAX_CANDIDATES]


def supports(model, question: str, claim: str, passage: Passage,
             shown: Sequence[Passage]) -> float:
    """P(Yes): the model's judgment that the passage supports the claim.

    The prompt starts with the very passages (`shown`) and question the answer's prompts
    began with, so llama.cpp reuses their cache and evaluates only the statement and the task:
    a shown passage is named by its number, any other is quoted after them.
    """
    if passage in shown:
        prompt = passages_prompt(shown, question, "support_shown.txt", statement=claim,
                                 number=shown.index(passage) + 1)
    else:
        prompt = passages_prompt(shown, question, "support_other.txt", statement=claim,
                                 passage=" ".join(passage.text.split()))
    return model.label_probabilities([("human", prompt)], ["Yes", "No"])["Yes"]


def link_sentence(sentence: str, sentence_vector: np.ndarray, passages: Sequence[Passage],
                  vectors: np.ndarray, model, question: str, preferred: int,
                  shown: Sequence[Passage]) -> Link:
    """Cite the best-ranked passages the model confirms, until the claim's details are covered.

    `shown`: the passages the answer's prompts listed (see `supports`)."""
    claim = claim_of(sentence)
    cited: list[Passage] = []
    for index in rank_candidates(sentence_vector, claim, passages, vectors, preferred):
        if cited and not unbacked_details(claim, [question, *(p.text for p in cited)]):
            break
        if supports(model, question, claim, passages[index], shown) >= SUPPORT_THRESHOLD:
            cited.append(passages[index])
    covered = not unbacked_details(claim, [question, *(p.text for p in cited)])
    return Link(_fewest(claim, question, cited) if covered else tuple(cited),
                bool(cited) and covered)


def _fewest(claim: str, question: str, cited: list[Passage]) -> tuple[Passage, ...]:
    """The cited passages without those the later ones make unnecessary: a passage the model
    accepted first but that lacks the claim's figures or names is dropped when the passages
    that hold them back the claim alone."""
    kept = list(cited)
    for passage in cited[:-1]:
        rest = [p for p in kept if p is not passage]
        if not unbacked_details(claim, [question, *(p.text for p in rest)]):
            kept = rest
    return tuple(kept)

"""Debate: the user states a position; the documents answer, turn by turn, with the strongest
cited claims of the position's map on the other side, and the sides can switch.

Every turn is assembled by code from the map's claims: no free-text generation, so every
sentence carries its citations (reader comments are attributed as such).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from arguments.claims import ArgumentMap, Claim
from arguments.maps import MAX_CANDIDATES, build_map
from documents import attributed
from generation import Progress, no_progress

if TYPE_CHECKING:
    from generation import Model
    from retrieval import Searcher

CLAIMS_PER_TURN = 2


@dataclass(frozen=True)
class Debate:
    """One debate: the user's position, its map, which side the assistant argues, what was said."""

    position: str
    argument_map: ArgumentMap
    assistant_side: str = "con"  # "con": argue against the user; "pro": argue for the position
    used: tuple[str, ...] = ()  # texts of the claims already put forward
    turn: int = 0

    def remaining(self) -> list[Claim]:
        """The assistant side's claims not yet put forward."""
        claims = getattr(self.argument_map, self.assistant_side)
        return [c for c in claims if c.text not in self.used]

    def switched(self) -> Debate:
        """The same debate with the assistant arguing the other side."""
        return replace(self, assistant_side="pro" if self.assistant_side == "con" else "con")


@dataclass(frozen=True)
class DebateTurn:
    """The claims the assistant put forward in one turn, for one side."""

    number: int
    side: str
    claims: tuple[Claim, ...]

    def to_dict(self) -> dict:
        return {"turn": self.number, "side": self.side,
                "claims": [{"text": said(c), "kind": c.kind, "stance": c.stance,
                            "citations": [citation.to_dict() for citation in c.citations]}
                           for c in self.claims]}


def open_debate(position: str, searcher: Searcher, model: Model,
                max_candidates: int = MAX_CANDIDATES, progress: Progress = no_progress) -> Debate:
    """Map the user's position once (reporting the map's steps); the turns draw on that map."""
    return Debate(position, build_map(position, searcher, model, max_candidates=max_candidates,
                                      progress=progress))


def strongest(claims: list[Claim], statement: str, embed) -> list[Claim]:
    """Claims ordered by relevance to the user's last statement, then by their strength."""
    if not claims:
        return []
    vectors = embed([statement, *(c.text for c in claims)])
    relevance = vectors[1:] @ vectors[0]
    strength = np.array([c.score * (1 + 0.2 * min(len(c.citations), 3)) for c in claims])
    order = np.lexsort((-strength, -np.round(relevance, 1)))
    return [claims[i] for i in order]


def next_turn(debate: Debate, statement: str, embed,
              per_turn: int = CLAIMS_PER_TURN) -> tuple[Debate, list[Claim]]:
    """The claims the assistant puts forward next, and the debate with them marked as used."""
    chosen = strongest(debate.remaining(), statement, embed)[:per_turn]
    used = (*debate.used, *(c.text for c in chosen))
    return replace(debate, used=used, turn=debate.turn + 1), chosen


def all_turns(debate: Debate, statement: str, embed,
              per_turn: int = CLAIMS_PER_TURN) -> tuple[Debate, list[DebateTurn]]:
    """Every turn the assistant's side has in answer to one statement, until its claims run out."""
    turns: list[DebateTurn] = []
    while debate.remaining():
        debate, chosen = next_turn(debate, statement, embed, per_turn)
        turns.append(DebateTurn(debate.turn, debate.assistant_side, tuple(chosen)))
    return debate, turns


def said(claim: Claim) -> str:
    """The claim as the assistant says it: a reader comment's claim is never the article's."""
    return attributed(claim.text, claim.citations)

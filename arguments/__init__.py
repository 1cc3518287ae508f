"""Argument layer: stance, key points, competing positions, pro/con maps, audit, exports."""

from arguments.audit import Verdict, answer_claims, audit_citation, audit_claims
from arguments.claims import ArgumentMap, Claim, Unused
from arguments.debate import Debate, DebateTurn, all_turns, next_turn, open_debate
from arguments.exports import to_aif, to_argdown, to_markdown, to_mermaid
from arguments.keypoints import KeyPoint, comment_key_points
from arguments.maps import build_map
from arguments.positions import Position, Positions, competing_positions
from arguments.stance import STANCES, Stance, stance

__all__ = [
    "STANCES",
    "ArgumentMap",
    "Claim",
    "Debate",
    "DebateTurn",
    "KeyPoint",
    "Position",
    "Positions",
    "Stance",
    "Unused",
    "Verdict",
    "all_turns",
    "answer_claims",
    "audit_citation",
    "audit_claims",
    "build_map",
    "comment_key_points",
    "competing_positions",
    "next_turn",
    "open_debate",
    "stance",
    "to_aif",
    "to_argdown",
    "to_markdown",
    "to_mermaid",
]

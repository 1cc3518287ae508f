"""Competing positions on a topic: each document's author, and each document's readers."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from arguments.claims import SIDES, Claim
from arguments.evidence import Judged, gather_candidates, judge_candidates, most_relevant
from arguments.keypoints import KeyPoint, comment_key_points
from arguments.maps import map_candidates
from documents import Citation, Document, Passage, split_passages
from generation import Progress, Stopwatch, no_progress

if TYPE_CHECKING:
    from generation import Model
    from retrieval import Searcher

PER_AUTHOR = 4  # a document's own closest article passages considered (see _holder_passages)
PER_READERS = 6  # a document's own closest comment sentences considered
MIXED_SHARE = 1 / 3  # a minority side at least this large makes a position "mixed"


@dataclass(frozen=True)
class Position:
    """What one holder (an author, or the readers of a document) argues about the topic."""

    holder: str
    role: str  # "author" or "readers"
    doc_id: str
    stance: str  # pro | con | mixed | neutral
    score: float  # share of the holder's judged weight on the winning side
    claims: tuple[Claim, ...]
    prevalence: str | None = None  # readers only: "3 of 13 comments argue con"
    key_points: tuple[KeyPoint, ...] = ()  # readers only: what the comments say overall
    judged_comments: int = 0  # readers only: how many distinct comments were judged

    def to_dict(self) -> dict:
        return {"holder": self.holder, "role": self.role, "doc_id": self.doc_id,
                "stance": self.stance, "score": round(self.score, 3),
                "prevalence": self.prevalence, "claims": [c.to_dict() for c in self.claims],
                "key_points": [k.to_dict() for k in self.key_points]}


@dataclass(frozen=True)
class Positions:
    """All positions found on a topic."""

    topic: str
    positions: tuple[Position, ...]
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step, and "total"

    def citations(self):
        """Every citation shown: the claims' and the key points' (matches include the point)."""
        for position in self.positions:
            for claim in position.claims:
                yield from claim.citations
            for key_point in position.key_points:
                yield from key_point.matches

    def to_dict(self) -> dict:
        return {"topic": self.topic, "positions": [p.to_dict() for p in self.positions],
                "warnings": list(self.warnings), "seconds": round(self.seconds, 1),
                "timings": {step: round(s, 3) for step, s in self.timings.items()}}


def competing_positions(topic: str, searcher: Searcher, model: Model, *,
                        per_author: int = PER_AUTHOR, per_readers: int = PER_READERS,
                        progress: Progress = no_progress) -> Positions:
    """One position per document author and one per document's readers, with citations.

    A holder's passages are the ones a map of the topic would judge that are theirs, and
    their own closest passages that are at least as close to the topic as those (so a
    position rests on the same relevance as the map, and agrees with it on every passage
    both judge). `progress` hears each step as it starts: relevance (the map's passages),
    candidates ("document i of n, author"), stance ("document i of n, readers, passage j of
    m"), key_points ("document i of n"); the positions' `timings` hold their seconds.
    """
    topic = " ".join(topic.split())
    if not topic:
        raise ValueError("the topic is empty")
    clock = Stopwatch(progress)
    with clock("relevance"):
        shared = _map_passages(topic, searcher)
    limits = {"article": per_author, "comment": per_readers}
    documents = sorted(searcher.documents.items())
    positions = []
    for number, (_, document) in enumerate(documents, start=1):
        where = f"document {number} of {len(documents)}"
        positions += _holders(topic, document, searcher, model, limits, shared, clock, where)
    timings = clock.total()
    return Positions(topic, tuple(positions), tuple(_warnings(positions)), timings["total"],
                     timings)


def _holders(topic: str, document: Document, searcher, model, limits: dict[str, int],
             shared: dict[str, float], clock: Stopwatch, where: str) -> list[Position]:
    """The author's position on the topic (if any) and the readers' (if there are comments)."""
    doc_id, positions = document.doc_id, []
    judge = (topic, searcher, model, doc_id)
    author = _judged(*judge, "article", limits, shared, clock, f"{where}, author")
    if author:
        positions.append(_position(holder_name(document, "author"), "author", doc_id, author))
    total = _comment_count(document)
    if total:
        readers = _judged(*judge, "comment", limits, shared, clock, f"{where}, readers")
        position = _position(holder_name(document, "readers"), "readers", doc_id, readers,
                             total)
        with clock("key_points", where):
            key_points = tuple(comment_key_points(document, searcher.embed))
        positions.append(replace(position, key_points=key_points))
    return positions


def _judged(topic, searcher, model, doc_id, kind, limits, shared, clock, where
            ) -> list[Judged]:
    with clock("candidates", where):
        passages = _holder_passages(topic, searcher, doc_id, kind, limits[kind], shared)
    return judge_candidates(topic, passages, model, clock, f"{where}, ", embed=searcher.embed)


def _map_passages(topic: str, searcher) -> dict[str, float]:
    """Passage id -> cosine with the topic, for the passages a map of the topic judges."""
    passages = map_candidates(topic, searcher)
    if not passages:
        return {}
    vectors = searcher.embed([topic, *(p.text for p in passages)])
    return {p.id: float(c) for p, c in zip(passages, vectors[1:] @ vectors[0], strict=True)}


def _holder_passages(topic: str, searcher, doc_id: str, kind: str, limit: int,
                     shared: dict[str, float]) -> list[Passage]:
    """The holder's passages among the map's, then up to `limit` of their own closest (gathered
    twice over) that are as close to the topic as the farthest of the map's.

    Judging each holder's closest passages whatever their distance put passages about the
    war's course on a side of a narrower proposition (position precision 0.36 on
    data/eval/maps.json, against 0.60 this way; README, "Maps, positions and stance").
    """
    mine = [p for p in searcher.passages
            if p.id in shared and p.doc_id == doc_id and p.kind == kind]
    gathered = gather_candidates(topic, searcher, 2 * limit, doc_ids=[doc_id], kinds=(kind,))
    own = [p for p in most_relevant(topic, gathered, limit, searcher.embed, comment_share=1.0)
           if p.id not in shared]
    if shared and own:
        floor = min(shared.values())
        vectors = searcher.embed([topic, *(p.text for p in own)])
        own = [p for p, c in zip(own, vectors[1:] @ vectors[0], strict=True) if c >= floor]
    return mine + own


def _warnings(positions: list[Position]) -> list[str]:
    warnings = []
    if not any(p.stance in SIDES or p.stance == "mixed" for p in positions):
        warnings.append("no holder takes a side on this topic in the documents")
    if any(p.role == "readers" for p in positions):
        warnings.append("reader comments are the readers' views, not the articles' claims")
    return warnings


def _author_name(document: Document) -> str:
    if document.author and not document.author.startswith("Unknown"):
        return f"{document.author} (author of {document.doc_id})"
    return f"the author of {document.doc_id} ({document.title or 'untitled'})"


def _comment_count(document: Document) -> int:
    return len({p.comment for p in split_passages(document) if p.kind == "comment"})


def _position(holder: str, role: str, doc_id: str, judged: list[Judged], total: int = 0
              ) -> Position:
    weight = Counter()
    for item in judged:
        if item.stance in SIDES:
            weight[item.stance] += item.score
    stance, score = _overall(weight)
    claims = tuple(
        Claim(" ".join(j.passage.text.split()), j.passage.kind, j.stance, j.score,
              (Citation.of(j.passage),))
        for j in sorted(judged, key=lambda j: -j.score) if j.stance in SIDES
    )
    prevalence = _prevalence(judged, total) if role == "readers" else None
    return Position(holder, role, doc_id, stance, score, claims, prevalence,
                    judged_comments=len({j.passage.comment for j in judged}))


def holder_name(document: Document, role: str) -> str:
    """How a holder is named: the document's author, or its readers."""
    return f"readers of {document.doc_id}" if role == "readers" else _author_name(document)


def with_claims(position: Position, claims: tuple[Claim, ...], document: Document) -> Position:
    """The position resting on `claims` instead (e.g. after a user's corrections): its side,
    score and, for readers, prevalence counted again from them."""
    weight = Counter()
    for claim in claims:
        weight[claim.stance] += claim.score
    stance, score = _overall(weight)
    claims = tuple(sorted(claims, key=lambda c: -c.score))
    prevalence = position.prevalence
    if position.role == "readers":
        comment_of = {(p.start, p.end): p.comment for p in split_passages(document)}
        by_side = {side: {comment_of.get((c.start, c.end)) for claim in claims
                          if claim.stance == side for c in claim.citations} for side in SIDES}
        prevalence = _prevalence_text(by_side, _comment_count(document),
                                      position.judged_comments)
    return replace(position, stance=stance, score=score, claims=claims, prevalence=prevalence)


def _overall(weight: Counter) -> tuple[str, float]:
    total = sum(weight.values())
    if total == 0:
        return "neutral", 0.0
    side, top = weight.most_common(1)[0]
    if total - top >= MIXED_SHARE * total:
        return "mixed", top / total
    return side, top / total


def _prevalence(judged: list[Judged], total: int) -> str:
    """How many distinct comments argue each side, out of all comments on the document."""
    by_side = {side: {j.passage.comment for j in judged if j.stance == side} for side in SIDES}
    return _prevalence_text(by_side, total, len({j.passage.comment for j in judged}))


def _prevalence_text(by_side: dict[str, set], total: int, judged_comments: int) -> str:
    parts = [f"{len(ids)} of {total} comments argue {side}" for side, ids in by_side.items()
             if ids]
    summary = "; ".join(parts) or f"none of {total} comments takes a side"
    return f"{summary} (the {judged_comments} most relevant comments were judged)"

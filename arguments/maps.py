"""Pro/con maps: candidates from both sides, stance, grouping into claims, objections, warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from arguments.claims import SIDES, ArgumentMap, Claim, Unused
from arguments.evidence import (
    CLAIM_KINDS,
    Judged,
    gather_candidates,
    judge_candidates,
    most_relevant,
)
from arguments.paraphrase import claim_text
from documents import Citation, Passage
from documents.checks import whole_number
from generation import Progress, Stopwatch, no_progress

if TYPE_CHECKING:
    from generation import Model
    from retrieval import Searcher

GROUP_THRESHOLD = 0.6  # cosine above which two passages of one side make the same point
OBJECTION_THRESHOLD = 0.55  # cosine above which an opposite claim answers a claim
MAX_CANDIDATES = 12  # passages judged per map (three model calls each): the main cost
MAX_PASSAGES = 40  # the most `max_candidates` may ask for: up to three model calls each
POOL_FACTOR = 2  # passages gathered per passage judged (the closest are kept)
# Generations per map; other claims keep their passage's own sentence. One paraphrase costs
# 6-12 s on 2 cores, which the 40 s budget of a map does not leave room for.
MAX_PARAPHRASES = 0


def build_map(proposition: str, searcher: Searcher, model: Model, *,
              max_candidates: int = MAX_CANDIDATES, paraphrase: bool = True,
              progress: Progress = no_progress) -> ArgumentMap:
    """The pro and con claims the documents make about `proposition`, every one cited.

    `progress` hears each step as it starts: candidates, stance ("passage i of n"), claims,
    objections, checks; the map's `timings` hold their seconds.
    """
    proposition = " ".join(proposition.split())
    if not proposition:
        raise ValueError("the proposition is empty")
    max_candidates = checked_passages(max_candidates)
    clock = Stopwatch(progress)
    with clock("candidates"):
        candidates = map_candidates(proposition, searcher, max_candidates)
    judged = judge_candidates(proposition, candidates, model, clock, embed=searcher.embed)
    with clock("claims"):
        budget = [MAX_PARAPHRASES if paraphrase else 0]
        sides = {side: _claims(proposition, [j for j in judged if j.stance == side], side,
                               searcher, model, budget) for side in SIDES}
    with clock("objections"):
        pro, con = _attach_objections(sides["pro"], sides["con"], searcher)
    with clock("checks"):
        pro, con, dropped = _verified_sides(pro, con, searcher.documents)
    unused = tuple(Unused(Citation.of(j.passage), j.reason or "no side") for j in judged
                   if j.stance == "neutral")
    warnings = _warnings(pro, con, len(candidates), len(unused), dropped)
    timings = clock.total()
    return ArgumentMap(proposition, pro, con, tuple(warnings), timings["total"], unused, timings)


def map_candidates(proposition: str, searcher: Searcher, limit: int = MAX_CANDIDATES
                   ) -> list[Passage]:
    """The passages a map judges: twice `limit` gathered for and against, the `limit` closest
    to the proposition kept (arguments.evidence.most_relevant)."""
    gathered = gather_candidates(proposition, searcher, POOL_FACTOR * limit)
    return most_relevant(proposition, gathered, limit, searcher.embed)


def checked_passages(count) -> int:
    """The passages to judge for a map as an int; ValueError unless it is a whole number from
    1 to MAX_PASSAGES."""
    return whole_number(count, MAX_PASSAGES, "the number of passages judged per map")


def group_passages(judged: Sequence[Judged], embed, threshold: float = GROUP_THRESHOLD
                   ) -> list[list[Judged]]:
    """Passages of one side and kind that make the same point (single-link on cosine)."""
    if not judged:
        return []
    vectors = embed([j.passage.text for j in judged])
    similarity = vectors @ vectors.T
    group_of = list(range(len(judged)))
    for i in range(len(judged)):
        for j in range(i):
            if similarity[i, j] >= threshold and judged[i].passage.kind == judged[j].passage.kind:
                old, new = group_of[i], group_of[j]
                group_of = [new if g == old else g for g in group_of]
    groups: dict[int, list[Judged]] = {}
    for index, group in enumerate(group_of):
        groups.setdefault(group, []).append(judged[index])
    return list(groups.values())


def _claims(proposition: str, judged: list[Judged], side: str, searcher, model,
            budget: list[int]) -> list[Claim]:
    """One claim per group of passages; `budget` counts the paraphrases still allowed."""
    claims = []
    for kind in CLAIM_KINDS:
        of_kind = [j for j in judged if j.passage.kind == kind]
        for group in group_passages(of_kind, searcher.embed):
            group = sorted(group, key=lambda j: -j.score)
            citations = tuple(Citation.of(j.passage) for j in group)
            text, paraphrased, tried = claim_text(proposition, citations, model,
                                                  enabled=budget[0] > 0)
            budget[0] -= tried
            score = float(np.mean([j.score for j in group]))
            claims.append(Claim(text, kind, side, score, citations, paraphrased=paraphrased))
    return sorted(claims, key=lambda c: (c.kind != "article", -len(c.citations), -c.score))


def _attach_objections(pro: list[Claim], con: list[Claim], searcher
                       ) -> tuple[tuple[Claim, ...], tuple[Claim, ...]]:
    """Each claim gets as objections the opposite claims that address the same point."""
    if not pro or not con:
        return tuple(pro), tuple(con)
    similarity = _claim_similarity(pro, con, searcher.embed)
    pro_objections = {i: [] for i in range(len(pro))}
    con_objections = {j: [] for j in range(len(con))}
    for i in range(len(pro)):
        for j in range(len(con)):
            if similarity[i, j] < OBJECTION_THRESHOLD:
                continue
            if j == int(np.argmax(similarity[i])):
                pro_objections[i].append(con[j])
            if i == int(np.argmax(similarity[:, j])):
                con_objections[j].append(pro[i])
    pro_out = tuple(_with_objections(c, pro_objections[i]) for i, c in enumerate(pro))
    con_out = tuple(_with_objections(c, con_objections[j]) for j, c in enumerate(con))
    return pro_out, con_out


def _with_objections(claim: Claim, objections: list[Claim]) -> Claim:
    return replace(claim, objections=tuple(objections))


def _claim_similarity(pro: list[Claim], con: list[Claim], embed) -> np.ndarray:
    """Highest cosine between any quote of a pro claim and any quote of a con claim."""
    texts = [c.quote for claim in (*pro, *con) for c in claim.citations]
    vectors = embed(texts)
    owners = [i for i, claim in enumerate((*pro, *con)) for _ in claim.citations]
    owners = np.array(owners)
    quote_similarity = vectors @ vectors.T
    result = np.zeros((len(pro), len(con)))
    for i in range(len(pro)):
        for j in range(len(con)):
            block = quote_similarity[np.ix_(owners == i, owners == len(pro) + j)]
            result[i, j] = block.max()
    return result


def _verified_sides(pro: tuple[Claim, ...], con: tuple[Claim, ...], documents
                    ) -> tuple[tuple[Claim, ...], tuple[Claim, ...], int]:
    """Both sides re-checked by `_verified`, and how many citations that removed."""
    cited = sum(len(c.citations) for c in (*pro, *con))
    pro, con = _verified(pro, documents), _verified(con, documents)
    return pro, con, cited - sum(len(c.citations) for c in (*pro, *con))


def _verified(claims: tuple[Claim, ...], documents) -> tuple[Claim, ...]:
    """Keep only citations still verbatim in the stored text (code cut them; this re-checks)."""
    kept = []
    for claim in claims:
        citations = tuple(c for c in claim.citations if c.is_verbatim(documents))
        if citations:
            kept.append(replace(claim, citations=citations,
                                objections=_verified(claim.objections, documents)))
    return tuple(kept)


def _warnings(pro, con, candidates: int, neutral: int, dropped: int) -> list[str]:
    warnings = side_warnings(pro, con)
    if dropped:
        warnings.append(f"{dropped} citation(s) failed the verbatim check and were removed")
    if neutral:
        warnings.append(f"{neutral} of {candidates} retrieved passages took no side (see unused)")
    return warnings


def side_warnings(pro: Sequence[Claim], con: Sequence[Claim]) -> list[str]:
    """What a reader should know about the two sides: empty, only comments, or thin."""
    warnings = []
    for side, claims, other in (("pro", pro, con), ("con", con, pro)):
        sources = sum(len(c.citations) for c in claims)
        other_sources = sum(len(c.citations) for c in other)
        if not claims and other_sources:
            # A small model can read its own view of a claim into every passage (every one
            # con for "Russia is winning the war in Ukraine."): say what happened, not that
            # the documents hold nothing.
            opposite = "con" if side == "pro" else "pro"
            warnings.append(f"no {side} claims found: the {side} side is empty and all "
                            f"{other_sources} placed source(s) are {opposite}; the small model "
                            f"can read its own view of a claim into every passage, so check "
                            f"them and the unused passages")
        elif not claims:
            warnings.append(f"no {side} claims found in the documents: the {side} side is empty")
        elif all(c.kind == "comment" for c in claims):
            warnings.append(f"the {side} side rests only on reader comments, not on an article")
        elif sources * 3 <= other_sources:
            warnings.append(f"the {side} side is thin: {sources} source(s) against "
                            f"{other_sources} for the other side")
    return warnings

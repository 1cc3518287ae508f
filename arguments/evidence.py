"""Evidence for a proposition: candidates from both sides, each judged pro, con or neutral."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from arguments.negation import negate
from arguments.stance import stance
from documents import Passage
from documents.instructions import instruction_like
from documents.text import content_words
from generation import Stopwatch

if TYPE_CHECKING:
    from generation import Model
    from retrieval import Searcher

CLAIM_KINDS = ("article", "comment")
_PER_QUERY = 10


@dataclass(frozen=True)
class Judged:
    """A passage with its stance toward the proposition."""

    passage: Passage
    stance: str  # pro | con | neutral
    score: float  # how clearly the passage takes that stance (see arguments.stance)
    reason: str = ""  # why a neutral passage took no side: "off-topic", "no side", ...


def queries_for(proposition: str) -> list[tuple[str, str]]:
    """(query, mode) pairs: the proposition, its denial, and its key terms for BM25."""
    keywords = " ".join(sorted(content_words(proposition)))
    return [(proposition, "hybrid"), (negate(proposition), "dense"),
            (keywords or proposition, "bm25")]


def gather_candidates(proposition: str, searcher: Searcher, limit: int = 16,
                      doc_ids: Sequence[str] | None = None,
                      kinds: Sequence[str] = CLAIM_KINDS, comment_share: float = 0.34
                      ) -> list[Passage]:
    """Up to `limit` diverse passages for and against; comments get about their share."""
    pools = {kind: _pool(proposition, searcher, kind, doc_ids) for kind in kinds}
    comments = pools.pop("comment", [])
    reserved = min(len(comments), round(limit * comment_share) if pools else limit)
    chosen: list[Passage] = []
    for pool in pools.values():
        chosen += _diverse(pool, searcher, limit - reserved - len(chosen))
    return chosen + _diverse(comments, searcher, limit - len(chosen))


def most_relevant(proposition: str, passages: Sequence[Passage], limit: int, embed,
                  comment_share: float = 0.34) -> list[Passage]:
    """The `limit` passages closest to the proposition (cosine), comments at most their share.

    A map gathers twice the passages it will judge and keeps the closest: labelled passages
    that argue a side are closer to the proposition than off-topic ones (ROC AUC 0.76 on
    data/eval/maps.json), and the model is asked only about the ones kept.
    """
    if not passages:
        return []
    vectors = embed([proposition, *(p.text for p in passages)])
    ranked = sorted(zip(vectors[1:] @ vectors[0], range(len(passages)), strict=True),
                    key=lambda item: -item[0])
    comments_left = round(limit * comment_share)
    kept = []
    for _, index in ranked:
        passage = passages[index]
        if passage.kind == "comment":
            if comments_left == 0:
                continue
            comments_left -= 1
        kept.append(passage)
        if len(kept) == limit:
            break
    return kept


def _pool(proposition: str, searcher, kind: str, doc_ids) -> list[Passage]:
    """Passages any query finds, ordered by their best reciprocal rank.

    A comment line that quotes the article is the article's words, not the reader's claim,
    so it is left out.
    """
    best: dict[str, tuple[float, Passage]] = {}
    for query, mode in queries_for(proposition):
        hits = searcher.search(query, k=_PER_QUERY, kinds=[kind], doc_ids=doc_ids, mode=mode)
        for rank, hit in enumerate(h for h in hits if not h.passage.quotation):
            score = 1.0 / (rank + 1)
            if score > best.get(hit.passage.id, (0.0, None))[0]:
                best[hit.passage.id] = (score, hit.passage)
    ranked = sorted(best.values(), key=lambda item: (-item[0], item[1].doc_id, item[1].start))
    return [passage for _, passage in ranked]


def _diverse(passages: list[Passage], searcher, limit: int, penalty: float = 0.5
             ) -> list[Passage]:
    """Maximal marginal relevance: keep rank order but skip near-repeats."""
    if limit <= 0 or not passages:
        return []
    vectors = searcher.embed([p.text for p in passages])
    relevance = 1.0 / (1.0 + np.arange(len(passages)))
    chosen: list[int] = []
    while len(chosen) < min(limit, len(passages)):
        redundancy = (vectors @ vectors[chosen].T).max(axis=1) if chosen else 0
        value = relevance - penalty * redundancy
        value[chosen] = -np.inf
        chosen.append(int(np.argmax(value)))
    return [passages[i] for i in chosen]


def judge_candidates(proposition: str, passages: Sequence[Passage], model: Model,
                     clock: Stopwatch | None = None, where: str = "", embed=None
                     ) -> list[Judged]:
    """Each passage's stance toward the proposition, timed as the step "stance".

    `embed` (texts -> unit vectors) gives each passage its topic similarity, so off-topic
    passages are left neutral without asking the model. `clock` hears "passage i of n" as
    each judgment starts, after `where` if given (e.g. "document 2 of 5, readers, ").
    """
    clock = clock or Stopwatch()
    topics = _topics(proposition, passages, embed)
    judged = []
    for number, (passage, topic) in enumerate(zip(passages, topics, strict=True), start=1):
        with clock("stance", f"{where}passage {number} of {len(passages)}"):
            if instruction_like(passage.text) is not None:  # a planted order: left unused
                judged.append(Judged(passage, "neutral", 0.0, "reads like an instruction"))
                continue
            label, score, reason = stance(proposition, passage.text, model, topic=topic)
            judged.append(Judged(passage, label, score, reason))
    return judged


def _topics(proposition: str, passages: Sequence[Passage], embed) -> list[float | None]:
    """The cosine of each passage with the proposition (None without an embedder)."""
    if embed is None or not passages:
        return [None] * len(passages)
    vectors = embed([proposition, *(p.text for p in passages)])
    return [float(value) for value in vectors[1:] @ vectors[0]]

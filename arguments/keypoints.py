"""Key points: match arguments to key points by meaning, and summarise reader comments.

The comment summary is extractive, as in IBM's Key Point Analysis: the key points are
comment sentences chosen by code, so each one is a verbatim span of the document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from documents import Citation, Document, Passage, split_passages

Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised rows

# Cosine similarity of MiniLM embeddings above which a sentence counts as making a key
# point. A weak signal, measured: on ArgKP train, an argument whose best key point scores
# >= 0.55 is a gold match 42% of the time (60% counting undecided pairs; 0.5-0.7 all give
# 41-50%), so prevalence figures are approximate and each key point lists what it counts.
MATCH_THRESHOLD = 0.55
_MIN_WORDS, _MAX_WORDS = 4, 40
_TEMPERATURE, _SHARPNESS_WEIGHT = 0.05, 0.5


@dataclass(frozen=True)
class KeyPoint:
    """A point several reader comments make, stated by one of their own sentences."""

    text: str
    citation: Citation  # the comment sentence that states the key point
    matches: tuple[Citation, ...]  # every comment sentence that makes the point
    comments: tuple[int, ...]  # numbers of the comments that make it
    total_comments: int

    @property
    def prevalence(self) -> str:
        return f"{len(self.comments)} of {self.total_comments} comments"

    def to_dict(self) -> dict:
        return {"key_point": self.text, "prevalence": self.prevalence,
                "comments": list(self.comments), "total_comments": self.total_comments,
                "citation": self.citation.to_dict(),
                "matches": [c.to_dict() for c in self.matches]}


def match_scores(arguments: Sequence[str], key_points: Sequence[str], embed: Embed
                 ) -> np.ndarray:
    """Cosine similarity of each argument (row) with each key point (column)."""
    if not arguments or not key_points:
        return np.zeros((len(arguments), len(key_points)), dtype=np.float32)
    vectors = embed([*arguments, *key_points])
    return vectors[: len(arguments)] @ vectors[len(arguments) :].T


def match_confidence(similarity: np.ndarray, temperature: float = _TEMPERATURE,
                     weight: float = _SHARPNESS_WEIGHT) -> np.ndarray:
    """Match scores that also reward a clear winner among the key points of each row.

    Mixes the cosine with a softmax over the row's key points: an argument that is close
    to one key point and far from the others is a more confident match than one close to
    all of them. Temperature and weight were chosen on ArgKP train+dev (not test).
    """
    if similarity.size == 0:
        return similarity
    shifted = np.exp((similarity - similarity.max(axis=1, keepdims=True)) / temperature)
    softmax = shifted / shifted.sum(axis=1, keepdims=True)
    return (1 - weight) * similarity + weight * softmax


def comment_sentences(document: Document) -> list[Passage]:
    """The reader's own comment sentences (a comment's quotation of the article is left out)."""
    return [p for p in split_passages(document) if p.kind == "comment" and not p.quotation]


def comment_key_points(document: Document, embed: Embed, *,
                       threshold: float = MATCH_THRESHOLD, min_comments: int = 1,
                       max_points: int = 8) -> list[KeyPoint]:
    """Key points of a document's reader comments, most prevalent first."""
    sentences = comment_sentences(document)
    if not sentences:
        return []
    similarity = match_scores([s.text for s in sentences], [s.text for s in sentences], embed)
    matches = similarity >= threshold
    candidates = [i for i, s in enumerate(sentences) if _is_candidate(s.text)]
    chosen = _greedy_cover(sentences, matches, candidates, min_comments, max_points)
    members = _assign(similarity, matches, chosen)
    while any(_comments(sentences, m) < min_comments for m in members.values()):
        chosen = [c for c in chosen if _comments(sentences, members[c]) >= min_comments]
        members = _assign(similarity, matches, chosen)
    total = len({p.comment for p in split_passages(document) if p.kind == "comment"})
    points = [_key_point(sentences, index, members[index], total) for index in chosen]
    return sorted(points, key=lambda k: -len(k.comments))


def _is_candidate(text: str) -> bool:
    """A key point states something: a sentence of moderate length, not a question."""
    return _MIN_WORDS <= len(text.split()) <= _MAX_WORDS and not text.rstrip().endswith("?")


def _comments(sentences: list[Passage], indices) -> int:
    return len({sentences[j].comment for j in indices})


def _greedy_cover(sentences, matches, candidates, min_comments, max_points) -> list[int]:
    """Pick the candidate matching the most comments not yet covered, then the next."""
    uncovered = {s.comment for s in sentences}
    chosen: list[int] = []
    covers = [{sentences[j].comment for j in np.flatnonzero(row)} for row in matches]
    while len(chosen) < max_points:
        options = [i for i in candidates if i not in chosen and not matches[i, chosen].any()]
        if not options:
            break
        best = max(options, key=lambda i: (len(covers[i] & uncovered), int(matches[i].sum())))
        if len(covers[best] & uncovered) < min_comments:
            break
        chosen.append(best)
        uncovered -= covers[best]
    return chosen


def _assign(similarity, matches, chosen) -> dict[int, list[int]]:
    """Each sentence goes to the chosen key point it is closest to, if it matches it."""
    members: dict[int, list[int]] = {c: [] for c in chosen}
    for j in range(len(similarity)):
        if chosen:
            best = max(chosen, key=lambda c: similarity[j, c])
            if matches[j, best]:
                members[best].append(j)
    return members


def _key_point(sentences, index, members, total) -> KeyPoint:
    passage = sentences[index]
    return KeyPoint(
        text=passage.text,
        citation=Citation.of(passage),
        matches=tuple(Citation.of(sentences[j]) for j in members),
        comments=tuple(sorted({sentences[j].comment for j in members})),
        total_comments=total,
    )

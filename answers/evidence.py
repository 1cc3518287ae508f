"""Choose the passages an answer may rest on, and show them to the model as numbered text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from documents import Passage

ARTICLE_KINDS = ("article", "bio")
COMMENT_KIND = "comment"
LABELS = {"article": "article", "bio": "author bio", "comment": "reader comment"}
# A question about what readers said is answered from the comments only.
_ABOUT_COMMENTS = re.compile(r"\b(readers?|comments?|commenters?|commentators?)\b", re.I)
# Words that frame such a question but say nothing about its topic.
_FRAME_WORDS = frozenset(
    "what which who how does do did one a an any some the readers reader comment comments "
    "commenter commenters commentator commentators say says said think thinks argue argues "
    "claim claims about of on regarding in this article".split()
)


def asks_about_comments(question: str) -> bool:
    return bool(_ABOUT_COMMENTS.search(question))


def topic_words(question: str) -> str:
    """The question without its framing words ("what does one reader say about ...")."""
    words = re.findall(r"[\w’'-]+", question)
    kept = [w for w in words if w.lower() not in _FRAME_WORDS]
    return " ".join(kept) or question


def retrieve(question: str, searcher, k: int, include_comments: bool = True) -> list:
    """The k best hits for a question; a question about readers searches the comments."""
    if include_comments and asks_about_comments(question):
        by_topic = searcher.search(topic_words(question), k=k, kinds=[COMMENT_KIND])
        by_question = searcher.search(question, k=k, kinds=[COMMENT_KIND])
        return _interleave(by_topic, by_question, k)
    kinds = [*ARTICLE_KINDS, COMMENT_KIND] if include_comments else list(ARTICLE_KINDS)
    return searcher.search(question, k=k, kinds=kinds)


def _interleave(first: list, second: list, k: int) -> list:
    merged, seen = [], set()
    for pair in zip(first, second, strict=False):
        for hit in pair:
            if hit.passage.id not in seen:
                seen.add(hit.passage.id)
                merged.append(hit)
    for hit in first[len(second):] + second[len(first):]:
        if hit.passage.id not in seen:
            seen.add(hit.passage.id)
            merged.append(hit)
    return merged[:k]


def numbered(passages: Sequence[Passage]) -> str:
    """`[1] (article) text` lines; the kind tells the model what a comment is."""
    return "\n".join(f"[{number}] ({LABELS.get(p.kind, p.kind)}) {_one_line(p.text)}"
                     for number, p in enumerate(passages, start=1))


def _one_line(text: str) -> str:
    return " ".join(text.split())

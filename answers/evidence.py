"""Choose the passages an answer may rest on, and show them to the model as numbered text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from documents import Passage
from documents.text import content_stems
from generation import render_prompt

# Every prompt of an answer (choose, write, check) starts with this head, byte for byte, so
# llama.cpp evaluates the passages and the question once and reuses them for each call.
HEAD_PROMPT = "answer_passages.txt"
PROMPT_VARIABLES = {HEAD_PROMPT: {"passages", "question"}}

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


# "How many Russian soldiers ...": the plural noun after "how many" names what is counted.
_COUNTED = re.compile(r"\b(?i:how many)\s+(?:[\w’'-]+\s+){0,2}?([a-z][a-z-]*s)\b")
# Words ending in -s that are not what is counted: verbs and function words ("how many people
# does ..."), and "times", which counts events named in any words.
_NOT_COUNTED = frozenset({"does", "has", "was", "is", "its", "this", "his", "as", "us", "yes",
                          "across", "always", "perhaps", "whereas", "times"})


def counted_thing(question: str) -> str | None:
    """What a "how many" question counts ("soldiers"), or None for any other question.

    A lowercase plural within three words of "how many"; capitalised words ("US troops")
    are names in front of it, and a count of people without a plural -s ("people") is None.
    """
    match = _COUNTED.search(question)
    if match is None:
        return None
    words = [*match.group(0).split()[2:-1], match.group(1)]
    if any(word in _NOT_COUNTED for word in words):
        return None
    return match.group(1)


def names_counted(passage: Passage, thing: str) -> bool:
    """Whether the passage mentions what a count question counts ("soldier(s)")."""
    return thing.rstrip("s") in content_stems(passage.text)


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


def passages_prompt(shown: Sequence[Passage], question: str, task: str, **values) -> str:
    """The shared head (the numbered passages and the question), then the `task` prompt file
    filled with `values`."""
    head = render_prompt(HEAD_PROMPT, passages=numbered(shown), question=question)
    return f"{head}\n\n{render_prompt(task, **values)}"


def numbered(passages: Sequence[Passage]) -> str:
    """`[1] (article) text` lines; the kind tells the model what a comment is."""
    return "\n".join(f"[{number}] ({LABELS.get(p.kind, p.kind)}) {_one_line(p.text)}"
                     for number, p in enumerate(passages, start=1))


def _one_line(text: str) -> str:
    return " ".join(text.split())


# A short sentence opening with one of these leans on the one before it ("This includes India
# and China."): shown alone, or left out after its antecedent, the model misses what it says.
# Longer ones mostly say enough by themselves, and each join costs prompt tokens.
_LEANS_BACK = re.compile(r"^(?:this|that|these|those|it|they|such|both)\b", re.I)
SHORT_SENTENCE = 80  # characters


def in_context(passage: Passage, searcher) -> Passage:
    """The passage joined with a neighbour it cannot be read without: the sentence before it
    when it is short and opens with "This"/"It"/..., the sentence after it when that one is.
    Both stay in one paragraph or comment; the result is still a verbatim span of the
    document."""
    position = searcher.passage_position(passage)
    if position is None:
        return passage
    start, end = passage, passage
    before = _neighbour(searcher, position - 1, passage)
    if before is not None and _leans_back(passage):
        start = before
    after = _neighbour(searcher, position + 1, passage)
    if after is not None and _leans_back(after):
        end = after
    if start is passage and end is passage:
        return passage
    text = searcher.documents[passage.doc_id].text[start.start:end.end]
    return replace(passage, start=start.start, end=end.end, text=text)


def _leans_back(passage: Passage) -> bool:
    return len(passage.text) < SHORT_SENTENCE and bool(_LEANS_BACK.match(passage.text))


def _neighbour(searcher, position: int, passage: Passage) -> Passage | None:
    if not 0 <= position < len(searcher.passages):
        return None
    other = searcher.passages[position]
    same_unit = (other.doc_id, other.kind, other.paragraph, other.comment) == (
        passage.doc_id, passage.kind, passage.paragraph, passage.comment)
    return other if same_unit else None

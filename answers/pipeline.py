"""Cited question answering: rewrite -> retrieve -> generate (streamed) -> choose evidence (or
refuse) -> split into sentences -> link each sentence to the passages that support it, by code."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from answers.answer import NOT_FOUND, Answer, AnswerSentence, refusal
from answers.evidence import (
    counted_thing,
    in_context,
    names_counted,
    passages_prompt,
    retrieve,
)
from answers.linking import claim_of, link_sentence
from answers.rewrite import standalone_question
from documents import Citation, Passage, attributed, sentence_spans
from documents.checks import whole_number
from documents.instructions import instruction_like
from generation import Progress, Stopwatch, no_progress

if TYPE_CHECKING:
    from generation import Model
    from retrieval import Searcher

PROMPT_VARIABLES = {
    "answer.txt": {"max_sentences"},
    "answer_choose.txt": set(),
}

# The timed steps before the draft's first piece streams: their sum is "first words".
BEFORE_FIRST_WORDS = ("rewrite", "retrieval", "prompt")
MAX_SENTENCES = 3  # list and "why" questions need room for the items or the reason
# Every retrieved passage is embedded again to link the answer's sentences, so a huge k (an
# API parameter) would make one question cost as much as re-indexing the corpus.
MAX_K = 20
_WORDS = {1: "one", 2: "two", 3: "three"}
MAX_ANSWER_TOKENS = 120
# Refuse without asking the model when no passage is even loosely about the question.
SIMILARITY_FLOOR = 0.25
# Passages the model reads, numbered 1-N (one digit, one token each). The chooser and the
# answer prompts start with the same passages and question, so llama.cpp evaluates them once
# and the answer only pays for its few task words; the answer is written from all of them.
MAX_SHOWN = 4
MAX_CHOSEN = 2
CHOSEN_SHARE = 0.5  # a runner-up joins the best passage if its probability is this close
_MARKERS = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
# A sentence saying the passages lack the answer is a refusal, not a claim to cite.
_NO_INFORMATION = re.compile(
    r"\b(?:do|does|did) not (?:provide|contain|mention|say|state|specify|include|answer)|"
    r"\bno (?:information|mention)\b|\bnot (?:mentioned|stated|specified|provided)\b|"
    r"\bcannot be (?:determined|answered)\b", re.I)
# "According to the passage, X" (or "Based on the passages provided, X") says nothing the
# citation does not: the sentence is X. Frames
# naming an article or a reader stay, since they attribute the claim.
_PASSAGE_FRAME = re.compile(
    r"^(?:(?:according to|based on) (?:the )?(?:passages?|texts?|documents?)(?: \d+| \[\d+\])?"
    r"(?: (?:provided|given|above))?\s*,\s*|"
    r"(?:the )?(?:passages?|texts?|documents?)(?: \d+| \[\d+\])? "
    r"(?:states?|says?|notes?|mentions?|indicates?|explains?) that\s+)", re.I)


def answer_question(question: str, searcher: Searcher, model: Model, history=(), k: int = 6,
                    include_comments: bool = True, *, progress: Progress = no_progress,
                    on_draft: Callable[[str], None] | None = None) -> Answer:
    """Answer from the documents; every kept sentence carries citations code attached.

    `progress` hears each timed step as it starts (rewrite, retrieval, prompt, generation,
    choose, checks; BEFORE_FIRST_WORDS come before the first streamed piece); `on_draft` gets
    each streamed piece of the draft.
    """
    question, k = _checked(question), checked_k(k)
    clock = Stopwatch(progress)
    with clock("rewrite"):
        query = standalone_question(question, history, model)
    with clock("retrieval"):
        hits = retrieve(query, searcher, k, include_comments)
    shown = shown_passages(hits, searcher)
    if not _on_topic(query, hits, searcher):
        return refusal(question, query, clock.total(), evidence=shown)
    # The draft is written from every shown passage, whatever the chooser picks, so it streams
    # first; the chooser then evaluates only its task line after the shared prefix.
    draft = _generate(query, shown, model, clock, on_draft or _ignore)
    if _is_refusal(draft) or not draft_sentences(draft):
        return refusal(question, query, clock.total(), evidence=shown)
    with clock("choose"):
        evidence = choose_evidence(query, hits, searcher, model)
    if not evidence.chosen:
        return refusal(question, query, clock.total(), evidence=shown)
    with clock("checks"):
        # The chooser's picks are judged first for every sentence; then whatever else was
        # shown or retrieved, by closeness to the sentence.
        others = [p for p in (*evidence.shown, *(h.passage for h in hits))
                  if p not in evidence.chosen]
        sentences = _cited_sentences(draft, query, evidence, list(dict.fromkeys(others)),
                                     searcher, model)
    supported = sum(s.supported for s in sentences)
    if not supported:
        return refusal(question, query, clock.total(), unsupported=len(sentences),
                       evidence=evidence.shown)
    return Answer(question, query, tuple(sentences), refused=False,
                  unsupported=len(sentences) - supported, timings=clock.total(),
                  evidence=tuple(Citation.of(p) for p in evidence.shown))


def _ignore(piece: str) -> None:
    """Draft pieces nobody watches."""


def _checked(question) -> str:
    if not isinstance(question, str) or not question.strip():
        raise ValueError("the question is empty")
    return " ".join(question.split())


def checked_k(k) -> int:
    """`k` as an int; ValueError unless it is a whole number from 1 to MAX_K."""
    return whole_number(k, MAX_K, "the number of passages (k)")


@dataclass(frozen=True)
class Evidence:
    """What the model reads (retrieval order: the shared prompt prefix) and what it picks."""

    shown: tuple[Passage, ...]
    chosen: tuple[Passage, ...]  # best first; empty means refuse


def choose_evidence(query: str, hits, searcher: Searcher, model: Model) -> Evidence:
    """The passages shown to the model and the ones it picks as answering the query.

    A passage that gives the model orders (a planted injection) is never shown to it; a
    sentence that leans on its neighbour is shown with it (`in_context`). A similarity floor
    first; then P(passage number) read from the logits of a one-digit reply, where 0 stands
    for "none of them": refuse when 0 is likelier than every passage.
    """
    shown = shown_passages(hits, searcher)
    if not _on_topic(query, hits, searcher):
        return Evidence(shown, ())
    prompt = passages_prompt(shown, query, "answer_choose.txt")
    labels = [str(number) for number in range(len(shown) + 1)]
    probability = model.label_probabilities([("human", prompt)], labels)
    ranked = sorted(((probability[str(n)], n) for n in range(1, len(shown) + 1)), reverse=True)
    best = ranked[0][0]
    if probability["0"] >= best:
        return Evidence(shown, ())
    chosen = [shown[n - 1] for p, n in ranked[:MAX_CHOSEN] if p >= CHOSEN_SHARE * best]
    return Evidence(shown, tuple(_counting(query, chosen)))


def _counting(query: str, chosen: list[Passage]) -> list[Passage]:
    """For a "how many soldiers" question, only the picks that mention soldiers: the model
    readily answers it with a passage's count of something else (civilians)."""
    thing = counted_thing(query)
    return chosen if thing is None else [p for p in chosen if names_counted(p, thing)]


def shown_passages(hits, searcher: Searcher) -> tuple[Passage, ...]:
    """What the model reads of the hits: the first MAX_SHOWN that give it no orders, each
    with the neighbour it leans on."""
    return tuple(dict.fromkeys(in_context(h.passage, searcher) for h in _readable(hits)))


def _on_topic(query: str, hits, searcher: Searcher) -> bool:
    """Whether any passage the model would be shown is even loosely about the query."""
    hits = _readable(hits)
    return bool(hits) and _best_similarity(query, hits, searcher) >= SIMILARITY_FLOOR


def _readable(hits) -> list:
    """The first MAX_SHOWN hits that give the model no orders."""
    return [h for h in hits if instruction_like(h.passage.text) is None][:MAX_SHOWN]


def _best_similarity(query: str, hits, searcher) -> float:
    scores = [hit.dense_score for hit in hits]
    if any(score is None for score in scores):
        vectors = searcher.embed([query, *(hit.passage.text for hit in hits)])
        scores = (vectors[1:] @ vectors[0]).tolist()
    return max(scores)


def _generate(query: str, shown: Sequence[Passage], model, clock: Stopwatch,
              on_draft: Callable[[str], None]) -> str:
    """The model's short answer, streamed: time to the first piece counts as prompt time."""
    # No refusal clause here: the small model over-used it (3 of 12 answerable dev questions);
    # refusing is the chooser's job, and unsupported drafts are caught by the checks.
    prompt = answer_prompt(query, shown)
    clock.started("prompt")
    start = time.perf_counter()
    pieces, first = [], None
    for chunk in model.limited(MAX_ANSWER_TOKENS).stream([("human", prompt)]):
        if first is None:
            first = time.perf_counter()
            clock.started("generation")
        pieces.append(chunk.text)
        on_draft(chunk.text)
    end = time.perf_counter()
    if first is None:  # nothing streamed: an empty generation step, reported all the same
        first = end
        clock.started("generation")
    clock.add("prompt", first - start)
    clock.add("generation", end - first)
    return "".join(pieces)


def answer_prompt(query: str, shown: Sequence[Passage]) -> str:
    """The answer prompt: the chooser's passages and question, then the writing task."""
    return passages_prompt(shown, query, "answer.txt", max_sentences=_WORDS[MAX_SENTENCES])


def _is_refusal(draft: str) -> bool:
    text = " ".join(draft.split()).lower()
    return not text or NOT_FOUND.lower().rstrip(".") in text[: len(NOT_FOUND) + 20]


def draft_sentences(draft: str) -> list[str]:
    """The draft cut into sentences by code, without passage markers or refusal filler."""
    text = _MARKERS.sub("", " ".join(draft.split()))
    sentences = [_capitalised(_PASSAGE_FRAME.sub("", text[a:b], count=1))
                 for a, b in sentence_spans(text)]
    kept = [s for s in sentences if NOT_FOUND.lower().rstrip(".") not in s.lower()
            and not _NO_INFORMATION.search(s)]
    return kept[: MAX_SENTENCES + 1]


def _capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _cited_sentences(draft: str, query: str, evidence: Evidence,
                     others: Sequence[Passage], searcher, model) -> list[AnswerSentence]:
    texts = draft_sentences(draft)
    if not texts:
        return []
    passages = [*evidence.chosen, *others]
    vectors = searcher.embed([*(claim_of(t) for t in texts), *(p.text for p in passages)])
    claims, vectors_of_passages = vectors[: len(texts)], np.asarray(vectors[len(texts):])
    sentences = []
    for text, vector in zip(texts, claims, strict=True):
        link = link_sentence(text, vector, passages, vectors_of_passages, model, query,
                             len(evidence.chosen), evidence.shown)
        citations = tuple(Citation.of(p) for p in link.passages)
        sentences.append(AnswerSentence(attributed(text, link.passages), link.supported,
                                        citations))
    return sentences

"""What a cited answer is: sentences, each with the citations code attached to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from documents import Citation, Passage

# The one refusal text; the answer prompt asks for it verbatim and code compares against it.
NOT_FOUND = "Not found in these documents."


@dataclass(frozen=True)
class AnswerSentence:
    """One sentence of an answer; supported only if code linked it to passages that back it."""

    text: str
    supported: bool
    citations: tuple[Citation, ...] = ()

    def to_dict(self) -> dict:
        return {"text": self.text, "supported": self.supported,
                "citations": [c.to_dict() for c in self.citations]}


@dataclass(frozen=True)
class Answer:
    """A question, its standalone query, and the answer built from supported sentences."""

    question: str
    query: str  # the standalone question searched for (a rewritten follow-up, or the question)
    sentences: tuple[AnswerSentence, ...]
    refused: bool
    unsupported: int = 0  # generated sentences no passage supports (shown marked, or dropped)
    timings: dict[str, float] = field(default_factory=dict)
    # The passages the model read to write (or refuse) the answer, cited or not: what an
    # evaluation checks for the gold passage, and what a user can open to see what it saw.
    evidence: tuple[Citation, ...] = ()

    @property
    def text(self) -> str:
        """The supported sentences; unsupported ones stay out of it (marked in `sentences`)."""
        if self.refused:
            return NOT_FOUND
        return " ".join(s.text for s in self.sentences if s.supported)

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every citation of a supported sentence, once, in order of first use."""
        seen: dict[Citation, None] = {}
        for sentence in self.sentences:
            if sentence.supported:
                seen.update(dict.fromkeys(sentence.citations))
        return tuple(seen)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "query": self.query,
            "answer": self.text,
            "refused": self.refused,
            "sentences": [s.to_dict() for s in self.sentences],
            "citations": [c.to_dict() for c in self.citations],
            "unsupported_sentences": self.unsupported,
            "timings": {name: round(seconds, 3) for name, seconds in self.timings.items()},
            "evidence": [c.to_dict() for c in self.evidence],
        }


def refusal(question: str, query: str, timings: dict[str, float], unsupported: int = 0,
            evidence: Sequence[Passage] = ()) -> Answer:
    """The fixed "not found" answer: no sentences, no citations, nothing invented."""
    return Answer(question, query, (), refused=True, unsupported=unsupported, timings=timings,
                  evidence=tuple(Citation.of(p) for p in evidence))

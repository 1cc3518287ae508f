"""Answer quality on an evaluation set: facts, gold citations, citation validity, refusals, time.

Works on answers in the `counterpoint ask --json` form, so the naive baseline is scored by
exactly the same code.
"""

from __future__ import annotations

import math
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from answers.pipeline import BEFORE_FIRST_WORDS
from documents.text import content_stems
from evaluation.dataset import gold_span

_READER = re.compile(r"\b(readers?|comments?|commenters?)\b", re.I)
_WHY = re.compile(r"\bwhy\b", re.I)
# Question types, derived from each item because dev.json tags only the evidence kind. An
# item can carry several; one with none is a "single fact" question.
TYPES = ("single fact", "list", "why", "paraphrase", "comment")


def question_types(item: dict) -> tuple[str, ...]:
    """list: the answer needs several facts; why: it asks for a reason; paraphrase: the gold
    quote shares no content word with the question; comment: the evidence is a reader's."""
    tags = [name for name, applies in (
        ("list", len(item.get("facts", ())) > 1),
        ("why", bool(_WHY.search(item["q"]))),
        ("paraphrase", not content_stems(item["q"]) & content_stems(item.get("quote", ""))),
        ("comment", item.get("kind") == "comment"),
    ) if applies]
    return tuple(tags) or ("single fact",)


@dataclass(frozen=True)
class ItemOutcome:
    """How one question went."""

    item_id: str
    section: str  # "qa" or "refuse"
    answer: str
    refused: bool
    facts_present: bool | None  # qa only
    gold_cited: bool | None  # qa only
    gold_in_evidence: bool | None  # qa only: the gold passage was among those the model read
    valid_citations: int
    citations: int
    cited_chars: int  # characters the answer's citations span: how precise they are
    supported_sentences: int
    sentences: int
    attributed_to_readers: bool | None  # qa items whose evidence is a comment
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    types: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {key: (round(value, 3) if isinstance(value, float) else value)
                for key, value in self.__dict__.items()}

    @property
    def first_words_seconds(self) -> float | None:
        """Seconds until the first streamed word of the draft (None: no draft was written)."""
        if "generation" not in self.timings:
            return None
        return sum(self.timings.get(step, 0.0) for step in BEFORE_FIRST_WORDS)


@dataclass(frozen=True)
class AnswerScores:
    """The figures the README reports."""

    system: str
    model: str
    qa_items: int
    fact_accuracy: float
    gold_citation_rate: float
    gold_evidence_rate: float | None  # None: the system does not say what it read
    citation_validity: float
    supported_share: float | None  # None: the system does not check its sentences
    refusals: int
    refuse_items: int
    false_refusals: int
    comment_attribution: float | None
    median_cited_chars: float  # over answered qa items
    median_seconds: float
    p95_seconds: float
    median_breakdown: dict[str, float]
    median_first_words_seconds: float | None
    by_type: dict[str, dict] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {key: (round(value, 4) if isinstance(value, float) else value)
                for key, value in self.__dict__.items()}


def facts_present(answer: str, facts: list[str]) -> bool:
    """Every fact (alternatives separated by '|') appears in the answer, ignoring case."""
    text = answer.lower()
    return all(any(alt.strip().lower() in text for alt in fact.split("|")) for fact in facts)


def citation_is_valid(citation: dict, documents) -> bool:
    document = documents.get(citation["doc_id"])
    return (document is not None and 0 <= citation["start"] < citation["end"]
            and document.text[citation["start"] : citation["end"]] == citation["quote"])


def _all_citations(result: dict) -> list[dict]:
    nested = [c for s in result.get("sentences", []) for c in s.get("citations", [])]
    return [*result.get("citations", []), *nested]


def _overlaps(citation: dict, gold: tuple[str, int, int]) -> bool:
    doc_id, start, end = gold
    return citation["doc_id"] == doc_id and citation["start"] < end and start < citation["end"]


def score_item(item: dict, section: str, result: dict, documents, seconds: float
               ) -> ItemOutcome:
    """Score one answer (a dict in the `ask --json` form) against its item."""
    citations = _all_citations(result)
    facts = gold = read = attributed = None
    types: tuple[str, ...] = ()
    if section == "qa":
        facts = not result["refused"] and facts_present(result["answer"], item["facts"])
        span = gold_span(documents, item["doc"], item["quote"])
        gold = any(_overlaps(c, span) for c in result.get("citations", []))
        if "evidence" in result:
            read = any(_overlaps(c, span) for c in result["evidence"])
        types = question_types(item)
        if item.get("kind") == "comment":
            attributed = bool(_READER.search(result["answer"]))
    sentences = result.get("sentences", [])
    return ItemOutcome(
        item_id=item["id"], section=section, answer=result["answer"],
        refused=result["refused"], facts_present=facts, gold_cited=gold, gold_in_evidence=read,
        valid_citations=sum(citation_is_valid(c, documents) for c in citations),
        citations=len(citations),
        cited_chars=sum(c["end"] - c["start"] for c in result.get("citations", [])),
        supported_sentences=sum(bool(s.get("supported")) for s in sentences),
        sentences=len(sentences) + _hidden_unsupported(result),
        attributed_to_readers=attributed, seconds=seconds,
        timings=dict(result.get("timings", {})), types=types,
    )


def _hidden_unsupported(result: dict) -> int:
    """Unsupported sentences a refusal left out of `sentences` (still counted)."""
    listed = sum(not s.get("supported") for s in result.get("sentences", []))
    return max(0, result.get("unsupported_sentences", 0) - listed)


def run_items(eval_set: dict, answer: Callable[[str], dict], documents,
              progress: Callable[[str], None] | None = None) -> list[ItemOutcome]:
    """Answer every qa and refuse item of the set and score each answer."""
    outcomes = []
    for section in ("qa", "refuse"):
        for item in eval_set.get(section, []):
            start = time.perf_counter()
            result = answer(item["q"])
            seconds = time.perf_counter() - start
            outcome = score_item(item, section, result, documents, seconds)
            outcomes.append(outcome)
            if progress is not None:
                progress(_progress_line(outcome))
    return outcomes


def _progress_line(outcome: ItemOutcome) -> str:
    marks = {True: "ok", False: "MISS", None: "-"}
    if outcome.section == "qa":
        state = (f"facts {marks[outcome.facts_present]}, gold {marks[outcome.gold_cited]}, "
                 f"read {marks[outcome.gold_in_evidence]}")
    else:
        state = "refused" if outcome.refused else "ANSWERED"
    return f"{outcome.item_id}: {state} ({outcome.seconds:.1f} s) {outcome.answer[:100]}"


def summarize(outcomes: list[ItemOutcome], system: str, model: str,
              checks_support: bool = True) -> AnswerScores:
    qa = [o for o in outcomes if o.section == "qa"]
    refuse = [o for o in outcomes if o.section == "refuse"]
    citations = sum(o.citations for o in outcomes)
    sentences = sum(o.sentences for o in outcomes)
    attributed = [o.attributed_to_readers for o in qa if o.attributed_to_readers is not None]
    seconds = sorted(o.seconds for o in outcomes)
    read = [o.gold_in_evidence for o in qa if o.gold_in_evidence is not None]
    first_words = [o.first_words_seconds for o in outcomes if o.first_words_seconds is not None]
    return AnswerScores(
        system=system, model=model, qa_items=len(qa),
        fact_accuracy=_share(sum(bool(o.facts_present) for o in qa), len(qa)),
        gold_citation_rate=_share(sum(bool(o.gold_cited) for o in qa), len(qa)),
        gold_evidence_rate=_share(sum(read), len(read)) if read else None,
        citation_validity=_share(sum(o.valid_citations for o in outcomes), citations, 1.0),
        supported_share=(_share(sum(o.supported_sentences for o in outcomes), sentences)
                         if checks_support else None),
        refusals=sum(o.refused for o in refuse), refuse_items=len(refuse),
        false_refusals=sum(o.refused for o in qa),
        comment_attribution=_share(sum(attributed), len(attributed)) if attributed else None,
        median_cited_chars=statistics.median(
            [o.cited_chars for o in qa if not o.refused] or [0]),
        median_seconds=statistics.median(seconds) if seconds else 0.0,
        p95_seconds=_percentile(seconds, 0.95),
        median_breakdown=_median_steps(outcomes),
        median_first_words_seconds=statistics.median(first_words) if first_words else None,
        by_type=by_type(qa),
    )


def by_type(qa: list[ItemOutcome]) -> dict[str, dict]:
    """Facts, gold citations, gold passage read and refusals per question type."""
    table = {}
    for name in TYPES:
        rows = [o for o in qa if name in o.types]
        if rows:
            table[name] = {
                "items": len(rows),
                "facts": sum(bool(o.facts_present) for o in rows),
                "gold_cited": sum(bool(o.gold_cited) for o in rows),
                "gold_read": sum(bool(o.gold_in_evidence) for o in rows),
                "refused": sum(o.refused for o in rows),
            }
    return table


def _share(part: int, whole: int, empty: float = 0.0) -> float:
    return part / whole if whole else empty


def _percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def _median_steps(outcomes: list[ItemOutcome]) -> dict[str, float]:
    """Median seconds of each pipeline step over the answers (a missing step counts 0)."""
    steps = sorted({step for o in outcomes for step in o.timings})
    return {step: statistics.median(o.timings.get(step, 0.0) for o in outcomes)
            for step in steps}

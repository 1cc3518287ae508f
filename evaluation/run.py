"""`counterpoint eval all`: every evaluation in one run, as a JSON-ready report.

Each section calls its stage's own evaluation; this module only runs them on one `Session`
and records every figure with the number of items behind it. `evaluation.provenance` adds the
configuration, `evaluation.markdown` renders the tables.
"""

from __future__ import annotations

import datetime
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.provenance import configuration

if TYPE_CHECKING:  # the session stage imports the models' libraries; `eval all` needs them late
    from session import Session

QUICK_ITEMS = {"qa": 2, "refuse": 1, "stance": 3, "audit": 2}
QUICK_MAPS = 1
QUICK_TRACK1_PER_TOPIC = 40  # arguments per topic matched to key points in quick mode
QUICK_ARGKP_STANCE_PER_TOPIC = 1


@dataclass(frozen=True)
class Metric:
    """One figure of one system and the number of items it was measured on."""

    name: str
    system: str
    value: float | None  # None: the system does not do this (shown as "n/a")
    n: int
    unit: str = "share"  # share (0-1, shown as %) | score | s | count

    def to_dict(self) -> dict:
        value = None if self.value is None else round(float(self.value), 4)
        return {"name": self.name, "system": self.system, "value": value, "n": self.n,
                "unit": self.unit}


@dataclass(frozen=True)
class Section:
    """One evaluation's figures, or why it did not run."""

    name: str
    title: str
    metrics: tuple[Metric, ...] = ()
    status: str = "ok"  # ok | skipped | failed
    reason: str = ""
    note: str = ""  # what the figures are measured on, and published reference figures
    seconds: float = 0.0
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "status": self.status,
                "reason": self.reason, "note": self.note, "seconds": round(self.seconds, 1),
                "metrics": [m.to_dict() for m in self.metrics], "details": self.details}


@dataclass(frozen=True)
class EvalOptions:
    """What `eval all` runs on."""

    eval_set: Path
    argkp_dir: Path
    k: int  # passages per answer
    include_comments: bool  # whether reader comments are evidence
    argkp_split: str = "test"
    argkp_sample: int = 30  # arguments per topic for the (slow) LLM stance run; 0 = all
    quick: bool = False


# --- the sections ------------------------------------------------------------------------------


def _retrieval(session: Session, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.retrieval import CUTOFFS, evaluate_retrieval

    scores, ranks = evaluate_retrieval(session.searcher(), eval_set)
    metrics = [Metric(f"recall@{k}", s.configuration, s.recall[k], s.items)
               for k in CUTOFFS for s in scores if s.kind == "all"]
    metrics += [Metric("MRR@10", s.configuration, s.mrr, s.items, "score")
                for s in scores if s.kind == "all"]
    return [Section("retrieval", "Retrieval: is the gold passage found", tuple(metrics),
                    note="dev set `qa` items; a hit counts when it overlaps the gold quote",
                    details={"scores": [s.to_dict() for s in scores], "ranks": ranks})]


def _answers(session: Session, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from answers import answer_question
    from evaluation.answers import run_items, summarize

    searcher, model = session.searcher(), session.model()

    def ours(question: str) -> dict:
        return answer_question(question, searcher, model, k=options.k,
                               include_comments=options.include_comments).to_dict()

    systems = (("counterpoint", ours, True), ("naive RAG", _baseline(session), False))
    answer_metrics, refusal_metrics, details = [], [], {}
    for system, answer, checks in systems:
        outcomes = run_items(eval_set, answer, searcher.documents, log)
        scores = summarize(outcomes, system, model.name, checks)
        answer_metrics += _answer_metrics(system, scores, outcomes)
        refusal_metrics += [
            Metric("out-of-corpus questions refused", system,
                   _share(scores.refusals, scores.refuse_items), scores.refuse_items),
            Metric("answerable questions refused", system,
                   _share(scores.false_refusals, scores.qa_items), scores.qa_items)]
        details[system] = {"scores": scores.to_dict(), "items": [o.to_dict() for o in outcomes]}
    note = ("dev set `qa` and `refuse` items; naive RAG = 1,000-character chunks, top 4 "
            "stuffed into one prompt, the same model (a LangChain LCEL chain)")
    return [Section("answers", "Cited answers", tuple(answer_metrics), note=note,
                    details=details),
            Section("refusals", "Refusals", tuple(refusal_metrics),
                    note="dev set `refuse` items (not answered by the documents) and `qa` items")]


def _baseline(session: Session) -> Callable[[str], dict]:
    from answers.baseline import NaiveRag
    from retrieval.retriever import LangChainEmbeddings

    searcher = session.searcher()
    rag = NaiveRag(list(searcher.documents.values()), LangChainEmbeddings(searcher.embedder),
                   session.model())
    return rag.answer


def _answer_metrics(system: str, scores, outcomes) -> list[Metric]:
    qa = [o for o in outcomes if o.section == "qa"]
    attributed = sum(o.attributed_to_readers is not None for o in qa)
    return [
        Metric("facts correct", system, scores.fact_accuracy, scores.qa_items),
        Metric("gold passage cited", system, scores.gold_citation_rate, scores.qa_items),
        Metric("gold passage among those the answer was written from", system,
               scores.gold_evidence_rate, scores.qa_items),
        Metric("citations verbatim", system, scores.citation_validity,
               sum(o.citations for o in outcomes)),
        Metric("sentences checked as supported", system, scores.supported_share,
               sum(o.sentences for o in outcomes)),
        Metric("comment evidence attributed to readers", system, scores.comment_attribution,
               attributed),
        Metric("seconds per answer, median", system, scores.median_seconds, len(outcomes), "s"),
        Metric("seconds per answer, p95", system, scores.p95_seconds, len(outcomes), "s"),
    ]


def _classification(name: str, title: str, score, labels, note: str,
                    system: str = "counterpoint") -> Section:
    """Accuracy and macro-F1, beside always answering the most frequent gold label."""
    from evaluation.stance import score_labels

    gold = [row["gold"] for row in score.rows]
    majority = Counter(gold).most_common(1)[0][0]
    floor = score_labels(gold, [majority] * len(gold), labels)
    metrics = []
    for who, result in ((system, score), (f"always “{majority}”", floor)):
        metrics += [Metric("accuracy", who, result.accuracy, result.n),
                    Metric("macro-F1", who, result.macro_f1, result.n, "score")]
    metrics.append(Metric("seconds per item", system, score.seconds_per_item, score.n, "s"))
    return Section(name, title, tuple(metrics), note=note, details=score.to_dict())


def _stance(session: Session, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from arguments.stance import STANCES
    from evaluation.stance import evaluate_stance

    items = _items(eval_set, "stance")
    searcher = session.searcher()
    score = evaluate_stance(items, searcher.documents, session.model(), searcher.embed)
    section = _classification("stance", "Stance of a passage toward a claim", score, STANCES,
                              "dev set `stance` items (pro / con / neutral); cross-validated: "
                              "constants chosen on half the pairs, scored on the other half, "
                              "10 random halvings")
    if score.cross_validated is not None:
        section = replace(section, metrics=(*section.metrics, Metric(
            "accuracy, cross-validated", "counterpoint", score.cross_validated, score.n)))
    return [section]


def _audit(session: Session, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.audit import evaluate_audit

    items = _items(eval_set, "audit")
    score = evaluate_audit(items, session.searcher().documents, session.model())
    return [_classification("audit", "Citation audit: is the claim supported", score,
                            ("supported", "not supported"),
                            "dev set `audit` items; any verdict but `supported` counts as no")]


def _maps(session: Session, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.maps import evaluate_maps, load_maps_set

    searcher = session.searcher()
    propositions = load_maps_set(searcher.documents)
    propositions = propositions[:QUICK_MAPS] if options.quick else propositions
    report = evaluate_maps(searcher, session.model(), propositions)
    rows, overall, positions = report["maps"], report["overall"], report["positions"]
    metrics = (
        Metric("map precision", "counterpoint", overall["precision"], overall["scored"]),
        Metric("map recall", "counterpoint", overall["recall"], overall["expected"]),
        Metric("position precision", "counterpoint", positions["precision"],
               positions["scored"]),
        *_cross_validated_maps(report.get("cross_validated")),
        Metric("median seconds per map", "counterpoint", report["median_seconds_per_map"],
               len(rows), "s"),
        Metric("maps whose citations are all verbatim", "counterpoint",
               _share(sum(r["all_verbatim"] for r in rows), len(rows)), len(rows)),
    )
    return [Section("maps", "Argument maps", metrics, details=report,
                    note="labelled propositions of data/eval/maps.json; precision: cited "
                         "passages on a side labelled that side (borderline not scored, "
                         "off-topic wrong); recall: labelled pro/con passages on their side; "
                         "cross-validated: each proposition decided by constants chosen on "
                         "the other four")]


def _cross_validated_maps(cross: dict | None) -> tuple[Metric, ...]:
    """Leave-one-proposition-out precision and recall, when there were propositions to leave."""
    if not cross:
        return ()
    return (Metric("map precision, cross-validated", "counterpoint", cross["precision"],
                   cross["scored"]),
            Metric("map recall, cross-validated", "counterpoint", cross["recall"],
                   cross["expected"]))


def _argkp_data(options: EvalOptions):
    """The ArgKP split (a per-topic sample of its arguments in quick mode) and its label."""
    from evaluation.argkp import ArgKP, load_argkp, stratified_sample

    data = load_argkp(options.argkp_dir, options.argkp_split)
    if options.quick:
        data = ArgKP(tuple(stratified_sample(data.arguments, QUICK_TRACK1_PER_TOPIC, 13)),
                     data.key_points, data.labels)
    return data, f"ArgKP {options.argkp_split} split"


def _argkp_track1(session: Session, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.argkp import PUBLISHED, evaluate_track1

    data, split = _argkp_data(options)
    track1 = evaluate_track1(data, session.searcher().embedder.encode)
    n, system = len(data.arguments), "counterpoint (MiniLM)"
    published = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in PUBLISHED.items())
    return [Section("argkp_track1", "ArgKP key point matching (KPA-2021 Track 1)",
                    (Metric("mAP strict", system, track1.strict, n, "score"),
                     Metric("mAP relaxed", system, track1.relaxed, n, "score")),
                    note=f"{split}, {n} arguments; published on the full test split: "
                         f"{published}", details=track1.to_dict())]


def _argkp_stance(session: Session, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.argkp import evaluate_argkp_stance

    data, split = _argkp_data(options)
    per_topic = QUICK_ARGKP_STANCE_PER_TOPIC if options.quick else options.argkp_sample
    score = evaluate_argkp_stance(data, session.model(), per_topic or None)
    sample = "all arguments" if not per_topic else f"{per_topic} arguments per topic (seed 13)"
    return [_classification("argkp_stance", "ArgKP argument stance toward its topic", score,
                            ("pro", "con"), f"{split}, {sample}")]


class MissingItems(ValueError):
    """The evaluation set has no items for a section (the section is skipped)."""


def _items(eval_set: dict, section: str) -> list[dict]:
    items = eval_set.get(section, [])
    if not items:
        raise MissingItems(f"the evaluation set has no `{section}` items")
    return items


def _share(part: float, whole: int) -> float | None:
    return part / whole if whole else None


# --- running them all --------------------------------------------------------------------------

SECTIONS = (  # name, title when it is skipped or fails, what runs it
    ("retrieval", "Retrieval", _retrieval),
    ("answers", "Cited answers and refusals", _answers),
    ("stance", "Stance", _stance),
    ("audit", "Citation audit", _audit),
    ("maps", "Argument maps", _maps),
    ("argkp_track1", "ArgKP key point matching (KPA-2021 Track 1)", _argkp_track1),
    ("argkp_stance", "ArgKP argument stance", _argkp_stance),
)


def trim(eval_set: dict, quick: bool) -> dict:
    """The evaluation set, or its first few items of each section in quick mode."""
    if not quick:
        return eval_set
    return {name: items[: QUICK_ITEMS.get(name, len(items))] if isinstance(items, list)
            else items for name, items in eval_set.items()}


def evaluate_all(session: Session, options: EvalOptions, command: str,
                 log: Callable[[str], None] = print) -> dict:
    """Run every evaluation; the report as a JSON-ready dict (a failed section is recorded)."""
    from evaluation.dataset import load_eval_set

    eval_set = trim(load_eval_set(options.eval_set), options.quick)
    started, load_before = time.perf_counter(), os.getloadavg()
    sections: list[Section] = []
    for name, _, _ in SECTIONS:
        log(f"eval all: {name} ...")
        sections += run_section(name, session, eval_set, options, log)
    return {"kind": "eval", "command": command,
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "configuration": configuration(session, options, load_before),
            "sections": [s.to_dict() for s in sections]}


def run_section(name: str, session: Session, eval_set: dict, options: EvalOptions,
                log: Callable[[str], None] = print) -> list[Section]:
    """One evaluation's sections; skipped (no data) or failed (the error) instead of raising."""
    from evaluation.argkp import BenchmarkMissing

    title, run = next((title, run) for key, title, run in SECTIONS if key == name)
    started = time.perf_counter()
    try:
        found = run(session, eval_set, options, log)
    except (BenchmarkMissing, MissingItems) as reason:
        where = f"ArgKP data not found at {options.argkp_dir}" \
            if isinstance(reason, BenchmarkMissing) else str(reason)
        log(f"eval all: {name} skipped: {where}")
        return [Section(name, title, status="skipped", reason=f"skipped: {where}")]
    except Exception as error:  # recorded, and the command exits non-zero at the end
        if os.environ.get("COUNTERPOINT_DEBUG"):
            raise
        log(f"eval all: {name} failed: {error}")
        return [Section(name, title, status="failed", reason=f"{type(error).__name__}: {error}")]
    seconds = time.perf_counter() - started
    return [replace(section, seconds=seconds) for section in found]

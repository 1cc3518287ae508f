"""`counterpoint eval all`: every evaluation in one run, written as report.json and report.md.

Each section calls its stage's own evaluation; this module only runs them, records every
figure with the number of items behind it and the configuration, and renders the tables.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from importlib import metadata
from pathlib import Path

QUICK_ITEMS = {"qa": 2, "refuse": 1, "stance": 3, "audit": 2}
QUICK_MAPS = 1
QUICK_TRACK1_PER_TOPIC = 40  # arguments per topic matched to key points in quick mode
QUICK_ARGKP_STANCE_PER_TOPIC = 1
PACKAGES = ("counterpoint", "langchain-core", "langchain-chroma", "chromadb",
            "sentence-transformers", "torch", "llama-cpp-python", "gradio")
_REPO = Path(__file__).resolve().parent.parent


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
    argkp_split: str = "test"
    argkp_sample: int = 30  # arguments per topic for the (slow) LLM stance run; 0 = all
    quick: bool = False


class Parts:
    """The searcher and the model the settings name, each opened once, on first use."""

    def __init__(self, settings, embedder=None) -> None:
        self.settings = settings
        self._embedder = embedder  # tests pass the session's; None loads the bundled one

    @cached_property
    def searcher(self):
        from retrieval import open_searcher

        return open_searcher(self.settings.index, self._embedder, log=lambda _: None)

    @cached_property
    def model(self):
        from generation import load_model

        return load_model(self.settings.llm, self.settings.model_cache)

    def close(self) -> None:
        if "searcher" in self.__dict__:
            self.searcher.close()


# --- the sections ------------------------------------------------------------------------------


def _retrieval(parts: Parts, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.retrieval import CUTOFFS, evaluate_retrieval

    scores, ranks = evaluate_retrieval(parts.searcher, eval_set)
    metrics = [Metric(f"recall@{k}", s.configuration, s.recall[k], s.items)
               for k in CUTOFFS for s in scores if s.kind == "all"]
    metrics += [Metric("MRR@10", s.configuration, s.mrr, s.items, "score")
                for s in scores if s.kind == "all"]
    return [Section("retrieval", "Retrieval: is the gold passage found", tuple(metrics),
                    note="dev set `qa` items; a hit counts when it overlaps the gold quote",
                    details={"scores": [s.to_dict() for s in scores], "ranks": ranks})]


def _answers(parts: Parts, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from answers import answer_question
    from evaluation.answers import run_items, summarize

    searcher, model, settings = parts.searcher, parts.model, parts.settings

    def ours(question: str) -> dict:
        return answer_question(question, searcher, model, k=settings.k,
                               include_comments=settings.include_comments).to_dict()

    systems = (("counterpoint", ours, True), ("naive RAG", _baseline(parts), False))
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


def _baseline(parts: Parts) -> Callable[[str], dict]:
    from answers.baseline import NaiveRag
    from retrieval.embeddings import LangChainEmbeddings

    searcher = parts.searcher
    rag = NaiveRag(list(searcher.documents.values()), LangChainEmbeddings(searcher.embedder),
                   parts.model)
    return rag.answer


def _answer_metrics(system: str, scores, outcomes) -> list[Metric]:
    qa = [o for o in outcomes if o.section == "qa"]
    attributed = sum(o.attributed_to_readers is not None for o in qa)
    return [
        Metric("facts correct", system, scores.fact_accuracy, scores.qa_items),
        Metric("gold passage cited", system, scores.gold_citation_rate, scores.qa_items),
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


def _stance(parts: Parts, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from arguments.stance import STANCES
    from evaluation.stance import evaluate_stance

    score = evaluate_stance(_items(eval_set, "stance"), parts.searcher.documents, parts.model)
    return [_classification("stance", "Stance of a passage toward a claim", score, STANCES,
                            "dev set `stance` items (pro / con / neutral)")]


def _audit(parts: Parts, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.audit import evaluate_audit

    score = evaluate_audit(_items(eval_set, "audit"), parts.searcher.documents, parts.model)
    return [_classification("audit", "Citation audit: is the claim supported", score,
                            ("supported", "not supported"),
                            "dev set `audit` items; any verdict but `supported` counts as no")]


def _maps(parts: Parts, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.maps import CASES, evaluate_maps

    cases = CASES[:QUICK_MAPS] if options.quick else CASES
    report = evaluate_maps(parts.searcher, parts.model, cases)
    rows = report["maps"]
    expected = [met for row in rows for met in row["expectations"].values()]
    metrics = (
        Metric("seconds per map", "counterpoint", report["seconds_per_map"], len(rows), "s"),
        Metric("claims per map", "counterpoint",
               sum(r["pro"] + r["con"] for r in rows) / len(rows), len(rows), "count"),
        Metric("maps whose citations are all verbatim", "counterpoint",
               _share(sum(r["all_verbatim"] for r in rows), len(rows)), len(rows)),
        Metric("expected claims found on their side", "counterpoint",
               _share(sum(expected), len(expected)), len(expected)),
    )
    return [Section("maps", "Argument maps", metrics, details=report,
                    note="fixed propositions (evaluation.maps.CASES) over the corpus")]


def _argkp_data(options: EvalOptions):
    """The ArgKP split (a per-topic sample of its arguments in quick mode) and its label."""
    from evaluation.argkp import ArgKP, load_argkp, stratified_sample

    data = load_argkp(options.argkp_dir, options.argkp_split)
    if options.quick:
        data = ArgKP(tuple(stratified_sample(data.arguments, QUICK_TRACK1_PER_TOPIC, 13)),
                     data.key_points, data.labels)
    return data, f"ArgKP {options.argkp_split} split"


def _argkp_track1(parts: Parts, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.argkp import PUBLISHED, evaluate_track1

    data, split = _argkp_data(options)
    track1 = evaluate_track1(data, parts.searcher.embedder.encode)
    n, system = len(data.arguments), "counterpoint (MiniLM)"
    published = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in PUBLISHED.items())
    return [Section("argkp_track1", "ArgKP key point matching (KPA-2021 Track 1)",
                    (Metric("mAP strict", system, track1.strict, n, "score"),
                     Metric("mAP relaxed", system, track1.relaxed, n, "score")),
                    note=f"{split}, {n} arguments; published on the full test split: "
                         f"{published}", details=track1.to_dict())]


def _argkp_stance(parts: Parts, eval_set: dict, options: EvalOptions, log) -> list[Section]:
    from evaluation.argkp import evaluate_argkp_stance

    data, split = _argkp_data(options)
    per_topic = QUICK_ARGKP_STANCE_PER_TOPIC if options.quick else options.argkp_sample
    score = evaluate_argkp_stance(data, parts.model, per_topic or None)
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


def evaluate_all(settings, options: EvalOptions, command: str,
                 log: Callable[[str], None] = print, embedder=None) -> dict:
    """Run every evaluation; the report as a JSON-ready dict (a failed section is recorded)."""
    from evaluation.dataset import load_eval_set

    eval_set = trim(load_eval_set(options.eval_set), options.quick)
    parts = Parts(settings, embedder)
    started, load_before = time.perf_counter(), os.getloadavg()
    sections: list[Section] = []
    try:
        for name, _, _ in SECTIONS:
            log(f"eval all: {name} ...")
            sections += run_section(name, parts, eval_set, options, log)
    finally:
        parts.close()
    return {"kind": "eval", "command": command,
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "configuration": configuration(parts, options, load_before),
            "sections": [s.to_dict() for s in sections]}


def run_section(name: str, parts: Parts, eval_set: dict, options: EvalOptions,
                log: Callable[[str], None] = print) -> list[Section]:
    """One evaluation's sections; skipped (no data) or failed (the error) instead of raising."""
    from evaluation.argkp import BenchmarkMissing

    title, run = next((title, run) for key, title, run in SECTIONS if key == name)
    started = time.perf_counter()
    try:
        found = run(parts, eval_set, options, log)
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


def configuration(parts: Parts, options: EvalOptions, load_before) -> dict:
    """Model, k, data, versions and machine: what the figures depend on."""
    settings = parts.settings
    model = parts.__dict__.get("model")
    searcher = parts.__dict__.get("searcher")
    return {
        "model": model.name if model is not None else None, "llm": settings.llm,
        "model_sha256": _model_digest(settings), "k": settings.k,
        "include_comments": settings.include_comments,
        "embedder": searcher.embedder.name if searcher is not None else None,
        "passages": len(searcher.passages) if searcher is not None else None,
        "eval_set": str(options.eval_set), "eval_set_sha256": _digest(options.eval_set),
        "argkp": str(options.argkp_dir), "argkp_split": options.argkp_split,
        "quick": options.quick, "versions": versions(), "git_commit": git_commit(),
        "machine": machine(load_before),
    }


def _model_digest(settings) -> str | None:
    """The bundled GGUF's sha256 (verified when it was assembled); None for other models."""
    from generation import QWEN_1_5B, ModelSpec, parse_spec

    return QWEN_1_5B.sha256 if parse_spec(settings.llm) == ModelSpec("local") else None


def _digest(path: Path) -> str | None:
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def versions() -> dict:
    """Python and the installed versions of the packages the figures depend on."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit() -> str | None:
    """The checkout's commit, with "+changes" when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=_REPO, text=True,
                              capture_output=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=_REPO, text=True, capture_output=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+changes" if dirty.strip() else "")


def machine(load_before) -> dict:
    """CPU count and the load average before and after (the machine may be shared)."""
    return {"cpus": os.cpu_count(), "platform": platform.platform(terse=True),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()]}


def write_report(report: dict, out: Path, stem: str, markdown: str) -> tuple[Path, Path]:
    """Write STEM.json and STEM.md into `out` (created); return both paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    md_path.write_text(markdown, "utf-8")
    return json_path, md_path


# --- rendering ---------------------------------------------------------------------------------


def render_markdown(report: dict) -> str:
    """report.md: a title, then the same text the README block carries."""
    return f"# Counterpoint evaluation\n\n{render_tables(report)}"


def render_tables(report: dict) -> str:
    """How the figures were made (command, date, configuration), then one table per section."""
    lines = [_provenance(report), ""]
    for section in report["sections"]:
        lines += [*_section_lines(section), ""]
    return "\n".join(lines)


def _provenance(report: dict) -> str:
    c = report["configuration"]
    mode = ", quick mode (a few items per evaluation)" if c["quick"] else ""
    return (f"Measured by `{report['command']}` on {report['date'][:10]} in "
            f"{report['seconds'] / 60:.0f} min{mode}: {_machine_text(c['machine'])}; "
            f"model {c['model'] or c['llm']}, k={c['k']}, embedder {c['embedder']}, "
            f"eval set `{Path(c['eval_set']).name}` (sha256 {(c['eval_set_sha256'] or '')[:12]}), "
            f"commit {c['git_commit']}, {_versions_text(c['versions'])}.")


def _machine_text(machine_info: dict) -> str:
    before, after = machine_info["load_average_before"][0], machine_info["load_average_after"][0]
    return f"{machine_info['cpus']} CPUs, load average {before} at start and {after} at the end"


def _versions_text(found: dict) -> str:
    return ", ".join(f"{name} {version}" for name, version in found.items() if version)


def _section_lines(section: dict) -> list[str]:
    title = f"**{section['title']}**"
    if section["status"] == "skipped":
        return [f"{title}: {section['reason']}"]
    if section["status"] == "failed":
        return [f"{title}: failed ({section['reason']})"]
    note = f" ({section['note']})" if section["note"] else ""
    return [f"{title}{note}:", "", *metric_table(section["metrics"])]


def metric_table(metrics: list[dict]) -> list[str]:
    """Metrics as rows, systems as columns; `n` is a column when the systems share it."""
    systems = list(dict.fromkeys(m["system"] for m in metrics))
    cells = {(m["name"], m["system"]): m for m in metrics}
    rows = []
    for name in dict.fromkeys(m["name"] for m in metrics):
        found = [cells.get((name, system)) for system in systems]
        sizes = {m["n"] for m in found if m is not None}
        shared = len(sizes) == 1
        values = ["" if m is None else format_value(m["value"], m["unit"])
                  + ("" if shared else f" (n={m['n']})") for m in found]
        rows.append([name, *values, str(sizes.pop()) if shared else "per cell"])
    return markdown_table(["metric", *systems, "n"], rows)


def format_value(value, unit: str) -> str:
    """A share as a percentage, seconds with one decimal, a score with three."""
    if value is None:
        return "n/a"
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "count":
        return f"{value:.1f}"
    return f"{value:.3f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A GitHub Markdown table, first column left-aligned and the rest right-aligned."""
    align = [":--", *["--:"] * (len(header) - 1)]
    return ["| " + " | ".join(map(str, row)) + " |" for row in (header, align, *rows)]


def update_readme(readme: Path, block: str, body: str) -> None:
    """Replace the text between `<!-- BLOCK:begin -->` and `<!-- BLOCK:end -->` in `readme`."""
    text, start, stop = check_readme(readme, block)
    readme.write_text(f"{text[:start]}\n{body.strip()}\n{text[stop:]}", "utf-8")


def check_readme(readme: Path, block: str) -> tuple[str, int, int]:
    """The file's text and the span between its BLOCK markers; a clear error if they are not."""
    begin, end = f"<!-- {block}:begin -->", f"<!-- {block}:end -->"
    if not readme.is_file():
        raise FileNotFoundError(f"{readme}: no such file")
    text = readme.read_text("utf-8")
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"{readme} has no `{begin}` ... `{end}` markers; add them on their "
                         "own lines where the generated figures belong")
    return text, start + len(begin), stop

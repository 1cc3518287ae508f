"""Answer and map cost: seconds, where they go, and the overhead over raw llama.cpp speed.

Every llama.cpp `eval` of the model is timed while a question is answered (batches of tokens
are prompt evaluation, single tokens are decoding steps), so the seconds split into retrieval,
llama.cpp prompt evaluation, llama.cpp decoding and the rest (Python, sampling, checks). The
ideal time is those tokens at the raw speed of the same model measured in the same run; the
overhead ratio is measured seconds over that ideal. Retrieval seconds are the pipeline's own:
the answer's "retrieval" step, the map's "candidates" step, and the baseline chain's retriever
run as LangChain traces it.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from session import Session

QUESTIONS = 5
QUICK_QUESTIONS = 1
QUICK_MAP_CANDIDATES = 4  # passages judged for stance in the quick map
MAPS = 3  # maps measured (labelled propositions of data/eval/maps.json); the median is reported


def _llama_of(model):
    """The llama_cpp.Llama behind a local model handle (None for server models)."""
    engine = getattr(model.chat, "engine", None)
    return getattr(engine, "_llama", None)


@contextlib.contextmanager
def metered(model) -> Iterator[dict[str, float]]:
    """Tokens and seconds of every llama.cpp `eval` of the model while the block runs, and
    the prompt tokens sent: sent minus evaluated is what the key/value cache saved."""
    counts = {"prompt_tokens": 0, "prompt_s": 0.0, "decode_tokens": 0, "decode_s": 0.0,
              "sent_tokens": 0}
    llama = _llama_of(model)
    if llama is None:
        yield counts
        return
    original = llama.eval
    engine = model.chat.engine
    engine.forget()  # what the pipeline costs, not what earlier calls left in memory
    tokenized = engine.prompt_tokens

    def counted_prompt(messages):
        tokens = tokenized(messages)
        counts["sent_tokens"] += len(tokens)
        return tokens

    def counted_eval(tokens):
        start = time.perf_counter()
        try:
            return original(tokens)
        finally:
            kind = "prompt" if len(tokens) > 1 else "decode"
            counts[f"{kind}_tokens"] += len(tokens)
            counts[f"{kind}_s"] += time.perf_counter() - start

    llama.eval = counted_eval  # an instance attribute shadows the method for this block only
    engine.prompt_tokens = counted_prompt
    try:
        yield counts
    finally:
        del llama.eval
        del engine.prompt_tokens


def raw_speed(model) -> dict | None:
    """Prompt and generation tokens/s of the same GGUF run bare by llama.cpp (local only)."""
    engine = getattr(model.chat, "engine", None)
    if engine is None:
        return None
    return {name: round(value, 2) for name, value in engine.measure_speed().items()}


def measure(run: Callable[[], tuple[Any, float]], model, speed: dict | None
            ) -> tuple[Any, dict]:
    """Run once; its seconds split into retrieval, llama.cpp prompt, decoding and the rest.

    `run` returns its result and its retrieval seconds, as the pipeline timed them.
    """
    with metered(model) as llama:
        start = time.perf_counter()
        result, retrieval = run()
        seconds = time.perf_counter() - start
    row = {"seconds": seconds, "retrieval_s": retrieval, **llama,
           "other_s": seconds - retrieval - llama["prompt_s"] - llama["decode_s"]}
    if speed:
        row["ideal_s"] = (llama["prompt_tokens"] / speed["prompt_tokens_per_s"]
                          + llama["decode_tokens"] / speed["generation_tokens_per_s"])
    return result, row


def summarize(rows: list[dict]) -> dict:
    """Median seconds, mean breakdown and overhead over the ideal for a list of runs."""
    latency = ("first_words_s", "raw_first_token_s")
    keys = [k for k, v in rows[0].items() if isinstance(v, int | float) and k not in latency]
    summary = {"n": len(rows), "median_s": statistics.median(r["seconds"] for r in rows),
               "mean": {k: sum(r[k] for r in rows) / len(rows) for k in keys}}
    for key in latency:  # medians over the answers that have them
        values = [r[key] for r in rows if r.get(key) is not None]
        if values:
            summary[f"median_{key}"] = statistics.median(values)
    ideal = sum(r.get("ideal_s", 0.0) for r in rows)
    summary["overhead_ratio"] = sum(r["seconds"] for r in rows) / ideal if ideal else None
    steps = [r["steps"] for r in rows if "steps" in r]
    if steps:
        names = dict.fromkeys(name for s in steps for name in s)
        summary["median_steps_s"] = {name: statistics.median(s.get(name, 0.0) for s in steps)
                                     for name in names}
    return summary


def pipeline_costs(session: Session, k: int, include_comments: bool, quick: bool = False,
                   log: Callable[[str], None] = print) -> dict:
    """Raw llama.cpp speed, then answers (ours and the naive baseline) and one map, measured."""
    model, searcher = session.model(), session.searcher()
    speed = raw_speed(model)
    log(f"raw llama.cpp: {speed}")
    questions = _questions(QUICK_QUESTIONS if quick else QUESTIONS)
    ours = _answers(questions, searcher, model, (k, include_comments), speed, log)
    baseline = _baseline_answers(questions, searcher, model, speed, log)
    maps = _maps(searcher, model, quick, speed, log)
    result = {"model": model.name, "raw_llama_cpp": speed, "questions": questions,
              "answer": summarize(ours), "baseline_answer": summarize(baseline),
              "map": {**summarize(maps), "propositions": [m["proposition"] for m in maps]}}
    result["answer_vs_baseline"] = result["answer"]["median_s"] / \
        result["baseline_answer"]["median_s"]
    return result


def _questions(count: int) -> list[str]:
    from evaluation.dataset import load_eval_set

    return [item["q"] for item in load_eval_set().get("qa", [])[:count]]


def _answers(questions, searcher, model, options: tuple[int, bool], speed, log) -> list[dict]:
    """Our answers, measured; `options` is (k, include_comments)."""
    from answers import answer_question

    def run(question: str):
        answer = answer_question(question, searcher, model, k=options[0],
                                 include_comments=options[1])
        return answer, answer.timings.get("retrieval", 0.0)

    rows = []
    for question in questions:
        answer, row = measure(lambda q=question: run(q), model, speed)
        steps = dict(answer.timings)
        row = {**row, "steps": steps, "first_words_s": _first_words(steps),
               "raw_first_token_s": raw_first_token(model, answer)}
        rows.append(row)
        log(f"answer {row['seconds']:.1f} s (first words {row['first_words_s']:.1f} s, raw "
            f"first token {row['raw_first_token_s'] or 0:.1f} s; {row['prompt_tokens']} of "
            f"{row['sent_tokens']} prompt tokens evaluated): {question}")
    return rows


def _first_words(steps: dict[str, float]) -> float:
    """Seconds until the draft's first streamed piece (the whole answer if none streamed)."""
    if "generation" not in steps:
        return sum(steps.values())
    from answers.pipeline import BEFORE_FIRST_WORDS

    return sum(steps.get(step, 0.0) for step in BEFORE_FIRST_WORDS)


def raw_first_token(model, answer) -> float | None:
    """The bare model's time to first token for the same question and passages as an answer
    (None: no local model, or nothing was written)."""
    from documents import Passage

    if answer.refused or not answer.evidence:
        return None
    shown = [Passage(c.doc_id, c.kind, c.start, c.end, c.quote) for c in answer.evidence]
    return bare_first_token(model, answer.query, shown)


def bare_first_token(model, query: str, shown) -> float | None:
    """Seconds to the first token of the answer prompt for `query` and the `shown` passages,
    evaluated from an empty cache: the floor a pipeline approaches without cache reuse (None
    for a model that is not run in-process)."""
    from answers.pipeline import answer_prompt

    engine = getattr(model.chat, "engine", None)
    if engine is None:
        return None
    messages = [{"role": "user", "content": answer_prompt(query, shown)}]
    engine._llama.reset()
    start = time.perf_counter()
    next(iter(engine.stream(messages, max_tokens=1)), None)
    seconds = time.perf_counter() - start
    engine._llama.reset()
    return seconds


def _baseline_answers(questions, searcher, model, speed, log) -> list[dict]:
    from answers.baseline import NaiveRag
    from retrieval.retriever import LangChainEmbeddings

    rag = NaiveRag(list(searcher.documents.values()), LangChainEmbeddings(searcher.embedder),
                   model)
    rows = []
    for question in questions:
        _, row = measure(lambda q=question: baseline_run(rag, q), model, speed)
        rows.append(row)
        log(f"baseline answer {row['seconds']:.1f} s: {question}")
    return rows


def baseline_run(rag, question: str) -> tuple[dict, float]:
    """The baseline's answer and the seconds its chain spent in the retriever, as LangChain
    traced the run."""
    from langchain_core.tracers.context import collect_runs

    with collect_runs() as collector:
        result = rag.answer(question)
    return result, sum(_retriever_seconds(run) for run in collector.traced_runs)


def _retriever_seconds(run) -> float:
    if run.run_type == "retriever":
        return (run.end_time - run.start_time).total_seconds()
    return sum(_retriever_seconds(child) for child in run.child_runs)


def _maps(searcher, model, quick: bool, speed, log) -> list[dict]:
    """Maps of the first MAPS labelled propositions (one in quick mode), each measured."""
    from arguments import build_map
    from evaluation.maps import load_maps_set

    propositions = load_maps_set(searcher.documents)[: 1 if quick else MAPS]
    options = {"max_candidates": QUICK_MAP_CANDIDATES} if quick else {}
    rows = []
    for labelled in propositions:
        def run(proposition=labelled.proposition):
            argument_map = build_map(proposition, searcher, model, **options)
            return argument_map, argument_map.timings.get("candidates", 0.0)

        argument_map, row = measure(run, model, speed)
        log(f"map {row['seconds']:.1f} s: {len(argument_map.pro)} pro, "
            f"{len(argument_map.con)} con ({labelled.proposition})")
        rows.append({**row, "steps": dict(argument_map.timings),
                     "proposition": labelled.proposition,
                     "claims": len(argument_map.pro) + len(argument_map.con)})
    return rows

"""`counterpoint bench`: how fast Counterpoint is on this machine, every benchmark in one run.

    counterpoint bench [--quick] [--out DIR] [--readme README.md]

Retrieval (evaluation.bench.retrieval: ingest vs raw encode, search latency by mode and corpus
size, embedded vs a `chroma run` server), answers and a map against raw llama.cpp speed and
the naive LangChain baseline (evaluation.bench.pipeline), and the peak memory of a process
answering a question (evaluation.bench.memory). Written as bench.json and bench.md.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from evaluation.markdown import machine_text, markdown_table, versions_text
from evaluation.provenance import git_commit, machine, versions

if TYPE_CHECKING:
    from session import Session


def run_all(session: Session, k: int, include_comments: bool, quick: bool, command: str,
            log: Callable[[str], None] = print) -> dict:
    """Every benchmark on the session's corpus and model; the results as a JSON-ready dict."""
    from evaluation.bench import retrieval
    from evaluation.bench.memory import peak_memory
    from evaluation.bench.pipeline import pipeline_costs

    started, load_before = time.perf_counter(), os.getloadavg()
    results: dict = {"kind": "bench", "command": command, "quick": quick,
                     "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds")}
    log("bench: retrieval ...")
    results["retrieval"] = retrieval.run(quick=quick, log=log)
    log("bench: answers and a map ...")
    results["pipeline"] = pipeline_costs(session, k, include_comments, quick=quick, log=log)
    log("bench: peak memory of a process answering a question ...")
    results["memory"] = peak_memory(session.index, session.model_cache, session.llm, k,
                                    results["pipeline"]["questions"][0])
    results.update(seconds=round(time.perf_counter() - started, 1), llm=session.llm,
                   git_commit=git_commit(), versions=versions(), machine=machine(load_before))
    return results


# --- rendering ---------------------------------------------------------------------------------


def render_markdown(results: dict) -> str:
    """bench.md: a title, then the same text the README block carries."""
    return f"# Counterpoint benchmarks\n\n{render_tables(results)}"


def render_tables(results: dict) -> str:
    """How the figures were made, then ingest, search, answer/map and memory tables."""
    parts = [_provenance(results), _ingest(results["retrieval"]),
             _latency(results["retrieval"]), _growth(results["retrieval"]),
             _pipeline(results["pipeline"]), _memory(results["memory"])]
    return "\n\n".join(parts) + "\n"


def _provenance(results: dict) -> str:
    found = versions_text(results["versions"])
    mode = ", quick mode (small corpora, one question)" if results["quick"] else ""
    return (f"Measured by `{results['command']}` on {results['date'][:10]} in "
            f"{results['seconds'] / 60:.0f} min{mode}: {machine_text(results['machine'])} "
            f"(the machine may be shared; figures scale with it); model "
            f"{results['pipeline']['model']}, commit {results['git_commit']}, {found}.")


def _ingest(retrieval: dict) -> str:
    i = retrieval["ingest_real_corpus"]
    rows = [[f"{i['passages']} passages of the real corpus", i["raw_encode_per_s"],
             i["raw_encode_1_thread_per_s"], i["ingest_per_s"], f"{i['ingest_vs_raw']:.2f}"]]
    header = ["**Ingest** (passages/s)", f"raw encode ({i['torch_threads']} threads)",
              "raw encode (1 thread)", "whole pipeline (parse, embed, Chroma)",
              "pipeline / raw"]
    return "\n".join(markdown_table(header, rows))


def _latency(retrieval: dict) -> str:
    corpora = [("real corpus, embedded Chroma", retrieval["latency_real_corpus"]),
               ("real corpus, `chroma run` server", retrieval["server_real_corpus"])]
    corpora += [(f"synthetic {int(size):,} passages", run["latency"])
                for size, run in retrieval["synthetic"].items()]
    modes = ("dense", "bm25", "hybrid", "query_embedding_only")
    rows = [[name, *(f"{latency[m]['p50_ms']:.1f} / {latency[m]['p95_ms']:.1f}"
                     for m in modes), latency["hybrid"]["n"]] for name, latency in corpora]
    header = ["**Search latency** p50 / p95 ms (k=10)", "dense", "BM25", "hybrid",
              "query embedding alone", "queries"]
    return "\n".join(markdown_table(header, rows)) + _cold_cli(retrieval.get("cold_cli"))


def _cold_cli(cold: dict | None) -> str:
    """One line under the latency table (bench.json files from before it have none)."""
    if not cold:
        return ""
    return (f"\n\nCold start, real corpus (a fresh process, index built; median of "
            f"{cold['search']['runs']}): `counterpoint search \"drone attacks\" --json` "
            f"{cold['search']['median_s']:.1f} s, `counterpoint docs --json` "
            f"{cold['docs']['median_s']:.1f} s.")


def _growth(retrieval: dict) -> str:
    rows = [[f"{int(size):,}", run["chroma_insert_per_s"], run["bm25_build_s"],
             f"{run['latency']['hybrid']['p50_ms']:.1f}"]
            for size, run in retrieval["synthetic"].items()]
    header = ["**Cost vs corpus size** (passages)", "Chroma insert, passages/s",
              "BM25 build, s", "hybrid search p50, ms"]
    return "\n".join(markdown_table(header, rows))


def _pipeline(pipeline: dict) -> str:
    speed = pipeline["raw_llama_cpp"]
    raw = ("raw llama.cpp speed not measured (a server model)" if speed is None else
           f"raw llama.cpp on the same GGUF: prompt {speed['prompt_tokens_per_s']:.0f} tok/s, "
           f"generation {speed['generation_tokens_per_s']:.1f} tok/s")
    rows = [_cost_row("answer, Counterpoint", pipeline["answer"]),
            _cost_row("answer, naive LangChain RAG", pipeline["baseline_answer"]),
            _cost_row("argument map", pipeline["map"])]
    header = ["**Answer and map**", "n", "median s", "retrieval s",
              "llama.cpp prompt s (tokens evaluated / sent)", "llama.cpp decode s (tokens)",
              "other s", "ideal s at raw speed", "overhead ratio"]
    ratio = (f"A Counterpoint answer takes {pipeline['answer_vs_baseline']:.1f}x the naive "
             "baseline's time (median). Seconds are means per run; other = Python, sampling, "
             f"checks. {raw}.")
    steps = pipeline["answer"].get("median_steps_s", {})
    step_text = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in steps.items())
    answer = pipeline["answer"]
    latency = ""
    if "median_first_words_s" in answer:
        latency = (f" First words of an answer (median): {answer['median_first_words_s']:.1f} s"
                   + (f"; the bare model's time to first token on the same question and "
                      f"passages with an empty cache: "
                      f"{answer['median_raw_first_token_s']:.1f} s"
                      if "median_raw_first_token_s" in answer else "") + ".")
    return "\n".join([*markdown_table(header, rows), "",
                      ratio + (f" Answer steps (median): {step_text}." if steps else "")
                      + latency])


def _cost_row(name: str, summary: dict) -> list:
    mean = summary["mean"]
    ratio = summary["overhead_ratio"]
    return [name, summary["n"], f"{summary['median_s']:.1f}", f"{mean['retrieval_s']:.2f}",
            f"{mean['prompt_s']:.1f} ({mean['prompt_tokens']:.0f} / "
            f"{mean.get('sent_tokens', 0):.0f})",
            f"{mean['decode_s']:.1f} ({mean['decode_tokens']:.0f})", f"{mean['other_s']:.1f}",
            f"{mean.get('ideal_s', 0):.1f}", "n/a" if ratio is None else f"{ratio:.2f}"]


def _memory(memory: dict) -> str:
    rows = [[p["phase"], f"{p['seconds']:.0f}", f"{p['VmHWM']:.0f}", f"{p.get('RssAnon', 0):.0f}",
             f"{p.get('RssFile', 0):.0f}"] for p in memory["phases"]]
    header = ["**Peak memory** of a process answering one question (no web app)",
              "s since start", "peak RSS MB",
              "anonymous MB", "file-backed MB (the mmapped GGUF)"]
    return "\n".join(markdown_table(header, rows))

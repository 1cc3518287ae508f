"""`counterpoint bench`: retrieval seconds from the pipeline, cost arithmetic, the memory probe,
and the quick run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import share_model_cache
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from evaluation.bench.memory import status_mb
from evaluation.bench.pipeline import _answers, baseline_run, measure, summarize
from generation import ModelHandle, ModelSpec
from interface.settings import load_settings

REPO = Path(__file__).resolve().parent.parent


def test_answer_costs_take_retrieval_seconds_from_the_answers_own_timings(searcher):
    chat = GenericFakeChatModel(messages=iter([AIMessage("About 61% were intercepted.")]))
    model = ModelHandle("scripted", chat, lambda messages, labels: {
        label: float(label == "1") if labels[0] == "0" else 0.5 for label in labels},
        ModelSpec("local"))
    question = "What share of missiles were intercepted in July 2025?"
    (row,) = _answers([question], searcher, model, (4, True), None, lambda line: None)
    assert 0 < row["retrieval_s"] == row["steps"]["retrieval"] < row["seconds"]
    assert row["prompt_tokens"] == 0 and "ideal_s" not in row  # no llama.cpp behind the fake
    assert row["other_s"] == pytest.approx(row["seconds"] - row["retrieval_s"])
    steps = row["steps"]
    assert row["first_words_s"] == pytest.approx(
        sum(steps[s] for s in ("rewrite", "retrieval", "prompt")))
    assert steps["choose"] > 0  # timed, but after the first words
    assert row["first_words_s"] < row["seconds"] and row["raw_first_token_s"] is None


def test_baseline_retrieval_seconds_come_from_langchains_trace_of_its_retriever(
        corpus_documents, embedder):
    from answers.baseline import NaiveRag
    from retrieval.retriever import LangChainEmbeddings

    chat = GenericFakeChatModel(messages=iter([AIMessage("Pokrovsk.")]))
    model = ModelHandle("scripted", chat, None, ModelSpec("local"))
    rag = NaiveRag(list(corpus_documents.values()), LangChainEmbeddings(embedder), model)
    result, row = measure(lambda: baseline_run(rag, "Where is the fighting?"), model, None)
    assert result["answer"] == "Pokrovsk." and len(result["citations"]) == 4
    assert 0 < row["retrieval_s"] < result["timings"]["total"] <= row["seconds"]


def test_summary_means_breakdown_and_overhead_over_the_ideal_time():
    rows = [
        {"seconds": 10.0, "retrieval_s": 1.0, "prompt_tokens": 600, "prompt_s": 6.0,
         "decode_tokens": 20, "decode_s": 2.0, "other_s": 1.0, "ideal_s": 5.0,
         "steps": {"retrieval": 1.0, "generation": 2.0}},
        {"seconds": 20.0, "retrieval_s": 3.0, "prompt_tokens": 1000, "prompt_s": 10.0,
         "decode_tokens": 40, "decode_s": 4.0, "other_s": 3.0, "ideal_s": 10.0,
         "steps": {"retrieval": 3.0, "choose": 5.0}},
        {"seconds": 12.0, "retrieval_s": 2.0, "prompt_tokens": 800, "prompt_s": 8.0,
         "decode_tokens": 0, "decode_s": 0.0, "other_s": 2.0, "ideal_s": 9.0,
         "steps": {"retrieval": 2.0}},
    ]
    summary = summarize(rows)
    assert summary["n"] == 3 and summary["median_s"] == 12.0
    assert summary["mean"]["prompt_tokens"] == 800 and summary["mean"]["decode_s"] == 2.0
    assert summary["overhead_ratio"] == pytest.approx(42 / 24)
    # A step a run did not take counts 0 in its median.
    assert summary["median_steps_s"] == {"retrieval": 2.0, "generation": 0.0, "choose": 0.0}
    assert summarize([{k: v for k, v in rows[0].items() if k != "ideal_s"}])[
        "overhead_ratio"] is None


def test_process_memory_is_read_from_proc():
    memory = status_mb()
    assert memory["VmHWM"] >= memory["VmRSS"] > 10
    assert memory["RssAnon"] + memory["RssFile"] <= memory["VmRSS"] + 1


@pytest.mark.slow
@pytest.mark.llm
def test_bench_quick_end_to_end(tmp_path):
    """`counterpoint bench --quick`: every part measured, the tables written, README updated."""
    from interface.cli import main

    settings = load_settings({"data_dir": tmp_path / "data"}, environ={})
    share_model_cache(settings)
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- bench:begin -->\n<!-- bench:end -->\nrest\n", "utf-8")
    out = tmp_path / "out"
    assert main(["bench", "--quick", "--data-dir", str(tmp_path / "data"), "--out", str(out),
                 "--readme", str(readme)]) == 0
    results = json.loads((out / "bench.json").read_text("utf-8"))
    assert results["kind"] == "bench" and results["quick"] is True
    assert results["command"] == "counterpoint bench --quick"
    _check_retrieval(results["retrieval"])
    _check_pipeline(results["pipeline"])
    memory = results["memory"]
    gguf_mb = 1_117_320_768 / 2**20
    # Answering touches every weight of the mmapped GGUF, so the peak holds all of it.
    assert memory["peak_rss_mb"] > 0.9 * gguf_mb and memory["refused"] in (True, False)
    assert [p["phase"] for p in memory["phases"]][-1] == "question answered"
    markdown = (out / "bench.md").read_text("utf-8")
    block = readme.read_text("utf-8").split("<!-- bench:begin -->")[1]
    assert "counterpoint bench --quick" in block and readme.read_text("utf-8").endswith("rest\n")
    for title in ("**Ingest**", "**Search latency**", "**Cost vs corpus size**",
                  "**Answer and map**", "**Peak memory**"):
        assert title in markdown and title in block


def _check_retrieval(retrieval: dict) -> None:
    ingest = retrieval["ingest_real_corpus"]
    assert ingest["passages"] > 100 and 0 < ingest["ingest_vs_raw"] < 2
    assert list(retrieval["synthetic"]) == ["1000"]
    for latency in (retrieval["latency_real_corpus"], retrieval["server_real_corpus"],
                    retrieval["synthetic"]["1000"]["latency"]):
        for mode in ("dense", "bm25", "hybrid"):
            assert 0 < latency[mode]["p50_ms"] <= latency[mode]["p95_ms"]
            assert latency[mode]["n"] > 0


def _check_pipeline(pipeline: dict) -> None:
    speed = pipeline["raw_llama_cpp"]
    assert speed["prompt_tokens_per_s"] > speed["generation_tokens_per_s"] > 0
    for name in ("answer", "baseline_answer", "map"):
        summary = pipeline[name]
        mean = summary["mean"]
        assert summary["n"] == 1 and mean["prompt_tokens"] > 0, name
        assert mean["seconds"] == pytest.approx(
            mean["retrieval_s"] + mean["prompt_s"] + mean["decode_s"] + mean["other_s"])
        assert mean["ideal_s"] > 0 and summary["overhead_ratio"] > 0
    assert pipeline["answer"]["mean"]["retrieval_s"] > 0  # the answers' own retrieval step
    answer = pipeline["answer"]
    # The chooser and the answer share their passages: the answer's prompt is mostly cached.
    assert answer["mean"]["sent_tokens"] > answer["mean"]["prompt_tokens"] > 0
    if answer["mean"]["decode_tokens"]:  # a draft was written
        assert 0 < answer["median_first_words_s"] < answer["median_s"]
        assert answer["median_raw_first_token_s"] > 0
    assert pipeline["answer_vs_baseline"] > 0

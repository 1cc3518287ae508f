"""A quick CLI (issue 13, item 5): each command, in a fresh process, imports only what it uses.

The real `counterpoint` entry point runs in a subprocess under a probe that reports, at exit,
which top-level packages were imported. Wall-clock bounds are not asserted: on a shared 2-core
machine a cold search varies by seconds with load, more than the change it would guard
(the measured times are in the README's bench and the change's report).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from helpers import REPO

from documents import load_corpus

# The console script's body, plus a report of the imported top-level packages on stderr.
PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write(
    "\\nIMPORTED " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})) + "\\n"))
sys.argv[0] = "counterpoint"
from interface.cli import main
sys.exit(main())
"""
LANGCHAIN = {"langchain_core", "langchain_chroma", "langchain_ollama", "langchain_openai",
             "langsmith"}
APP_AND_LLM = {"gradio", "llama_cpp", "openai", "ollama"}
MODEL_STACK = {"torch", "transformers", "sentence_transformers"}


def cold(data_dir, *argv: str, corpus_dir=REPO / "corpus"
         ) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run the real command in a fresh process; return it and the packages it imported."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE, *argv, "--corpus-dir",
                           str(corpus_dir), "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=environment, timeout=300)
    assert done.returncode == 0, done.stderr
    line = next(line for line in reversed(done.stderr.splitlines())
                if line.startswith("IMPORTED "))
    return done, set(json.loads(line.removeprefix("IMPORTED ")))


@pytest.fixture(scope="module")
def data_dir(searcher):
    """The data folder of the module's searcher: an index of the real corpus, already built."""
    return searcher.store.folder.parent


def test_docs_imports_no_model_stack_no_langchain_and_no_chroma(tmp_path):
    done, imported = cold(tmp_path, "docs", "--json")
    ids = [row["doc_id"] for row in json.loads(done.stdout)]
    assert ids == [d.doc_id for d in load_corpus(REPO / "corpus")]
    assert imported & (LANGCHAIN | APP_AND_LLM | MODEL_STACK | {"chromadb"}) == set()


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_search_imports_no_model_stack_langchain_app_or_llm_and_finds_what_the_searcher_finds(
        searcher, data_dir, mode):
    done, imported = cold(data_dir, "search", "drone attacks", "--mode", mode, "--json")
    expected = [hit.to_dict() for hit in searcher.search("drone attacks", k=6, mode=mode)]
    hits = json.loads(done.stdout)
    assert expected and [(h["doc_id"], h["start"], h["end"]) for h in hits] == \
        [(h["doc_id"], h["start"], h["end"]) for h in expected]
    # The query vector comes from the numpy MiniLM (retrieval/query_encoder.py): dense scores
    # may differ from sentence-transformers' in the 7th decimal.
    assert [h["score"] for h in hits] == pytest.approx([h["score"] for h in expected], abs=1e-5)
    assert imported & (LANGCHAIN | APP_AND_LLM | MODEL_STACK) == set()
    assert "chromadb" in imported
    assert ("tokenizers" in imported) == (mode != "bm25")  # keyword search needs no vector


def test_search_over_a_changed_corpus_embeds_passages_with_sentence_transformers(
        tmp_path, embedder):
    """Only the query is embedded in numpy: a search that must first index passages (here the
    whole corpus, first use) loads sentence-transformers for them. The two encoders agree to
    ~1e-7, so the imported torch, not the stored vector, shows which one embedded them."""
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    done, imported = cold(tmp_path, "search", "drone attacks", "--mode", "dense", "--json",
                          corpus_dir=corpus)
    assert MODEL_STACK <= imported
    from interface.settings import Settings
    from retrieval.index import open_store

    store = open_store(Settings(corpus_dir=corpus, data_dir=tmp_path).index, embedder)
    try:
        top = json.loads(done.stdout)[0]
        stored = store.collection.get(where={"doc_id": top["doc_id"]},
                                      include=["embeddings", "documents"])
    finally:
        store.close()
    row = stored["documents"].index(top["text"])
    assert np.abs(np.asarray(stored["embeddings"][row]) - embedder.encode([top["text"]])[0]
                  ).max() < 1e-6


def test_models_list_still_names_the_providers(tmp_path):
    done, imported = cold(tmp_path, "models", "list", "--json")
    assert [row["provider"] for row in json.loads(done.stdout)["providers"]] == [
        "local", "local", "ollama", "openai"]
    assert imported & (APP_AND_LLM | MODEL_STACK) == set()


def test_a_fresh_index_records_no_chroma_embedding_function(tmp_path, embedder):
    """Vectors come from our embedder: Chroma's default (an ONNX model it would fetch) is never
    attached to the collection, as when langchain-chroma created it."""
    from interface.settings import Settings
    from retrieval.index import open_store

    store = open_store(Settings(data_dir=tmp_path).index, embedder)
    try:
        configuration = store.collection.configuration_json
    finally:
        store.close()
    assert configuration["embedding_function"] == {"type": "legacy"}
    assert configuration["hnsw"]["space"] == "cosine"


def test_argkp_folder_defaults_to_the_shared_benchmark(monkeypatch, capsys):
    """`--argkp` is resolved in the handler now (so the parser imports no evaluation code)."""
    import evaluation.argkp
    from interface.cli import build_parser, main
    from interface.cli.report import _eval_options
    from interface.settings import Settings

    args = build_parser().parse_args(["eval", "all"])
    assert _eval_options(args, Settings()).argkp_dir == evaluation.argkp.DEFAULT_ARGKP

    def refuse(folder, split):
        raise FileNotFoundError(f"asked for {folder} ({split})")

    monkeypatch.setattr(evaluation.argkp, "load_argkp", refuse)
    assert main(["eval", "argkp", "--skip-stance"]) == 2
    assert f"asked for {evaluation.argkp.DEFAULT_ARGKP} (test)" in capsys.readouterr().err


def test_the_bench_times_cold_commands_and_old_results_still_render(data_dir):
    from evaluation.bench.retrieval import cold_cli
    from evaluation.bench.run import _cold_cli

    cold = cold_cli(data_dir, runs=1)
    assert set(cold) == {"search", "docs"}
    assert all(0 < figure["median_s"] < 300 and figure["runs"] == 1 for figure in cold.values())
    assert f"{cold['search']['median_s']:.1f} s" in _cold_cli(cold)
    assert _cold_cli(None) == ""  # a bench.json from before this figure existed

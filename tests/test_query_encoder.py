"""The numpy MiniLM query encoder (retrieval/query_encoder.py) against the real model.

Every comparison is with the real bundled all-MiniLM-L6-v2 through sentence-transformers: the
vectors, and the hits the real `counterpoint search` command returns for the development
questions.
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

from evaluation.dataset import DEV_SET, load_eval_set
from retrieval import load_embedder, query_encoder_for
from retrieval.query_encoder import load_query_encoder

LONG = " ".join(f"Paragraph {n}: the shelling of Kharkiv hit the grid again." for n in range(40))
QUERIES = [
    "drone attacks",
    "drones",  # one word
    "x",
    "How many drone attacks has Russia launched against Ukraine since the invasion?",
    "What do critics say about sanctions?",
    "WHY DID THE TALKS FAIL?!",
    "  leading and trailing spaces  ",
    "e-mail, co-operation & state-of-the-art (1998–2024)",
    "14,000 drone attacks; 3.5% of GDP; €2bn",
    "Überwachung der Drohnenangriffe",  # German, with an umlaut
    "Атаки дронов на Украину",  # Cyrillic
    "无人机袭击乌克兰",  # Chinese: one token per character
    "café naïve résumé façade",  # accents kept (the tokenizer does not strip them)
    "drone attacks 🚀🔥 emoji",  # unknown to the vocabulary: [UNK]
    "tab\tseparated\nand new lines",
    "Does the author think that negotiations are possible, and on what terms?",
    "a reader comment argues that the article ignores the economic costs of the war",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",  # many word pieces
    LONG,  # more than 256 word pieces: truncated as sentence-transformers truncates
    LONG[:-1] + " The last words differ.",
]


@pytest.fixture(scope="module")
def encoder(embedder):
    found = query_encoder_for(embedder)
    assert found is not None  # the bundled MiniLM gets the numpy encoder
    return found


@pytest.mark.reliability("bad input", "20 queries for the numpy query encoder: over 256 word "
                         "pieces, one letter, Chinese, Cyrillic, emoji, tabs and new lines",
                         "every vector within 1e-5 of sentence-transformers' (measured 1.5e-7), "
                         "cut at the model folder's max_seq_length")
def test_vectors_match_sentence_transformers(embedder, encoder):
    untruncated = len(embedder.model.tokenizer(LONG, truncation=False)["input_ids"])
    assert untruncated > 300  # the long queries really are cut at the folder's 256
    ours, theirs = encoder.encode(QUERIES), embedder.encode(QUERIES)
    assert ours.dtype == np.float32 and ours.shape == theirs.shape == (len(QUERIES), 384)
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)
    assert encoder.encode([]).shape == (0, 384)


def _model_copy(tmp_path, **changes):
    """A copy of the bundled folder (weights linked, not copied) with changed settings files."""
    source = load_embedder().path
    folder = tmp_path / "model"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    (folder / "model.safetensors").symlink_to(source / "model.safetensors")
    for name, values in changes.items():
        path = folder / name
        path.write_text(json.dumps({**json.loads(path.read_text("utf-8")), **values}), "utf-8")
    return folder


def test_max_length_comes_from_the_model_folder(tmp_path, encoder):
    """A folder that says max_seq_length 32 truncates there, as sentence-transformers does."""
    folder = _model_copy(tmp_path, **{"sentence_bert_config.json": {"max_seq_length": 32}})
    short = load_query_encoder(folder)
    reference = load_embedder(folder)
    assert reference.model.max_seq_length == 32
    ours, theirs = short.encode([LONG]), reference.encode([LONG])
    assert np.abs(ours - theirs).max() < 1e-5
    assert np.abs(ours - encoder.encode([LONG])).max() > 1e-3  # 32 tokens is not 256


def test_another_model_folder_falls_back_to_sentence_transformers(tmp_path):
    """Only the bundled folder gets the numpy encoder; a copy elsewhere is 'another model'."""
    assert query_encoder_for(load_embedder(_model_copy(tmp_path))) is None


def test_a_folder_it_cannot_reproduce_is_refused(tmp_path):
    cls = {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}
    folder = _model_copy(tmp_path, **{"1_Pooling/config.json": cls})
    with pytest.raises(ValueError, match="not a mean-pooled BERT sentence encoder"):
        load_query_encoder(folder)


# Runs the real CLI for every question in one fresh process; reports hits and imported packages.
CLI_RUNS = """
import contextlib, io, json, sys
from interface.cli import main
questions, data_dir, corpus = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
found = {}
for mode in ("hybrid", "dense"):
    for q in questions:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["search", q, "--json", "--k", "10", "--mode", mode,
                         "--data-dir", data_dir, "--corpus-dir", corpus])
        assert code == 0, q
        found[mode + " " + q] = json.loads(out.getvalue())
found["imported"] = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps(found))
"""


def test_cli_search_finds_what_sentence_transformers_finds(searcher):
    questions = [item["q"] for item in load_eval_set(DEV_SET)["qa"]]
    assert len(questions) == 36
    data_dir = searcher.store.folder.parent
    done = subprocess.run(
        [sys.executable, "-c", CLI_RUNS, json.dumps(questions), str(data_dir),
         str(REPO / "corpus")], capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert {"torch", "transformers", "sentence_transformers"} & set(found.pop("imported")) == set()
    for mode in ("hybrid", "dense"):
        for q in questions:
            expected = [hit.to_dict() for hit in searcher.search(q, k=10, mode=mode)]
            got = found[f"{mode} {q}"]
            assert [(h["doc_id"], h["start"], h["end"]) for h in got] == \
                [(h["doc_id"], h["start"], h["end"]) for h in expected], (mode, q)
            assert np.allclose([h["score"] for h in got], [h["score"] for h in expected],
                               rtol=0, atol=1e-5), (mode, q)

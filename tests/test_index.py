"""The passage index: idempotent re-indexing, partial updates, rebuilds, a real Chroma server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from documents import add_document, load_corpus
from interface.cli import main
from interface.settings import load_settings
from retrieval import build_index, corpus_passages, load_embedder, open_searcher
from retrieval.index import open_store

ENERGY = """Energy policy
Wind power grew quickly last year. Solar panels became much cheaper than before.
Gas prices rose sharply in the winter months.
Storage
Batteries now smooth out the daily peaks of demand.
"""
FARMING = """Farming
Wheat harvests fell during the long drought. Farmers asked for emergency water rights.
Irrigation canals were repaired with public money.
"""


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    add_document(corpus, ENERGY.encode(), "energy.txt", title="Energy")
    add_document(corpus, FARMING.encode(), "farming.txt", title="Farming")
    return corpus


@pytest.fixture
def settings(tmp_path, small_corpus):
    return load_settings({"corpus_dir": small_corpus, "data_dir": tmp_path / "data"}, environ={})


@pytest.fixture
def cli_embedder(monkeypatch, embedder):
    """The CLI loads its own embedder; hand it the session's already-loaded one instead."""
    monkeypatch.setattr("retrieval.load_embedder", lambda *a, **k: embedder)
    monkeypatch.setattr("retrieval.embeddings.load_embedder", lambda *a, **k: embedder)
    return embedder


def _stored_ids(settings, embedder) -> set[str]:
    store = open_store(settings.index, embedder)
    try:
        return store.ids()
    finally:
        store.close()


def test_first_index_embeds_every_passage(settings, embedder):
    report = build_index(settings.index, embedder)
    passages = corpus_passages(load_corpus(settings.corpus_dir))
    assert report.passages == len(passages) == report.embedded
    assert report.removed == 0 and report.rebuilt is None
    assert _stored_ids(settings, embedder) == {p.id for p in passages}


def test_unchanged_reindex_embeds_nothing_and_loads_no_model(settings, embedder):
    build_index(settings.index, embedder)
    fresh = load_embedder()  # its model loads on first encode; it must never be needed
    report = build_index(settings.index, fresh)
    assert (report.embedded, report.removed, report.kept) == (0, 0, report.passages)
    assert "model" not in fresh.__dict__


def test_changing_one_document_reembeds_only_its_changed_passages(settings, embedder):
    build_index(settings.index, embedder)
    before = {p.id: p for p in corpus_passages(load_corpus(settings.corpus_dir))}
    path = settings.corpus_dir / "farming.txt"
    path.write_text(FARMING.replace("fell during the long drought", "fell in the drought"))
    after = {p.id: p for p in corpus_passages(load_corpus(settings.corpus_dir))}
    report = build_index(settings.index, embedder)
    new, stale = after.keys() - before.keys(), before.keys() - after.keys()
    assert new and all(after[i].doc_id == "farming" for i in new)
    assert all(before[i].doc_id == "farming" for i in stale)
    assert (report.embedded, report.removed) == (len(new), len(stale))
    assert _stored_ids(settings, embedder) == set(after)


def test_removed_document_leaves_no_stale_passages(settings, embedder, small_corpus):
    build_index(settings.index, embedder)
    manifest = small_corpus / "manifest.toml"
    text = manifest.read_text()
    manifest.write_text(text[: text.index('[documents."farming"]')])
    report = build_index(settings.index, embedder)
    remaining = {p.id for p in corpus_passages(load_corpus(small_corpus))}
    assert report.embedded == 0 and report.removed > 0
    assert _stored_ids(settings, embedder) == remaining


def test_switching_the_embedding_model_rebuilds(settings, embedder):
    build_index(settings.index, embedder)
    other = load_embedder(embedder.path, name="another-model")
    report = build_index(settings.index, other)
    assert "embedding model changed" in report.rebuilt and "another-model" in report.rebuilt
    assert report.embedded == report.passages


def test_rebuild_flag_embeds_everything_again(settings, embedder):
    build_index(settings.index, embedder)
    report = build_index(settings.index, embedder, rebuild=True)
    assert report.embedded == report.passages and report.rebuilt == "rebuild requested"


def test_corrupt_index_is_rebuilt_with_a_message(settings, embedder):
    build_index(settings.index, embedder)
    (settings.chroma_path / "chroma.sqlite3").write_bytes(b"not a database " * 400)
    messages = []
    report = build_index(settings.index, embedder, log=messages.append)
    assert report.rebuilt and "unreadable" in report.rebuilt
    assert len(messages) == 1 and "rebuilding the index" in messages[0]
    assert report.embedded == report.passages
    searcher = open_searcher(settings.index, embedder, log=messages.append)
    try:
        assert searcher.search("solar panels", k=1)[0].passage.doc_id == "energy"
    finally:
        searcher.close()


def test_cli_index_quiet_prints_nothing(settings, cli_embedder, capsys):
    args = ["--corpus-dir", str(settings.corpus_dir), "--data-dir", str(settings.data_dir)]
    assert main(["index", "--quiet", *args]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["index", *args]) == 0
    assert "0 embedded" in capsys.readouterr().out


@pytest.mark.reliability("faults", "`counterpoint index` over a garbage chroma.sqlite3",
                         "exit 0 after a rebuild, one stderr line, no traceback")
def test_cli_corrupt_index_gives_one_line_not_a_traceback(settings, cli_embedder, capsys):
    args = ["--corpus-dir", str(settings.corpus_dir), "--data-dir", str(settings.data_dir)]
    assert main(["index", "--quiet", *args]) == 0
    (settings.chroma_path / "chroma.sqlite3").write_bytes(b"\x00garbage" * 1000)
    assert main(["index", "--quiet", *args]) == 0
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_search_builds_a_missing_index_with_one_stderr_line(settings, cli_embedder,
                                                                capsys):
    args = ["--corpus-dir", str(settings.corpus_dir), "--data-dir", str(settings.data_dir)]
    assert main(["search", "water for farmers", "--k", "2", "--json", *args]) == 0
    out, err = capsys.readouterr()
    count = len(corpus_passages(load_corpus(settings.corpus_dir)))
    assert err.strip().splitlines() == [f"building the search index for {count} passages "
                                        "(first use)"]
    assert '"doc_id": "farming"' in out


@pytest.mark.reliability("faults", "`counterpoint index` against a closed Chroma server port",
                         "exit 2: 'cannot reach the Chroma server at' its URL")
def test_unreachable_server_is_a_clear_error(settings, capsys):
    args = ["--corpus-dir", str(settings.corpus_dir), "--chroma-url", "http://127.0.0.1:9"]
    assert main(["index", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the Chroma server at http://127.0.0.1:9")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` server on loopback, stopped after the test."""
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent))
    port = _free_port()
    server = subprocess.Popen(
        [executable, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_index_and_search_against_a_chroma_server(settings, embedder, chroma_server):
    remote = load_settings({"corpus_dir": settings.corpus_dir, "chroma_url": chroma_server},
                           environ={})
    first = build_index(remote.index, embedder)
    assert first.embedded == first.passages and first.location == chroma_server
    assert build_index(remote.index, embedder).embedded == 0
    searcher = open_searcher(remote.index, embedder)
    try:
        hits = searcher.search("emergency water rights for farmers", k=3, kinds=["article"])
    finally:
        searcher.close()
    assert hits[0].passage.text == "Farmers asked for emergency water rights."
    assert not settings.chroma_path.exists()  # nothing was written locally

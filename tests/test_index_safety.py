"""The index survives what happens to real users: other processes, kills, damaged files.

Issue 15, finding 5: an error while opening the index used to delete it, whatever the error.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from documents import add_document, load_corpus
from interface.settings import load_settings
from retrieval import IndexUnavailable, build_index, corpus_passages, open_searcher
from retrieval.index import open_store
from retrieval.lock import IndexBusy, lock_path, writing

REPO = Path(__file__).resolve().parent.parent
POLICY = REPO / "corpus" / "000_0e74df59ad1dea2a.txt"


@pytest.fixture
def settings(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    return load_settings({"corpus_dir": corpus, "data_dir": tmp_path / "data"}, environ={})


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.reliability("faults", "opening the index fails with PermissionError",
                         "a clear error saying nothing was changed; the index files are unchanged")
def test_an_error_that_is_not_damage_leaves_the_index_as_it_was(settings, embedder,
                                                                 monkeypatch):
    build_index(settings.index, embedder)
    before = _files(settings.chroma_path)

    def refuse(*args, **kwargs):  # what chromadb raises for a folder it may not open
        raise PermissionError(13, "Permission denied", str(settings.chroma_path))

    monkeypatch.setattr("chromadb.PersistentClient", refuse)
    with pytest.raises(IndexUnavailable, match="nothing was changed"):
        open_store(settings.index, embedder)
    assert _files(settings.chroma_path) == before


@pytest.mark.reliability("faults", "chroma.sqlite3 overwritten with garbage",
                         "the damaged copy is kept aside and the index is rebuilt in full")
def test_a_damaged_index_is_moved_aside_and_rebuilt(settings, embedder):
    build_index(settings.index, embedder)
    damaged = b"not a database " * 400
    (settings.chroma_path / "chroma.sqlite3").write_bytes(damaged)
    report = build_index(settings.index, embedder, log=lambda line: None)
    assert "unreadable" in report.rebuilt and "damaged copy is kept" in report.rebuilt
    kept = [p for p in settings.chroma_path.parent.iterdir() if ".damaged-" in p.name]
    assert len(kept) == 1 and (kept[0] / "chroma.sqlite3").read_bytes() == damaged
    assert report.embedded == report.passages


HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from retrieval.lock import writing
    with writing(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
""")


def _hold_lock(folder: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), str(seconds)],
                               cwd=REPO, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout.readline().strip() == "locked"
    return process


@pytest.mark.reliability(
    "faults",
    "another process holds the index write lock",
    "after the wait, an error naming its pid; the lock is free once it is killed")
def test_another_process_writing_makes_us_wait_then_fail_clearly(settings, embedder):
    build_index(settings.index, embedder)
    holder = _hold_lock(settings.chroma_path, 30)
    try:
        with pytest.raises(IndexBusy, match=rf"another Counterpoint process \(pid {holder.pid}\)"):
            with writing(settings.chroma_path, wait=0.5):
                pass
    finally:
        holder.kill()
        holder.wait()
    with writing(settings.chroma_path, wait=5):  # a killed holder's lock is gone with it
        assert lock_path(settings.chroma_path).read_text().strip() == str(os.getpid())


def test_a_write_waits_for_the_other_process_to_finish(settings, embedder):
    holder = _hold_lock(settings.chroma_path, 2)
    began = time.perf_counter()
    report = build_index(settings.index, embedder)
    assert time.perf_counter() - began >= 1.0 and report.embedded == report.passages
    holder.wait()


@pytest.mark.reliability("faults", "`kill -9` of `counterpoint index` half way",
                         "the next open finishes every passage; search hits quote the stored text")
def test_kill_during_indexing_loses_nothing_and_the_next_start_finishes(settings, embedder):
    """`kill -9` of `counterpoint index` half way; the next open is consistent and complete."""
    policy = POLICY.read_text("utf-8")
    add_document(settings.corpus_dir, ((policy + "\n") * 6).encode(), "long.txt", title="Long")
    wanted = {p.id for p in corpus_passages(load_corpus(settings.corpus_dir))}
    command = [sys.executable, "-c", "from interface.cli import main; raise SystemExit(main())",
               "index", "--corpus-dir", str(settings.corpus_dir),
               "--data-dir", str(settings.data_dir)]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = lock_path(settings.chroma_path)
    deadline = time.monotonic() + 120
    while not (lock.exists() and lock.read_text().strip() == str(process.pid)):
        assert process.poll() is None and time.monotonic() < deadline, "indexing never wrote"
        time.sleep(0.05)
    time.sleep(1.0)  # a batch or two later
    process.send_signal(signal.SIGKILL)
    process.wait()
    store = open_store(settings.index, embedder)
    try:
        written = store.ids()
    finally:
        store.close()
    assert written and written < wanted, "the kill should land half way through"
    searcher = open_searcher(settings.index, embedder, log=lambda line: None)
    try:
        assert searcher.pending() == 0 and searcher.store.ids() == wanted
        hit = searcher.search("drone attacks on refineries", k=1, mode="dense")[0]
        assert hit.passage.text == searcher.documents[hit.passage.doc_id].text[
            hit.passage.start : hit.passage.end]
    finally:
        searcher.close()

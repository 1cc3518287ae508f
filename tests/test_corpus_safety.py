"""Corpus writes stay safe: odd metadata, broken manifests, two writers, and `kill -9`."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from file_fixtures import REPO, corpus_copy, snapshot

import documents.library
from documents import CorpusError, add_document, corpus_lock, load_corpus
from documents.formats import Converted, convert

POLICY = "000_0e74df59ad1dea2a"
CLI = "import sys; from interface.cli import main; sys.exit(main())"


def _cli(*args: str, **popen) -> subprocess.Popen:
    """`counterpoint ARGS` as a real process, as a user would run it."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("COUNTERPOINT_")}
    return subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _run(*args: str) -> tuple[int, str, str]:
    process = _cli(*args)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def _note(number: int, tag: str = "") -> str:
    return f"Note {tag}{number}\nThe {tag}{number}th finding is recorded here. It stands alone.\n"


# Finding 1: metadata that TOML or UTF-8 cannot hold

@pytest.mark.reliability(
    "bad input",
    "DEL, NUL, ESC, NEL or a lone surrogate in a title, author, bio or comments field",
    "refused naming the field and code point; corpus unchanged")
@pytest.mark.parametrize("field, value, shown", [
    ("title", "x\x7fy", "U+007F"),
    ("author", "Ann\x00Smith", "U+0000"),
    ("bio", "\x1b[31mBob", "U+001B"),
    ("comments_after", "Comments\x85", "U+0085"),
    ("title", "x\ud800y", "U+D800"),
])
def test_a_control_character_or_lone_surrogate_in_a_field_is_refused_before_any_write(
        tmp_path, field, value, shown):
    corpus_dir = corpus_copy(tmp_path)
    before = snapshot(corpus_dir)
    with pytest.raises(CorpusError, match=f"{field}: contains .*{re.escape(shown)}"):
        add_document(corpus_dir, _note(1).encode(), "note.txt", **{field: value})
    assert snapshot(corpus_dir) == before
    assert len(load_corpus(corpus_dir)) == 2


def test_a_del_in_a_cli_title_is_a_one_line_error_and_the_corpus_still_works(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    (tmp_path / "note.txt").write_text(_note(1), "utf-8")
    code, _, err = _run("add", str(tmp_path / "note.txt"), "--title", "x\x7fy",
                        "--corpus-dir", str(corpus_dir))
    assert code == 2 and err.count("\n") == 1
    assert "title: contains a control character (U+007F)" in err
    code, out, err = _run("docs", "--corpus-dir", str(corpus_dir))
    assert code == 0 and POLICY in out, err


def _converter(title: str, author: str = "", comment_meta: tuple = ()):
    page = "An article. It has two sentences.\nComments\nA reader: fine.\nAnother: no.\n"
    converted = Converted(text=page, structure="column", format="html", title=title,
                          author=author, comments_after="Comments", comment_meta=comment_meta)
    return lambda data, name: converted


def test_every_code_point_in_metadata_from_a_file_round_trips_through_the_manifest(
        tmp_path, monkeypatch):
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    meta = ({"author": everything[::-1][:5000]}, {"author": "\x7f", "date": '"\\'})
    monkeypatch.setattr(documents.library, "convert", _converter(everything, "\x7f", meta))
    corpus_dir = corpus_copy(tmp_path)
    added, _ = add_document(corpus_dir, b"<html>page</html>", "page.html")
    stored = {d.doc_id: d for d in load_corpus(corpus_dir)}["page"]
    assert stored.title == everything and stored.author == "\x7f"
    assert stored.comment_meta == meta and stored == added


def test_odd_keys_in_comment_metadata_round_trip_through_the_manifest(tmp_path, monkeypatch):
    keys = ({"\x7f": "del", "\U0001F600": "emoji", '"\\': "quote", "\x00\n": "nul"}, {})
    monkeypatch.setattr(documents.library, "convert", _converter("Page", comment_meta=keys))
    corpus_dir = corpus_copy(tmp_path)
    add_document(corpus_dir, b"<html>page</html>", "page.html")
    assert {d.doc_id: d for d in load_corpus(corpus_dir)}["page"].comment_meta == keys


def test_a_lone_surrogate_found_in_a_file_is_stored_as_a_replacement_character(
        tmp_path, monkeypatch):
    monkeypatch.setattr(documents.library, "convert",
                        _converter("Grid\ud83d page", comment_meta=({"author": "A\udc00"}, {})))
    corpus_dir = corpus_copy(tmp_path)
    add_document(corpus_dir, b"<html>page</html>", "page.html")
    stored = {d.doc_id: d for d in load_corpus(corpus_dir)}["page"]
    assert stored.title == "Grid\ufffd page" and stored.comment_meta[0] == {"author": "A\ufffd"}


# Finding 6: a manifest that is empty, missing, unreadable or points outside the corpus

@pytest.mark.reliability(
    "faults",
    "manifest.toml emptied to 0 bytes",
    "load, add and `docs` each give one clear line; no document dropped or written")
def test_a_zero_byte_manifest_is_an_error_and_an_add_drops_no_document(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    manifest = corpus_dir / "manifest.toml"
    kept = manifest.read_bytes()
    manifest.write_bytes(b"")
    with pytest.raises(CorpusError, match="manifest.toml: the manifest is empty"):
        load_corpus(corpus_dir)
    with pytest.raises(CorpusError, match="the manifest is empty"):
        add_document(corpus_dir, _note(1).encode(), "note.txt")
    code, _, err = _run("docs", "--corpus-dir", str(corpus_dir))
    assert code == 2 and "the manifest is empty" in err and err.count("\n") == 1
    assert manifest.read_bytes() == b"" and not (corpus_dir / "note.txt").exists()
    manifest.write_bytes(kept)
    assert len(load_corpus(corpus_dir)) == 2


def test_a_missing_manifest_beside_document_files_is_an_error(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    (corpus_dir / "manifest.toml").unlink()
    with pytest.raises(CorpusError, match=r"missing, but the folder holds 2 document files"):
        load_corpus(corpus_dir)


def test_a_new_folder_is_an_empty_corpus_that_an_add_starts(tmp_path):
    corpus_dir = tmp_path / "fresh"
    assert load_corpus(corpus_dir) == []
    add_document(corpus_dir, _note(1).encode(), "note.txt")
    assert [d.doc_id for d in load_corpus(corpus_dir)] == ["note"]


def test_an_unreadable_manifest_is_an_error(tmp_path):
    corpus_dir = tmp_path / "corpus"
    (corpus_dir / "manifest.toml").mkdir(parents=True)  # chmod cannot stop root reading
    with pytest.raises(CorpusError, match="the manifest cannot be read"):
        load_corpus(corpus_dir)


def _with_entry(corpus_dir: Path, entry: str) -> None:
    manifest = corpus_dir / "manifest.toml"
    manifest.write_text(manifest.read_text("utf-8") + f'\n[documents."x"]\n{entry}\n', "utf-8")


@pytest.mark.reliability(
    "attacks",
    "manifest entries naming /etc/hostname, ../ paths, a symlink out, an empty name",
    "refused: not a file inside the corpus folder")
@pytest.mark.parametrize("entry", [
    'file = "/etc/hostname"',
    'file = "../outside.txt"',
    'file = "originals/../../outside.txt"',
    'file = "escape.txt"',  # a link inside the folder to a file outside it
    'file = ""',
    f'file = "{POLICY}.txt"\noriginal = "../outside.txt"',
])
def test_a_manifest_entry_naming_a_file_outside_the_corpus_is_refused(tmp_path, entry):
    corpus_dir = corpus_copy(tmp_path)
    (tmp_path / "outside.txt").write_text("A secret outside the corpus. Not a document.\n")
    (corpus_dir / "escape.txt").symlink_to(tmp_path / "outside.txt")
    _with_entry(corpus_dir, entry)
    with pytest.raises(CorpusError, match=r"document 'x': \w+ = .* is not a file inside the "
                                          r"corpus folder"):
        load_corpus(corpus_dir)


def test_ids_that_differ_only_in_case_collide(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    add_document(corpus_dir, _note(1).encode(), "Notes.txt")
    before = snapshot(corpus_dir)
    with pytest.raises(CorpusError, match="'Notes' is already in the corpus.*ignore case"):
        add_document(corpus_dir, _note(2).encode(), "notes.txt")
    assert snapshot(corpus_dir) == before


# Finding 6: durable writes, the lock, two writers, kill -9

@pytest.mark.reliability(
    "faults",
    "a document added with every fsync and rename traced",
    "each file goes to a unique temporary name, fsynced before its rename; the folder synced after")
def test_each_write_is_fsynced_under_a_unique_name_and_its_folder_synced(tmp_path,
                                                                          monkeypatch):
    corpus_dir = corpus_copy(tmp_path)
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))), real_fsync(fd)))
    monkeypatch.setattr(os, "replace", lambda a, b: (
        events.append(("replace", str(a), str(b))), real_replace(a, b)))
    (corpus_dir / ".manifest.toml.stale.tmp").write_bytes(b"left by a killed writer")
    add_document(corpus_dir, b"# Grid\n\nThe grid is new. It works.\n", "grid.md")
    manifest = str(corpus_dir / "manifest.toml")
    replaced = [e for e in events if e[0] == "replace"]
    assert [Path(e[2]).name for e in replaced] == ["grid.md", "grid.txt", "manifest.toml"]
    temporaries = [e[1] for e in replaced]
    assert len(set(temporaries)) == 3 and all(Path(t).name.startswith(".") for t in temporaries)
    at = events.index(replaced[-1])
    assert ("fsync", replaced[-1][1]) in events[:at]  # the data, before the rename
    assert ("fsync", str(corpus_dir)) in events[events.index(replaced[1]):at]
    assert events[at + 1:] == [("fsync", str(corpus_dir))]  # the rename, after it
    assert not list(corpus_dir.glob(".*.tmp")) and Path(manifest).is_file()


def test_corpus_lock_excludes_other_processes_and_threads_and_is_reentrant(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "waiting.txt").write_text(_note(1), "utf-8")
    with corpus_lock(corpus_dir):
        process = _cli("add", str(inbox), "--corpus-dir", str(corpus_dir))
        assert process.stderr.readline().startswith("[1/1] waiting.txt")  # now at the lock
        time.sleep(1.0)
        assert process.poll() is None
        with corpus_lock(corpus_dir):  # the same thread again: no deadlock
            add_document(corpus_dir, _note(2).encode(), "inside.txt")
        outcome = []
        thread = threading.Thread(target=lambda: outcome.append(_try_lock(corpus_dir)))
        thread.start()
        thread.join()
        assert outcome == ["TimeoutError"]
        assert "waiting" not in {d.doc_id for d in load_corpus(corpus_dir)}
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0 and "added waiting" in out, err
    assert {"waiting", "inside"} <= {d.doc_id for d in load_corpus(corpus_dir)}


def _try_lock(corpus_dir: Path) -> str:
    try:
        with corpus_lock(corpus_dir, timeout=0.3):
            return "held"
    except TimeoutError:
        return "TimeoutError"


def _inbox(tmp_path: Path, name: str, count: int) -> Path:
    """`count` small new files: text, and Markdown (kept in originals/ too)."""
    folder = tmp_path / name
    folder.mkdir()
    for number in range(count):
        suffix = ".md" if number % 3 == 0 else ".txt"
        (folder / f"{name}_{number:02d}{suffix}").write_text(_note(number, name), "utf-8")
    return folder


@pytest.mark.reliability("load", "two `counterpoint add` processes adding 12 files each at once",
                         "both exit 0; all 24 documents are in the manifest")
def test_two_processes_adding_at_once_both_end_up_in_the_manifest(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    folders = [_inbox(tmp_path, name, 12) for name in ("left", "right")]
    processes = [_cli("add", str(folder), "--corpus-dir", str(corpus_dir))
                 for folder in folders]
    results = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], results
    stored = {d.doc_id for d in load_corpus(corpus_dir)}
    wanted = {path.stem for folder in folders for path in folder.iterdir()}
    assert wanted <= stored and len(stored) == 2 + 24, results


def _check_consistent(corpus_dir: Path, sources: dict[str, str], before: dict[str, str]):
    """The manifest parses, every entry's file holds its whole text, nothing was lost, and a
    file no entry names (a killed add's) is never a part of a file."""
    stored = {d.doc_id: d.text for d in load_corpus(corpus_dir)}
    assert all(stored[doc_id] == text for doc_id, text in before.items())
    assert all(text == sources[doc_id] for doc_id, text in stored.items() if doc_id in sources)
    for path in corpus_dir.glob("*.txt"):
        assert path.stem in stored or path.read_text("utf-8") == sources[path.stem]
    return stored


@pytest.mark.reliability(
    "faults",
    "`kill -9` of `counterpoint add` at random moments, 8 rounds",
    "after each kill the manifest parses, no document is lost or partial; a rerun adds the rest")
def test_kill_9_during_add_loses_nothing_and_the_next_start_is_consistent(tmp_path):
    seed = random.randrange(1_000_000)
    print(f"random seed {seed}")  # shown when the test fails, to replay its kill moments
    chance = random.Random(seed)
    corpus_dir = corpus_copy(tmp_path)
    stored = {d.doc_id: d.text for d in load_corpus(corpus_dir)}
    folders, sources = [], {}
    for round_number in range(8):
        folders.append(_inbox(tmp_path, f"r{round_number}", 10))
        sources |= {p.stem: convert(p.read_bytes(), p.name).text for p in folders[-1].iterdir()}
        process = _cli("add", *map(str, folders), "--corpus-dir", str(corpus_dir))
        process.stderr.readline()  # the first file is being added
        time.sleep(chance.uniform(0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        stored = _check_consistent(corpus_dir, sources, stored)
    code, out, err = _run("add", *map(str, folders), "--corpus-dir", str(corpus_dir))
    assert code == 0, (seed, err)
    final = _check_consistent(corpus_dir, sources, stored)
    assert set(sources) <= set(final), seed

"""`counterpoint add FILE|FOLDER`: good files added, duplicates skipped, each refusal one line."""

from __future__ import annotations

import io
import json
from pathlib import Path

from file_fixtures import (
    MARKDOWN,
    REPO,
    corpus_copy,
    docx_bytes,
    report_pdf,
    scanned_pdf,
    snapshot,
)

from documents import load_corpus, split_passages
from interface.cli import main
from interface.cli.corpus import ProgressBar
from interface.settings import load_settings, session_of
from interface.web.library import Upload, add_uploads, search_library, status_html

COLUMN = "003_bf4e1c7beccc96a2"


def _folder(tmp_path: Path) -> Path:
    """Three good files, a duplicate of a corpus text, three bad ones, and files to skip."""
    folder = tmp_path / "inbox"
    (folder / "reports").mkdir(parents=True)
    (folder / "reports" / "grid.pdf").write_bytes(report_pdf())
    (folder / "memo.docx").write_bytes(docx_bytes())
    (folder / "notes.md").write_text(MARKDOWN, "utf-8")
    (folder / "column copy.txt").write_bytes((REPO / "corpus" / f"{COLUMN}.txt").read_bytes())
    (folder / "scan.pdf").write_bytes(scanned_pdf())
    (folder / "broken.docx").write_bytes(docx_bytes()[:1500])
    (folder / "data.txt").write_bytes(bytes(range(256)) * 4)
    (folder / ".drafts").mkdir()
    (folder / ".drafts" / "secret.md").write_text("# Draft\n\nNot for the corpus.\n", "utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "page_files").mkdir()
    (folder / "page_files" / "frame.txt").write_text("A saved page's asset.\n", "utf-8")
    (folder / "page.htm").write_bytes(b"")  # a saved page beside its _files folder
    return folder


def test_add_folder_adds_the_good_files_and_reports_the_rest(tmp_path, capsys):
    corpus_dir = corpus_copy(tmp_path)
    folder = _folder(tmp_path)
    assert main(["add", str(folder), "--corpus-dir", str(corpus_dir)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert sorted(line.split()[0] for line in lines[:-1]) == [
        "added", "added", "added", "refused", "refused", "refused", "refused", "skipped"]
    assert "refused scan.pdf: no text layer: run OCR first" in lines
    assert any(line.startswith("refused broken.docx: not a readable DOCX") for line in lines)
    assert any(line.startswith("refused data.txt: format not supported") for line in lines)
    assert "refused page.htm: the file is empty" in lines
    assert f"skipped column copy.txt: already in the corpus as {COLUMN}" in lines
    assert lines[-1].startswith("3 added, 1 already in the corpus, 4 refused (of 8 files)")
    assert "[8/8]" in err and "secret" not in out + err and "frame" not in out + err
    documents = {d.doc_id: d for d in load_corpus(corpus_dir)}
    assert {"grid", "memo", "notes"} <= set(documents) and len(documents) == 5
    assert documents["grid"].pages and documents["grid"].original == "originals/grid.pdf"
    assert sorted(p.name for p in (corpus_dir / "originals").iterdir()) == [
        "grid.pdf", "memo.docx", "notes.md"]
    for document in documents.values():
        assert all(document.text[p.start : p.end] == p.text for p in split_passages(document))


def test_add_folder_again_changes_nothing_and_json_lists_each_file(tmp_path, capsys):
    corpus_dir = corpus_copy(tmp_path)
    folder = _folder(tmp_path)
    main(["add", str(folder), "--corpus-dir", str(corpus_dir)])
    capsys.readouterr()
    before = snapshot(corpus_dir)
    code = main(["add", str(folder), "--corpus-dir", str(corpus_dir), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 2  # nothing added and some files refused
    assert (report["added"], report["duplicate"], report["refused"]) == (0, 4, 4)
    grid = next(f for f in report["files"] if f["file"] == "reports/grid.pdf")
    assert grid == {"file": "reports/grid.pdf", "outcome": "duplicate", "doc_id": "grid"}
    assert snapshot(corpus_dir) == before


def test_a_folder_of_duplicates_is_a_success_and_one_of_bad_files_is_not(tmp_path, capsys):
    corpus_dir = corpus_copy(tmp_path)
    copies = tmp_path / "copies"
    copies.mkdir()
    (copies / "a.txt").write_bytes((REPO / "corpus" / f"{COLUMN}.txt").read_bytes())
    assert main(["add", str(copies), "--corpus-dir", str(corpus_dir)]) == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "scan.pdf").write_bytes(scanned_pdf())
    before = snapshot(corpus_dir)
    assert main(["add", str(bad), "--corpus-dir", str(corpus_dir)]) == 2
    assert snapshot(corpus_dir) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["add", str(empty), "--corpus-dir", str(corpus_dir)]) == 2
    assert "no supported files" in capsys.readouterr().err


def test_one_file_keeps_its_metadata_options_and_a_folder_refuses_them(tmp_path, capsys):
    corpus_dir = corpus_copy(tmp_path)
    pdf = tmp_path / "grid.pdf"
    pdf.write_bytes(report_pdf())
    assert main(["add", str(pdf), "--title", "Baltic grid", "--corpus-dir", str(corpus_dir),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"doc_id": "grid", "added": True}
    assert {d.doc_id: d for d in load_corpus(corpus_dir)}["grid"].title == "Baltic grid"
    assert main(["add", str(tmp_path), "--title", "x", "--corpus-dir", str(corpus_dir)]) == 2
    assert "--title can only be given with a single FILE" in capsys.readouterr().err
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf())
    assert main(["add", str(scan), "--corpus-dir", str(corpus_dir)]) == 2
    assert capsys.readouterr().err == "error: scan.pdf: no text layer: run OCR first\n"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_redraws_one_line_on_a_terminal():
    terminal = _Terminal()
    bar = ProgressBar(4, terminal)
    for index, name in enumerate(["a.pdf", "b.md", "c.txt", "d.docx"]):
        bar.show(index, name)
    bar.finish()
    written = terminal.getvalue()
    assert "\n" not in written and written.count("\r") == 5
    assert "[##########..........] 3/4 c.txt" in written


def test_library_upload_of_several_files_adds_each_and_indexes_once(tmp_path, embedder):
    corpus_dir = corpus_copy(tmp_path)
    folder = _folder(tmp_path)
    paths = [str(folder / name) for name in ("reports/grid.pdf", "memo.docx", "scan.pdf",
                                             "column copy.txt")]
    settings = load_settings({"corpus_dir": corpus_dir, "data_dir": tmp_path / "data"},
                             environ={})
    session = session_of(settings, embedder=embedder)
    try:
        steps = []
        outcome = add_uploads(session, paths, Upload(None),
                              lambda fraction, message: steps.append((fraction, message)))
        assert outcome.ok and outcome.doc_id == "memo"
        assert outcome.message.startswith("2 of 4 files added (")
        assert outcome.message.endswith("1 already in the library, 1 not added.")
        assert [f.ok for f in outcome.files] == [True, True, False, True]
        assert outcome.files[2].message == "Not added: scan.pdf: no text layer: run OCR first"
        assert [m for _, m in steps if m.startswith("File ")] == [
            "File 1 of 4: grid.pdf", "File 2 of 4: memo.docx", "File 3 of 4: scan.pdf",
            "File 4 of 4: column copy.txt"]
        assert [f for f, _ in steps] == sorted(f for f, _ in steps) and steps[-1][0] == 1.0
        assert status_html(outcome).count("cp-notice-error") == 1
        hits = session.searcher().search("When was the Baltic grid synchronised?", k=3)
        assert hits[0].passage.doc_id == "grid"
        assert "page 1" in search_library(session.documents(), "synchronised with")
        one = add_uploads(session, paths[:2], Upload(None, title="One title"))
        assert not one.ok and "leave them empty" in one.message
    finally:
        session.close()

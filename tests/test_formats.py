"""Formats: PDF, DOCX, Markdown and text files built here, converted, stored and cited exactly.

The fixtures are generated with maintained libraries (fpdf2, pypdf, python-docx), never
downloaded; the builders are in tests/file_fixtures.py, shared with tests/test_corpus_add.py.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile

import pytest
from file_fixtures import (
    LONG,
    MARKDOWN,
    corpus_copy,
    docx_bytes,
    encrypted_pdf,
    report_pdf,
    scanned_pdf,
    snapshot,
)

import documents.library
from documents import Citation, CorpusError, add_document, load_corpus, page_of, split_passages
from documents.formats import Converted, UnsupportedFile, convert
from interface.web.render import citation_card


def _exact(document) -> list:
    passages = split_passages(document)
    assert passages
    for passage in passages:
        assert document.text[passage.start : passage.end] == passage.text
    return passages


# --- converters ------------------------------------------------------------------------------


def test_pdf_pages_paragraphs_footnotes_and_metadata():
    converted = convert(report_pdf(), "report.pdf")
    assert (converted.format, converted.structure) == ("pdf", "sections")
    assert (converted.title, converted.author, converted.date) == ("Grid report", "A. Analyst",
                                                                   "2025-03-04")
    assert LONG in converted.text  # lines of one paragraph are joined again
    assert "rose by a third[1] over" in converted.text  # a superscript note becomes [1]
    assert len(converted.pages) == 2 and converted.pages[0] == 0
    assert converted.text.index("Household prices") == converted.pages[1]


def test_docx_headings_tables_and_core_properties():
    converted = convert(docx_bytes(), "memo.docx")
    assert (converted.format, converted.title, converted.author, converted.date) == (
        "docx", "Grid memo", "B. Clerk", "2024-11-05")
    lines = converted.text.rstrip("\n").split("\n\n")
    assert lines[:2] == ["Background", "The synchronisation ended decades of dependence. "
                                       "It took ten years."]
    assert "Estonia | 2025" in lines


def test_markdown_markup_is_stripped_and_front_matter_read():
    converted = convert(MARKDOWN.encode(), "notes.md")
    assert (converted.title, converted.author) == ("Notes on the grid", "Jo Writer")
    assert converted.text.split("\n\n") == [
        "The Baltic grid",
        "Estonia, Latvia and Lithuania left the Russian-controlled BRELL ring in 2025. "
        "It was planned for a decade.",
        "Costs",
        "Synchronisation cost about 1.6 billion euros.",
        "The EU paid most of it.",
        'grid = "ENTSO-E"\n',
    ]


def test_text_is_kept_byte_for_byte_and_html_is_detected_by_content():
    data = "Title line\r\nCafé prices rose. Then they fell.\n".encode()
    converted = convert(data, "note.txt")
    assert converted.text.encode() == data and converted.format == "text"
    if importlib.util.find_spec("documents.formats.html") is None:
        pytest.skip("documents/formats/html.py is written on another branch")
    page = b"<!DOCTYPE html><html><body><article><p>" + b"Grid news. " * 30 + b"</p></article>"
    assert convert(page + b"</body></html>", "page.txt").format == "html"


@pytest.mark.reliability(
    "bad input",
    "scanned and encrypted PDFs, cut PDF and DOCX, fake .pdf and .docx, a PNG, an old .doc",
    "refused in one line saying why (e.g. 'no text layer: run OCR first')")
@pytest.mark.parametrize("data, name, message", [
    (scanned_pdf(), "scan.pdf", "no text layer: run OCR first"),
    (encrypted_pdf(), "locked.pdf", "the PDF is encrypted"),
    (report_pdf()[:400], "cut.pdf", "not a readable PDF"),
    (b"just text", "fake.pdf", r"not a PDF \(no %PDF header\)"),
    (docx_bytes()[:2000], "cut.docx", "not a readable DOCX"),
    (b"hello", "fake.docx", "not a readable DOCX"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "photo.png",
     "format not supported"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "old.doc", "save it as .docx"),
])
def test_bad_files_are_refused_in_one_line(data, name, message):
    with pytest.raises(UnsupportedFile, match=message) as caught:
        convert(data, name)
    assert "\n" not in str(caught.value)


def test_a_damaged_docx_package_is_refused_in_one_line():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(out, "w") as copy:
        for item in source.infolist():
            body = b"<w:document><unclosed" if item.filename == "word/document.xml" else \
                source.read(item)
            copy.writestr(item, body)
    with pytest.raises(UnsupportedFile, match="not a readable DOCX") as caught:
        convert(out.getvalue(), "broken.docx")
    assert "\n" not in str(caught.value)


# --- adding converted files to a corpus -----------------------------------------------------


def test_added_pdf_keeps_its_original_pages_and_cites_the_right_page(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    added, ok = add_document(corpus_dir, report_pdf(), "Grid Report.pdf")
    assert ok and added.doc_id == "Grid_Report" and added.format == "pdf"
    assert (corpus_dir / "originals" / "Grid_Report.pdf").read_bytes() == report_pdf()
    document = {d.doc_id: d for d in load_corpus(corpus_dir)}["Grid_Report"]
    assert document == added and document.title == "Grid report"
    assert (corpus_dir / "Grid_Report.txt").read_text("utf-8") == document.text
    passages = _exact(document)
    assert [p.text for p in passages if p.kind == "heading"] == [
        "Introduction", "Household prices", "References"]
    noted = next(p for p in passages if "February 2025 [1]" in p.text)
    assert noted.footnotes == (1,) and noted.urls == ("https://example.org/grid",)
    assert [p.kind for p in passages if "example.org" in p.text] == ["reference"] * 2
    prices = next(p for p in passages if p.text.startswith("Prices for households"))
    assert prices.urls == ("https://example.org/grid",)  # the superscript ¹ is note [1]
    assert Citation.of(noted, document).page == 1 and page_of(document, prices.start) == 2
    assert Citation.at(document, prices.start, prices.end, "article").to_dict()["page"] == 2
    # Passages carry their page, so every citation made from one (answers, maps) says it.
    assert Citation.of(prices).to_dict()["page"] == 2 and Citation.of(noted).page == 1
    other = next(d for d in load_corpus(corpus_dir) if d.format != "pdf")
    assert all(p.page is None for p in split_passages(other))
    documents = {d.doc_id: d for d in load_corpus(corpus_dir)}
    card = citation_card(1, Citation.of(prices), documents, anchor="ev-1")
    assert "Grid_Report · page 2 · characters" in card


def test_added_docx_and_markdown_have_headings_and_metadata(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    memo, _ = add_document(corpus_dir, docx_bytes(), "memo.docx", title="My memo")
    notes, _ = add_document(corpus_dir, MARKDOWN.encode(), "notes.md")
    stored = {d.doc_id: d for d in load_corpus(corpus_dir)}
    assert stored["memo"].title == "My memo" and stored["memo"].author == "B. Clerk"
    assert stored["memo"].original == "originals/memo.docx"
    assert stored["notes"] == notes and notes.format == "markdown"
    memo_passages = _exact(stored["memo"])
    assert [p.text for p in memo_passages if p.kind == "heading"][:2] == ["Background",
                                                                        "Open questions"]
    question = next(p for p in memo_passages if p.text.startswith("Who pays"))
    assert question.section == "Open questions" and question.kind == "article"
    notes_passages = _exact(stored["notes"])
    assert notes_passages[0].kind == "heading" and notes_passages[0].text == "The Baltic grid"
    assert any(p.section == "Costs" and "1.6 billion" in p.text for p in notes_passages)


def test_same_file_or_same_text_again_is_a_duplicate(tmp_path):
    corpus_dir = corpus_copy(tmp_path)
    first, _ = add_document(corpus_dir, MARKDOWN.encode(), "notes.md")
    before = snapshot(corpus_dir)
    again, added = add_document(corpus_dir, MARKDOWN.encode(), "copy.md")
    as_text, added_text = add_document(corpus_dir, first.text.encode(), "notes.txt")
    assert not added and not added_text and again.doc_id == as_text.doc_id == "notes"
    assert snapshot(corpus_dir) == before


@pytest.mark.reliability(
    "bad input",
    "adding a scanned or encrypted PDF, a cut DOCX, an unknown binary, text over 2 MB",
    "a one-line error naming the file; corpus byte-for-byte unchanged")
@pytest.mark.parametrize("make, name, message", [
    (scanned_pdf, "scan.pdf", "scan.pdf: no text layer: run OCR first"),
    (encrypted_pdf, "locked.pdf", "locked.pdf: the PDF is encrypted"),
    (lambda: docx_bytes()[:3000], "memo.docx", "memo.docx: not a readable DOCX"),
    (lambda: bytes(range(256)) * 8, "blob.bin", "blob.bin: format not supported"),
    (lambda: b"word " * 400_001, "huge.txt", "huge.txt: its text is 2,000,005 bytes, over"),
])
def test_bad_files_change_nothing(tmp_path, make, name, message):
    corpus_dir = corpus_copy(tmp_path)
    before = snapshot(corpus_dir)
    with pytest.raises(CorpusError, match=message) as caught:
        add_document(corpus_dir, make(), name)
    assert "\n" not in str(caught.value)
    assert snapshot(corpus_dir) == before


def test_a_file_over_the_file_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    corpus_dir = corpus_copy(tmp_path)
    monkeypatch.setattr(documents.library, "MAX_FILE_BYTES", 1_000)
    before = snapshot(corpus_dir)
    with pytest.raises(CorpusError, match=r"report.pdf: [\d,]+ bytes is over the 1,000-byte"):
        add_document(corpus_dir, report_pdf(), "report.pdf")
    assert snapshot(corpus_dir) == before


def test_a_failed_write_leaves_no_half_added_files(tmp_path, monkeypatch):
    corpus_dir = corpus_copy(tmp_path)
    before = snapshot(corpus_dir)

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(documents.library, "_write_manifest", broken)
    with pytest.raises(OSError, match="disk full"):
        add_document(corpus_dir, report_pdf(), "report.pdf")
    assert snapshot(corpus_dir) == before


def test_comment_metadata_from_a_converter_round_trips_through_the_manifest(tmp_path,
                                                                           monkeypatch):
    page = ("A short article about the grid. It was a success.\nComments\n"
            "First reader: well done.\nSecond reader: too expensive.\n")
    meta = ({"author": 'Ann "A" O\'Neil', "date": "2025-02-09"}, {"author": "Bo\nB"})
    converted = Converted(text=page, structure="column", format="html", title="Grid page",
                          comments_after="Comments", comment_meta=meta)
    monkeypatch.setattr(documents.library, "convert", lambda data, name: converted)
    corpus_dir = corpus_copy(tmp_path)
    added, _ = add_document(corpus_dir, b"<html>the page</html>", "page.html")
    stored = {d.doc_id: d for d in load_corpus(corpus_dir)}["page"]
    assert stored == added and stored.comment_meta == meta and stored.structure == "column"
    assert stored.original == "originals/page.html" and stored.format == "html"
    assert [p.comment for p in split_passages(stored) if p.kind == "comment"] == [1, 2]

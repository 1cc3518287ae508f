"""Files for the format and `add` tests, built here with maintained libraries (fpdf2, pypdf,
python-docx), never downloaded."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import docx
import pypdf
from fpdf import FPDF

REPO = Path(__file__).resolve().parent.parent


LONG = ("The power grid in the Baltic states was synchronised with the European network in "
        "February 2025 [1]. Officials said the switch went smoothly and no outages were "
        "reported in any of the three countries during the first week of operation.")


SECOND_PAGE = "Prices for households rose by a third¹ over the following two winters."


MARKDOWN = """---
title: "Notes on the grid"
author: Jo Writer
---
# The Baltic grid

Estonia, Latvia and Lithuania *left* the Russian-controlled **BRELL** ring in 2025.
It was planned for [a decade](https://example.org/decade).

## Costs:

- Synchronisation cost about `1.6 billion` euros.
- The EU paid most of it.

```
grid = "ENTSO-E"
```
"""


def pdf_bytes(pages: list[list[str]], title: str = "", author: str = "") -> bytes:
    """A PDF with a text layer: one list of paragraphs per page (a heading is a paragraph)."""
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creation_date(dt.datetime(2025, 3, 4, tzinfo=dt.UTC))
    pdf.set_font("helvetica", size=12)
    for paragraphs in pages:
        pdf.add_page()
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def report_pdf() -> bytes:
    """Two pages: a heading, a paragraph with a [1] marker, a superscript note, references."""
    return pdf_bytes([["Introduction", LONG],
                      ["Household prices", SECOND_PAGE, "References",
                       "[1] https://example.org/grid", "[2] https://example.org/prices"]],
                     title="Grid report", author="A. Analyst")


def scanned_pdf() -> bytes:
    """A page with only a drawing on it: what a scan without OCR looks like to a reader."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(report_pdf()))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    """A Word file with a title, headings, paragraphs, a table and core properties."""
    document = docx.Document()
    document.core_properties.title = "Grid memo"
    document.core_properties.author = "B. Clerk"
    document.core_properties.created = dt.datetime(2024, 11, 5, 9, 30)
    document.add_heading("Background.", level=1)
    document.add_paragraph("The synchronisation ended decades of dependence. It took ten years.")
    document.add_heading("Open questions", level=2)
    document.add_paragraph("Who pays for the new interconnectors?")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Estonia", "2025"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


"""Word documents (python-docx): paragraphs and tables in order, Heading styles as headings."""

from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from documents.formats.converted import Converted, UnsupportedFile
from documents.formats.text import first_line, heading_line, join_blocks, one_line

_HEADING_STYLE = re.compile(r"^(?:heading \d|title|subtitle)$", re.I)


def convert_docx(data: bytes, file_name: str) -> Converted:
    """The body of a DOCX, one paragraph per line; title, author and date from its properties."""
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = [_block(item) for item in document.iter_inner_content()]
        properties = document.core_properties
        title, author, created = properties.title, properties.author, properties.created
    except Exception as error:  # python-docx, lxml and zipfile raise many types for damage
        raise UnsupportedFile(f"not a readable DOCX ({first_line(error)})") from None
    text = join_blocks(blocks)
    if not text:
        raise UnsupportedFile("the DOCX has no text")
    return Converted(text=text, structure="sections", format="docx",
                     title=one_line(title or "") or _title_paragraph(document),
                     author=one_line(author or ""),
                     date=created.date().isoformat() if created else "")


def _block(item: Paragraph | Table) -> str:
    if isinstance(item, Table):
        return _table(item)
    if _is_heading(item):
        return heading_line(item.text)
    return one_line(item.text)  # a manual line break inside a paragraph is only a space


def _is_heading(paragraph: Paragraph) -> bool:
    style = paragraph.style
    return style is not None and bool(_HEADING_STYLE.match(style.name or ""))


def _table(table: Table) -> str:
    """One line per row, the cells' text separated by " | "."""
    rows = []
    for row in table.rows:
        cells = [one_line(cell.text) for cell in row.cells]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _title_paragraph(document) -> str:
    """The text of the first paragraph in the Title style, if the properties name no title."""
    for paragraph in document.paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Title":
            return one_line(paragraph.text)
    return ""

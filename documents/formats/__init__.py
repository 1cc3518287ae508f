"""Formats: turn an HTML page, PDF, DOCX, Markdown or text file into the text we store."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePath

from documents.formats.converted import Converted, UnsupportedFile
from documents.formats.text import convert_text, first_line

__all__ = ["EXTENSIONS", "Converted", "UnsupportedFile", "convert"]

# The file name endings a folder import picks up (a file named explicitly is tried whatever
# its name: the format is read from its content first).
EXTENSIONS = (".docx", ".htm", ".html", ".markdown", ".md", ".pdf", ".text", ".txt", ".xhtml")
_HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.I | re.S)
_MARKDOWN = (".md", ".markdown")
_HTML = (".htm", ".html", ".xhtml")


def convert(data: bytes, file_name: str) -> Converted:
    """The stored text of a file of any supported format; UnsupportedFile (one line) if not."""
    kind = _detect_format(data, file_name)
    if kind == "pdf":
        from documents.formats.pdf import convert_pdf as converter
    elif kind == "docx":
        from documents.formats.docx import convert_docx as converter
    elif kind == "html":
        from documents.formats.html import convert_html as converter
    elif kind == "markdown":
        from documents.formats.markdown import convert_markdown as converter
    else:
        converter = convert_text
    converted = converter(data, file_name)
    if not converted.text.strip():
        raise UnsupportedFile(f"no text found in the {kind.upper()} file")
    return converted


def _detect_format(data: bytes, file_name: str) -> str:
    """pdf, docx, html, markdown or text, read from the content first and the name second."""
    suffix = PurePath(file_name).suffix.lower()
    if data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF"):
        return "pdf"
    if suffix == ".pdf":
        raise UnsupportedFile("not a PDF (no %PDF header): the file is damaged or misnamed")
    if data.startswith(b"PK\x03\x04") or suffix == ".docx":
        return _zip_format(data, suffix)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFile("format not supported: an old Word/Office file (.doc); "
                              "save it as .docx")
    if suffix in _HTML or _HTML_START.match(data[:4096]):
        return "html"
    if b"\x00" in data[:4096]:
        raise UnsupportedFile("format not supported: looks binary (contains NUL bytes), "
                              "not PDF, DOCX, HTML, Markdown or text")
    return "markdown" if suffix in _MARKDOWN else "text"


def _zip_format(data: bytes, suffix: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        if suffix == ".docx":
            raise UnsupportedFile(f"not a readable DOCX (damaged ZIP: {first_line(error)})"
                                  ) from None
        raise UnsupportedFile(f"format not supported: a damaged ZIP archive ({first_line(error)})"
                              ) from None
    if "word/document.xml" in names:
        return "docx"
    if suffix == ".docx":
        raise UnsupportedFile("not a readable DOCX (no word/document.xml in the package)")
    raise UnsupportedFile("format not supported: a ZIP archive, not a DOCX")

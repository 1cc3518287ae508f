"""PDF with a text layer (pypdf): one paragraph per line, the offset where each page starts.

pypdf gives the text as laid out, one line per printed line; lines of one paragraph are joined
again so that a sentence is not cut at a line end. A page always starts a new paragraph, so
every passage lies on one page.
"""

from __future__ import annotations

import io
import re

import pypdf
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from documents.formats.converted import Converted, UnsupportedFile
from documents.formats.text import first_line

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPERSCRIPT_NOTE = re.compile(r"(?<=[^\s\d⁰¹²³⁴⁵⁶⁷⁸⁹])([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
_REFERENCE_START = re.compile(r"^\[\d+\]\s+\S")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d+(?:\s*(?:of|/)\s*\d+)?$", re.I)
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’)\]]*$")
_FULL_LINE = 0.75  # a line at least this share of the usual line length runs on to the next


def convert_pdf(data: bytes, file_name: str) -> Converted:
    """The text layer of a PDF, page by page; UnsupportedFile when it has none or is locked."""
    reader = _open(data)
    try:
        page_lines = [_page_lines(page.extract_text() or "") for page in reader.pages]
    except (PdfReadError, DependencyError, ValueError, KeyError, TypeError) as error:
        raise UnsupportedFile(f"not a readable PDF ({first_line(error)})") from None
    if not any(page_lines):
        raise UnsupportedFile("no text layer: run OCR first")
    full = _FULL_LINE * _usual_length([line for lines in page_lines for line in lines])
    text, pages = _join_pages([_paragraphs(lines, full) for lines in page_lines])
    title, author, date = _metadata(reader)
    return Converted(text=text, structure="sections", format="pdf", title=title,
                     author=author, date=date, pages=tuple(pages))


def _open(data: bytes) -> pypdf.PdfReader:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnsupportedFile("the PDF is encrypted (it needs a password): save an "
                                  "unprotected copy and add that")
        len(reader.pages)  # reads the page tree: a broken one fails here, not later
    except (DependencyError, FileNotDecryptedError):
        raise UnsupportedFile("the PDF is encrypted with a cipher this installation cannot "
                              "open: save an unprotected copy and add that") from None
    except UnsupportedFile:
        raise
    except Exception as error:  # pypdf raises many types for a damaged file
        raise UnsupportedFile(f"not a readable PDF ({first_line(error)})") from None
    return reader


def _page_lines(page_text: str) -> list[str]:
    """The page's lines, trimmed, superscript note numbers as [n], page numbers dropped."""
    lines = [_SUPERSCRIPT_NOTE.sub(_bracketed, line).strip() for line in page_text.splitlines()]
    while lines and (not lines[0] or _PAGE_NUMBER.match(lines[0])):
        lines.pop(0)
    while lines and (not lines[-1] or _PAGE_NUMBER.match(lines[-1])):
        lines.pop()
    return lines


def _bracketed(match: re.Match) -> str:
    return f"[{match.group(1).translate(_SUPERSCRIPTS)}]"


def _usual_length(lines: list[str]) -> int:
    """The length of a full printed line: the 90th percentile of the line lengths."""
    lengths = sorted(len(line) for line in lines if line)
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _paragraphs(lines: list[str], full: float) -> list[str]:
    """Printed lines joined into paragraphs; a blank line, short line or heading ends one."""
    paragraphs: list[str] = []
    previous = ""  # the last printed line of the paragraph being built
    for line in lines:
        if previous and line and _runs_on(paragraphs[-1], previous, line, full):
            paragraphs[-1] = _joined(paragraphs[-1], line)
        elif line:
            paragraphs.append(line)
        previous = line
    return paragraphs


def _runs_on(paragraph: str, previous: str, line: str, full: float) -> bool:
    """True when `line` continues `paragraph`, whose last printed line was `previous`."""
    if len(previous) < full:
        return False
    ends_sentence = bool(_ENDS_SENTENCE.search(previous))
    if _REFERENCE_START.match(line) and (ends_sentence or _REFERENCE_START.match(paragraph)):
        return False
    # A short unpunctuated line after a finished sentence is a heading, not a last line.
    return not (ends_sentence and len(line) < full and not _ENDS_SENTENCE.search(line))


def _joined(paragraph: str, line: str) -> str:
    if paragraph.endswith("-") and paragraph[-2:-1].isalpha() and line[:1].islower():
        return paragraph + line  # a word broken at the line end keeps its hyphen
    return f"{paragraph} {line}"


def _join_pages(pages: list[list[str]]) -> tuple[str, list[int]]:
    """The pages' paragraphs one per line, a blank line between; each page's start offset."""
    text, starts = "", []
    for paragraphs in pages:
        body = "\n\n".join(paragraphs)
        if text and body:
            text += "\n\n"
        starts.append(len(text))
        text += body
    return text + "\n", starts


def _metadata(reader: pypdf.PdfReader) -> tuple[str, str, str]:
    try:
        info = reader.metadata
        if info is None:
            return "", "", ""
        created = info.creation_date
        date = created.date().isoformat() if created else ""
        return (info.title or "").strip(), (info.author or "").strip(), date
    except Exception:  # broken metadata is not a reason to refuse the text
        return "", "", ""

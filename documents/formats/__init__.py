"""Formats: turn an HTML page, PDF, DOCX, Markdown or text file into the text we store."""

from documents.formats.converted import Converted, UnsupportedFile

__all__ = ["Converted", "UnsupportedFile"]

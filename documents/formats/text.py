"""Plain UTF-8 text, stored as it is, and the line helpers the other converters share."""

from __future__ import annotations

import re

from documents.formats.converted import Converted, UnsupportedFile

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters but tab and newlines

# Characters after which `documents.structure` no longer sees a line as a heading; a heading
# converted from a format that marks headings loses these (but keeps "?" and "!", which mean
# something).
_HEADING_TRAILING = ".:;,"


def decode_utf8(data: bytes) -> str:
    """The bytes as UTF-8 text; UnsupportedFile (one line) for empty, binary or other encodings."""
    if not data.strip():
        raise UnsupportedFile("the file is empty")
    if b"\x00" in data:
        raise UnsupportedFile("looks binary (contains NUL bytes), not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnsupportedFile(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) // 1000):
        raise UnsupportedFile(f"looks binary ({controls} control characters), not text")
    return text


def convert_text(data: bytes, file_name: str) -> Converted:
    """A plain text file: stored byte for byte; its structure is decided when it is added."""
    return Converted(text=decode_utf8(data), structure="sections", format="text")


def one_line(text: str) -> str:
    """Runs of white space (line breaks included) as single spaces, trimmed."""
    return " ".join(text.split())


def heading_line(text: str) -> str:
    """A heading as one line without a trailing period or colon, so it reads as a heading."""
    return one_line(text).rstrip(_HEADING_TRAILING).rstrip()


def join_blocks(blocks: list[str]) -> str:
    """Blocks (headings, paragraphs, list items) one per line, a blank line between them."""
    kept = [block for block in blocks if block.strip()]
    return "\n\n".join(kept) + "\n" if kept else ""


def first_line(message: object) -> str:
    """The first line of an error message from a parsing library, for a one-line refusal."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return re.sub(r"\s+", " ", lines[0]) if lines else type(message).__name__

"""Markdown (markdown-it-py): headings as heading lines, markup stripped, code kept as text."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from documents.formats.converted import Converted
from documents.formats.text import decode_utf8, heading_line, join_blocks, one_line

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                           re.S)
_FRONT_FIELD = re.compile(r"^(title|author|date)\s*:\s*(.+?)\s*$", re.M | re.I)
_TAG = re.compile(r"<[^>]*>")


def convert_markdown(data: bytes, file_name: str) -> Converted:
    """A Markdown file as text: one block per line, its title from front matter or the first #."""
    source = decode_utf8(data)
    meta, source = _front_matter(source)
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)
    blocks, headings = _blocks(tokens)
    title = meta.get("title") or (headings[0] if headings else "")
    return Converted(text=join_blocks(blocks), structure="sections", format="markdown",
                     title=title, author=meta.get("author", ""), date=meta.get("date", ""))


def _front_matter(source: str) -> tuple[dict[str, str], str]:
    """Title, author and date from a leading YAML block, and the text after it."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return {}, source
    fields = {key.lower(): value.strip("\"'") for key, value in
              _FRONT_FIELD.findall(match.group(1))}
    return fields, source[match.end():]


def _blocks(tokens: list[Token]) -> tuple[list[str], list[str]]:
    """The text blocks in order (a table row is one block), and the top-level headings."""
    blocks: list[str] = []
    headings: list[str] = []
    row: list[str] | None = None
    heading_level = ""
    for token in tokens:
        if token.type == "heading_open":
            heading_level = token.tag
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append(" | ".join(row))
            row = None
        elif token.type == "inline" and row is not None:
            row.append(_inline_text(token))
        elif token.type == "inline" and heading_level:
            blocks.append(heading_line(_inline_text(token)))
            if heading_level == "h1":
                headings.append(blocks[-1])
            heading_level = ""
        elif token.type == "inline":
            blocks.append(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "html_block":
            blocks.append(one_line(_TAG.sub(" ", token.content)))
    return blocks, headings


def _inline_text(token: Token) -> str:
    """A paragraph's words without markup: link and image text kept, line breaks as spaces."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child))
    return one_line("".join(parts))

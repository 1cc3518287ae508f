"""The corpus manifest (`manifest.toml`): read it strictly, write every character escaped."""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, replace
from pathlib import Path

from documents.document import Document
from documents.durable import write_atomic

MANIFEST = "manifest.toml"
HEADER = "Counterpoint corpus manifest (see README: Corpus)."
META_FIELDS = ("file", "title", "author", "publisher", "date", "structure", "bio",
               "comments_after", "sha256", "format", "original", "pages", "comment_meta")
_SHOWN_WHEN_SET = ("format", "original", "pages", "comment_meta")  # added with the new formats


class CorpusError(ValueError):
    """A document or manifest that cannot be used; the message says why."""


def read_manifest(corpus_dir: Path) -> dict[str, dict]:
    """Each manifest entry by document id, checked; never an empty corpus by mistake.

    A missing manifest is an empty corpus only in a folder without document files; an empty
    or unreadable one is an error, since reading it as empty would drop every document at
    the next write. Every `file` and `original` must lie inside the corpus folder.
    """
    path = corpus_dir / MANIFEST
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _check_no_documents(corpus_dir)
        return {}
    except OSError as error:
        raise CorpusError(f"{path}: the manifest cannot be read ({error.strerror})") from None
    if not data.strip():
        raise CorpusError(f"{path}: the manifest is empty, though it should list the corpus; "
                          "restore it (the document files are untouched)")
    try:
        entries = tomllib.loads(data.decode("utf-8")).get("documents", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CorpusError(f"{path}: not a valid manifest ({error})") from error
    if not isinstance(entries, dict) or not all(isinstance(m, dict) for m in entries.values()):
        raise CorpusError(f"{path}: not a valid manifest ([documents.ID] tables expected)")
    for doc_id, meta in entries.items():
        entry_path(corpus_dir, doc_id, meta, "file")
        if meta.get("original"):
            entry_path(corpus_dir, doc_id, meta, "original")
    return entries


def _check_no_documents(corpus_dir: Path) -> None:
    texts = sorted(p.name for p in corpus_dir.glob("*.txt") if not p.name.startswith("."))
    if texts:
        raise CorpusError(f"{corpus_dir / MANIFEST}: missing, but the folder holds "
                          f"{len(texts)} document files ({', '.join(texts[:3])}"
                          f"{', ...' if len(texts) > 3 else ''}); restore the manifest")


def entry_path(corpus_dir: Path, doc_id: str, meta: dict, key: str) -> Path:
    """The file a manifest entry names, refused unless it resolves inside the corpus folder."""
    relative = meta.get(key, f"{doc_id}.txt")
    root = corpus_dir.resolve()
    path = (root / relative).resolve() if isinstance(relative, str) and relative else root
    if path == root or not path.is_relative_to(root):
        raise CorpusError(f"{corpus_dir / MANIFEST}: document {doc_id!r}: {key} = "
                          f"{relative!r} is not a file inside the corpus folder")
    return path


def write_manifest(corpus_dir: Path, documents: list[Document]) -> None:
    """Replace the manifest with one listing `documents`; the caller fsyncs the folder."""
    try:
        data = manifest_text(documents).encode("utf-8")
    except UnicodeEncodeError as error:
        raise CorpusError(f"a document's metadata is not valid Unicode text ({error})") from None
    write_atomic(corpus_dir / MANIFEST, data)


def manifest_text(documents: list[Document]) -> str:
    """The manifest as TOML: one `[documents."ID"]` table per document, in id order."""
    lines = [f"# {HEADER}", ""]
    defaults = Document(doc_id="", text="", file="")
    for document in sorted(documents, key=lambda d: d.doc_id):
        lines.append(f"[documents.{toml_value(document.doc_id)}]")
        for key, value in asdict(replace(document, text="")).items():
            if key not in META_FIELDS or value is None:
                continue
            if key not in _SHOWN_WHEN_SET or value != getattr(defaults, key):
                lines.append(f"{key} = {toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def toml_value(value) -> str:
    """A TOML value on one line: a string, integer, boolean, array or inline table."""
    if isinstance(value, str):
        return '"' + _ESCAPED.sub(_escape, value) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{toml_value(str(k))} = {toml_value(v)}" for k, v in value.items()
                 if v is not None)
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"a manifest value cannot be a {type(value).__name__}")


# TOML basic strings must escape '"', '\\' and U+0000-U+001F and U+007F; C1 controls
# (U+0080-U+009F) are escaped too, so the file shows no invisible characters. Every other
# character is written as it is. One regex pass keeps it linear in the string's length.
_ESCAPED = re.compile(r'["\\\x00-\x1f\x7f-\x9f]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
          "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match.group()
    return _SHORT.get(char) or f"\\u{ord(char):04X}"

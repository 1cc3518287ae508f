"""The corpus on disk: documents, their manifest, and adding new ones."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from dataclasses import asdict, replace
from pathlib import Path

from documents.document import Document
from documents.formats import Converted, UnsupportedFile, convert
from documents.formats.text import decode_utf8
from documents.passages import split_passages

MANIFEST = "manifest.toml"
MAX_BYTES = 2_000_000  # the stored text: what splitting and indexing time grows with
MAX_FILE_BYTES = 50_000_000  # the file as added: a PDF or DOCX also holds fonts and images
ORIGINALS = "originals"  # converted files are kept here, beside the text stored from them
STRUCTURES = ("sections", "column")
_USER_FIELDS = ("title", "author", "publisher", "date", "structure", "bio", "comments_after")
_META_FIELDS = ("file", *_USER_FIELDS, "sha256", "format", "original", "pages", "comment_meta")
_EXTENSION = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "markdown": ".md"}


class CorpusError(ValueError):
    """A document or manifest that cannot be used; the message says why."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_corpus(corpus_dir: Path) -> list[Document]:
    """All documents listed in the corpus manifest, in id order."""
    entries = _read_manifest(corpus_dir)
    return [_load_document(corpus_dir, doc_id, meta) for doc_id, meta in sorted(entries.items())]


def _read_manifest(corpus_dir: Path) -> dict[str, dict]:
    path = corpus_dir / MANIFEST
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text("utf-8")).get("documents", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CorpusError(f"{path}: not a valid manifest ({error})") from error


def _load_document(corpus_dir: Path, doc_id: str, meta: dict) -> Document:
    path = corpus_dir / meta.get("file", f"{doc_id}.txt")
    if not path.exists():
        raise CorpusError(f"{path}: listed in the manifest but missing")
    fields = {k: v for k, v in meta.items() if k in _META_FIELDS}
    fields["file"] = path.name
    fields["pages"] = tuple(int(offset) for offset in fields.get("pages", ()))
    fields["comment_meta"] = tuple(dict(entry) for entry in fields.get("comment_meta", ()))
    text = decode_text(path.read_bytes(), str(path))
    return Document(doc_id=doc_id, text=text, **fields)


def decode_text(data: bytes, name: str) -> str:
    """Decode a document's bytes as UTF-8 text, refusing empty, binary or huge input."""
    if data.strip() and len(data) > MAX_BYTES:
        raise CorpusError(f"{name}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit")
    try:
        return decode_utf8(data)
    except UnsupportedFile as error:
        raise CorpusError(f"{name}: {error}") from None


def add_document(corpus_dir: Path, data: bytes, file_name: str, **meta) -> tuple[Document, bool]:
    """Convert a file of any supported format and store it; return (document, added).

    The converted text is stored as `<doc_id>.txt` (every offset is into it) and a converted
    file's original is kept in `originals/`. `added` is False when the same file or the same
    text is already in the corpus (nothing changes). Raises CorpusError, with nothing written,
    for unusable input.
    """
    _check_size(data, file_name)
    digest = sha256_hex(data)
    existing = load_corpus(corpus_dir)
    same = _same_content(existing, digest)
    if same is None:
        converted = _converted(data, file_name)
        same = _same_content(existing, sha256_hex(converted.text.encode("utf-8")))
    if same is not None:
        return same, False
    doc_id = _new_doc_id(file_name, {d.doc_id for d in existing})
    document = _new_document(doc_id, converted, digest, meta)
    _check_parses(document)
    _store(corpus_dir, document, data, [*existing, document])
    return document, True


def _check_size(data: bytes, file_name: str) -> None:
    if not data.strip():
        raise CorpusError(f"{file_name}: the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise CorpusError(f"{file_name}: {len(data):,} bytes is over the "
                          f"{MAX_FILE_BYTES:,}-byte limit for a file")


def _converted(data: bytes, file_name: str) -> Converted:
    try:
        converted = convert(data, file_name)
    except UnsupportedFile as error:
        raise CorpusError(f"{file_name}: {error}") from None
    size = len(converted.text.encode("utf-8"))
    if size > MAX_BYTES:
        raise CorpusError(f"{file_name}: its text is {size:,} bytes, over the "
                          f"{MAX_BYTES:,}-byte limit")
    return converted


def _same_content(documents: list[Document], digest: str) -> Document | None:
    """The document whose file as added, or whose stored text, has this SHA-256."""
    for document in documents:
        if document.sha256 == digest or sha256_hex(document.text.encode("utf-8")) == digest:
            return document
    return None


def _new_doc_id(file_name: str, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(file_name).stem).strip("._") or "document"
    if stem in taken:
        raise CorpusError(f"a different document with id {stem!r} is already in the corpus; "
                          "rename the file")
    return stem


def _new_document(doc_id: str, converted: Converted, digest: str, meta: dict) -> Document:
    """The manifest entry: what the caller says wins over what the file says about itself."""
    meta = {k: v for k, v in meta.items() if v is not None}
    unknown = set(meta) - set(_USER_FIELDS)
    if unknown:
        raise CorpusError(f"unknown document fields: {', '.join(sorted(unknown))}")
    found = {"title": converted.title, "author": converted.author, "date": converted.date,
             "comments_after": converted.comments_after}
    fields = {k: v for k, v in found.items() if v} | meta
    default = "column" if fields.get("comments_after") else converted.structure
    structure = fields.pop("structure", None) or default
    if structure not in STRUCTURES:
        raise CorpusError(f"structure must be one of {', '.join(STRUCTURES)}, not {structure!r}")
    extension = _EXTENSION.get(converted.format)
    original = f"{ORIGINALS}/{doc_id}{extension}" if extension else ""
    return Document(doc_id=doc_id, text=converted.text, file=f"{doc_id}.txt",
                    structure=structure, sha256=digest, format=converted.format,
                    original=original, pages=converted.pages,
                    comment_meta=converted.comment_meta, **fields)


def _check_parses(document: Document) -> None:
    try:
        passages = split_passages(document)
    except ValueError as error:
        raise CorpusError(f"{document.file}: {error}") from None
    if not passages:
        raise CorpusError(f"{document.file}: no text passages found")


def _store(corpus_dir: Path, document: Document, data: bytes, documents: list[Document]) -> None:
    """Write the original, the text and the manifest; a failure part-way removes the files."""
    written = []
    try:
        if document.original:
            written.append(_write_atomic(corpus_dir / document.original, data))
        written.append(_write_atomic(corpus_dir / document.file,
                                     document.text.encode("utf-8")))
        _write_manifest(corpus_dir, documents)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def _write_manifest(corpus_dir: Path, documents: list[Document]) -> None:
    lines = ["# Counterpoint corpus manifest (see README: Corpus).", ""]
    defaults = Document(doc_id="", text="", file="")
    for document in sorted(documents, key=lambda d: d.doc_id):
        lines.append(f"[documents.{json.dumps(document.doc_id)}]")
        for key, value in asdict(replace(document, text="")).items():
            if key in _META_FIELDS and value is not None and _written(key, value, defaults):
                lines.append(f"{key} = {_toml(value)}")
        lines.append("")
    _write_atomic(corpus_dir / MANIFEST, "\n".join(lines).encode("utf-8"))


def _written(key: str, value, defaults: Document) -> bool:
    """Fields added with the new formats are written only when they say something."""
    return key not in ("format", "original", "pages", "comment_meta") or \
        value != getattr(defaults, key)


def _toml(value) -> str:
    """A TOML value: a string, number, array or inline table (all on one line)."""
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items() if v is not None)
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):  # TOML, unlike JSON, wants DEL escaped too
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    return json.dumps(value)


def _write_atomic(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return path

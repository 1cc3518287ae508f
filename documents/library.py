"""The corpus on disk: documents, their manifest, and adding new ones."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from documents.document import Document
from documents.durable import fsync_folder, remove_temporaries, write_atomic
from documents.formats import Converted, UnsupportedFile, convert
from documents.formats.text import decode_utf8
from documents.lock import corpus_lock
from documents.manifest import (
    MANIFEST,
    META_FIELDS,
    CorpusError,
    entry_path,
    read_manifest,
)
from documents.manifest import write_manifest as _write_manifest
from documents.passages import split_passages

MAX_BYTES = 2_000_000  # the stored text: what splitting and indexing time grows with
MAX_FILE_BYTES = 50_000_000  # the file as added: a PDF or DOCX also holds fonts and images
ORIGINALS = "originals"  # converted files are kept here, beside the text stored from them
STRUCTURES = ("sections", "column")
_USER_FIELDS = ("title", "author", "publisher", "date", "structure", "bio", "comments_after")
_EXTENSION = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "markdown": ".md"}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_corpus(corpus_dir: Path) -> list[Document]:
    """All documents listed in the corpus manifest, in id order.

    Needs no lock: the manifest and every file are replaced whole, and a document's files are
    written before the manifest names them.
    """
    entries = read_manifest(corpus_dir)
    return [_load_document(corpus_dir, doc_id, meta) for doc_id, meta in sorted(entries.items())]


def _load_document(corpus_dir: Path, doc_id: str, meta: dict) -> Document:
    path = entry_path(corpus_dir, doc_id, meta, "file")
    if not path.is_file():
        raise CorpusError(f"{corpus_dir / path.relative_to(corpus_dir.resolve())}: "
                          "listed in the manifest but missing")
    fields = {k: v for k, v in meta.items() if k in META_FIELDS}
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
    for unusable input, including a field with a control character or a lone surrogate (see
    `_checked_meta`). Converting happens first; reading the manifest, choosing the id and
    writing happen under `corpus_lock`, so concurrent adds never lose each other's documents.
    """
    meta = _checked_meta(meta)
    _check_size(data, file_name)
    digest = sha256_hex(data)
    if (same := _same_content(load_corpus(corpus_dir), digest)) is not None:
        return same, False  # the common re-add of a known file: no conversion, no lock
    converted = _converted(data, file_name)
    document = _new_document(_doc_id(file_name), converted, digest, meta)
    _check_parses(document)
    with corpus_lock(corpus_dir):
        existing = load_corpus(corpus_dir)
        same = _same_content(existing, digest) or _same_content(
            existing, sha256_hex(document.text.encode("utf-8")))
        if same is not None:
            return same, False
        _check_names_free(document, existing)
        _store(corpus_dir, document, data, [*existing, document])
    return document, True


def _checked_meta(meta: dict) -> dict:
    """The caller's fields, refused (not cleaned) if one holds a control character or a lone
    surrogate: the caller typed it and can fix it, and a cleaned title would not be theirs."""
    meta = {k: v for k, v in meta.items() if v is not None}
    unknown = set(meta) - set(_USER_FIELDS)
    if unknown:
        raise CorpusError(f"unknown document fields: {', '.join(sorted(unknown))}")
    for key, value in meta.items():
        if not isinstance(value, str):
            raise CorpusError(f"{key} must be text, not {type(value).__name__}")
        bad = next((c for c in value if unicodedata.category(c) in ("Cc", "Cs")), None)
        if bad is not None:
            kind = "a lone surrogate" if 0xD800 <= ord(bad) <= 0xDFFF else "a control character"
            raise CorpusError(f"{key}: contains {kind} (U+{ord(bad):04X}), which a document "
                              "field cannot hold; remove it and add the file again")
    return meta


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
    try:
        size = len(converted.text.encode("utf-8"))
    except UnicodeEncodeError:
        raise CorpusError(f"{file_name}: its text is not valid Unicode") from None
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


def _doc_id(file_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(file_name).stem).strip("._") or "document"


def _check_names_free(document: Document, existing: list[Document]) -> None:
    """Refuse an id or file name another document has, ignoring case: on a case-insensitive
    file system (macOS, Windows) `Notes.txt` would overwrite `notes.txt`."""
    mine = {document.doc_id.casefold(), document.file.casefold()}
    for other in existing:
        if mine & {other.doc_id.casefold(), other.file.casefold()}:
            raise CorpusError(f"a different document with id {other.doc_id!r} is already in "
                              f"the corpus; rename the file (ids ignore case)")


def _new_document(doc_id: str, converted: Converted, digest: str, meta: dict) -> Document:
    """The manifest entry: what the caller says wins over what the file says about itself."""
    found = {"title": converted.title, "author": converted.author, "date": converted.date,
             "comments_after": converted.comments_after}
    fields = {k: _valid_unicode(v) for k, v in found.items() if v} | meta
    default = "column" if fields.get("comments_after") else converted.structure
    structure = fields.pop("structure", None) or default
    if structure not in STRUCTURES:
        raise CorpusError(f"structure must be one of {', '.join(STRUCTURES)}, not {structure!r}")
    extension = _EXTENSION.get(converted.format)
    original = f"{ORIGINALS}/{doc_id}{extension}" if extension else ""
    return Document(doc_id=doc_id, text=converted.text, file=f"{doc_id}.txt",
                    structure=structure, sha256=digest, format=converted.format,
                    original=original, pages=converted.pages,
                    comment_meta=tuple({k: _valid_unicode(v) for k, v in entry.items()}
                                       for entry in converted.comment_meta), **fields)


def _valid_unicode(value):
    """What a file says about itself is kept as it is (the manifest escapes any character),
    except a lone surrogate, which UTF-8 cannot hold: it becomes U+FFFD."""
    return re.sub("[\ud800-\udfff]", "\ufffd", value) if isinstance(value, str) else value


def _check_parses(document: Document) -> None:
    try:
        passages = split_passages(document)
    except ValueError as error:
        raise CorpusError(f"{document.file}: {error}") from None
    if not passages:
        raise CorpusError(f"{document.file}: no text passages found")


def _store(corpus_dir: Path, document: Document, data: bytes, documents: list[Document]) -> None:
    """Write the original, the text, then the manifest (call under `corpus_lock`).

    Until the manifest names them the new files are no document, so a crash at any point
    leaves a consistent corpus; an error removes them. A fresh corpus gets an empty manifest
    first, so files a crash leaves behind never sit in a folder without one.
    """
    for folder in (corpus_dir, corpus_dir / ORIGINALS):
        remove_temporaries(folder)
    written = []
    try:
        if not (corpus_dir / MANIFEST).exists():
            _write_manifest(corpus_dir, [])
            written.append(corpus_dir / MANIFEST)
        if document.original:
            written.append(write_atomic(corpus_dir / document.original, data))
            fsync_folder(corpus_dir / ORIGINALS)
        written.append(write_atomic(corpus_dir / document.file, document.text.encode("utf-8")))
        fsync_folder(corpus_dir)  # the files are durable before the manifest names them
        _write_manifest(corpus_dir, documents)
    except BaseException:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        raise
    fsync_folder(corpus_dir)  # after the rename: from here on nothing may be rolled back

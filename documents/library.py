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
from documents.passages import split_passages

MANIFEST = "manifest.toml"
MAX_BYTES = 2_000_000
STRUCTURES = ("sections", "column")
_META_FIELDS = ("file", "title", "author", "publisher", "date", "structure", "bio",
                "comments_after", "sha256")


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
    text = decode_text(path.read_bytes(), str(path))
    return Document(doc_id=doc_id, text=text, **fields)


def decode_text(data: bytes, name: str) -> str:
    """Decode a document's bytes as UTF-8 text, refusing empty, binary or huge input."""
    if not data.strip():
        raise CorpusError(f"{name}: the file is empty")
    if len(data) > MAX_BYTES:
        raise CorpusError(f"{name}: {len(data):,} bytes is over the {MAX_BYTES:,}-byte limit")
    if b"\x00" in data:
        raise CorpusError(f"{name}: looks binary (contains NUL bytes), not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"{error.reason} at byte {error.start}"
        raise CorpusError(f"{name}: not UTF-8 text ({reason})") from None
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t")
    if controls > max(3, len(text) // 1000):
        raise CorpusError(f"{name}: looks binary ({controls} control characters), not text")
    return text


def add_document(corpus_dir: Path, data: bytes, file_name: str, **meta) -> tuple[Document, bool]:
    """Store a new document and its manifest entry; return (document, added).

    `added` is False when the same content is already in the corpus (nothing changes).
    Raises CorpusError, with nothing written, for unusable input.
    """
    text = decode_text(data, file_name)
    digest = sha256_hex(data)
    existing = load_corpus(corpus_dir)
    for document in existing:
        if document.sha256 == digest or sha256_hex(document.text.encode("utf-8")) == digest:
            return document, False
    doc_id = _new_doc_id(file_name, {d.doc_id for d in existing})
    document = _new_document(doc_id, text, digest, meta)
    _check_parses(document)
    _write_atomic(corpus_dir / document.file, data)
    _write_manifest(corpus_dir, [*existing, document])
    return document, True


def _new_doc_id(file_name: str, taken: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(file_name).stem).strip("._") or "document"
    if stem in taken:
        raise CorpusError(f"a different document with id {stem!r} is already in the corpus; "
                          "rename the file")
    return stem


def _new_document(doc_id: str, text: str, digest: str, meta: dict) -> Document:
    meta = {k: v for k, v in meta.items() if v is not None}
    default = "column" if meta.get("comments_after") else "sections"
    structure = meta.pop("structure", None) or default
    if structure not in STRUCTURES:
        raise CorpusError(f"structure must be one of {', '.join(STRUCTURES)}, not {structure!r}")
    unknown = set(meta) - set(_META_FIELDS)
    if unknown:
        raise CorpusError(f"unknown document fields: {', '.join(sorted(unknown))}")
    return Document(doc_id=doc_id, text=text, file=f"{doc_id}.txt", structure=structure,
                    sha256=digest, **meta)


def _check_parses(document: Document) -> None:
    try:
        passages = split_passages(document)
    except ValueError as error:
        raise CorpusError(f"{document.file}: {error}") from None
    if not passages:
        raise CorpusError(f"{document.file}: no text passages found")


def _write_manifest(corpus_dir: Path, documents: list[Document]) -> None:
    lines = ["# Counterpoint corpus manifest (see README: Corpus).", ""]
    for document in sorted(documents, key=lambda d: d.doc_id):
        lines.append(f"[documents.{json.dumps(document.doc_id)}]")
        for key, value in asdict(replace(document, text="")).items():
            if key in _META_FIELDS and value is not None:
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        lines.append("")
    _write_atomic(corpus_dir / MANIFEST, "\n".join(lines).encode("utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)

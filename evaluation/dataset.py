"""Evaluation sets: load one, and locate each gold quote in the corpus."""

from __future__ import annotations

import json
from pathlib import Path

from documents import Document

DEV_SET = Path(__file__).resolve().parent.parent / "data" / "eval" / "dev.json"


def load_eval_set(path: Path | str = DEV_SET) -> dict:
    """The evaluation set as a dict of sections ("qa", "refuse", "stance", "audit", ...)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such evaluation set")
    try:
        data = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a JSON evaluation set ({error})") from None
    if not isinstance(data, dict) or not all(isinstance(v, list) for k, v in data.items()
                                             if k != "about"):
        raise ValueError(f"{path}: expected an object of lists such as {{\"qa\": [...]}}")
    return data


def gold_span(documents, doc_prefix: str, quote: str) -> tuple[str, int, int]:
    """(doc_id, start, end) of the first occurrence of the quote in the document with that prefix.

    `documents` is a dict by doc id or a list of Documents; the quote must be verbatim.
    """
    candidates = _by_prefix(documents, doc_prefix)
    for document in candidates:
        start = document.text.find(quote)
        if start >= 0:
            return document.doc_id, start, start + len(quote)
    names = ", ".join(d.doc_id for d in candidates)
    raise ValueError(f"gold quote {quote[:60]!r} is not in {names}")


def _by_prefix(documents, prefix: str) -> list[Document]:
    values = documents.values() if isinstance(documents, dict) else documents
    found = [d for d in values if d.doc_id.startswith(prefix)]
    if not found:
        raise ValueError(f"no document id starts with {prefix!r}")
    return found

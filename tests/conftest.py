"""Shared fixtures: the real bundled embedder (loaded once) and the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def embedder():
    """The bundled MiniLM, loaded once per test session (offline)."""
    from interface.cli import offline_environment
    from retrieval import load_embedder

    offline_environment()
    return load_embedder()


@pytest.fixture(scope="session")
def corpus_documents():
    """The real documents of corpus/, keyed by doc id."""
    from documents import load_corpus

    return {d.doc_id: d for d in load_corpus(REPO / "corpus")}

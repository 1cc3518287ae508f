"""Shared fixtures: the real bundled embedder (loaded once) and the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
import reliability

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """COUNTERPOINT_RELIABILITY=FILE writes the Reliability table (tests/reliability.py)."""
    reliability.register(config)


@pytest.fixture(scope="session")
def embedder():
    """The bundled MiniLM, loaded once per test session (offline)."""
    from retrieval import load_embedder, offline_environment

    offline_environment()
    return load_embedder()


@pytest.fixture(scope="module")
def searcher(embedder, tmp_path_factory):
    """A searcher over the real corpus, indexed into a fresh folder once per test module."""
    from interface.settings import Settings
    from retrieval import open_searcher

    settings = Settings(corpus_dir=REPO / "corpus", data_dir=tmp_path_factory.mktemp("data"))
    found = open_searcher(settings.index, embedder=embedder, log=lambda line: None)
    yield found
    found.close()


@pytest.fixture(scope="session")
def corpus_documents():
    """The real documents of corpus/, keyed by doc id."""
    from documents import load_corpus

    return {d.doc_id: d for d in load_corpus(REPO / "corpus")}


# --- generation stage: the bundled LLM (tests marked `llm`) ----------------------------------


@pytest.fixture(scope="session")
def local_model():
    """The bundled GGUF through the `local` provider, loaded once per session.

    It uses the user's model cache (what setup.sh prepares), so a session never assembles
    the 1.1 GB file again when it is already there.
    """
    from generation import load_model
    from interface.settings import Settings

    return load_model("local", Settings().model_cache)

"""The passage index: a Chroma collection kept in step with the corpus, embedding only changes."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from documents import Document, Passage, split_passages
from retrieval.embeddings import Embedder, LangChainEmbeddings

# Bump when the stored metadata changes meaning: an index of another schema is rebuilt.
SCHEMA = 1
_PAGE = 5000


class IndexUnavailable(RuntimeError):
    """The index cannot be opened or reached; the message says why and what to do."""


def stderr_line(message: str) -> None:
    print(message, file=sys.stderr)


@dataclass(frozen=True)
class IndexLocation:
    """Where the corpus and its index live: a local Chroma folder, or a Chroma server."""

    corpus_dir: Path
    chroma_path: Path  # the local index; unused when chroma_url names a server
    chroma_url: str | None = None
    collection: str = "passages"


@dataclass(frozen=True)
class IndexReport:
    """What one `build_index` run did."""

    location: str
    passages: int
    embedded: int
    removed: int
    rebuilt: str | None  # why the whole index was rebuilt, if it was
    seconds: float

    @property
    def kept(self) -> int:
        return self.passages - self.embedded

    def summary(self) -> str:
        lines = [f"index {self.location}: {self.passages} passages, {self.embedded} embedded, "
                 f"{self.kept} unchanged, {self.removed} removed ({self.seconds:.1f} s)"]
        if self.rebuilt:
            lines.insert(0, f"rebuilt the index: {self.rebuilt}")
        return "\n".join(lines)


@dataclass(frozen=True)
class PassageStore:
    """An open Chroma collection of passage vectors (through langchain-chroma)."""

    client: object  # chromadb.ClientAPI
    vectors: object  # langchain_chroma.Chroma
    name: str
    location: str
    rebuilt: str | None

    @property
    def collection(self):
        return self.client.get_collection(self.name)

    def ids(self) -> set[str]:
        """Every passage id in the collection."""
        collection, ids, offset = self.collection, set(), 0
        while True:
            page = collection.get(include=[], limit=_PAGE, offset=offset)["ids"]
            ids.update(page)
            offset += len(page)
            if len(page) < _PAGE:
                return ids

    def close(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()


def corpus_passages(documents: Iterable[Document]) -> list[Passage]:
    """Every passage of the documents, in document and text order."""
    return [p for d in documents for p in split_passages(d)]


def passage_metadata(passage: Passage) -> dict:
    """What Chroma stores beside a vector, so filters run inside Chroma."""
    metadata = {"doc_id": passage.doc_id, "kind": passage.kind, "start": passage.start,
                "end": passage.end, "quotation": passage.quotation}
    for name in ("section", "paragraph", "comment"):
        if getattr(passage, name) is not None:
            metadata[name] = getattr(passage, name)
    return metadata


def open_store(location: IndexLocation, embedder: Embedder, rebuild: bool = False
               ) -> PassageStore:
    """Open (creating if needed) the collection for this embedder; rebuild it if stale.

    A corrupt local index is deleted and recreated with a message; a different embedding model
    or schema drops the collection so it is rebuilt.
    """
    client, where, reason = _connect(location)
    name = location.collection
    expected = {"embedding_model": embedder.name, "schema": SCHEMA}
    stored = _stored_metadata(client, name)
    if stored is not None and (rebuild or _mismatch(stored, expected)):
        reason = "rebuild requested" if rebuild else _mismatch(stored, expected)
        client.delete_collection(name)
    from langchain_chroma import Chroma

    vectors = Chroma(client=client, collection_name=name,
                     embedding_function=LangChainEmbeddings(embedder),
                     collection_metadata=expected,
                     collection_configuration={"hnsw": {"space": "cosine"}})
    return PassageStore(client, vectors, name, where, reason)


def _mismatch(stored: dict, expected: dict) -> str | None:
    if stored.get("embedding_model") != expected["embedding_model"]:
        return (f"embedding model changed from {stored.get('embedding_model')} "
                f"to {expected['embedding_model']}")
    if stored.get("schema") != expected["schema"]:
        return "the index was written by another version of counterpoint"
    return None


def _stored_metadata(client, name: str) -> dict | None:
    names = {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
    if name not in names:
        return None
    return dict(client.get_collection(name).metadata or {})


def _connect(location: IndexLocation) -> tuple[object, str, str | None]:
    """A Chroma client, its location, and why the index was reset (a corrupt local copy)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    options = ChromaSettings(anonymized_telemetry=False)
    if location.chroma_url:
        return _http_client(location.chroma_url, options), location.chroma_url, None
    path = Path(location.chroma_path)
    client = None
    try:
        client = chromadb.PersistentClient(path=str(path), settings=options)
        _probe(client, location.collection)
        return client, str(path), None
    except Exception as error:  # chromadb raises many kinds for a damaged folder
        if not path.exists():
            raise IndexUnavailable(f"cannot create the index at {path}: {error}") from None
        reason = f"the index at {path} was unreadable ({_first_line(error)})"
        _close_quietly(client)
        _forget_system(path)
        shutil.rmtree(path)
        return chromadb.PersistentClient(path=str(path), settings=options), str(path), reason


def _http_client(url: str, options):
    import chromadb

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IndexUnavailable(f"--chroma-url {url!r}: expected http://HOST:PORT")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(host=parts.hostname, port=port,
                                     ssl=parts.scheme == "https", settings=options)
        client.heartbeat()
    except Exception as error:
        raise IndexUnavailable(f"cannot reach the Chroma server at {url}: "
                               f"{_first_line(error)}") from None
    return client


def _probe(client, name: str) -> None:
    """Touch the collection's data so a damaged index fails here, not mid-search."""
    if name not in {c.name for c in client.list_collections()}:
        return
    collection = client.get_collection(name)
    if collection.count():
        first = collection.get(limit=1, include=["embeddings"])
        collection.query(query_embeddings=first["embeddings"][:1], n_results=1, include=[])


def _forget_system(path: Path) -> None:
    """Drop chromadb's cached System for this folder: a failed start leaves a broken one there."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)


def _close_quietly(client) -> None:
    try:
        if client is not None:
            client.close()
    except Exception:  # the client is being discarded anyway
        pass


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def sync_store(store: PassageStore, passages: list[Passage]) -> tuple[int, int]:
    """Make the collection hold exactly these passages; return (embedded, removed)."""
    wanted = {p.id: p for p in passages}
    existing = store.ids()
    stale = sorted(existing - wanted.keys())
    batch = max(1, min(store.client.get_max_batch_size(), 1024))
    for i in range(0, len(stale), batch):
        store.vectors.delete(ids=stale[i : i + batch])
    missing = [p for key, p in wanted.items() if key not in existing]
    for i in range(0, len(missing), batch):
        chunk = missing[i : i + batch]
        store.vectors.add_texts([p.text for p in chunk], [passage_metadata(p) for p in chunk],
                                ids=[p.id for p in chunk])
    return len(missing), len(stale)


def build_index(location: IndexLocation, embedder: Embedder,
                documents: list[Document] | None = None, rebuild: bool = False,
                log: Callable[[str], None] = stderr_line) -> IndexReport:
    """Bring the index up to date with the corpus, embedding only new or changed passages."""
    from documents import load_corpus

    started = time.perf_counter()
    documents = load_corpus(location.corpus_dir) if documents is None else documents
    passages = corpus_passages(documents)
    store = open_store(location, embedder, rebuild=rebuild)
    if store.rebuilt and not rebuild:
        log(f"rebuilding the index: {store.rebuilt}")
    try:
        embedded, removed = sync_store(store, passages)
    finally:
        store.close()
    return IndexReport(store.location, len(passages), embedded, removed, store.rebuilt,
                       time.perf_counter() - started)

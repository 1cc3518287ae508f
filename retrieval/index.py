"""The passage index: a Chroma collection kept in step with the corpus, embedding only changes."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from documents import Document, Passage, split_passages
from retrieval.embeddings import Embedder
from retrieval.lock import IndexBusy, writing

# Bump when the stored metadata changes meaning: an index of another schema is rebuilt.
SCHEMA = 1
_PAGE = 5000
# Passages embedded and written per step: small enough that a searcher sees progress and the
# write lock is released often, large enough that the embedder runs full batches.
EMBED_BATCH = 256
# Seconds a Chroma server may take to answer one call (a batch write of 256 vectors included),
# and to accept the connection.
SERVER_TIMEOUT = 60.0
SERVER_CONNECT_TIMEOUT = 5.0
# What chromadb says when the folder's data itself is damaged (measured by writing garbage
# into chroma.sqlite3 and into the HNSW segment files). Any other error (a lock, a permission,
# a full disk) leaves the folder alone.
CORRUPTION = ("file is not a database", "database disk image is malformed", "hnsw segment",
              "no such table", "malformed", "unsupported file format")


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
    pending: int = 0  # passages left to embed in the background (searchable by BM25 already)

    @property
    def kept(self) -> int:
        return self.passages - self.embedded

    def summary(self) -> str:
        lines = [f"index {self.location}: {self.passages} passages, {self.embedded} embedded, "
                 f"{self.kept} unchanged, {self.removed} removed ({self.seconds:.1f} s)"]
        if self.pending:
            lines.append(f"{self.pending} passages are being embedded in the background")
        if self.rebuilt:
            lines.insert(0, f"rebuilt the index: {self.rebuilt}")
        return "\n".join(lines)


@dataclass(frozen=True)
class PassageStore:
    """An open Chroma collection of passage vectors and the embedder that writes them.

    It speaks to chromadb directly, not through langchain-chroma: a search then imports no
    LangChain (about a second of a cold `counterpoint search`), and the calls are the same
    ones langchain-chroma made (get_or_create_collection, query, upsert, delete).
    """

    client: object  # chromadb.ClientAPI
    embedder: Embedder
    name: str
    location: str
    rebuilt: str | None
    folder: Path | None = None  # the local index folder (None for a Chroma server)

    def writing(self):
        """A context that holds the index's cross-process write lock (local folders only)."""
        return writing(self.folder) if self.folder is not None else contextlib.nullcontext()

    def count(self) -> int:
        with self.reaching():
            return self.collection.count()

    @contextlib.contextmanager
    def reaching(self):
        """Turn a lost Chroma server (refused, reset, timed out) into one clear error."""
        import httpx

        try:
            yield
        except httpx.TransportError as error:
            raise IndexUnavailable(f"cannot reach the Chroma server at {self.location}: "
                                   f"{_first_line(error)}") from None

    @property
    def collection(self):
        return self.client.get_collection(self.name)

    def ids(self) -> set[str]:
        """Every passage id in the collection."""
        with self.reaching():
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
    folder = None if location.chroma_url else Path(location.chroma_path)
    name = location.collection
    expected = {"embedding_model": embedder.name, "schema": SCHEMA}
    stored = _stored_metadata(client, name)
    if stored is not None and (rebuild or _mismatch(stored, expected)):
        reason = "rebuild requested" if rebuild else _mismatch(stored, expected)
        with writing(folder) if folder is not None else contextlib.nullcontext():
            client.delete_collection(name)
    # embedding_function=None: we pass vectors ourselves, and Chroma must not fall back on
    # (and record in the collection's configuration) its own default ONNX model.
    client.get_or_create_collection(name=name, embedding_function=None, metadata=expected,
                                    configuration={"hnsw": {"space": "cosine"}})
    return PassageStore(client, embedder, name, where, reason, folder)


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
    """A Chroma client, its location, and why the index was reset (a corrupt local copy).

    Only recognised corruption resets the index, and the damaged folder is moved aside
    (`<folder>.damaged-<time>`), never deleted; any other failure is an `IndexUnavailable`
    that names the folder and leaves it as it was.
    """
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
        _close_quietly(client)
        _forget_system(path)
        if not path.exists():
            raise IndexUnavailable(f"cannot create the index at {path}: "
                                   f"{_first_line(error)}") from None
        if not is_corruption(error):
            raise IndexUnavailable(f"cannot open the index at {path}: {_first_line(error)} "
                                   "(nothing was changed)") from None
        try:
            with writing(path):
                aside = _move_aside(path)
        except IndexBusy as busy:
            raise IndexUnavailable(str(busy)) from None
        reason = (f"the index at {path} was unreadable ({_first_line(error)}); "
                  f"the damaged copy is kept at {aside}")
        return chromadb.PersistentClient(path=str(path), settings=options), str(path), reason


def is_corruption(error: BaseException) -> bool:
    """True when chromadb's error says the stored data itself is damaged."""
    text = str(error).lower()
    return any(marker in text for marker in CORRUPTION)


def _move_aside(path: Path) -> Path:
    """Rename a damaged index folder out of the way (kept for the user to inspect)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    path.rename(aside)
    return aside


def _http_client(url: str, options):
    import chromadb

    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IndexUnavailable(f"--chroma-url {url!r}: expected http://HOST:PORT")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    try:
        client = chromadb.HttpClient(host=parts.hostname, port=port,
                                     ssl=parts.scheme == "https", settings=options)
        _bound_waits(client)
        client.heartbeat()
    except Exception as error:
        raise IndexUnavailable(f"cannot reach the Chroma server at {url}: "
                               f"{_first_line(error)}") from None
    return client


def _bound_waits(client) -> None:
    """chromadb's HTTP client waits forever (httpx timeout=None) and has no setting for it: a
    stalled server would hold every search. Give its httpx session our timeouts."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(SERVER_TIMEOUT, connect=SERVER_CONNECT_TIMEOUT)


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


def sync_store(store: PassageStore, passages: list[Passage],
               progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Make the collection hold exactly these passages; return (embedded, removed)."""
    existing = store.ids()
    removed = remove_stale(store, existing - {p.id for p in passages})
    return add_missing(store, [p for p in passages if p.id not in existing], progress), removed


def remove_stale(store: PassageStore, stale: set[str]) -> int:
    """Delete these vectors from the collection; return how many."""
    ordered = sorted(stale)
    limit = max(1, min(store.client.get_max_batch_size(), 1024))
    for i in range(0, len(ordered), limit):
        with store.writing():
            store.collection.delete(ids=ordered[i : i + limit])
    return len(ordered)


def add_missing(store: PassageStore, missing: list[Passage],
                progress: Callable[[int, int], None] | None = None) -> int:
    """Embed and write these passages; return how many.

    Vectors are written `EMBED_BATCH` at a time, each batch under the write lock (embedding
    happens outside it), and `progress(done, total)` hears after each batch. A run stopped half
    way (a crash, a kill) leaves whole batches behind; the next run embeds only what is
    still missing.
    """
    for i in range(0, len(missing), EMBED_BATCH):
        chunk = missing[i : i + EMBED_BATCH]
        embeddings = store.embedder.encode([p.text for p in chunk]).tolist()
        with store.writing():
            store.collection.upsert(ids=[p.id for p in chunk], embeddings=embeddings,
                                    documents=[p.text for p in chunk],
                                    metadatas=[passage_metadata(p) for p in chunk])
        if progress is not None:
            progress(i + len(chunk), len(missing))
    return len(missing)


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
    except IndexBusy as busy:
        raise IndexUnavailable(str(busy)) from None
    finally:
        store.close()
    return IndexReport(store.location, len(passages), embedded, removed, store.rebuilt,
                       time.perf_counter() - started)

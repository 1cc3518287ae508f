"""Hybrid passage search: dense (Chroma) and BM25 rankings fused into one list of hits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from documents import KINDS, Document, Passage
from retrieval.bm25 import BM25Index, build_bm25
from retrieval.embeddings import Embedder
from retrieval.fusion import FUSIONS, fuse
from retrieval.index import (
    IndexLocation,
    PassageStore,
    add_missing,
    corpus_passages,
    open_store,
    remove_stale,
    stderr_line,
    sync_store,
)
from retrieval.places import with_countries

MODES = ("hybrid", "dense", "bm25")
# How many candidates each ranker hands to the fusion step.
CANDIDATES = 50


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score and the score of each ranker."""

    passage: Passage
    score: float
    dense_score: float | None  # cosine similarity; None in bm25-only mode
    bm25_score: float

    def to_dict(self) -> dict:
        p = self.passage
        return {"doc_id": p.doc_id, "kind": p.kind, "start": p.start, "end": p.end,
                "text": p.text, "score": round(self.score, 6)}


@dataclass(frozen=True)
class Searcher:
    """Search over the parsed corpus (the source of truth) and its Chroma index."""

    documents: dict[str, Document]
    passages: list[Passage]
    embedder: Embedder
    store: PassageStore
    bm25: BM25Index
    fusion: str = "rrf"
    # Embeds the query in `search` (anything with `encode(texts) -> rows`); None: the embedder.
    # The CLI's `search` passes the numpy MiniLM (retrieval.query_encoder) to skip torch.
    query_encoder: object | None = None
    _position: dict[str, int] = field(init=False, repr=False)
    _kinds: np.ndarray = field(init=False, repr=False)
    _doc_ids: np.ndarray = field(init=False, repr=False)
    # Positions of passages with no vector yet; shrinks as `embed_pending` writes them.
    _unembedded: set[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_position", {p.id: i for i, p in enumerate(self.passages)})
        object.__setattr__(self, "_kinds", np.array([p.kind for p in self.passages]))
        object.__setattr__(self, "_doc_ids", np.array([p.doc_id for p in self.passages]))
        self.recount()

    def recount(self) -> None:
        """Read from the index which passages have no vector yet."""
        existing = self.store.ids()
        object.__setattr__(self, "_unembedded", {i for i, p in enumerate(self.passages)
                                                 if p.id not in existing})

    def embedded(self, passages: list[Passage]) -> None:
        """Note that these passages now have vectors (called as `embed_pending` writes them)."""
        for p in passages:
            self._unembedded.discard(self._position[p.id])

    def passage_position(self, passage: Passage) -> int | None:
        """Where the passage stands in `passages` (document order); None if not indexed."""
        return self._position.get(passage.id)

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised embeddings of the texts (rows), from the index's model."""
        return self.embedder.encode(texts)

    def search(self, query: str, k: int = 6, kinds: Iterable[str] | None = None,
               doc_ids: Iterable[str] | None = None, mode: str = "hybrid") -> list[Hit]:
        """The k best passages for the query, best first, optionally filtered."""
        query, kinds, doc_ids = self._checked(query, k, kinds, doc_ids, mode)
        allowed = self._allowed(kinds, doc_ids)
        depth = min(int(allowed.sum()), max(CANDIDATES, k))
        if depth == 0:
            return []
        bm25 = self.bm25.scores(with_countries(query))
        rankings, dense, vector = {}, {}, None
        if mode != "dense":
            rankings["bm25"] = _top(np.where(allowed, bm25, 0.0), depth)
        if mode != "bm25":
            vector = (self.query_encoder or self.embedder).encode([query])[0]
            dense = self._dense(vector, depth, kinds, doc_ids)
            rankings["dense"] = list(dense)
        if mode == "hybrid" and self.fusion == "weighted":
            dense.update(self._similarities(vector, set(rankings["bm25"]) - set(dense)))
            dense.update(_imputed(dense, set(rankings["bm25"]) - set(dense)))
        ranked = fuse(rankings, self.fusion if mode == "hybrid" else "single", dense, bm25)
        if mode == "hybrid" and self.fusion == "rrf" and self._unembedded:
            ranked = self._rescaled(ranked)
        ranked = ranked[:k]
        if vector is not None:
            dense.update(self._similarities(vector, {i for i, _ in ranked} - set(dense)))
        return [Hit(self.passages[i], float(s), None if i in self._unembedded else dense.get(i),
                    float(bm25[i])) for i, s in ranked]

    def _rescaled(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Reciprocal rank fusion while some passages have no vector yet: such a passage can
        only be ranked by BM25, so its share counts for both rankers (scaled by 2). Without
        this, a passage that only BM25 can see never outranks one both rankers saw."""
        scaled = [(i, s * 2 if i in self._unembedded else s) for i, s in ranked]
        return sorted(scaled, key=lambda item: (-item[1], item[0]))

    def _checked(self, query, k, kinds, doc_ids, mode):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if not isinstance(query, str) or not query.strip():
            raise ValueError("the query is empty")
        if k < 1:
            raise ValueError(f"k must be at least 1, not {k}")
        kinds = None if kinds is None else sorted(set(kinds))
        if kinds is not None and set(kinds) - set(KINDS):
            raise ValueError(f"unknown kind {sorted(set(kinds) - set(KINDS))[0]!r}; "
                             f"kinds are {', '.join(KINDS)}")
        doc_ids = None if doc_ids is None else sorted({self._doc_id(d) for d in doc_ids})
        return query.strip(), kinds, doc_ids

    def _doc_id(self, name: str) -> str:
        """A document id, or a unique prefix of one (`003` for `003_bf4e...`)."""
        if name in self.documents:
            return name
        matches = [d for d in self.documents if d.startswith(name)]
        if len(matches) != 1:
            problem = "matches several documents" if matches else "is not in the corpus"
            raise ValueError(f"document {name!r} {problem}; see `counterpoint docs`")
        return matches[0]

    def _allowed(self, kinds, doc_ids) -> np.ndarray:
        allowed = np.ones(len(self.passages), dtype=bool)
        if kinds is not None:
            allowed &= np.isin(self._kinds, kinds)
        if doc_ids is not None:
            allowed &= np.isin(self._doc_ids, doc_ids)
        return allowed

    def _dense(self, vector, depth, kinds, doc_ids) -> dict[int, float]:
        """Passage index -> cosine similarity for Chroma's nearest neighbours, best first."""
        with self.store.reaching():
            results = self.store.collection.query(
                query_embeddings=[vector.tolist()], n_results=depth,
                where=chroma_filter(kinds, doc_ids), include=["distances"])
        found = {}
        for key, distance in zip(results["ids"][0], results["distances"][0], strict=True):
            position = self._position.get(key)
            if position is not None:  # ids come from this corpus; anything else is stale
                found[position] = 1.0 - float(distance)
        return found

    def _similarities(self, vector, positions: set[int]) -> dict[int, float]:
        """Cosine similarity of the query to passages that dense search did not return."""
        if not positions:
            return {}
        ids = [self.passages[i].id for i in positions]
        with self.store.reaching():
            stored = self.store.collection.get(ids=ids, include=["embeddings"])
        return {self._position[key]: float(np.dot(vector, row))
                for key, row in zip(stored["ids"], stored["embeddings"], strict=True)}

    def pending(self) -> int:
        """How many of the passages have no vector yet (BM25 finds them meanwhile)."""
        return len(self._unembedded)

    def close(self) -> None:
        self.store.close()


def _imputed(dense: dict[int, float], positions: set[int]) -> dict[int, float]:
    """Weighted fusion needs a dense score for every candidate: a passage without a vector
    gets the median of the others (neither helped nor hurt by the missing ranker)."""
    middle = float(np.median(list(dense.values()))) if dense else 0.0
    return dict.fromkeys(positions, middle)


def _top(scores: np.ndarray, depth: int) -> list[int]:
    """Indices of the highest positive scores, best first (ties by passage order)."""
    depth = min(depth, int((scores > 0).sum()))
    if depth == 0:
        return []
    best = np.argpartition(-scores, depth - 1)[:depth]
    return sorted(best.tolist(), key=lambda i: (-scores[i], i))


def chroma_filter(kinds: list[str] | None, doc_ids: list[str] | None) -> dict | None:
    """A Chroma `where` clause for the filters (None: no filter)."""
    clauses = [{"kind": {"$in": kinds}}] if kinds is not None else []
    if doc_ids is not None:
        clauses.append({"doc_id": {"$in": doc_ids}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def check_offsets(documents: dict[str, Document], passages: list[Passage]) -> None:
    """Refuse to search passages whose text is not their span of the stored document."""
    for p in passages:
        if documents[p.doc_id].text[p.start : p.end] != p.text:
            raise ValueError(f"passage {p.doc_id}:{p.start}-{p.end} does not match its document")


def open_searcher(location: IndexLocation, embedder: Embedder | None = None,
                  documents: list[Document] | None = None, fusion: str = "rrf",
                  log: Callable[[str], None] = stderr_line, embed_missing: bool = True
                  ) -> Searcher:
    """A Searcher over the corpus; a missing or out-of-date index is brought up to date first.

    With `embed_missing=False` the searcher is returned at once: stale vectors are removed,
    but passages without a vector yet are found by BM25 only until `embed_pending` (or a
    later `open_searcher`) has embedded them; `Searcher.pending()` says how many are left.
    """
    from retrieval.embeddings import load_embedder

    if fusion not in FUSIONS:
        raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, not {fusion!r}")
    embedder = embedder or load_embedder()
    store = open_store(location, embedder)
    if store.rebuilt:
        log(f"rebuilding the index: {store.rebuilt}")
    try:
        searcher = searcher_over(store, location, embedder, documents, fusion)
        _refresh(store, searcher.passages, log, embed_missing)
        searcher.recount()
    except BaseException:
        store.close()
        raise
    return searcher


def searcher_over(store: PassageStore, location: IndexLocation, embedder: Embedder,
                  documents: list[Document] | None = None, fusion: str = "rrf") -> Searcher:
    """A Searcher over the corpus as stored now and an open index (nothing is embedded).

    Several searchers may share one store: a new one is made when the corpus changes, and the
    old one keeps working for whoever still holds it (its vectors are never closed under it).
    """
    from documents import load_corpus

    documents = load_corpus(location.corpus_dir) if documents is None else documents
    if not documents:
        raise ValueError(f"no documents in {location.corpus_dir}; add one with `counterpoint add`")
    by_id = {d.doc_id: d for d in documents}
    passages = corpus_passages(documents)
    check_offsets(by_id, passages)
    return Searcher(by_id, passages, embedder, store, build_bm25([p.text for p in passages]),
                    fusion)


def _refresh(store: PassageStore, passages: list[Passage], log, embed_missing: bool) -> None:
    existing, wanted = store.ids(), {p.id for p in passages}
    if existing == wanted:
        return
    if not embed_missing:
        remove_stale(store, existing - wanted)
        return
    if not existing:
        log(f"building the search index for {len(wanted)} passages (first use)")
    else:
        log(f"updating the search index ({len(wanted - existing)} new or changed passages, "
            f"{len(existing - wanted)} stale)")
    sync_store(store, passages, _tenths(log))


def _tenths(log: Callable[[str], None]) -> Callable[[int, int], None]:
    """Embedding progress as a log line at each tenth of a long run (silent for short ones)."""
    shown = [0]

    def progress(done: int, total: int) -> None:
        tenth = 10 * done // total
        if total >= 2000 and tenth > shown[0] and done < total:
            shown[0] = tenth
            log(f"embedded {done} of {total} passages")

    return progress


def embed_pending(searcher: Searcher, progress: Callable[[int, int], None] | None = None
                  ) -> int:
    """Embed the searcher's passages that have no vector yet; return how many were embedded.

    Stale vectors (passages no longer in this searcher's corpus) are left to whoever opens the
    next searcher: another searcher over the same store may still be using them.
    """
    existing = searcher.store.ids()
    missing = [p for p in searcher.passages if p.id not in existing]
    written = [0]

    def note(done: int, total: int) -> None:
        searcher.embedded(missing[written[0] : done])
        written[0] = done
        if progress is not None:
            progress(done, total)

    return add_missing(searcher.store, missing, note)

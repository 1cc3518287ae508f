"""LangChain views of the retrieval stage: the hybrid search as a retriever (a runnable: query
-> list of Documents) and the embedder as LangChain `Embeddings`.

Only this module imports LangChain, and `retrieval/__init__` imports it on first use: a
`counterpoint search` never needs LangChain, and importing it costs about a second.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LangChainDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from retrieval.embeddings import Embedder
from retrieval.search import Hit


def hit_document(hit: Hit) -> LangChainDocument:
    """A LangChain Document whose metadata carries the passage provenance and scores."""
    p = hit.passage
    metadata = {"doc_id": p.doc_id, "kind": p.kind, "start": p.start, "end": p.end,
                "section": p.section, "paragraph": p.paragraph, "comment": p.comment,
                "quotation": p.quotation, "score": hit.score, "dense_score": hit.dense_score,
                "bm25_score": hit.bm25_score}
    return LangChainDocument(page_content=p.text, id=p.id, metadata=metadata)


class PassageRetriever(BaseRetriever):
    """Retrieves passages through a `Searcher` (hybrid by default)."""

    searcher: Any
    k: int = 6
    kinds: tuple[str, ...] | None = None
    doc_ids: tuple[str, ...] | None = None
    mode: str = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LangChainDocument]:
        hits = self.searcher.search(query, k=self.k, kinds=self.kinds, doc_ids=self.doc_ids,
                                    mode=self.mode)
        return [hit_document(hit) for hit in hits]


def as_retriever(searcher, k: int = 6, kinds=None, doc_ids=None,
                 mode: str = "hybrid") -> PassageRetriever:
    """A LangChain retriever over the searcher."""
    return PassageRetriever(searcher=searcher, k=k, mode=mode,
                            kinds=None if kinds is None else tuple(kinds),
                            doc_ids=None if doc_ids is None else tuple(doc_ids))


class LangChainEmbeddings(Embeddings):
    """An `Embedder` seen as LangChain `Embeddings` (for LangChain vector stores)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.encode([text])[0].tolist()

"""The naive LangChain RAG we compare against: 1,000-character chunks, top 4 stuffed into
one prompt, and the retrieved chunks shown as the citations."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from langchain_core.documents import Document as LangChainDocument
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from answers.answer import NOT_FOUND
from documents import Document, sentence_spans
from generation import load_prompt

PROMPT_VARIABLES = {"answer_baseline.txt": {"context", "question", "refusal"}}
CHUNK_CHARS = 1000
TOP_K = 4
MAX_ANSWER_TOKENS = 200
_REFUSALS = (NOT_FOUND.lower().rstrip("."), "don't know", "do not know")


@dataclass(frozen=True)
class Chunk:
    """A fixed-size span of a document (cut at line or word boundaries)."""

    doc_id: str
    start: int
    end: int
    text: str


def chunk_document(document: Document, size: int = CHUNK_CHARS) -> list[Chunk]:
    """Consecutive chunks of at most `size` characters, packed from whole lines if possible."""
    text, chunks, start = document.text, [], 0
    while start < len(text):
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text):
            break
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            end = cut if cut > start else end
        chunk_end = end
        while chunk_end > start and text[chunk_end - 1].isspace():
            chunk_end -= 1
        chunks.append(Chunk(document.doc_id, start, chunk_end, text[start:chunk_end]))
        start = end
    return chunks


def _as_langchain(chunk: Chunk) -> LangChainDocument:
    return LangChainDocument(page_content=chunk.text, metadata={
        "doc_id": chunk.doc_id, "start": chunk.start, "end": chunk.end})


def _context(documents: list[LangChainDocument]) -> str:
    return "\n\n".join(d.page_content for d in documents)


class NaiveRag:
    """An in-memory Chroma collection of chunks and a stuff-the-context LCEL chain."""

    def __init__(self, documents: list[Document], embeddings, model) -> None:
        import chromadb
        from langchain_chroma import Chroma

        chunks = [c for d in documents for c in chunk_document(d)]
        client = chromadb.EphemeralClient(chromadb.config.Settings(anonymized_telemetry=False))
        self._store = Chroma(collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
                             embedding_function=embeddings, client=client)
        self._store.add_documents([_as_langchain(c) for c in chunks])
        self.retriever = self._store.as_retriever(search_kwargs={"k": TOP_K})
        prompt = ChatPromptTemplate.from_messages(
            [("human", load_prompt("answer_baseline.txt").template)])
        generate = (
            {"context": RunnableLambda(lambda x: _context(x["docs"])),
             "question": RunnableLambda(lambda x: x["question"]),
             "refusal": RunnableLambda(lambda x: NOT_FOUND)}
            | prompt | model.limited(MAX_ANSWER_TOKENS) | StrOutputParser()
        )
        # question -> {question, docs, answer}: retrieve, then stuff all four into one prompt.
        self.chain = (
            {"question": RunnablePassthrough()}
            | RunnablePassthrough.assign(docs=RunnableLambda(lambda x: x["question"])
                                         | self.retriever)
            | RunnablePassthrough.assign(answer=generate)
        )

    def answer(self, question: str) -> dict:
        """An answer in the `ask --json` form; its citations are the retrieved chunks."""
        start = time.perf_counter()
        result = self.chain.invoke(question)
        seconds = time.perf_counter() - start
        text = result["answer"].strip()
        citations = [_citation(d) for d in result["docs"]]
        refused = any(phrase in text.lower() for phrase in _REFUSALS)
        sentences = [] if refused else [
            {"text": text[a:b], "supported": True, "citations": citations}
            for a, b in sentence_spans(text)]
        return {"question": question, "query": question, "answer": text, "refused": refused,
                "sentences": sentences, "citations": [] if refused else citations,
                "timings": {"total": seconds}}


def _citation(document: LangChainDocument) -> dict:
    meta = document.metadata
    return {"doc_id": meta["doc_id"], "kind": "chunk", "start": meta["start"],
            "end": meta["end"], "quote": document.page_content}

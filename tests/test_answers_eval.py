"""Scoring answers, the naive baseline's chunks and chain, and the `ask` text output."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from answers import NOT_FOUND
from answers.baseline import CHUNK_CHARS, NaiveRag, chunk_document
from evaluation.answers import facts_present, score_item, summarize
from generation import ModelHandle, ModelSpec
from interface.cli.ask import format_answer
from retrieval.retriever import LangChainEmbeddings

QUOTE = "US goods exports to China in 2024 were $143.5 billion."
ITEM = {"id": "d03", "q": "How much did the US export to China in goods in 2024?",
        "doc": "003", "quote": QUOTE, "facts": ["143.5"]}


def _citation(documents, quote, shift=0):
    document = next(d for d in documents.values() if d.doc_id.startswith("003"))
    start = document.text.index(quote) + shift
    end = start + len(quote)
    return {"doc_id": document.doc_id, "kind": "article", "start": start, "end": end,
            "quote": document.text[start:end]}


def _result(answer, citations, refused=False, supported=True):
    sentences = [] if refused else [{"text": answer, "supported": supported,
                                     "citations": citations}]
    return {"answer": answer, "refused": refused, "sentences": sentences,
            "citations": citations, "timings": {"retrieval": 0.1, "total": 2.0}}


def test_facts_accept_alternatives_and_need_every_entry():
    assert facts_present("France and Britain", ["France", "UK|Britain"])
    assert not facts_present("France alone", ["France", "UK|Britain"])
    assert facts_present("about 14000 drones", ["14,000|14000"])


def test_a_correct_cited_answer_scores_on_every_count(corpus_documents):
    result = _result("The US exported $143.5 billion.", [_citation(corpus_documents, QUOTE)])
    outcome = score_item(ITEM, "qa", result, corpus_documents, 2.0)
    assert outcome.facts_present and outcome.gold_cited
    assert outcome.valid_citations == outcome.citations == 2  # top level + the sentence
    assert outcome.cited_chars == len(QUOTE)


def test_a_forged_quote_is_an_invalid_citation(corpus_documents):
    forged = dict(_citation(corpus_documents, QUOTE), quote="US exports were $999 billion.")
    outcome = score_item(ITEM, "qa", _result("It was $143.5 billion.", [forged]),
                         corpus_documents, 1.0)
    assert outcome.valid_citations == 0 and outcome.citations == 2


def test_a_citation_elsewhere_misses_the_gold_quote(corpus_documents):
    elsewhere = _citation(corpus_documents, "US total goods trade with China")
    outcome = score_item(ITEM, "qa", _result("It was $143.5 billion.", [elsewhere]),
                         corpus_documents, 1.0)
    assert outcome.facts_present and not outcome.gold_cited


def test_summary_counts_refusals_and_time(corpus_documents):
    good = score_item(ITEM, "qa", _result("$143.5 billion.", [_citation(corpus_documents, QUOTE)]),
                      corpus_documents, 2.0)
    refused_qa = score_item(ITEM, "qa", _result(NOT_FOUND, [], refused=True), corpus_documents,
                            1.0)
    refuse = score_item({"id": "r01", "q": "?"}, "refuse", _result(NOT_FOUND, [], refused=True),
                        corpus_documents, 0.5)
    scores = summarize([good, refused_qa, refuse], "test", "model")
    assert scores.fact_accuracy == 0.5 and scores.gold_citation_rate == 0.5
    assert (scores.refusals, scores.refuse_items, scores.false_refusals) == (1, 1, 1)
    assert scores.citation_validity == 1.0 and scores.supported_share == 1.0
    assert scores.median_seconds == 1.0 and scores.p95_seconds == 2.0
    assert scores.median_breakdown["retrieval"] == pytest.approx(0.1)
    assert summarize([good], "baseline", "m", checks_support=False).supported_share is None


def test_chunks_are_at_most_1000_characters_and_verbatim(corpus_documents):
    for document in corpus_documents.values():
        chunks = chunk_document(document)
        assert all(0 < len(c.text) <= CHUNK_CHARS for c in chunks)
        assert all(document.text[c.start : c.end] == c.text for c in chunks)
        covered = "".join(c.text for c in chunks)
        assert "".join(covered.split()) == "".join(document.text.split())


def test_the_baseline_stuffs_four_chunks_and_cites_them(corpus_documents, embedder):
    seen = []

    class Recording(GenericFakeChatModel):
        def _generate(self, messages, *args, **kwargs):
            seen.append(messages[-1].text)
            return super()._generate(messages, *args, **kwargs)

    chat = Recording(messages=iter([AIMessage("$143.5 billion."), AIMessage(NOT_FOUND)]))
    handle = ModelHandle("scripted", chat, lambda m, labels: {}, ModelSpec("local"))
    rag = NaiveRag(list(corpus_documents.values()), LangChainEmbeddings(embedder), handle)
    result = rag.answer(ITEM["q"])
    assert result["answer"] == "$143.5 billion." and not result["refused"]
    assert len(result["citations"]) == 4 and result["citations"][0]["kind"] == "chunk"
    assert all(c["quote"] in seen[0] for c in result["citations"])
    assert ITEM["q"] in seen[0] and NOT_FOUND in seen[0]
    outcome = score_item(ITEM, "qa", result, corpus_documents, 1.0)
    assert outcome.gold_cited and outcome.valid_citations == outcome.citations
    refused = rag.answer("What is the population of Brazil?")
    assert refused["refused"] and refused["citations"] == []


def test_the_text_output_numbers_citations_and_marks_unsupported_sentences(corpus_documents):
    citation = _citation(corpus_documents, QUOTE)
    result = {"refused": False, "answer": "It was $143.5 billion.", "citations": [citation],
              "sentences": [{"text": "It was $143.5 billion.", "supported": True,
                             "citations": [citation]},
                            {"text": "It doubled.", "supported": False, "citations": []}]}
    text = format_answer(result)
    assert text.splitlines()[0] == "It was $143.5 billion. [1]"
    assert "(unsupported, not part of the answer) It doubled." in text
    assert f"[1] {citation['doc_id']} (article, {citation['start']}-{citation['end']}): " \
           f"“{QUOTE}”" in text
    assert format_answer({"refused": True, "answer": NOT_FOUND}) == NOT_FOUND

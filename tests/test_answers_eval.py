"""Scoring answers, the naive baseline's chunks and chain, and the `ask` text output."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from answers import NOT_FOUND
from answers.baseline import CHUNK_CHARS, NaiveRag, chunk_document
from evaluation.answers import facts_present, question_types, score_item, summarize
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


def test_gold_read_is_apart_from_gold_cited(corpus_documents):
    """The gold passage can be among what the model read yet not cited: the two are kept apart,
    and a system that does not say what it read has no figure."""
    gold, elsewhere = (_citation(corpus_documents, QUOTE),
                       _citation(corpus_documents, "US total goods trade with China"))
    read_not_cited = dict(_result("It was $143.5 billion.", [elsewhere]),
                          evidence=[elsewhere, gold])
    outcome = score_item(ITEM, "qa", read_not_cited, corpus_documents, 1.0)
    assert outcome.gold_in_evidence and not outcome.gold_cited
    unread = dict(_result("It was $143.5 billion.", [elsewhere]), evidence=[elsewhere])
    assert score_item(ITEM, "qa", unread, corpus_documents, 1.0).gold_in_evidence is False
    silent = score_item(ITEM, "qa", _result("$143.5 billion.", [gold]), corpus_documents, 1.0)
    assert silent.gold_in_evidence is None
    scores = summarize([outcome, score_item(ITEM, "qa", unread, corpus_documents, 1.0)], "t", "m")
    assert scores.gold_evidence_rate == 0.5
    assert summarize([silent], "baseline", "m").gold_evidence_rate is None


def test_question_types_come_from_the_item():
    assert question_types(ITEM) == ("single fact",)
    listing = {"q": "Which countries?", "quote": "France and the UK", "facts": ["France", "UK"]}
    assert question_types(listing) == ("list", "paraphrase")
    why = {"q": "Why, according to one reader, did Russia go to war?", "kind": "comment",
           "quote": "Russia went to war because NATO", "facts": ["NATO"]}
    assert question_types(why) == ("why", "comment")


def test_summary_reports_each_question_type_and_first_words(corpus_documents):
    cited = _result("$143.5 billion.", [_citation(corpus_documents, QUOTE)])
    # The chooser reads its task line after the draft has streamed: not part of first words.
    cited["timings"] = {"retrieval": 0.1, "prompt": 1.4, "generation": 2.0, "choose": 0.3}
    good = score_item(ITEM, "qa", cited, corpus_documents, 3.5)
    why = dict(ITEM, id="w", q="Why did the US export $143.5 billion to China in 2024?")
    refused = score_item(why, "qa", _result(NOT_FOUND, [], refused=True), corpus_documents, 1.0)
    scores = summarize([good, refused], "test", "model")
    assert scores.by_type["single fact"] == {"items": 1, "facts": 1, "gold_cited": 1,
                                             "gold_read": 0, "refused": 0}
    assert scores.by_type["why"]["refused"] == 1 and scores.by_type["why"]["facts"] == 0
    assert scores.median_first_words_seconds == pytest.approx(1.5)  # refusals wrote nothing


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

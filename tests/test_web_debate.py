"""Debate: turns drawn from the map by code, most relevant first, sides switchable; the tab
renders them and `counterpoint debate` prints them."""

from __future__ import annotations

import json
from types import SimpleNamespace

import arguments.debate
import generation
import retrieval
from arguments.claims import ArgumentMap, Claim
from arguments.debate import Debate, all_turns, next_turn
from documents import Citation
from interface.cli import main
from interface.web.debate import turn_html

POLICY = "000_0e74df59ad1dea2a"
COLUMN = "003_bf4e1c7beccc96a2"


def cite(documents, doc_id, words, kind="article"):
    start = documents[doc_id].text.index(words)
    return Citation.at(documents[doc_id], start, start + len(words), kind)


def debate_map(documents) -> ArgumentMap:
    attrition = cite(documents, POLICY, "the war in Ukraine has largely evolved into a war of "
                                        "attrition")
    intractable = cite(documents, POLICY, "the conflict appears more intractable than ever")
    nuke = cite(documents, COLUMN, "Just nuke Moscow already", "comment")
    return ArgumentMap(
        "The war in Ukraine will end soon through negotiations.",
        pro=(Claim("Talks in Alaska signalled a thaw.", "article", "pro", 0.6, (attrition,)),),
        con=(Claim("The conflict looks more intractable than ever.", "article", "con", 0.9,
                   (intractable,)),
             Claim("The war has become a war of attrition.", "article", "con", 0.7,
                   (attrition,)),
             Claim("Moscow should be nuked.", "comment", "con", 0.5, (nuke,))),
    )


def test_turns_put_forward_unused_counter_claims_most_relevant_first(corpus_documents,
                                                                    embedder):
    debate = Debate("The war will end soon.", debate_map(corpus_documents))
    debate, first = next_turn(debate, "Both sides are exhausted, so a deal is near.",
                              embedder.encode, per_turn=1)
    debate, second = next_turn(debate, "A war of attrition cannot last forever.",
                               embedder.encode, per_turn=1)
    assert second[0].text == "The war has become a war of attrition."
    assert first[0].text != second[0].text
    debate, third = next_turn(debate, "Anything else?", embedder.encode, per_turn=5)
    assert [c.kind for c in third] == ["comment"]
    reply, cards = turn_html(debate, third, corpus_documents)
    assert "A reader comment argues that Moscow should be nuked." in reply
    assert 'href="#db-3-1"' in reply and 'id="db-3-1"' in cards and "Reader comment" in cards
    debate, none = next_turn(debate, "And now?", embedder.encode)
    assert none == [] and "no further cited argument" in turn_html(debate, none,
                                                                   corpus_documents)[0]


def test_switching_sides_argues_for_the_position(corpus_documents, embedder):
    debate = Debate("The war will end soon.", debate_map(corpus_documents)).switched()
    debate, chosen = next_turn(debate, "Convince me.", embedder.encode)
    assert [c.stance for c in chosen] == ["pro"]
    reply, _ = turn_html(debate, chosen, corpus_documents)
    assert reply.count("cp-cite") == 1 and "Arguing for your position" in reply


def test_all_turns_answer_one_statement_until_the_side_runs_out(corpus_documents, embedder):
    debate = Debate("The war will end soon.", debate_map(corpus_documents))
    debate, turns = all_turns(debate, debate.position, embedder.encode)
    assert [t.number for t in turns] == [1, 2] and not debate.remaining()
    assert [len(t.claims) for t in turns] == [2, 1] and {t.side for t in turns} == {"con"}
    said = [c["text"] for t in turns for c in t.to_dict()["claims"]]
    assert "A reader comment argues that Moscow should be nuked." in said


def test_cli_debate_prints_turns_with_their_citations(corpus_documents, embedder, monkeypatch,
                                                      capsys):
    asked = {}

    def fake_map(position, searcher, model, **options):
        asked.update(options, position=position)
        return debate_map(corpus_documents)

    searcher = SimpleNamespace(embed=embedder.encode, close=lambda: None)
    monkeypatch.setattr(retrieval, "open_searcher", lambda *args, **kwargs: searcher)
    monkeypatch.setattr(generation, "load_model", lambda *args, **kwargs: None)
    monkeypatch.setattr(arguments.debate, "build_map", fake_map)
    assert main(["debate", "The war will end soon.", "--passages", "5", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    asked.pop("progress")  # the CLI shows no progress; the page passes its own
    assert asked == {"position": "The war will end soon.", "max_candidates": 5}
    assert result["side"] == "con" and len(result["turns"]) == 2
    citation = result["turns"][0]["claims"][0]["citations"][0]
    assert set(citation) == {"doc_id", "kind", "start", "end", "quote"}
    document = corpus_documents[citation["doc_id"]]
    assert document.text[citation["start"]:citation["end"]] == citation["quote"]
    assert main(["debate", "The war will end soon."]) == 0
    text = capsys.readouterr().out
    assert "Turn 2:" in text and "- A reader comment argues that Moscow should be nuked. [" in text
    assert f"] {COLUMN} (comment, " in text and "“Just nuke Moscow already”" in text

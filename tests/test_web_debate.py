"""Debate tab: turns drawn from the map by code, most relevant first, sides switchable."""

from __future__ import annotations

from arguments.claims import ArgumentMap, Claim
from documents import Citation
from interface.web.debate import Debate, next_turn, turn_html

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
    assert "A reader comment argues: Moscow should be nuked." in reply
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

"""Map exports: Argdown checked by the real Argdown parser, xAIF, Markdown, Mermaid."""

from __future__ import annotations

import json

import pytest
from helpers import parse_argdown

from arguments.claims import ArgumentMap, Claim, claim_from_dict
from arguments.exports import argdown_escape, export, to_aif, to_argdown, to_markdown, to_mermaid
from documents import Citation


def _cite(documents, prefix: str, quote: str, kind: str = "article") -> Citation:
    document = next(d for d in documents.values() if d.doc_id.startswith(prefix))
    start = document.text.index(quote)
    return Citation.at(document, start, start + len(quote), kind)


@pytest.fixture(scope="module")
def sample_map(corpus_documents) -> ArgumentMap:
    """A hand-built map over real spans, with awkward characters in claims and quotes."""
    docs = corpus_documents
    pressure = _cite(docs, "000", "only sustained and coordinated pressure on Moscow could "
                     "compel the Kremlin to reconsider its current course")
    footnote = _cite(docs, "000", "confirmed the absence of genuine Russian interest in ending "
                     "hostilities.[2]")
    sanctions = _cite(docs, "003", "Sanctions won’t change the military situation")
    comment = _cite(docs, "003", "there aint no “negotiation” because its just a one sided US "
                    "demand", kind="comment")
    con = Claim("Sanctions won't change the military situation [per Bryen] <sic> {x} #1 @US "
                "*a* _b_ // c", "article", "con", 0.81, (sanctions,))
    reader = Claim("Readers say there is no real negotiation.", "comment", "con", 0.7, (comment,))
    pro = Claim("Only sustained pressure could compel the Kremlin: U.S. \"stick strategy\".",
                "article", "pro", 0.92, (pressure, footnote), objections=(con,), paraphrased=True)
    return ArgumentMap("Sanctions can pressure Russia into ending the war.", (pro,), (con, reader),
                       ("the con side rests partly on reader comments",))


def test_argdown_parses_with_zero_errors_and_keeps_counts_and_quotes(sample_map):
    parsed = parse_argdown(to_argdown(sample_map))
    assert parsed["lexerErrors"] == [] and parsed["parserErrors"] == []
    assert parsed["statements"] == 1 + 3  # the proposition and three distinct claims
    relations = {(r["from"], r["to"], r["type"]) for r in parsed["relations"]}
    assert relations == {("Pro 1", "Proposition", "support"), ("Con 1", "Proposition", "attack"),
                         ("Con 2", "Proposition", "attack"), ("Con 1", "Pro 1", "attack")}
    texts = {title: members[0].strip() for title, members in parsed["statementTexts"].items()}
    assert texts["Con 1"] == " ".join(sample_map.con[0].text.split())
    assert texts["Pro 1"] == sample_map.pro[0].text
    data = parsed["statementData"]
    for title, claim in (("Pro 1", sample_map.pro[0]), ("Con 1", sample_map.con[0]),
                         ("Con 2", sample_map.con[1])):
        assert [Citation(**c) for c in data[title]["citations"]] == list(claim.citations)
        assert data[title]["kind"] == claim.kind


def test_argdown_escape_round_trips_every_control_character():
    text = "a [b] <c> {d} @e #f *g* _h_ // i \\ j"
    parsed = parse_argdown(f"[T]: {argdown_escape(text)}\n")
    assert parsed["parserErrors"] == [] and parsed["lexerErrors"] == []
    assert parsed["statementTexts"]["T"][0].strip() == text


def test_aif_has_i_ra_ca_nodes_and_separates_authors_from_readers(sample_map, corpus_documents):
    aif = to_aif(sample_map, corpus_documents)["AIF"]
    types = [n["type"] for n in aif["nodes"]]
    assert types.count("I") == 4 and types.count("RA") == 1 and types.count("CA") == 3
    assert types.count("L") == 4 == types.count("YA") == len(aif["locutions"])
    roles = {p["role"] for p in aif["participants"]}
    assert roles == {"author", "reader"}
    authors = [p for p in aif["participants"] if p["role"] == "author"]
    assert any(p["firstname"] == "Stephen" and p["surname"] == "Bryen" for p in authors)
    ids = {n["nodeID"] for n in aif["nodes"]}
    assert all(e["fromID"] in ids and e["toID"] in ids for e in aif["edges"])
    by_id = {n["nodeID"]: n for n in aif["nodes"]}
    for locution in aif["locutions"]:
        document = corpus_documents[locution["source"]]
        quote = document.text[locution["start"] : locution["end"]]
        assert by_id[locution["nodeID"]]["text"].endswith(" : " + quote)
        reader = {p["participantID"]: p["role"] for p in aif["participants"]}[locution["personID"]]
        assert (reader == "reader") == (locution["kind"] == "comment")


def test_markdown_and_mermaid_carry_every_claim_and_quote(sample_map, corpus_documents):
    markdown = to_markdown(sample_map, corpus_documents)
    for citation in sample_map.citations():
        assert citation.quote in markdown
    assert "## Pro (1 claims)" in markdown and "Objection: **Sanctions" in markdown
    assert "Stephen Bryen" in markdown and "reader comment on 003" in markdown
    mermaid = to_mermaid(sample_map)
    assert mermaid.startswith("flowchart TD")
    assert mermaid.count("-->|pro| P") == 1 and mermaid.count("-.->|con| P") == 2
    assert "-.->|objects to|" in mermaid and "#quot;stick strategy#quot;" in mermaid


def test_json_round_trip_keeps_claims_and_citations(sample_map):
    data = json.loads(export(sample_map, "json"))
    rebuilt = [claim_from_dict(c) for c in data["pro"]]
    assert rebuilt[0].citations == sample_map.pro[0].citations
    assert rebuilt[0].objections[0].text == sample_map.con[0].text
    assert set(data) >= {"proposition", "pro", "con", "warnings"}
    node = data["pro"][0]
    assert set(node) >= {"claim", "kind", "strength", "citations", "objections"}
    assert set(node["citations"][0]) == {"doc_id", "kind", "start", "end", "quote"}


def test_unknown_format_is_a_clear_error(sample_map):
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        export(sample_map, "pdf")

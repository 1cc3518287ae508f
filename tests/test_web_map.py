"""Map tab: graph, outline and downloads drawn from a real ArgumentMap over the corpus."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from arguments.claims import ArgumentMap, Claim
from documents import Citation
from generation import ModelHandle, parse_spec
from interface.settings import load_settings, session_of
from interface.web.context import Preferences
from interface.web.graph import GraphNode, layout, svg
from interface.web.map import (
    STEPS,
    build_view,
    graph_nodes,
    map_pairs,
    outline_html,
    warnings_html,
    write_exports,
)

REPO = Path(__file__).resolve().parent.parent

POLICY = "000_0e74df59ad1dea2a"
COLUMN = "003_bf4e1c7beccc96a2"


def cite(documents, doc_id: str, words: str, kind: str = "article") -> Citation:
    start = documents[doc_id].text.index(words)
    return Citation.at(documents[doc_id], start, start + len(words), kind)


@pytest.fixture()
def argument_map(corpus_documents):
    tomahawk = cite(corpus_documents, POLICY, "the delivery of Tomahawk missiles")
    nuke = cite(corpus_documents, COLUMN, "Just nuke Moscow already", "comment")
    intractable = cite(corpus_documents, POLICY, "the conflict appears more intractable than ever")
    objection = Claim("Escalation <risk> grows", "article", "con", 0.7, (intractable,))
    return ArgumentMap(
        "The West should supply Ukraine with long-range missiles.",
        pro=(Claim("Tomahawks would strengthen Ukraine's long-range strikes.", "article", "pro",
                   0.81, (tomahawk,), objections=(objection,)),
             Claim("A reader wants Moscow hit.", "comment", "pro", 0.66, (nuke,))),
        con=(),
        warnings=("The con side is thin: no claim found.",),
    )


def test_graph_draws_every_claim_with_comments_dashed_and_text_escaped(argument_map):
    nodes = graph_nodes(argument_map)
    assert [n.side for n in nodes] == ["root", "pro", "objection", "pro"]
    assert nodes[2].parent == nodes[1].id  # the objection hangs off the claim it attacks
    drawing = svg(nodes)
    assert drawing.count("<rect") == 4 and drawing.count("<path") == 3
    assert drawing.count('stroke-dasharray="6 4"') == 1  # the one reader comment
    assert "Escalation &lt;risk&gt; grows" in drawing and "<risk>" not in drawing
    tall = GraphNode("P2", "a long claim " * 12, "con", "article", "P")
    short = GraphNode("P2o", "short", "objection", "comment", "P2")
    boxes = layout([*nodes, tall, short])
    for a in boxes:  # no two boxes in one column overlap
        for b in boxes:
            if a is not b and a.x == b.x:
                assert a.y + a.height <= b.y or b.y + b.height <= a.y


def test_outline_opens_each_claim_to_its_highlighted_quotes(argument_map, corpus_documents):
    html = outline_html(argument_map, corpus_documents)
    assert html.count('<details class="cp-claim') == 3
    assert '<mark class="cp-quote">Just nuke Moscow already</mark>' in html
    assert "cp-kind-comment-card" in html and "Reader comment" in html
    assert "No con claim was found" in html
    assert "The con side is thin" in warnings_html(argument_map)


def test_downloads_hold_the_map_in_four_formats(argument_map, corpus_documents, tmp_path):
    files = write_exports(argument_map, corpus_documents, tmp_path)
    assert sorted(files) == ["aif", "argdown", "json", "markdown"]
    assert json.loads(files["json"].read_text("utf-8")) == argument_map.to_dict()
    argdown = files["argdown"].read_text("utf-8")
    assert "long-range missiles" in argdown and re.search(r"^\s*<\+ \[", argdown, re.M)
    assert json.loads(files["aif"].read_text("utf-8"))["AIF"]["nodes"]
    assert files["argdown"].name.startswith("The-West-should-supply")
    assert len(map_pairs(argument_map)) == 3


def says_yes(messages, labels) -> dict[str, float]:
    """A judge that gives the first label (Yes, or passage number 0) most of the weight."""
    rest = 0.1 / (len(labels) - 1)
    return {label: 0.9 if label == labels[0] else rest for label in labels}


@pytest.fixture()
def scripted_session(tmp_path, embedder):
    """The real corpus and index with a scripted chat model that always says Yes."""
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = load_settings({"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data"},
                             environ={})
    chat = GenericFakeChatModel(messages=iter(["Sanctions pressure Russia."] * 20))
    handle = ModelHandle(name="scripted", chat=chat, spec=parse_spec("local"), scorer=says_yes)
    session = session_of(settings, embedder=embedder, models={"scripted": handle})
    yield session
    session.close()


def test_the_tab_shows_each_step_the_map_builder_reports(scripted_session):
    shown: list[tuple[float, str]] = []
    view = build_view(scripted_session, Preferences(llm="scripted", map_passages=3),
                      "Sanctions can pressure Russia into ending the war.",
                      lambda fraction, message: shown.append((fraction, message)), audit=False)
    fractions = [fraction for fraction, _ in shown]
    messages = [message for _, message in shown]
    assert fractions == sorted(fractions) and 0 < fractions[0] and fractions[-1] < 1
    assert messages[:3] == ["Loading the model", "Searching the documents", STEPS[
        "candidates"][2]]
    judging = [m for m in messages if m.startswith(STEPS["stance"][2])]
    assert judging == [f"{STEPS['stance'][2]} (passage {i} of 3)" for i in (1, 2, 3)]
    order = [STEPS["claims"][2], STEPS["objections"][2], STEPS["checks"][2], "Drawing the map"]
    assert [m for m in messages if m in order] == order
    assert set(view.argument_map.timings) == {*STEPS, "total"}

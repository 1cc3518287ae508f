"""Audit tab: the session table, its problem filter, exports, and finding a passage to audit."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

import generation
from arguments.audit import COMMENT_WARNING, OWN_QUOTE_REASON
from documents import Citation
from generation import ModelHandle, ModelSpec
from interface.cli import main
from interface.web.audit import AuditRow, audit_rows, citation_at, export, find_citation, table

POLICY = "000_0e74df59ad1dea2a"
COLUMN = "003_bf4e1c7beccc96a2"


@pytest.fixture()
def rows(corpus_documents):
    text = corpus_documents[POLICY].text
    start = text.index("roughly one-fifth of Ukraine")
    citation = Citation.at(corpus_documents[POLICY], start, start + 28, "article")
    forged = replace(citation, quote="roughly half of Ukraine, it says")
    return [
        AuditRow("answer", "Russia holds a fifth of Ukraine.", citation, "supported", 0.91, "ok"),
        AuditRow("map", "Russia holds half of Ukraine.", citation, "contradicted", 0.12, "no"),
        AuditRow("map", "Russia holds a fifth of Ukraine.", forged, "supported", 0.9, "ok"),
    ]


def test_problems_are_unsupported_verdicts_or_quotes_no_longer_verbatim(rows, corpus_documents):
    everything = table(rows, corpus_documents)
    assert [r[0] for r in everything] == [1, 2, 3] and everything[2][-1] == "NO"
    assert everything[0][4] == "Article"
    problems = table(rows, corpus_documents, problems_only=True)
    assert [r[0] for r in problems] == [2, 3]  # numbering stays that of the session


def test_exports_hold_every_row_with_its_offsets_and_verbatim_flag(rows, corpus_documents,
                                                                   tmp_path):
    data = json.loads(export(rows, corpus_documents, "json", tmp_path).read_text("utf-8"))
    assert [d["verdict"] for d in data] == ["supported", "contradicted", "supported"]
    assert [d["verbatim"] for d in data] == [True, True, False]
    with export(rows, corpus_documents, "csv", tmp_path).open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert lines[1]["claim"] == "Russia holds half of Ukraine." and lines[1]["start"] == str(
        rows[1].citation.start)
    with pytest.raises(ValueError, match="unknown export format"):
        export(rows, corpus_documents, "xlsx", tmp_path)


def test_the_form_finds_the_passage_by_its_words_and_keeps_its_kind(corpus_documents):
    citation = find_citation(corpus_documents, COLUMN, "just  NUKE moscow")
    assert citation.kind == "comment" and citation.quote == "Just nuke Moscow already"
    assert citation.is_verbatim(corpus_documents)
    with pytest.raises(ValueError, match="no passage of"):
        find_citation(corpus_documents, COLUMN, "words that are nowhere")
    with pytest.raises(ValueError, match="choose a document"):
        find_citation(corpus_documents, "", "nuke")
    assert citation_at(corpus_documents, COLUMN, citation.start, citation.end) == citation
    with pytest.raises(ValueError, match="outside"):
        citation_at(corpus_documents, COLUMN, 0, 10**9)


def test_a_claim_that_is_its_own_quote_is_supported_without_the_model(corpus_documents):
    citation = find_citation(corpus_documents, COLUMN, "Just nuke Moscow already")
    (row,) = audit_rows([("Just nuke Moscow  already", citation)], corpus_documents, None,
                        source="positions")
    assert row.verdict == "supported" and "reader comment" in row.reason


class Support:
    """The audit's Yes/No questions answered with a fixed support probability; counts calls."""

    def __init__(self, support: float):
        self.support, self.calls = support, 0

    def __call__(self, messages, labels):
        self.calls += 1
        p = 0.1 if "makes the claim false" in messages[-1][1] else self.support
        return {"Yes": p, "No": 1 - p}


@pytest.mark.parametrize(("claim", "calls"), [
    ("Just nuke Moscow  already", 0),  # the claim is the quote itself: no model call
    ("Russia's capital should be destroyed.", 2),  # judged by the model
])
def test_the_page_and_the_cli_give_the_same_verdict(corpus_documents, monkeypatch, capsys,
                                                     tmp_path, claim, calls):
    citation = find_citation(corpus_documents, COLUMN, "Just nuke Moscow already")
    scorer = Support(0.4)
    model = ModelHandle("support", GenericFakeChatModel(messages=iter([])), scorer,
                        ModelSpec("local"))
    monkeypatch.setattr(generation, "load_model", lambda *args, **kwargs: model)
    (row,) = audit_rows([(claim, citation)], corpus_documents, model, source="form")
    assert scorer.calls == calls
    assert main(["audit", "--claim", claim, "--doc", COLUMN, "--start", str(citation.start),
                 "--end", str(citation.end), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert scorer.calls == 2 * calls
    assert (printed["verdict"], printed["score"]) == (row.verdict, row.score)
    assert row.reason == "; ".join([printed["reason"], *printed["warnings"]])
    assert COMMENT_WARNING in printed["warnings"]
    assert (printed["reason"] == OWN_QUOTE_REASON) == (calls == 0)
    saved = tmp_path / "map.json"
    saved.write_text(json.dumps({"pro": [{"claim": claim, "citations": [citation.to_dict()]}],
                                 "con": []}), encoding="utf-8")
    assert main(["audit", str(saved), "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)["items"]
    assert (item["verdict"], item["score"]) == (row.verdict, row.score)

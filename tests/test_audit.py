"""Audit: deterministic checks, verdict rules, changed documents, reports over saved JSON."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from answers.answer import Answer, AnswerSentence
from arguments.audit import (
    COMMENT_WARNING,
    OWN_QUOTE_REASON,
    audit_citation,
    audit_report,
    cited_claims,
    combine,
    paragraph_around,
)
from arguments.checks import check_claim
from documents import Citation
from documents.text import figures, is_negated, proper_names
from generation import ModelHandle, ModelSpec
from interface.cli import main
from interface.cli.ask import audit_answer, format_answer


class YesNo:
    """Answers the support question with `support` and the contradiction one with `contra`."""

    def __init__(self, support: float, contra: float = 0.1):
        self.support, self.contra = support, contra
        self.prompts: list[str] = []

    def __call__(self, messages, labels):
        text = messages[-1][1]  # the argument layer sends ("human", text) pairs
        self.prompts.append(text)
        p = self.contra if "makes the claim false" in text else self.support
        return {"Yes": p, "No": 1 - p}


def _model(support: float, contra: float = 0.1) -> ModelHandle:
    return ModelHandle("yes-no", GenericFakeChatModel(messages=iter([])), YesNo(support, contra),
                       ModelSpec("local"))


def _cite(documents, prefix, quote, kind="article") -> Citation:
    document = next(d for d in documents.values() if d.doc_id.startswith(prefix))
    start = document.text.index(quote)
    return Citation.at(document, start, start + len(quote), kind)


def test_numbers_names_and_negation():
    assert figures("roughly one-fifth of Ukraine")["one-fifth"] == ("fraction", 0.2)
    assert figures("nearly 14,000 drone attacks")["14,000"] == ("number", 14000.0)
    assert figures("5 percent of GDP")["5 percent"] == ("percent", 5.0)
    assert figures("$143.5 billion")["143.5 billion"] == ("number", 143.5e9)
    assert proper_names("The UK and France both have aircraft carriers.") == {"UK", "France"}
    assert "Russia" in proper_names("Russia’s economy can sustain the war.")
    assert is_negated("There is no word yet on losses") and not is_negated("Losses were heavy")
    assert is_negated("Sanctions won’t change it") and is_negated("the abrupt cancellation")


def test_checks_flag_a_different_figure_a_missing_name_and_a_negation():
    quote = "While Russia currently occupies roughly one-fifth of Ukraine"
    assert check_claim("Russia occupies about half of Ukraine.", quote).conflicting_numbers
    assert not check_claim("Russia occupies roughly one-fifth of Ukraine.", quote).problems
    missing = check_claim("Belarus occupies one-fifth of Ukraine.", quote)
    assert missing.missing_names == ("Belarus",)
    assert check_claim("Gladkov reported heavy losses.", "There is no word yet on losses."
                       ).negation_mismatch
    # A name the quote only refers to ("In its place") is found in its paragraph.
    replaced = check_claim("The Budapest meeting was replaced by sanctions.",
                           "In its place, the White House imposed new sanctions",
                           context="plans for a follow-up meeting in Budapest collapsed")
    assert not replaced.missing_names


@pytest.mark.parametrize(("claim", "support", "contra", "expected"), [
    ("Russia occupies roughly one-fifth of Ukraine.", 0.9, 0.1, "supported"),
    ("Russia occupies about half of Ukraine.", 0.9, 0.1, "contradicted"),
    ("Russia occupies roughly one-fifth of Ukraine.", 0.1, 0.8, "contradicted"),
    ("Russia occupies roughly one-fifth of Ukraine.", 0.1, 0.1, "unsupported"),
    ("Russia occupies roughly one-fifth of Ukraine.", 0.4, 0.1, "partial"),
    ("Belarus occupies roughly one-fifth of Ukraine.", 0.9, 0.1, "partial"),
    ("Russia does not occupy one-fifth of Ukraine.", 0.6, 0.1, "contradicted"),
])
def test_verdict_rules(claim, support, contra, expected):
    checks = check_claim(claim, "While Russia currently occupies roughly one-fifth of Ukraine")
    verdict, score, reason = combine(checks, support, contra)
    assert verdict == expected
    assert 0.0 <= score <= 1.0 and reason and "\n" not in reason


def test_audit_reads_the_model_and_warns_about_comments(corpus_documents):
    citation = _cite(corpus_documents, "003", "Long game, he’s 72.", kind="comment")
    model = _model(0.95)
    verdict = audit_citation("He is 72.", citation, corpus_documents, model)
    assert verdict.verdict == "supported" and verdict.verbatim and verdict.kind == "comment"
    assert verdict.warnings == (COMMENT_WARNING,)
    prompts = model.scorer.prompts
    assert len(prompts) == 2 and all("Long game, he’s 72." in p for p in prompts)
    assert set(verdict.to_dict()) == {"verdict", "score", "reason", "verbatim", "kind",
                                      "warnings"}


def test_a_changed_document_invalidates_the_citation(corpus_documents):
    citation = _cite(corpus_documents, "000", "nearly 14,000 drone attacks")
    document = corpus_documents[citation.doc_id]
    edited = replace(document, text="Inserted line.\n" + document.text)
    changed = {**corpus_documents, document.doc_id: edited}
    verdict = audit_citation("Russia launched nearly 14,000 drone attacks.", citation, changed,
                             _model(0.99))
    assert verdict.verdict == "unsupported" and not verdict.verbatim and verdict.score == 0.0
    assert "no longer stands at its offsets" in verdict.reason
    assert any("document changed" in w for w in verdict.warnings)


def test_paragraph_around_is_the_line_of_the_span(corpus_documents):
    citation = _cite(corpus_documents, "003", "There is no word yet on losses on either side.")
    paragraph = paragraph_around(corpus_documents[citation.doc_id], citation.start, citation.end)
    assert paragraph.startswith("Regional governor Vyacheslav Gladkov") and "\n" not in paragraph


def test_cited_claims_from_a_map_an_answer_and_positions(corpus_documents):
    citation = _cite(corpus_documents, "003", "Sanctions won’t change the military situation")
    raw = citation.to_dict()
    objection = {"claim": "B", "citations": [raw], "objections": []}
    saved_map = {"proposition": "P", "pro": [{"claim": "A", "citations": [raw],
                                              "objections": [objection]}],
                 "con": [objection]}
    assert cited_claims(saved_map) == [("A", citation), ("B", citation)]
    answer = {"sentences": [{"text": "S", "supported": True, "citations": [raw]}]}
    assert cited_claims(answer) == [("S", citation)]
    positions = {"positions": [{"claims": [{"claim": "C", "citations": [raw]}]}]}
    assert cited_claims(positions) == [("C", citation)]
    with pytest.raises(ValueError, match="not a saved map"):
        cited_claims({"hello": 1})
    with pytest.raises(ValueError, match="not a citation"):
        cited_claims({"pro": [{"claim": "A", "citations": [{"doc_id": "x"}]}]})


def test_audit_report_counts_verdicts_and_invalid_citations(corpus_documents):
    good = _cite(corpus_documents, "000", "nearly 14,000 drone attacks")
    stale = replace(good, start=good.start + 1, end=good.end + 1)
    report = audit_report([("Russia launched nearly 14,000 drone attacks.", good),
                           ("Russia launched nearly 14,000 drone attacks.", stale)],
                          corpus_documents, _model(0.9))
    assert report["citations"] == 2 and report["not_verbatim"] == 1
    assert report["counts"]["supported"] == 1 and report["counts"]["unsupported"] == 1


def test_cli_audit_errors_are_one_line(tmp_path, capsys):
    assert main(["audit", "--claim", "x"]) == 2
    assert "give FILE.json, or all of --claim --doc --start --end" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["audit", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "not a JSON file" in err
    assert main(["audit", "--claim", "x", "--doc", "999", "--start", "0", "--end", "5"]) == 2
    assert "document '999' is not in the corpus" in capsys.readouterr().err
    assert main(["stance", "--claim", "x", "--doc", "000", "--start", "5", "--end", "1"]) == 2
    assert "outside" in capsys.readouterr().err


def test_cli_eval_argkp_says_when_the_benchmark_is_absent(tmp_path, capsys):
    assert main(["eval", "argkp", "--argkp", str(tmp_path), "--skip-stance"]) == 2
    assert "ArgKP is not in" in capsys.readouterr().err


def test_saved_map_json_round_trips_through_cited_claims(corpus_documents):
    citation = _cite(corpus_documents, "000", "nearly 14,000 drone attacks")
    text = json.dumps({"pro": [{"claim": "A", "citations": [citation.to_dict()]}], "con": []})
    assert cited_claims(json.loads(text)) == [("A", citation)]


def test_ask_audit_checks_each_citation_of_a_supported_sentence_once(corpus_documents):
    comment = _cite(corpus_documents, "003", "Long game, he’s 72.", kind="comment")
    unused = _cite(corpus_documents, "000", "nearly 14,000 drone attacks")
    answer = Answer("How old is he?", "How old is he?", (
        AnswerSentence("Long game, he’s 72.", True, (comment,)),
        AnswerSentence("He is 72.", True, (comment,)),
        AnswerSentence("There were drones.", False, (unused,))), refused=False)
    model = _model(0.9)
    report = audit_answer(answer, corpus_documents, model)
    assert report["citations"] == 1 and report["comment_citations"] == 1
    assert report["items"][0]["reason"] == OWN_QUOTE_REASON and not model.scorer.prompts
    text = format_answer({**answer.to_dict(), "audit": report})
    assert "Audit: 1 citations: 1 supported" in text

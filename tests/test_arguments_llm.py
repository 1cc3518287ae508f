"""The argument layer with the bundled model: dev-set stance and audit, and a real map."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import parse_argdown

from arguments import build_map, to_argdown
from evaluation.audit import evaluate_audit
from evaluation.dataset import load_eval_set
from evaluation.maps import CASES, side_has
from evaluation.stance import evaluate_stance

pytestmark = pytest.mark.llm
REPO = Path(__file__).resolve().parent.parent


def test_dev_stance_accuracy(local_model, corpus_documents):
    score = evaluate_stance(load_eval_set()["stance"], corpus_documents, local_model)
    assert score.accuracy >= 0.80, score.rows  # measured 1.0 (12 of 12)


def test_dev_audit_accuracy(local_model, corpus_documents):
    score = evaluate_audit(load_eval_set()["audit"], corpus_documents, local_model)
    assert score.accuracy >= 0.85, score.rows  # measured 1.0 (8 of 8)


def test_sanctions_map_has_both_sides_right_and_verbatim(local_model, searcher):
    case = CASES[0]
    argument_map = build_map(case.proposition, searcher, local_model)
    assert side_has(argument_map, "pro", case.pro), argument_map.to_dict()
    assert side_has(argument_map, "con", case.con), argument_map.to_dict()
    for citation in argument_map.citations():
        assert citation.is_verbatim(searcher.documents)
    for claim in argument_map.claims():
        assert {c.kind for c in claim.citations} == {claim.kind}
    parsed = parse_argdown(to_argdown(argument_map, searcher.documents))
    assert parsed["lexerErrors"] == [] and parsed["parserErrors"] == []
    assert parsed["statements"] == 1 + len({c.text for c in argument_map.claims()})
    objections = sum(len(c.objections) for c in (*argument_map.pro, *argument_map.con))
    expected = len(argument_map.pro) + len(argument_map.con) + objections
    assert len(parsed["relations"]) == expected

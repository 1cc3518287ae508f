"""The argument layer with the bundled model: dev-set stance and audit, and a real map."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import parse_argdown

from arguments import build_map, to_argdown
from arguments.claims import SIDES
from evaluation.audit import evaluate_audit
from evaluation.dataset import load_eval_set
from evaluation.maps import load_maps_set
from evaluation.stance import evaluate_stance

pytestmark = pytest.mark.llm
REPO = Path(__file__).resolve().parent.parent
ACCURACY_FLOOR = 0.70  # measured 0.73 (30 of 41 dev pairs); README.md "Maps, positions and stance"


def test_dev_stance_accuracy(local_model, corpus_documents, embedder):
    score = evaluate_stance(load_eval_set()["stance"], corpus_documents, local_model,
                            embedder.encode)
    assert score.accuracy >= ACCURACY_FLOOR, score.rows


def test_dev_audit_accuracy(local_model, corpus_documents):
    score = evaluate_audit(load_eval_set()["audit"], corpus_documents, local_model)
    assert score.accuracy >= 0.80, score.rows  # measured 0.83 (20 of 24; 8 of 8 on the first 8)


def test_the_analysis_denying_a_proposition_is_never_on_its_pro_side(local_model, searcher):
    """Held-out probes showed the analysis's own denials ("failed to break the diplomatic
    stalemate") on the pro side of "Trump's personal diplomacy with Putin has worked."."""
    labels = _labelled(searcher, "Trump's personal diplomacy")
    argument_map = build_map(labels.proposition, searcher, local_model)
    placed = {side: [labels.gold_of(c.doc_id, c.start, c.end) for claim in
                     getattr(argument_map, side) for c in claim.citations] for side in SIDES}
    assert "con" not in placed["pro"], argument_map.to_dict()
    assert placed["con"].count("con") >= 2, argument_map.to_dict()
    _check_provenance(argument_map, searcher)


@pytest.mark.xfail(strict=True, reason="known defect, issue 12: the bundled model reads "
                   "'Putin has agreed to a Black Sea deal, but that would collapse if the UK "
                   "and France move naval forces' and a reader's 'Türkiye already shut down the "
                   "entrance to the Black Sea' as support (P(Yes) 0.52-0.61, no better than for "
                   "its denial); strict, so a fix shows up as a failure to remove this mark")
def test_a_side_the_documents_do_not_hold_is_left_empty_with_a_warning(local_model, searcher):
    """Nothing in the corpus argues that Western naval forces in the Black Sea are feasible:
    the pro side must not be filled with off-topic or opposing passages."""
    labels = _labelled(searcher, "Sending Western naval forces")
    argument_map = build_map(labels.proposition, searcher, local_model)
    wrong = [labels.gold_of(c.doc_id, c.start, c.end) for claim in argument_map.pro
             for c in claim.citations]
    assert set(wrong) <= {"either"}, argument_map.to_dict()
    if not argument_map.pro:
        assert any("pro side is empty" in w for w in argument_map.warnings)
    assert argument_map.con, argument_map.to_dict()
    _check_provenance(argument_map, searcher)


def _labelled(searcher, prefix: str):
    return next(p for p in load_maps_set(searcher.documents) if p.proposition.startswith(prefix))


def _check_provenance(argument_map, searcher) -> None:
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

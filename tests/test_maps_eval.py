"""Map precision/recall against data/eval/maps.json, and the cross-validation of stance
constants (no model: signals are given)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arguments.stance import MARGIN, ON_TOPIC, Signals
from evaluation.maps import MAPS_SET, load_maps_set, score_sides
from evaluation.tuning import (
    SHIPPED,
    Constants,
    Judgment,
    accuracy,
    best,
    cross_validated_accuracy,
    label,
    leave_one_group_out,
    map_counts,
)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "eval"
FRESH_MAPS = REPO / "data" / "eval" / "maps_fresh.json"
HELDOUT_MAPS = REPO / "data" / "eval" / "maps_heldout.json"


@pytest.fixture(scope="module")
def labelled(corpus_documents):
    return load_maps_set(corpus_documents)


def test_the_project_copies_of_the_dev_data_match_the_shared_ones():
    for name in ("dev.json", "maps.json"):
        if not (SHARED / name).is_file():
            pytest.skip("../shared/eval is not beside this checkout")
        assert (REPO / "data" / "eval" / name).read_bytes() == (SHARED / name).read_bytes()


def test_every_labelled_passage_is_found_verbatim_in_the_corpus(labelled):
    assert len(labelled) == 5
    data = json.loads(MAPS_SET.read_text("utf-8"))["maps"]
    for entry, proposition in zip(data, labelled, strict=True):
        assert proposition.proposition == entry["proposition"]
        for side in ("pro", "con", "either"):
            assert len(proposition.spans[side]) == len(entry[side])
    assert sum(p.expected for p in labelled) == 38


def test_the_fresh_and_held_out_propositions_are_new_and_found_verbatim(corpus_documents,
                                                                        labelled):
    fresh = load_maps_set(corpus_documents, FRESH_MAPS)
    held_out = load_maps_set(corpus_documents, HELDOUT_MAPS)
    assert [p.proposition for p in fresh] == [
        "The United States should keep its troops in Europe.",
        "Ukrainians are ready to give up territory for peace.",
        "Russia is winning the war in Ukraine."]
    assert [p.proposition for p in held_out] == [
        "Ukraine's air defenses are effective.",
        "Russia is genuinely interested in a negotiated peace.",
        "Europe can defend western Ukraine on its own."]
    names = [{p.proposition for p in group} for group in (labelled, fresh, held_out)]
    assert len(set().union(*names)) == 11
    assert sum(p.expected for p in fresh) == sum(p.expected for p in held_out) == 16
    assert not fresh[0].spans["con"]  # nothing in the corpus argues against it
    assert not held_out[1].spans["pro"] and not held_out[2].spans["pro"]


def test_precision_skips_borderline_counts_off_topic_wrong_and_recall_counts_labels(
        labelled, corpus_documents):
    sanctions = labelled[0]
    pro, con, either = (sanctions.spans[side][0] for side in ("pro", "con", "either"))
    text = corpus_documents[pro.doc_id].text
    assert "only sustained and coordinated pressure" in text[pro.start:pro.end]
    off = _unlabelled_span(sanctions, corpus_documents)
    placed = [("pro", pro.doc_id, pro.start, pro.end),  # right
              ("pro", con.doc_id, con.start, con.end),  # wrong side
              ("con", either.doc_id, either.start, either.end),  # borderline: not scored
              ("con", *off)]  # off-topic: wrong
    score, rows = score_sides(placed, sanctions)
    assert [r["label"] for r in rows] == ["pro", "con", "either", "off-topic"]
    assert (score.correct, score.scored, score.found, score.expected) == (1, 3, 1, 8)
    assert score.precision == pytest.approx(1 / 3) and score.recall == pytest.approx(1 / 8)
    # A passage that contains the labelled sentence overlaps it: it counts.
    wider = ("pro", pro.doc_id, max(0, pro.start - 40), pro.end + 10)
    assert score_sides([wider], sanctions)[0].correct == 1


def _unlabelled_span(proposition, documents) -> tuple[str, int, int]:
    for doc_id, document in documents.items():
        for start in range(0, len(document.text) - 50, 50):
            if proposition.gold_of(doc_id, start, start + 40) == "off":
                return doc_id, start, start + 40
    raise AssertionError("every span is labelled")


def _judgment(gold: str, topic: float, support: float, denial: float, truth: float,
              group: str = "g") -> Judgment:
    return Judgment("X is good.", "some text", topic, Signals(support, denial, truth), gold,
                    group)


def test_the_stance_constants_decide_relevance_before_direction():
    pro = _judgment("pro", 0.6, 0.8, 0.2, 0.8)
    assert label(pro, SHIPPED) == "pro"
    assert label(_judgment("pro", ON_TOPIC - 0.01, 0.8, 0.2, 0.8), SHIPPED) == "neutral"
    assert label(_judgment("con", 0.6, 0.2, 0.8, 0.2), SHIPPED) == "con"
    even = _judgment("neutral", 0.6, 0.5, 0.5, 0.5)
    assert label(even, SHIPPED) == "neutral"
    assert label(even, Constants(margin=0.0)) == "pro"  # no margin: a tie leans pro
    assert SHIPPED.margin == MARGIN


def test_cross_validation_scores_on_data_the_constants_were_not_chosen_on():
    # Half the pairs say a topic cosine of 0.35 is on-topic, half say it is off-topic: the
    # constants chosen on one half are wrong for the other, and the held-out score shows it.
    on = [_judgment("pro", 0.35, 0.9, 0.1, 0.9, f"a{i}") for i in range(6)]
    off = [_judgment("neutral", 0.35, 0.9, 0.1, 0.9, f"b{i}") for i in range(6)]
    clear = [_judgment("con", 0.8, 0.1, 0.9, 0.1, f"c{i}") for i in range(8)]
    judgments = on + off + clear
    assert accuracy(judgments, best(judgments, accuracy)) == pytest.approx(14 / 20)
    assert cross_validated_accuracy(judgments) < 14 / 20
    # Maps: a proposition whose every candidate is on-topic, beside others that are not.
    groups = [_judgment("off", 0.35, 0.9, 0.1, 0.9, "p1"), _judgment("pro", 0.5, 0.9, 0.1, 0.9,
                                                                     "p1"),
              _judgment("off", 0.35, 0.9, 0.1, 0.9, "p2"), _judgment("pro", 0.5, 0.9, 0.1, 0.9,
                                                                     "p2"),
              _judgment("pro", 0.35, 0.9, 0.1, 0.9, "p3")]
    result = leave_one_group_out(groups, {"p1": 1, "p2": 1, "p3": 2})
    assert result["expected"] == 4 and set(result["constants_chosen"]) == {"p1", "p2", "p3"}
    # p3 is scored with constants chosen on p1 and p2 (which exclude 0.35): its pro is missed;
    # p1 and p2 are scored with constants chosen with p3 (which keep 0.35): their off-topic
    # candidate lands on a side.
    assert result["found"] == 2 and result["precision"] == 0.5
    assert map_counts(groups, Constants(on_topic=0.0)) == (3, 5, 3, 3)


def test_eval_maps_reads_the_set_it_is_given_and_says_when_it_is_missing(tmp_path, capsys):
    from interface.cli import build_parser, main

    args = build_parser().parse_args(["eval", "maps", "--set", str(FRESH_MAPS)])
    assert args.set == FRESH_MAPS
    missing = tmp_path / "no-such-maps.json"
    assert main(["eval", "maps", "--set", str(missing), "--corpus-dir", str(REPO / "corpus"),
                 "--data-dir", str(tmp_path / "data")]) == 2
    assert f"{missing}: no such map evaluation set" in capsys.readouterr().err


def test_eval_maps_cross_validates_only_the_set_the_constants_were_chosen_on(tmp_path,
                                                                               monkeypatch):
    import evaluation.maps
    from interface.cli import main

    asked = []

    def fake_evaluate_maps(searcher, model, propositions, cross_validate=True, **options):
        asked.append((len(propositions), cross_validate))
        empty = {"precision": None, "recall": None, "correct": 0, "scored": 0, "found": 0,
                 "expected": 0}
        return {"maps": [], "overall": empty, "positions": empty,
                "median_seconds_per_map": 0.0}

    monkeypatch.setattr(evaluation.maps, "evaluate_maps", fake_evaluate_maps)
    options = ["--corpus-dir", str(REPO / "corpus"), "--data-dir", str(tmp_path / "data")]
    assert main(["eval", "maps", "--set", str(FRESH_MAPS), *options]) == 0
    assert main(["eval", "maps", *options]) == 0
    assert asked == [(3, False), (5, True)]

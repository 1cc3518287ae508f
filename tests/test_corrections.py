"""A user's corrections of a pro/con map, on real passages of the shipped corpus: saved per
proposition, applied to a rebuilt map, kept across a restart, shown in every export."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from helpers import parse_argdown

from arguments.claims import ArgumentMap, Claim, Unused
from arguments.corrections import (
    OFF_TOPIC_REASON,
    Correction,
    CorrectionStore,
    apply_corrections,
    corrected_map,
    correction_for,
)
from arguments.exports import export, to_aif, to_argdown, to_markdown, to_mermaid
from arguments.maps import side_warnings
from documents import Citation, split_passages

POLICY = "000_0e74df59ad1dea2a"
COLUMN = "003_bf4e1c7beccc96a2"
PROPOSITION = "Sanctions can pressure Russia into ending the war."


def cite(documents, doc_id: str, words: str) -> Citation:
    """The citation of the whole passage holding `words` (as a map cites it)."""
    passage = next(p for p in split_passages(documents[doc_id]) if words in p.text)
    return Citation.of(passage)


@pytest.fixture(scope="module")
def passages(corpus_documents) -> dict[str, Citation]:
    docs = corpus_documents
    return {"oil": cite(docs, POLICY, "imposed new sanctions on Russia"),
            "exert": cite(docs, POLICY, "fails to exert meaningful pressure"),
            "backfire": cite(docs, COLUMN, "Sanctions won’t change the military situation"),
            "nuke": cite(docs, COLUMN, "Just nuke Moscow already"),
            "kursk": cite(docs, COLUMN, "Reliving Russian pressure")}


@pytest.fixture()
def built(passages) -> ArgumentMap:
    """A map as a model might build it: the backfire passage wrongly on the pro side."""
    p = passages
    backfire = Claim("Sanctions won't change the military situation.", "article", "con", 0.8,
                     (p["backfire"],))
    pro = Claim("Sanctions and pressure push Moscow.", "article", "pro", 0.7,
                (p["oil"], p["exert"]), objections=(backfire,))
    wrong = Claim("Sanctions might backfire.", "article", "pro", 0.6, (p["kursk"],))
    return ArgumentMap(PROPOSITION, (pro, wrong), (backfire,),
                       (*side_warnings((pro, wrong), (backfire,)),
                        "1 of 5 retrieved passages took no side (see unused)"),
                       unused=(Unused(p["nuke"], "no side"),))


def _spans(claims) -> list[list[tuple]]:
    return [[(c.doc_id, c.start, c.end) for c in claim.citations] for claim in claims]


def test_moving_a_claim_puts_its_passage_on_the_other_side_marked_corrected(
        built, passages, corpus_documents):
    wrong = passages["kursk"]
    corrected = apply_corrections(built, [Correction(wrong, "con")], corpus_documents)
    assert [c.text for c in corrected.pro] == ["Sanctions and pressure push Moscow."]
    moved = corrected.con[-1]
    assert moved.corrected and moved.stance == "con" and moved.citations == (wrong,)
    assert moved.text == " ".join(wrong.quote.split())  # the passage's own sentence
    assert not any(c.corrected for c in (*corrected.pro, corrected.con[0]))
    data = corrected.to_dict()
    assert data["con"][-1]["corrected"] is True and data["pro"][0]["corrected"] is False
    assert data["corrections"] == [{**wrong.to_dict(), "side": "con"}]
    # "the con side is thin: 1 source(s) against 3" no longer holds, so it goes; the rest stay
    assert built.warnings[0].startswith("the con side is thin")
    assert corrected.warnings == ("1 of 5 retrieved passages took no side (see unused)",)


def test_moving_one_passage_of_a_claim_leaves_the_others_and_its_objection_copies(
        built, passages, corpus_documents):
    corrected = apply_corrections(built, [Correction(passages["exert"], "con"),
                                          Correction(passages["backfire"], "pro")],
                                  corpus_documents)
    assert _spans(corrected.pro)[:2] == [[_span(passages["oil"])], [_span(passages["kursk"])]]
    assert corrected.pro[0].objections == ()  # the objection's only passage moved away
    assert [c.citations for c in corrected.con] == [(passages["exert"],)]
    assert corrected.pro[-1].citations == (passages["backfire"],) and corrected.pro[-1].corrected


def _span(citation: Citation) -> tuple:
    return (citation.doc_id, citation.start, citation.end)


def test_off_topic_takes_the_passage_off_both_sides_with_the_reason(built, passages,
                                                                     corpus_documents):
    corrected = apply_corrections(built, [Correction(passages["kursk"], "off-topic")],
                                  corpus_documents)
    assert passages["kursk"] not in list(corrected.citations())
    assert corrected.unused[-1] == Unused(passages["kursk"], OFF_TOPIC_REASON)
    assert corrected.to_dict()["unused"][-1]["reason"] == "marked off-topic by a user"


def test_a_passage_the_rebuilt_map_did_not_retrieve_is_still_placed(built, passages,
                                                                     corpus_documents):
    """The user put "Just nuke Moscow" on the pro side; a rebuild left it unused (or never
    retrieved it): the passage is cut again from the stored text and placed."""
    nuke = passages["nuke"]
    without = replace(built, unused=())
    for argument_map in (built, without):
        corrected = apply_corrections(argument_map, [Correction(nuke, "pro")], corpus_documents)
        assert corrected.pro[-1].citations == (nuke,) and corrected.pro[-1].kind == "comment"
        assert nuke not in [u.citation for u in corrected.unused]


def test_the_store_keeps_corrections_across_a_restart_and_undo_removes_them(
        tmp_path, built, passages, corpus_documents):
    folder = tmp_path / "data" / "corrections"
    store = CorrectionStore(folder)
    store.save(PROPOSITION, [correction_for(corpus_documents, *_span(passages["kursk"]), "con")])
    store.save(PROPOSITION, [correction_for(corpus_documents, *_span(passages["oil"]),
                                            "off-topic")])
    # a later correction of the same passage replaces the earlier one
    store.save(PROPOSITION, [correction_for(corpus_documents, *_span(passages["kursk"]),
                                            "off-topic")])
    (path,) = folder.glob("*.json")
    saved = json.loads(path.read_text("utf-8"))
    assert saved["proposition"] == PROPOSITION
    assert [(c["start"], c["side"]) for c in saved["corrections"]] == [
        (passages["oil"].start, "off-topic"), (passages["kursk"].start, "off-topic")]
    assert not list(folder.glob(".*"))  # no temp file left behind

    restarted = CorrectionStore(folder)  # a new process on the same data folder
    variant = "  sanctions CAN pressure russia\ninto ending the war. "
    assert restarted.path(variant) == path
    assert [c.side for c in restarted.load(variant)] == ["off-topic", "off-topic"]
    corrected = corrected_map(built, folder, corpus_documents)
    assert {u.citation for u in corrected.unused} >= {passages["oil"], passages["kursk"]}
    assert restarted.load("Another proposition.") == ()

    restarted.remove(PROPOSITION, [_span(passages["oil"]), _span(passages["kursk"])])
    assert not path.exists() and restarted.load(PROPOSITION) == ()
    assert corrected_map(built, folder, corpus_documents) == built  # undone: as built


@pytest.mark.reliability("faults", "a document edited after a passage of it was corrected",
                         "the correction is skipped with a warning naming its span; the map "
                         "is shown as built")
def test_a_correction_whose_quote_moved_is_skipped_with_a_warning(built, passages,
                                                                  corpus_documents):
    document = corpus_documents[COLUMN]
    edited = {**corpus_documents, COLUMN: replace(document, text="Edited. " + document.text)}
    correction = Correction(passages["kursk"], "con")
    corrected = apply_corrections(built, [correction], edited)
    assert corrected.pro == built.pro and corrected.con == built.con
    assert corrected.corrections == ()
    assert corrected.warnings[-1] == (
        f"a correction of {COLUMN}[{passages['kursk'].start}:{passages['kursk'].end}] (con) "
        "was skipped: its quote is no longer at those offsets in the stored document")


def test_bad_corrections_are_one_line_errors_that_save_nothing(tmp_path, passages,
                                                               corpus_documents):
    kursk = passages["kursk"]
    cases = [((COLUMN, kursk.start, kursk.end, "sideways"), "unknown side 'sideways'"),
             (("999_missing", kursk.start, kursk.end, "con"), "is not in the corpus"),
             ((COLUMN, kursk.start + 1, kursk.end, "con"), "is not an article or comment passage"),
             ((COLUMN, 0, 5, "con"), "is not an article or comment passage")]
    for arguments, message in cases:
        with pytest.raises(ValueError, match=message) as error:
            correction_for(corpus_documents, *arguments)
        assert "\n" not in str(error.value)
    assert not (tmp_path / "corrections").exists()


@pytest.mark.reliability("faults", "a proposition's corrections file replaced with garbage",
                         "the map is shown as built with a warning; a new correction is "
                         "refused; the file is left as it was")
def test_an_unreadable_corrections_file_is_never_overwritten(tmp_path, built, passages,
                                                             corpus_documents):
    store = CorrectionStore(tmp_path)
    store.path(PROPOSITION).write_text("{not json", "utf-8")
    with pytest.raises(ValueError, match="cannot be read"):
        store.save(PROPOSITION, [Correction(passages["kursk"], "con")])
    assert store.path(PROPOSITION).read_text("utf-8") == "{not json"
    shown = corrected_map(built, tmp_path, corpus_documents)
    assert shown.pro == built.pro and "corrections not applied" in shown.warnings[-1]


def test_every_export_marks_the_corrected_claims_and_lists_the_corrections(
        built, passages, corpus_documents):
    corrected = apply_corrections(built, [Correction(passages["kursk"], "con"),
                                          Correction(passages["nuke"], "off-topic")],
                                  corpus_documents)
    moved = corrected.con[-1]

    parsed = parse_argdown(to_argdown(corrected, corpus_documents))
    assert parsed["parserErrors"] == [] and parsed["lexerErrors"] == []
    tagged = [t for t, tags in parsed["statementTags"].items() if tags and "corrected" in tags]
    assert tagged == ["Con 2"]
    assert parsed["statementData"]["Con 2"]["corrected"] is True
    argdown = to_argdown(corrected, corpus_documents)
    assert f"corrected by a user: {COLUMN}[{passages['nuke'].start}:" in argdown

    aif = to_aif(corrected, corpus_documents)
    marked = [n for n in aif["AIF"]["nodes"] if n.get("corrected")]
    assert [n["text"] for n in marked] == [moved.text]
    assert marked[0]["note"] == "corrected by a user" and len(aif["corrections"]) == 2

    markdown = to_markdown(corrected, corpus_documents)
    assert markdown.count("(corrected by a user)") == 1
    assert "## Corrected by a user" in markdown and "marked off-topic" in markdown

    data = json.loads(export(corrected, "json", corpus_documents))
    assert [c["corrected"] for c in data["con"]] == [False, True]
    assert [c["side"] for c in data["corrections"]] == ["con", "off-topic"]
    assert "corrected)" in to_mermaid(corrected)


def test_no_correction_leaves_the_map_as_built(built, corpus_documents):
    assert apply_corrections(built, [], corpus_documents) is built
    assert "#corrected" not in to_argdown(built) and "corrected" not in to_markdown(built)


def _found_positions(passages, corpus_documents):
    """Positions as the model might find them: the backfire passage wrongly pro, a reader's
    "nuke Moscow" comment on the pro side."""
    from arguments.positions import Position, Positions, holder_name

    p, docs = passages, corpus_documents

    def claim(key, side, score):
        citation = p[key]
        return Claim(" ".join(citation.quote.split()), citation.kind, side, score, (citation,))

    policy = Position(holder_name(docs[POLICY], "author"), "author", POLICY, "pro", 1.0,
                      (claim("oil", "pro", 0.8), claim("exert", "pro", 0.7)))
    column = Position(holder_name(docs[COLUMN], "author"), "author", COLUMN, "pro", 1.0,
                      (claim("backfire", "pro", 0.6),))
    readers = Position(holder_name(docs[COLUMN], "readers"), "readers", COLUMN, "pro", 1.0,
                       (claim("nuke", "pro", 0.7),),
                       "1 of 13 comments argue pro (the 3 most relevant comments were judged)",
                       judged_comments=3)
    return Positions(PROPOSITION, (policy, column, readers))


def test_positions_on_the_proposition_follow_the_map_corrections(tmp_path, passages,
                                                                 corpus_documents):
    from arguments.corrections import corrected_positions

    docs = corpus_documents
    found = _found_positions(passages, docs)
    assert corrected_positions(found, tmp_path, docs) == found  # nothing saved yet
    store = CorrectionStore(tmp_path)
    store.save(PROPOSITION, [correction_for(docs, *_span_of(passages["backfire"]), "con"),
                             correction_for(docs, *_span_of(passages["nuke"]), "off-topic"),
                             correction_for(docs, *_span_of(passages["kursk"]), "con")])
    positions = corrected_positions(replace(found, topic=f"  {PROPOSITION.upper()} "),
                                    tmp_path, docs)
    policy, column, readers = positions.positions
    assert policy == found.positions[0]  # untouched
    assert passages["kursk"].kind == "article"  # so it goes to the column's author
    assert column.stance == "con" and column.score == 1.0
    assert [(c.stance, c.corrected, c.citations) for c in column.claims] == [
        ("con", True, (passages["backfire"],)), ("con", True, (passages["kursk"],))]
    assert readers.claims == () and readers.stance == "neutral"
    assert readers.prevalence == ("none of 13 comments takes a side (the 3 most relevant "
                                  "comments were judged)")
    assert positions.to_dict()["positions"][1]["claims"][0]["corrected"] is True


def test_an_unreadable_corrections_file_leaves_positions_as_found(tmp_path, passages,
                                                                 corpus_documents):
    from arguments.corrections import corrected_positions

    found = _found_positions(passages, corpus_documents)
    CorrectionStore(tmp_path).path(PROPOSITION).write_text("{not json", "utf-8")
    positions = corrected_positions(found, tmp_path, corpus_documents)
    assert positions.positions == found.positions
    assert positions.warnings[-1].startswith("corrections not applied: the corrections file")


def _span_of(citation: Citation) -> tuple[str, int, int]:
    return citation.doc_id, citation.start, citation.end


def test_a_reader_comment_moved_to_the_other_side_is_counted_there(tmp_path, passages,
                                                                  corpus_documents):
    from arguments.corrections import corrected_positions
    from interface.web.positions import positions_html

    docs = corpus_documents
    CorrectionStore(tmp_path).save(
        PROPOSITION, [correction_for(docs, *_span_of(passages["nuke"]), "con")])
    positions = corrected_positions(_found_positions(passages, docs), tmp_path, docs)
    readers = positions.positions[2]
    assert (readers.stance, [c.stance for c in readers.claims]) == ("con", ["con"])
    assert readers.prevalence.startswith("1 of 13 comments argue con (the 3 most relevant")
    html = positions_html(positions, docs)
    assert html.count("cp-claim-corrected") == 1 and ">corrected</span>" in html


def test_an_empty_side_beside_a_full_one_is_not_blamed_on_the_documents(passages):
    backfire = Claim("Sanctions won't change the military situation.", "article", "con", 0.8,
                     (passages["backfire"], passages["kursk"]))
    one_sided = side_warnings((), (backfire,))
    assert one_sided[0].startswith("no pro claims found: the pro side is empty and all 2 "
                                   "placed source(s) are con")
    assert "in the documents" not in one_sided[0]
    assert side_warnings((), ()) == [
        "no pro claims found in the documents: the pro side is empty",
        "no con claims found in the documents: the con side is empty"]

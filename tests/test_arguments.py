"""Argument layer on the real corpus, real Chroma and real MiniLM, with a scripted judge.

The judge stands in for the LLM's label logits only: it is a ModelHandle whose scorer
answers by rule and whose chat model is langchain's GenericFakeChatModel. The tests check
the messages it receives and what the code does with its answers.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from arguments import build_map, comment_key_points, competing_positions
from arguments.claims import ArgumentMap
from arguments.evidence import gather_candidates, negate, queries_for
from arguments.maps import group_passages, map_candidates
from arguments.negation import denies_subject, subject_head
from arguments.stance import MARGIN, ON_TOPIC, stance, support_messages
from generation import ModelHandle, ModelSpec

REPO = Path(__file__).resolve().parent.parent
SANCTIONS = "Sanctions can pressure Russia into ending the war."
PRESSURE = "only sustained and coordinated pressure on Moscow"
WONT = "Sanctions won’t change the military situation"


class ScriptedJudge:
    """Label probabilities by rule; records every prompt it is asked to score.

    A stance question ("Passage: ... Statement: ...") gets Yes when the passage's words put
    it on the statement's side: con words back a denial, pro words the claim itself.
    """

    def __init__(self, pro=("pressure", "sanctions on russia"), con=("won’t", "won't", "no ")):
        self.pro, self.con = pro, con
        self.prompts: list[str] = []

    def __call__(self, messages, labels):
        text = messages[-1][1]  # the argument layer sends ("human", text) pairs
        self.prompts.append(text)
        if not text.startswith("Passage: "):
            return {labels[0]: 0.9, labels[1]: 0.1}  # other Yes/No questions: yes
        if labels[0] == "True":  # is the statement true according to the passage
            yes = self._yes(*_stance_parts(text))
            return {"True": yes, "False": 1 - yes, "Unclear": 0.0}
        return {"Yes": (yes := self._yes(*_stance_parts(text))), "No": 1 - yes}

    def _yes(self, passage: str, statement: str) -> float:
        denial = bool(re.search(r"\bnot\b|cannot", statement))
        if any(w in passage for w in self.con):
            return 0.8 if denial else 0.2
        if any(w in passage for w in self.pro):
            return 0.3 if denial else 0.7
        return 0.5


def _stance_parts(prompt: str) -> tuple[str, str]:
    passage, rest = prompt.removeprefix("Passage: ").split("\n\nStatement: ", 1)
    return passage.lower(), rest.split("\n\n", 1)[0]


def scripted_model(judge: ScriptedJudge, replies=("Sustained pressure on Moscow could "
                                                  "compel the Kremlin.",)) -> ModelHandle:
    chat = GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies * 20]))
    return ModelHandle(name="scripted", chat=chat, scorer=judge, spec=ModelSpec("local"))


def test_negation_and_queries_look_for_the_other_side():
    assert negate(SANCTIONS) == "Sanctions cannot pressure Russia into ending the war."
    assert negate("Sanctions won’t work.") == "Sanctions will work."
    assert negate("NATO should act.") == "NATO should not act."
    assert negate("Putin wants peace.") == "It is not true that Putin wants peace."
    modes = [mode for _, mode in queries_for(SANCTIONS)]
    assert modes == ["hybrid", "dense", "bm25"]


def test_the_subject_of_a_proposition_and_a_passage_that_denies_it():
    assert subject_head(SANCTIONS) == "Sanctions"
    assert subject_head("The war in Ukraine will end soon.") == "war"
    assert subject_head("Russia’s economy can sustain the war.") == "economy"
    assert subject_head("Putin wants peace.") is None
    assert denies_subject(SANCTIONS, WONT + ", and might backfire.")
    assert denies_subject(SANCTIONS, "The sanction did not work at all.")
    assert not denies_subject(SANCTIONS, "New sanctions hit Rosneft and Lukoil.")
    assert not denies_subject(SANCTIONS, "Russia did not retreat.")
    assert not denies_subject("Putin wants peace.", "Putin does not want peace.")


def test_a_paraphrase_may_not_borrow_the_topic_words_its_passages_never_use():
    from arguments.paraphrase import borrowed_words, claim_text
    from documents import Citation

    comment = ("Russia will complete the goals it has set for itself in Ukraine and the war "
               "will end on their terms.")
    other = "Russia keeps selling oil, so the sanctions bite slowly."
    citations = (Citation("c", "comment", 0, len(comment), comment),
                 Citation("c", "comment", 200, 200 + len(other), other))
    bent = "Russia will end the war on its terms if sanctions pressure it."
    assert borrowed_words(bent, SANCTIONS, comment) == {"sanctions", "pressure"}
    assert borrowed_words(bent, SANCTIONS, comment + " " + other) == {"pressure"}
    faithful = "Russia will reach its goals in Ukraine and end the war on its own terms."
    assert borrowed_words(faithful, SANCTIONS, comment) == set()
    for reply, kept in ((bent, comment), (faithful, faithful)):
        text, paraphrased, tried = claim_text(SANCTIONS, citations,
                                              scripted_model(ScriptedJudge(), (reply,)))
        assert (text, paraphrased, tried) == (kept, kept == faithful, True)


def test_candidates_cover_both_kinds_without_repeats(searcher):
    passages = gather_candidates(SANCTIONS, searcher, limit=12)
    assert 0 < len(passages) <= 12
    assert len({p.id for p in passages}) == len(passages)
    kinds = [p.kind for p in passages]
    assert set(kinds) == {"article", "comment"} and kinds.count("comment") <= 4
    assert any(WONT in p.text for p in passages)


def test_stance_weighs_the_claim_against_its_denial():
    judge = ScriptedJudge()
    model = scripted_model(judge)
    assert stance("X is good.", "It won’t help.", model)[:2] == ("con", pytest.approx(0.8))
    assert stance("X is good.", "Pressure works.", model)[:2] == ("pro", pytest.approx(0.7))
    assert stance("X is good.", "The sky is blue.", model) == ("neutral", pytest.approx(1.0),
                                                               "no side")
    assert stance("X is good.", "The sky is blue.", model, labels=("pro", "con")).label == "pro"
    # The model cannot tell, but the passage denies the claim's subject in so many words.
    at_margin = pytest.approx(1 / (1 + math.exp(-MARGIN)))
    assert stance("X is good.", "X is not what it was.", model)[:2] == ("con", at_margin)
    assert stance("X is not good.", "X is not what it was.", model)[:2] == ("pro", at_margin)
    assert len(judge.prompts) == 18  # the claim, its denial and the truth question per judgment
    # Off-topic (a cosine below ON_TOPIC) is decided without asking the model.
    assert stance("X is good.", "Pressure works.", model, topic=ON_TOPIC - 0.01) == (
        "neutral", 1.0, "off-topic")
    assert len(judge.prompts) == 18
    statements = [p.split("Statement: ")[1].split("\n")[0] for p in judge.prompts[:2]]
    assert statements == ["X is good.", "X is not good."]
    assert all(p.startswith("Passage: It won’t help.") for p in judge.prompts[:2])
    with pytest.raises(ValueError, match="non-empty"):
        support_messages("  ", "text")
    with pytest.raises(ValueError, match="two or more"):
        stance("X is good.", "text", model, labels=("pro",))


def test_map_puts_each_side_right_and_every_citation_is_verbatim(searcher):
    judge = ScriptedJudge()
    argument_map = build_map(SANCTIONS, searcher, scripted_model(judge), max_candidates=12)
    assert isinstance(argument_map, ArgumentMap)
    con_quotes = [c.quote for claim in argument_map.con for c in claim.citations]
    pro_quotes = [c.quote for claim in argument_map.pro for c in claim.citations]
    assert any(WONT in q for q in con_quotes)
    assert any("pressure" in q.lower() for q in pro_quotes)
    for claim in argument_map.claims():
        assert {c.kind for c in claim.citations} == {claim.kind}  # kinds never mixed
        assert all(c.is_verbatim(searcher.documents) for c in claim.citations)
    assert len(judge.prompts) >= 24  # the claim and its denial per candidate at least
    statements = {p.split("Statement: ")[1].split("\n")[0] for p in judge.prompts[:24]}
    assert statements == {SANCTIONS, negate(SANCTIONS)}
    data = argument_map.to_dict()
    assert set(data) >= {"proposition", "pro", "con", "warnings"}


def test_grouping_merges_same_point_only_within_a_kind(searcher):
    from arguments.evidence import Judged

    passages = [p for p in searcher.passages if p.kind in ("article", "comment")]
    nuke = [p for p in passages if "nuke" in p.text.lower()]
    war = [p for p in passages if p.text.startswith("After three and a half years")]
    judged = [Judged(p, "pro", 0.8) for p in (*nuke, *war)]
    groups = group_passages(judged, searcher.embed, threshold=0.5)
    assert any(len(g) == 2 and all("nuke" in j.passage.text.lower() for j in g) for g in groups)
    assert all(len({j.passage.kind for j in g}) == 1 for g in groups)


def test_objections_and_warnings_for_an_empty_side(searcher):
    judge = ScriptedJudge(pro=("",), con=())  # everything leans "pro", nothing is "con"
    argument_map = build_map(SANCTIONS, searcher, scripted_model(judge), max_candidates=8,
                             paraphrase=False)
    assert argument_map.con == ()
    assert any("no con claims" in w for w in argument_map.warnings)
    assert all(not claim.paraphrased for claim in argument_map.pro)
    assert all(claim.text == " ".join(claim.citations[0].quote.split())
               for claim in argument_map.pro)


def test_objections_link_opposite_claims_that_address_the_same_point(searcher):
    from arguments.claims import Claim
    from arguments.maps import _attach_objections
    from documents import Citation

    def claim(start_text: str, stance: str) -> Claim:
        passage = next(p for p in searcher.passages if p.text.startswith(start_text))
        return Claim(passage.text, passage.kind, stance, 0.5, (Citation.of(passage),))

    goals = claim("Russia will complete the goals it has set for itself", "pro")
    ceasefire = claim("Apparently, Trump thinks that Russia is looking for a cease-fire", "con")
    belgorod = claim("Belgorod is Russian territory south of Kursk.", "con")
    pro, con = _attach_objections([goals], [belgorod, ceasefire], searcher)
    assert [o.text for o in pro[0].objections] == [ceasefire.text]
    assert con[0].objections == () and [o.text for o in con[1].objections] == [goals.text]


def test_positions_one_per_author_and_readers_with_prevalence(searcher):
    positions = competing_positions("sanctions on Russia", searcher,
                                    scripted_model(ScriptedJudge()), per_author=3,
                                    per_readers=4)
    holders = {(p.role, p.doc_id) for p in positions.positions}
    doc_ids = sorted(searcher.documents)
    assert {("author", d) for d in doc_ids} <= holders
    readers = [p for p in positions.positions if p.role == "readers"]
    assert [p.doc_id for p in readers] == [d for d in doc_ids if d.startswith("003")]
    assert " of 13 comments" in readers[0].prevalence
    assert any("Stephen Bryen" in p.holder for p in positions.positions)
    for citation in positions.citations():
        assert citation.is_verbatim(searcher.documents)
    for position in positions.positions:
        kinds = {c.kind for claim in position.claims for c in claim.citations}
        assert kinds <= ({"comment"} if position.role == "readers" else {"article"})


def test_positions_judge_the_map_passages_and_nothing_farther_from_the_topic(searcher):
    topic = "Sanctions can pressure Russia into ending the war."
    judge = ScriptedJudge()
    competing_positions(topic, searcher, scripted_model(judge), per_author=3, per_readers=3)
    asked = {_stance_parts(prompt)[0] for prompt in judge.prompts}
    judged = [p.text for p in searcher.passages if " ".join(p.text.split()).lower() in asked]
    in_map = [p.text for p in map_candidates(topic, searcher)]
    assert set(in_map) <= set(judged)
    vectors = searcher.embed([topic, *in_map, *judged])
    similarity = vectors[1:] @ vectors[0]
    assert min(similarity[len(in_map):]) >= min(similarity[: len(in_map)]) - 1e-6
    assert len(judged) < len(in_map) + 3 * (3 + 3)  # some holders' own passages were too far


def test_comment_key_points_are_verbatim_comment_sentences(corpus_documents, embedder):
    column = next(d for d in corpus_documents.values() if d.doc_id.startswith("003"))
    points = comment_key_points(column, embedder.encode)
    assert points
    for point in points:
        assert point.total_comments == 13
        assert 1 <= len(point.comments) <= 13
        assert point.prevalence == f"{len(point.comments)} of 13 comments"
        assert point.citation in point.matches
        for citation in (point.citation, *point.matches):
            assert citation.kind == "comment" and citation.is_verbatim(corpus_documents)
    assert [len(p.comments) for p in points] == sorted((len(p.comments) for p in points),
                                                       reverse=True)
    quoted = "Russia could achieve its territorial and local political goals"
    assert all(not c.quote.startswith(quoted) for p in points for c in p.matches)


@pytest.mark.parametrize("proposition", [
    "European countries should raise defense spending.",
    "The war in Ukraine will end soon through negotiations.",
    "Putin will not stop until he takes all four oblasts.",
])
def test_every_citation_of_maps_and_positions_is_verbatim(searcher, proposition):
    model = scripted_model(ScriptedJudge(pro=("defense", "negotiat", "putin"), con=("not ",)))
    argument_map = build_map(proposition, searcher, model, max_candidates=10)
    positions = competing_positions(proposition, searcher, model, per_author=2, per_readers=3)
    unused = [u.citation for u in argument_map.unused]
    citations = [*argument_map.citations(), *unused, *positions.citations()]
    assert citations
    for citation in citations:
        document = searcher.documents[citation.doc_id]
        assert document.text[citation.start : citation.end] == citation.quote


def test_cli_keypoints_json(capsys):
    import json

    from interface.cli import main

    assert main(["keypoints", "003", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["doc_id"].startswith("003") and result["key_points"]
    assert all(k["prevalence"].endswith("of 13 comments") for k in result["key_points"])
    assert main(["keypoints", "000"]) == 0
    assert "no comments" in capsys.readouterr().out


def test_a_map_reports_its_steps_as_they_start_and_returns_their_seconds(searcher):
    reports: list[tuple[str, str]] = []
    argument_map = build_map(SANCTIONS, searcher, scripted_model(ScriptedJudge()),
                             max_candidates=4, progress=lambda *report: reports.append(report))
    steps = list(dict.fromkeys(step for step, _ in reports))
    assert steps == ["candidates", "stance", "claims", "objections", "checks"]
    assert [d for s, d in reports if s == "stance"] == [f"passage {i} of 4" for i in (1, 2, 3, 4)]
    assert list(argument_map.timings) == [*steps, "total"]
    assert argument_map.seconds == argument_map.timings["total"] >= argument_map.timings[
        "stance"] > 0
    assert set(argument_map.to_dict()["timings"]) == {*steps, "total"}


def test_positions_report_each_document_and_return_their_seconds(searcher):
    reports: list[tuple[str, str]] = []
    positions = competing_positions("sanctions on Russia", searcher,
                                    scripted_model(ScriptedJudge()), per_author=1,
                                    per_readers=1, progress=lambda *report: reports.append(report))
    count = len(searcher.documents)
    assert reports[0] == ("relevance", "")
    assert reports[1] == ("candidates", f"document 1 of {count}, author")
    assert reports[2][0] == "stance"
    assert reports[2][1].startswith(f"document 1 of {count}, author, passage 1 of ")
    assert {step for step, _ in reports} == {"relevance", "candidates", "stance", "key_points"}
    assert {step for step, _ in reports} | {"total"} == set(positions.timings)
    assert positions.seconds == positions.timings["total"]

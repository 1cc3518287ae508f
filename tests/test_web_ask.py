"""Ask tab: answers rendered with markers, unsupported sentences marked, the stream wired."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from answers.answer import Answer, AnswerSentence
from documents import Citation
from generation import ModelHandle, parse_spec
from interface.settings import load_settings, session_of
from interface.web.ask import STAGES, answer_html, ask_stream, evidence_html
from interface.web.context import Preferences

REPO = Path(__file__).resolve().parent.parent
POLICY = "000_0e74df59ad1dea2a"
COLUMN = "003_bf4e1c7beccc96a2"


def cite(documents, doc_id: str, words: str, kind: str = "article") -> Citation:
    document = documents[doc_id]
    start = document.text.index(words)
    return Citation.at(document, start, start + len(words), kind)


def test_supported_sentences_link_to_cards_and_unsupported_ones_are_marked(corpus_documents):
    pokrovsk = cite(corpus_documents, POLICY, "centered around the city of Pokrovsk")
    answer = Answer("Where is the fighting?", "Where is the fighting?", (
        AnswerSentence("The fighting is centred on Pokrovsk.", True, (pokrovsk,)),
        AnswerSentence("Kyiv has fallen.", False),
    ), refused=False)
    html = answer_html(answer, turn=3)
    assert '<a class="cp-cite" href="#ev-3-1">[1]</a>' in html
    assert '<span class="cp-unsupported-sentence">Kyiv has fallen.</span>' in html
    assert html.count("cp-cite") == 1
    evidence = evidence_html(answer, 3, answer.question, corpus_documents)
    assert 'id="ev-3-1"' in evidence
    assert '<mark class="cp-quote">centered around the city of Pokrovsk</mark>' in evidence


def test_a_refusal_says_so_plainly_and_cites_nothing(corpus_documents):
    answer = Answer("Who won the 2030 World Cup?", "Who won the 2030 World Cup?", (),
                    refused=True)
    html = answer_html(answer, 1)
    assert "Not found in these documents." in html and "cp-cite" not in html
    assert "answer was refused" in evidence_html(answer, 1, answer.question, corpus_documents)


def test_reader_comment_evidence_carries_the_comment_badge(corpus_documents):
    nuke = cite(corpus_documents, COLUMN, "Just nuke Moscow already", "comment")
    answer = Answer("What do readers say?", "What do readers say?", (
        AnswerSentence("A reader comment argues that Moscow should be nuked.", True, (nuke,)),),
        refused=False)
    evidence = evidence_html(answer, 1, answer.question, corpus_documents)
    assert "Reader comment" in evidence and "cp-kind-comment-card" in evidence


def first_label_wins(messages, labels) -> dict[str, float]:
    """A judge that says Yes, or picks passage 1 when asked for a number (0 means none)."""
    best = "1" if "1" in labels else labels[0]
    rest = 0.1 / (len(labels) - 1)
    return {label: 0.9 if label == best else rest for label in labels}


@pytest.fixture()
def fake_session(tmp_path, embedder):
    """The real corpus and index with a scripted chat model whose judgments always say Yes."""
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = load_settings({"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data"},
                             environ={})
    reply = "The heaviest fighting is centered on the city of Pokrovsk."
    chat = GenericFakeChatModel(messages=iter([reply]))
    handle = ModelHandle(name="scripted", chat=chat, spec=parse_spec("local"),
                         scorer=first_label_wins)
    bench = session_of(settings, embedder=embedder, models={"scripted": handle})
    yield bench
    bench.close()


def test_the_stream_shows_stages_then_the_draft_piece_by_piece_then_the_turn(fake_session):
    preferences = Preferences(llm="scripted", k=4)
    events = list(ask_stream(fake_session, preferences,
                             "Which city is the heaviest fighting centered on?", []))
    kinds = [kind for kind, _ in events]
    drafts = [value for kind, value in events if kind == "draft"]
    assert kinds[0] == "status" and "error" not in kinds, events
    assert len(drafts) > 3 and drafts[-1].startswith("The heaviest fighting")
    assert all(b.startswith(a) for a, b in zip(drafts, drafts[1:], strict=False))
    statuses = [value for kind, value in events if kind == "status"]
    assert statuses.index("Writing…") < statuses.index(
        "Checking each sentence against its sources…")
    # One line per step the pipeline reports, in its order; a first question is not rewritten.
    assert statuses == [STAGES[s] for s in ("search", "draft", "gate", "check", "audit")]
    turn = next(value for kind, value in events if kind == "turn")
    assert "Pokrovsk" in turn.plain and turn.data["citations"]
    assert 'href="#ev-1-1"' in turn.html and 'id="ev-1-1"' in turn.evidence


def test_an_empty_question_is_one_clear_line(fake_session):
    assert list(ask_stream(fake_session, Preferences(llm="scripted"), "  ", [])) == [
        ("error", "Type a question first.")]


def test_warm_up_opens_the_index_and_loads_the_model_before_any_question(fake_session):

    fake_session.llm = "scripted"
    lines: list[str] = []
    fake_session.warm_up(log=lines.append)
    assert fake_session._searcher is not None and fake_session.has_model("scripted")
    assert lines == ["Counterpoint is ready: the index and the model are loaded."]


def test_a_failed_warm_up_is_one_line_and_leaves_the_app_serving(fake_session):

    fake_session.llm = "nope"
    lines: list[str] = []
    fake_session.warm_up(log=lines.append)  # does not raise
    assert len(lines) == 1 and lines[0].startswith("Warm-up stopped: --llm 'nope'")
    assert fake_session._searcher is not None  # what did load stays loaded

"""Map tab corrections through the tab's plain functions: the real corpus, index and data folder,
a scripted judge; a click saves, the view redraws without a model call, a restart keeps it."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import REPO
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from generation import ModelHandle, parse_spec
from interface.settings import load_settings, session_of
from interface.web.context import Preferences
from interface.web.corrections import spans_of
from interface.web.map import build_view, correct_view

PROPOSITION = "Sanctions can pressure Russia into ending the war."
PREFERENCES = Preferences(llm="scripted", map_passages=3)


def agrees(messages, labels) -> dict[str, float]:
    """Every passage supports the proposition and not its denial: all land on the pro side."""
    text = " ".join(str(getattr(m, "content", m[-1])) for m in messages)
    first = labels[0] if labels != ["Yes", "No"] or PROPOSITION in text else labels[1]
    rest = 0.1 / (len(labels) - 1)
    return {label: 0.9 if label == first else rest for label in labels}


class Counting:
    """The scripted judge, counting its calls (a correction must make none)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, messages, labels):
        self.calls += 1
        return agrees(messages, labels)


@pytest.fixture()
def folders(tmp_path):
    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    return load_settings({"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data",
                          "llm": "scripted"}, environ={})


def open_session(settings, embedder, judge):
    chat = GenericFakeChatModel(messages=iter(["Sanctions pressure Russia."] * 40))
    handle = ModelHandle(name="scripted", chat=chat, spec=parse_spec("local"), scorer=judge)
    return session_of(settings, embedder=embedder, models={"scripted": handle})


def test_a_click_moves_a_claim_and_a_restart_keeps_it(folders, embedder):
    judge = Counting()
    session = open_session(folders, embedder, judge)
    try:
        view = build_view(session, PREFERENCES, PROPOSITION, audit=False)
        assert view.argument_map.pro and not view.argument_map.con
        claim = view.argument_map.pro[0]
        assert 'data-correct="con"' in view.outline and 'data-correct="off-topic"' in view.outline
        calls = judge.calls
        moved = correct_view(session, view.built, (), "con", json.dumps(spans_of(claim)))
        assert judge.calls == calls  # no model call, no rebuild
        con = moved.argument_map.con
        assert [c.citations for c in con] == [(c,) for c in claim.citations]
        assert all(c.corrected for c in con) and claim not in moved.argument_map.pro
        assert moved.outline.count("cp-claim-corrected") == len(con)
        assert 'data-correct="undo"' in moved.outline
        for fmt, mark in (("argdown", "#corrected"), ("aif", '"corrected": true'),
                          ("markdown", "(corrected by a user)"), ("json", '"corrected": true')):
            assert mark in moved.files[fmt].read_text("utf-8"), fmt
    finally:
        session.close()

    restarted = open_session(folders, embedder, Counting())  # a new process's Session
    try:
        rebuilt = build_view(restarted, PREFERENCES, PROPOSITION, audit=False)
        assert [c.citations for c in rebuilt.argument_map.con] == [(c,) for c in claim.citations]
        undone = correct_view(restarted, rebuilt.built, (), "undo",
                              json.dumps(spans_of(rebuilt.argument_map.con[0])))
        assert len(undone.argument_map.con) == len(con) - 1
    finally:
        restarted.close()


@pytest.mark.reliability("bad input", "Map tab correction clicks sent by hand: unknown side, "
                         "no passage, garbage, a span off a passage boundary",
                         "a one-line error; no corrections file is written")
def test_a_bad_click_is_a_one_line_error_that_saves_nothing(folders, embedder):
    session = open_session(folders, embedder, Counting())
    try:
        view = build_view(session, PREFERENCES, PROPOSITION, audit=False)
        claim = view.argument_map.pro[0]
        good = json.dumps(spans_of(claim))
        doc_id, start, end = spans_of(claim)[0]
        for side, spans, message in (
                ("sideways", good, "unknown side"),
                ("con", "not json", "names no passage"),
                ("con", "[]", "names no passage"),
                ("con", json.dumps([*spans_of(claim), [doc_id, start, end + 3]]),
                 "is not an article or comment passage")):
            with pytest.raises(ValueError, match=message) as error:
                correct_view(session, view.built, (), side, spans)
            assert "\n" not in str(error.value)
        with pytest.raises(ValueError, match="build a map first"):
            correct_view(session, None, (), "con", good)
        assert not list(session.corrections_dir.glob("*.json"))
    finally:
        session.close()


def test_the_outline_lists_off_topic_passages_with_an_undo(folders, embedder):
    session = open_session(folders, embedder, Counting())
    try:
        view = build_view(session, PREFERENCES, PROPOSITION, audit=False)
        claim = view.argument_map.pro[0]
        marked = correct_view(session, view.built, (), "off-topic", json.dumps(spans_of(claim)))
        assert "Marked off-topic by a user" in marked.outline
        assert marked.outline.count('data-correct="undo"') == len(claim.citations)
        assert claim.citations[0].quote[:30] in marked.outline
    finally:
        session.close()

"""`counterpoint correct`, `counterpoint corrections` and `counterpoint map --json` with them:
real processes on the shipped corpus and a temporary data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from helpers import REPO
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from documents import load_corpus, split_passages
from generation import ModelHandle, parse_spec
from interface.cli import main

COLUMN = "003_bf4e1c7beccc96a2"
PROPOSITION = "Sanctions can pressure Russia into ending the war."
ENTRY_POINT = "import sys; from interface.cli import main; sys.exit(main())"  # as installed


def counterpoint(data_dir, *argv: str) -> subprocess.CompletedProcess:
    """The real command in its own process (each call is a fresh start)."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", ENTRY_POINT, *argv,
                           "--corpus-dir", str(REPO / "corpus"), "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=environment, timeout=300)


@pytest.fixture(scope="module")
def backfire():
    """The passage "Sanctions won't change the military situation ..." of the column."""
    document = next(d for d in load_corpus(REPO / "corpus") if d.doc_id == COLUMN)
    return next(p for p in split_passages(document) if "Sanctions won’t change" in p.text)


def test_correct_saves_lists_and_undoes_across_processes(tmp_path, backfire):
    span = ("--doc", "003", "--start", str(backfire.start), "--end", str(backfire.end))
    saved = counterpoint(tmp_path, "correct", PROPOSITION, *span, "--side", "pro", "--json")
    assert saved.returncode == 0, saved.stderr
    expected = [{"doc_id": COLUMN, "kind": "article", "start": backfire.start,
                 "end": backfire.end, "quote": backfire.text, "side": "pro"}]
    assert json.loads(saved.stdout) == {"proposition": PROPOSITION, "corrections": expected}
    listed = counterpoint(tmp_path, "corrections", " sanctions can pressure RUSSIA into ending "
                          "the war.", "--json")
    assert json.loads(listed.stdout)["corrections"] == expected
    text = counterpoint(tmp_path, "corrections", PROPOSITION)
    assert f"pro       {COLUMN}[{backfire.start}:{backfire.end}]" in text.stdout
    undone = counterpoint(tmp_path, "correct", PROPOSITION, *span, "--undo")
    assert undone.returncode == 0 and "undone" in undone.stdout
    assert json.loads(counterpoint(tmp_path, "corrections", PROPOSITION, "--json").stdout)[
        "corrections"] == []


@pytest.mark.reliability("bad input", "`counterpoint correct` with an unknown document, a span "
                         "that is not a passage, an unknown side, --side with --undo, no side",
                         "one line on stderr, exit 2; the saved corrections file is unchanged")
def test_bad_corrections_are_one_line_errors_that_change_nothing(tmp_path, backfire):
    good = ("--doc", COLUMN, "--start", str(backfire.start), "--end", str(backfire.end))
    assert counterpoint(tmp_path, "correct", PROPOSITION, *good, "--side", "con").returncode == 0
    (saved,) = (tmp_path / "corrections").glob("*.json")
    before = saved.read_bytes()
    cases = [
        (("--doc", "999", "--start", "0", "--end", "5", "--side", "con"), "is not in the corpus"),
        (("--doc", COLUMN, "--start", str(backfire.start + 1), "--end", str(backfire.end),
          "--side", "pro"), "is not an article or comment passage"),
        ((*good, "--side", "sideways"), "unknown side 'sideways'"),
        ((*good, "--side", "pro", "--undo"), "give --side pro|con|off-topic, or --undo"),
        (good, "give --side pro|con|off-topic, or --undo"),
        (("--doc", COLUMN, "--start", "0", "--end", "5", "--undo"), "no correction of"),
    ]
    for argv, message in cases:
        run = counterpoint(tmp_path, "correct", PROPOSITION, *argv)
        assert run.returncode == 2 and run.stdout == "", argv
        assert run.stderr.startswith("error: ") and run.stderr.count("\n") == 1, run.stderr
        assert message in run.stderr, run.stderr
    assert saved.read_bytes() == before


def agrees(messages, labels) -> dict[str, float]:
    """A judge for whom every passage supports the proposition and not its denial: every
    passage judged lands on the pro side."""
    text = " ".join(str(getattr(m, "content", m[-1])) for m in messages)
    first = labels[0] if labels != ["Yes", "No"] or PROPOSITION in text else labels[1]
    rest = 0.1 / (len(labels) - 1)
    return {label: 0.9 if label == first else rest for label in labels}


def test_map_json_shows_the_saved_corrections(tmp_path, embedder, monkeypatch, capsys):
    """`counterpoint map --json` over the real index, with a scripted model: a claim moved by
    `counterpoint correct` is on the other side, marked corrected, in the next map."""
    import interface.cli.options as options
    from interface.settings import session_of

    chat = GenericFakeChatModel(messages=iter(["Sanctions pressure Russia."] * 40))
    handle = ModelHandle(name="scripted", chat=chat, spec=parse_spec("local"), scorer=agrees)
    monkeypatch.setattr(options, "session_of", lambda settings, **kw: session_of(
        settings, embedder=embedder, models={"scripted": handle}, **kw))
    where = ("--corpus-dir", str(REPO / "corpus"), "--data-dir", str(tmp_path), "--llm",
             "scripted")
    build = ("map", PROPOSITION, "--json", "--max-candidates", "3", "--no-paraphrase", *where)
    assert main(list(build)) == 0
    built = json.loads(capsys.readouterr().out)
    side, other = "pro", "con"
    assert built["pro"] and not built["con"] and not built["corrections"]
    claim = built[side][0]
    cited = claim["citations"][0]
    assert main(["correct", PROPOSITION, "--doc", cited["doc_id"], "--start",
                 str(cited["start"]), "--end", str(cited["end"]), "--side", other, *where]) == 0
    capsys.readouterr()
    assert main(list(build)) == 0
    rebuilt = json.loads(capsys.readouterr().out)
    moved = [c for c in rebuilt[other] if c["corrected"]]
    assert [c["citations"][0]["start"] for c in moved] == [cited["start"]]
    assert all(cited["start"] != c["start"] for claim in rebuilt[side]
               for c in claim["citations"])
    assert rebuilt["corrections"] == [{**cited, "side": other}]


def test_positions_json_shows_the_map_corrections_of_its_topic(tmp_path, embedder, monkeypatch,
                                                               capsys):
    """`counterpoint positions --json` on a proposition with saved corrections: the passage a
    user moved on the map is on the same side in the positions, marked corrected."""
    import interface.cli.options as options
    from interface.settings import session_of

    chat = GenericFakeChatModel(messages=iter([]))
    handle = ModelHandle(name="scripted", chat=chat, spec=parse_spec("local"), scorer=agrees)
    monkeypatch.setattr(options, "session_of", lambda settings, **kw: session_of(
        settings, embedder=embedder, models={"scripted": handle}, **kw))
    where = ("--corpus-dir", str(REPO / "corpus"), "--data-dir", str(tmp_path), "--llm",
             "scripted")
    assert main(["positions", PROPOSITION, "--json", *where]) == 0
    found = json.loads(capsys.readouterr().out)
    cited = next(c["citations"][0] for p in found["positions"] for c in p["claims"]
                 if c["stance"] == "pro")
    assert main(["correct", PROPOSITION, "--doc", cited["doc_id"], "--start",
                 str(cited["start"]), "--end", str(cited["end"]), "--side", "con", *where]) == 0
    capsys.readouterr()
    assert main(["positions", PROPOSITION, "--json", *where]) == 0
    again = json.loads(capsys.readouterr().out)
    placed = [(c["stance"], c["corrected"]) for p in again["positions"] for c in p["claims"]
              if c["citations"][0]["start"] == cited["start"]
              and c["citations"][0]["doc_id"] == cited["doc_id"]]
    assert placed == [("con", True)]

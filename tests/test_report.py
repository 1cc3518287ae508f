"""`counterpoint eval all`: sections, sample sizes, skips and failures, tables, README blocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import share_model_cache

from evaluation.argkp import DEFAULT_ARGKP, load_argkp
from evaluation.dataset import load_eval_set
from evaluation.markdown import check_readme, metric_table, render_tables, update_readme
from evaluation.run import QUICK_ITEMS, QUICK_TRACK1_PER_TOPIC, EvalOptions, run_section, trim
from interface.cli import main
from interface.settings import load_settings, session_of

REPO = Path(__file__).resolve().parent.parent
README = """# Title

Hand-written text.

<!-- eval:begin -->
old figures
<!-- eval:end -->

More hand-written text.
"""


def options(tmp_path: Path, **extra) -> EvalOptions:
    return EvalOptions(eval_set=REPO / "data" / "eval" / "dev.json",
                       argkp_dir=extra.pop("argkp_dir", tmp_path / "no-argkp"), k=6,
                       include_comments=True, **extra)


@pytest.fixture(scope="module")
def session(tmp_path_factory, embedder):
    settings = load_settings({"corpus_dir": REPO / "corpus",
                              "data_dir": tmp_path_factory.mktemp("data")}, environ={})
    session = session_of(settings, embedder)
    yield session
    session.close()


def test_metric_table_puts_systems_side_by_side_with_their_sample_size():
    metrics = [
        {"name": "facts correct", "system": "counterpoint", "value": 0.75, "n": 12,
         "unit": "share"},
        {"name": "facts correct", "system": "naive RAG", "value": 0.5, "n": 12, "unit": "share"},
        {"name": "citations verbatim", "system": "counterpoint", "value": 1.0, "n": 30,
         "unit": "share"},
        {"name": "citations verbatim", "system": "naive RAG", "value": None, "n": 48,
         "unit": "share"},
        {"name": "seconds per item", "system": "counterpoint", "value": 2.345, "n": 12,
         "unit": "s"},
    ]
    assert metric_table(metrics) == [
        "| metric | counterpoint | naive RAG | n |",
        "| :-- | --: | --: | --: |",
        "| facts correct | 75% | 50% | 12 |",
        "| citations verbatim | 100% (n=30) | n/a (n=48) | per cell |",
        "| seconds per item | 2.3 s |  | 12 |",
    ]


def test_readme_block_is_replaced_and_nothing_else(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(README, "utf-8")
    update_readme(readme, "eval", "| a | b |\n| - | - |\n")
    first = readme.read_text("utf-8")
    assert first == README.replace("old figures", "| a | b |\n| - | - |")
    update_readme(readme, "eval", "| a | b |\n| - | - |")
    assert readme.read_text("utf-8") == first  # idempotent


@pytest.mark.parametrize("text", ["no markers at all", "<!-- eval:end -->\n<!-- eval:begin -->",
                                  "<!-- bench:begin -->\n<!-- bench:end -->"])
def test_missing_readme_markers_are_a_clear_error(tmp_path, text):
    readme = tmp_path / "README.md"
    readme.write_text(text, "utf-8")
    with pytest.raises(ValueError, match=r"has no `<!-- eval:begin -->` \.\.\. "
                                         r"`<!-- eval:end -->` markers"):
        check_readme(readme, "eval")
    assert readme.read_text("utf-8") == text


def test_eval_all_refuses_a_readme_without_markers_before_running(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# nothing to replace\n", "utf-8")
    code = main(["eval", "all", "--readme", str(readme), "--data-dir", str(tmp_path / "d"),
                 "--out", str(tmp_path / "out")])
    error = capsys.readouterr().err
    assert code == 2 and error.count("\n") == 1 and "markers" in error
    assert not (tmp_path / "out").exists()


def test_report_command_rejects_files_that_are_not_reports(tmp_path, capsys):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"scores": []}), "utf-8")
    assert main(["report", str(other), "--readme", str(tmp_path / "README.md")]) == 2
    assert "not a report.json or bench.json" in capsys.readouterr().err


def test_quick_mode_keeps_the_first_few_items_of_each_section():
    full = load_eval_set()
    quick = trim(full, quick=True)
    for name, count in QUICK_ITEMS.items():
        assert quick[name] == full[name][:count]
    assert quick["about"] == full["about"]
    assert trim(full, quick=False) is full


def test_missing_argkp_data_is_reported_as_skipped(tmp_path, session):
    for name in ("argkp_track1", "argkp_stance"):
        sections = run_section(name, session, {}, options(tmp_path), lambda _: None)
        assert [s.status for s in sections] == ["skipped"]
        assert sections[0].reason == f"skipped: ArgKP data not found at {tmp_path / 'no-argkp'}"


def test_a_section_without_items_is_skipped_and_a_broken_one_fails(tmp_path, session):
    log = []
    skipped = run_section("stance", session, {"qa": []}, options(tmp_path), log.append)
    assert skipped[0].status == "skipped"
    assert skipped[0].reason == "skipped: the evaluation set has no `stance` items"
    broken = {"stance": [{"id": "x", "doc": "999", "quote": "q", "claim": "c", "label": "pro"}]}
    failed = run_section("stance", session, broken, options(tmp_path), log.append)
    assert failed[0].status == "failed"
    assert failed[0].reason == "ValueError: no document id starts with '999'"
    assert log[-1] == "eval all: stance failed: no document id starts with '999'"


def test_retrieval_section_compares_every_search_mode_on_the_dev_set(tmp_path, session):
    eval_set = load_eval_set()
    [section] = run_section("retrieval", session, eval_set, options(tmp_path), lambda _: None)
    assert section.status == "ok" and section.seconds > 0
    metrics = [m.to_dict() for m in section.metrics]
    systems = {m["system"] for m in metrics}
    assert systems == {"dense", "bm25", "hybrid-rrf", "hybrid-weighted"}
    assert {m["n"] for m in metrics} == {len(eval_set["qa"])}
    by = {(m["name"], m["system"]): m["value"] for m in metrics}
    for system in systems:  # recall cannot fall as the cutoff grows; MRR <= recall@10
        assert by["recall@1", system] <= by["recall@5", system] <= by["recall@10", system]
        assert by["MRR@10", system] <= by["recall@10", system]
    assert by["recall@10", "hybrid-rrf"] >= 0.85  # 32 of 36 (0.889) on the 36-question set
    # A saved report.json regenerates the README block: `counterpoint report FILE --readme`.
    report = {"kind": "eval", "command": "counterpoint eval all", "date": "2026-01-01T00:00",
              "seconds": 60, "configuration": _configuration(), "sections": [section.to_dict()]}
    saved, readme = tmp_path / "report.json", tmp_path / "README.md"
    saved.write_text(json.dumps(report), "utf-8")
    readme.write_text(README, "utf-8")
    assert main(["report", str(saved), "--readme", str(readme)]) == 0
    table = render_tables(report)
    assert readme.read_text("utf-8") == README.replace("old figures", table.strip())
    assert "| recall@10 | " in table and f"| {len(eval_set['qa'])} |" in table


def test_argkp_key_point_matching_on_the_shared_data_quick(tmp_path, session):
    if not DEFAULT_ARGKP.is_dir():
        pytest.skip(f"ArgKP data not at {DEFAULT_ARGKP}")
    quick = options(tmp_path, argkp_dir=DEFAULT_ARGKP, quick=True)
    [section] = run_section("argkp_track1", session, {}, quick, lambda _: None)
    assert section.status == "ok", section.reason
    metrics = {m.name: m for m in section.metrics}
    topics = {a.topic for a in load_argkp(DEFAULT_ARGKP, "test").arguments}
    assert metrics["mAP strict"].n == QUICK_TRACK1_PER_TOPIC * len(topics)
    # Undecided pairs count as matches in `relaxed`, so it is never below `strict`.
    assert 0.3 < metrics["mAP strict"].value <= metrics["mAP relaxed"].value <= 1
    assert "published on the full test split" in section.note


def _configuration() -> dict:
    return {"quick": False, "machine": {"cpus": 2, "load_average_before": [1.0],
                                        "load_average_after": [1.0]},
            "model": "m", "llm": "local", "k": 6, "embedder": "e", "eval_set": "dev.json",
            "eval_set_sha256": "ab" * 32, "git_commit": "abc", "versions": {"python": "3.11"}}


@pytest.mark.slow
@pytest.mark.llm
def test_eval_all_quick_end_to_end(tmp_path, embedder):
    """`counterpoint eval all --quick`: every section, every metric with its n, README block."""
    from evaluation.markdown import render_markdown
    from evaluation.run import evaluate_all

    settings = load_settings({"corpus_dir": REPO / "corpus", "data_dir": tmp_path / "data"},
                             environ={})
    share_model_cache(settings)
    quick = options(tmp_path, argkp_dir=DEFAULT_ARGKP, quick=True)
    session = session_of(settings, embedder)
    try:
        report = evaluate_all(session, quick, "counterpoint eval all --quick", log=lambda _: None)
    finally:
        session.close()
    json.dumps(report)  # JSON-ready as it is
    config = report["configuration"]
    assert config["model"] == "Qwen2.5-Coder-1.5B-Instruct Q4_K_M" and config["k"] == 6
    assert config["quick"] and config["versions"]["llama-cpp-python"] == "0.3.36"
    assert len(config["eval_set_sha256"]) == 64 and config["passages"] > 100
    names = [s["name"] for s in report["sections"]]
    assert names == ["retrieval", "answers", "refusals", "stance", "audit", "maps",
                     "argkp_track1", "argkp_stance"]
    argkp_here = DEFAULT_ARGKP.is_dir()
    for section in report["sections"]:
        expected = "ok" if argkp_here or not section["name"].startswith("argkp") else "skipped"
        assert section["status"] == expected, (section["name"], section["reason"])
        for metric in section["metrics"]:
            assert isinstance(metric["n"], int) and metric["n"] >= 0, metric
            assert metric["value"] is None or metric["n"] > 0, metric
    by = {(s["name"], m["name"], m["system"]): m for s in report["sections"]
          for m in s["metrics"]}
    assert by["answers", "facts correct", "counterpoint"]["n"] == QUICK_ITEMS["qa"]
    assert by["answers", "facts correct", "naive RAG"]["n"] == QUICK_ITEMS["qa"]
    assert by["refusals", "out-of-corpus questions refused", "counterpoint"]["n"] == 1
    assert by["stance", "accuracy", "counterpoint"]["n"] == QUICK_ITEMS["stance"]
    assert by["audit", "accuracy", "counterpoint"]["n"] == QUICK_ITEMS["audit"]
    assert by["maps", "median seconds per map", "counterpoint"]["n"] == 1
    assert by["maps", "map recall", "counterpoint"]["n"] > 0  # the first proposition's labels
    # Too few pairs in quick mode to tune on half and score the other half:
    assert ("stance", "accuracy, cross-validated", "counterpoint") not in by
    # Citations Counterpoint shows are spans of the stored text, every one.
    assert by["answers", "citations verbatim", "counterpoint"]["value"] in (1.0, None)
    markdown = render_markdown(report)
    assert "counterpoint eval all --quick" in markdown and "quick mode" in markdown
    for section in report["sections"]:
        assert f"**{section['title']}**" in markdown
    readme = tmp_path / "README.md"
    readme.write_text(README, "utf-8")
    update_readme(readme, "eval", render_tables(report))
    text = readme.read_text("utf-8")
    assert "| facts correct |" in text and "More hand-written text." in text

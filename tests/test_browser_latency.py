"""How long a user waits in the page: first streamed words and the checked answer, warm.

Beside each question, the bare model's time to first token on the same question and the same
passages with an empty cache: the limit a pipeline can approach without reusing the cache.
With COUNTERPOINT_LATENCY_README naming a README, the table is written into its
`<!-- latency:begin -->` block.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, LLM_TIMEOUT, open_tab

from evaluation.dataset import load_eval_set
from interface.settings import Settings

WARM_UP = "d04"  # loads the model; not counted
QUESTIONS = ("d01", "d03", "d07", "e-q02", "e-q10")
# The draft streams before the citation checks: its first words come well before the checked
# answer (measured 0.56 of it); without streaming they would come together.
STREAMED_SHARE = 0.8

pytestmark = [pytest.mark.browser, pytest.mark.llm,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium "
                                 "(bash setup.sh --test installs it)")]


def _question(case_id: str) -> str:
    return next(c["q"] for c in load_eval_set()["qa"] if c["id"] == case_id)


def _ask(page, question: str) -> tuple[float, float, str]:
    """Ask in a new conversation: (first streamed words s, checked answer s, answer text)."""
    page.locator("#ask-clear").click()
    page.wait_for_function("() => !document.querySelector('#ask-chat .cp-answer')")
    page.locator("#ask-question textarea").fill(question)
    started = time.perf_counter()
    page.locator("#ask-send").click()
    page.locator("#ask-chat .cp-draft").filter(has_text=re.compile(r"\w")).wait_for(
        timeout=LLM_TIMEOUT)
    first = time.perf_counter() - started
    page.locator("#ask-chat .cp-answer").first.wait_for(timeout=LLM_TIMEOUT)
    checked = time.perf_counter() - started
    text = page.locator("#ask-chat .cp-answer").first.inner_text()
    # The audit of the answer's citations runs next on the same model queue; the next
    # question waits for it (a "New conversation" clicked during it would be redrawn).
    page.wait_for_function("() => !document.querySelector('#ask-evidence').innerText"
                           ".includes('not audited')", timeout=LLM_TIMEOUT)
    return first, checked, text


def raw_first_token(session, question: str) -> float:
    """The bare model's time to first token on the answer prompt the pipeline would send for
    this question (its passages as shown), evaluated from an empty cache."""
    from answers.evidence import retrieve
    from answers.pipeline import shown_passages
    from evaluation.bench.pipeline import bare_first_token

    searcher, model = session.searcher(), session.model()
    shown = shown_passages(retrieve(question, searcher, Settings().k), searcher)
    return bare_first_token(model, question, shown)


def test_first_words_and_checked_answers_in_the_page(tmp_path, embedder):
    from helpers import start
    from playwright.sync_api import sync_playwright

    url, app, session = start(tmp_path, embedder)
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(url)
            page.wait_for_selector("#cp-header")
            open_tab(page, "Ask")
            _ask(page, _question(WARM_UP))
            # Earlier tests in this process may have asked these questions: measure the work.
            session.model().chat.engine.forget()
            for case_id in QUESTIONS:
                first, checked, text = _ask(page, _question(case_id))
                rows.append((case_id, first, checked, text))
            browser.close()
        raws = [raw_first_token(session, _question(case_id)) for case_id in QUESTIONS]
    finally:
        app.close(verbose=False)
        session.close()
    firsts = [r[1] for r in rows]
    checks = [r[2] for r in rows]
    for (case_id, first, checked, text), raw in zip(rows, raws, strict=True):
        print(f"{case_id}: first words {first:.1f} s, checked {checked:.1f} s, "
              f"bare model first token {raw:.1f} s: {text[:80]!r}")
        assert first < checked and text.strip()
    table = latency_table(rows, raws)
    print(table)
    target = os.environ.get("COUNTERPOINT_LATENCY_README")
    if target:
        write_block(Path(target), table)
    assert statistics.median(firsts) < STREAMED_SHARE * statistics.median(checks)


def latency_table(rows, raws) -> str:
    header = ("| question (warm app, new conversation) | first streamed words | checked answer "
              "shown | bare model's first token, same prompt, empty cache |\n"
              "| :-- | --: | --: | --: |")
    lines = [f"| {case_id}: {_question(case_id)} | {first:.1f} s | {checked:.1f} s | "
             f"{raw:.1f} s |" for (case_id, first, checked, _), raw in zip(rows, raws,
                                                                          strict=True)]
    median = (f"| **median** | **{statistics.median(r[1] for r in rows):.1f} s** | "
              f"**{statistics.median(r[2] for r in rows):.1f} s** | "
              f"**{statistics.median(raws):.1f} s** |")
    return "\n".join([header, *lines, median])


def write_block(readme: Path, table: str) -> None:
    text = readme.read_text("utf-8")
    begin, end = "<!-- latency:begin -->", "<!-- latency:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    note = ("Written by `COUNTERPOINT_LATENCY_README=README.md .venv/bin/pytest -s "
            "tests/test_browser_latency.py` (headless Chromium, bundled model, this machine).")
    readme.write_text(f"{head}{begin}\n{note}\n\n{table}\n{end}{tail}", "utf-8")

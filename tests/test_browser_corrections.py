"""Correcting a map in the real page (headless Debian Chromium): move a claim with one click,
see it marked on the other side, restart the app on the same data folder, rebuild, and find the
correction kept and marked in every download."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import REPO, free_port, share_model_cache
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from test_browser import CHROMIUM, CHROMIUM_ARGS, open_tab, use_small_maps

from generation import ModelHandle, parse_spec

PROPOSITION = "Sanctions can pressure Russia into ending the war."
MAP_PASSAGES = 4
MARKS = {"argdown": "#corrected", "aif": '"corrected": true',
         "markdown": "(corrected by a user)", "json": '"corrected": true'}

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium "
                                 "(bash setup.sh --test installs it)")]


def agrees(messages, labels) -> dict[str, float]:
    """A scripted judge: every passage supports the proposition, so all land on the pro side."""
    text = " ".join(str(getattr(m, "content", m[-1])) for m in messages)
    first = labels[0] if labels != ["Yes", "No"] or PROPOSITION in text else labels[1]
    rest = 0.1 / (len(labels) - 1)
    return {label: 0.9 if label == first else rest for label in labels}


def serve(root: Path, embedder):
    """The app on loopback over root/corpus and root/data, as a fresh process would start it."""
    from interface.settings import load_settings, session_of
    from interface.web import build_app, launch_options

    settings = load_settings({"corpus_dir": root / "corpus", "data_dir": root / "data",
                              "llm": "scripted"}, environ={})
    if not settings.model_cache.exists():
        share_model_cache(settings)
    chat = GenericFakeChatModel(messages=iter(["Sanctions pressure Russia."] * 200))
    handle = ModelHandle(name="scripted", chat=chat, spec=parse_spec("local"), scorer=agrees)
    session = session_of(settings, embedder=embedder, models={"scripted": handle})
    app = build_app(settings, session)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
               **launch_options())
    return f"http://127.0.0.1:{port}/", app, session


def build_the_map(page) -> None:
    use_small_maps(page, MAP_PASSAGES)
    open_tab(page, "Map")
    page.locator("#map-proposition textarea").fill(PROPOSITION)
    page.locator("#map-build").click()
    page.locator("#map-graph svg.cp-map-graph").wait_for(timeout=300_000)
    open_tab(page, "Outline")
    page.locator("#map-outline details.cp-claim").first.wait_for()


@pytest.mark.reliability("faults", "a claim moved with one click in Chromium, then the app "
                         "restarted on the same data folder and the map rebuilt",
                         "the claim is still on the other side, marked corrected, in the page "
                         "and in the Argdown, xAIF, Markdown and JSON downloads")
def test_a_correction_made_in_the_page_survives_a_restart_and_every_export(tmp_path, embedder):
    from playwright.sync_api import sync_playwright

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        url, app, session = serve(tmp_path, embedder)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(url)
            build_the_map(page)
            first = page.locator("#map-outline .cp-side-pro details.cp-claim").first
            # closed cards are not rendered, so their text is read, not their rendering
            quote = first.locator("mark.cp-quote").first.text_content()
            assert len(quote) > 20
            assert page.locator("#map-outline .cp-side-con details.cp-claim").count() == 0
            first.locator("button[data-correct=con]").click()
            moved = page.locator("#map-outline .cp-side-con details.cp-claim-corrected")
            moved.first.wait_for()
            assert "corrected" in moved.first.locator(":scope > summary").inner_text()
            assert quote in moved.first.text_content()
            assert quote not in page.locator("#map-outline .cp-side-pro").text_content()
            page.close()
        finally:
            app.close(verbose=False)
            session.close()

        url, app, session = serve(tmp_path, embedder)  # a restart on the same data folder
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000},
                                    accept_downloads=True)
            page.set_default_timeout(60_000)
            page.goto(url)
            build_the_map(page)
            kept = page.locator("#map-outline .cp-side-con details.cp-claim-corrected")
            kept.first.wait_for()
            assert quote in page.locator("#map-outline .cp-side-con").text_content()
            assert quote not in page.locator("#map-outline .cp-side-pro").text_content()
            for fmt, mark in MARKS.items():
                with page.expect_download() as download:
                    page.locator(f"#map-download-{fmt}").click()
                path = tmp_path / f"export-{fmt}"
                download.value.save_as(path)
                text = path.read_text("utf-8")
                assert mark in text, fmt
                if fmt == "json":
                    corrections = json.loads(text)["corrections"]
                    assert {c["side"] for c in corrections} == {"con"}
        finally:
            app.close(verbose=False)
            session.close()
            browser.close()

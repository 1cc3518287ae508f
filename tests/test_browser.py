"""The real page in headless Debian Chromium: ask, open a citation, map, download, add, search."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_app_api import start  # the loopback server helper shared with the API tests

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
NEW_DOCUMENT = ("Harbour dredging in Odesa\nThe port authority plans to dredge the Odesa "
                "harbour to 16 metres so that Panamax bulk carriers can load fully.\n")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium "
                                 "(bash setup.sh --test installs it)")]


@pytest.fixture()
def page(tmp_path, embedder):
    from playwright.sync_api import sync_playwright

    url, app, workbench = start(tmp_path, embedder)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(30_000)
        page.goto(url)
        page.wait_for_selector("#cp-header")
        yield page
        browser.close()
    app.close(verbose=False)
    workbench.close_searcher()


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def add_and_find_a_document(page, tmp_path: Path) -> None:
    open_tab(page, "Library")
    upload = tmp_path / "odesa_dredging.txt"
    upload.write_text(NEW_DOCUMENT, "utf-8")
    page.locator("#library-upload input[type=file]").set_input_files(str(upload))
    page.locator("#library-title textarea, #library-title input").first.fill("Odesa dredging")
    page.locator("#library-add").click()
    status = page.locator("#library-status")
    status.get_by_text("Added Odesa dredging").wait_for(timeout=180_000)
    page.locator("#library-query textarea, #library-query input").first.fill("Panamax")
    page.locator("#library-search").click()
    hit = page.locator("#library-results mark.cp-hit", has_text="Panamax")
    hit.wait_for()
    assert "Odesa dredging" in page.locator("#library-results").inner_text()


def test_the_real_page(page, tmp_path):
    started = time.perf_counter()
    add_and_find_a_document(page, tmp_path)
    print(f"\nadd and search: {time.perf_counter() - started:.1f} s")

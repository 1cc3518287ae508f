"""The running app's API through gradio_client: library search, adding a document, auth."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AuthenticationError

from interface.settings import load_settings
from interface.web import build_app, launch_options
from interface.web_workbench import Workbench

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def share_model_cache(settings) -> None:
    """Point a temporary data dir at the prepared model (setup.sh assembles it once)."""
    prepared = load_settings().model_cache
    if prepared.is_dir():
        settings.data_path.mkdir(parents=True, exist_ok=True)
        settings.model_cache.symlink_to(prepared, target_is_directory=True)


def start(root: Path, embedder, auth=None):
    """Serve the app on loopback over a temporary copy of the corpus; return (url, app, bench)."""
    shutil.copytree(REPO / "corpus", root / "corpus")
    settings = load_settings({"corpus_dir": root / "corpus", "data_dir": root / "data"},
                             environ={})
    share_model_cache(settings)
    workbench = Workbench(settings, embedder=embedder)
    app = build_app(settings, workbench)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
               auth=auth, **launch_options())
    return f"http://127.0.0.1:{port}/", app, workbench


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    url, app, workbench = start(tmp_path_factory.mktemp("served"), embedder)
    yield url, workbench
    app.close(verbose=False)
    workbench.close_searcher()


@pytest.fixture(scope="module")
def client(served):
    return Client(served[0], verbose=False, analytics_enabled=False)


def test_library_search_endpoint_returns_marked_passages(client):
    html = client.predict("Pokrovsk", [], api_name="/library_search")
    assert '<mark class="cp-hit">Pokrovsk</mark>' in html
    comments = client.predict("nuke", ["comment"], api_name="/library_search")
    assert "Reader comment" in comments and "cp-kind-comment-card" in comments


def test_add_document_endpoint_indexes_the_upload(client, served, tmp_path):
    upload = tmp_path / "grain_corridor.txt"
    upload.write_text("Grain corridor\nUkraine shipped 5.2 million tonnes of grain through the "
                      "Black Sea corridor in October.\n", "utf-8")
    status, *_ = client.predict(handle_file(str(upload)), "Grain corridor", "", "", "", "",
                                api_name="/add_document")
    assert "Added Grain corridor (grain_corridor)" in status
    assert "grain_corridor" in served[1].documents()
    found = client.predict("5.2 million tonnes", [], api_name="/library_search")
    assert "Grain corridor" in found


def test_a_password_protected_app_refuses_anonymous_requests(tmp_path, embedder):
    url, app, workbench = start(tmp_path, embedder, auth=("ana", "s3cret"))
    try:
        assert httpx.get(url + "config").status_code == 401
        with pytest.raises(AuthenticationError, match="credentials were not provided"):
            Client(url, verbose=False, analytics_enabled=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("ana", "guess"), verbose=False, analytics_enabled=False)
        logged_in = Client(url, auth=("ana", "s3cret"), verbose=False, analytics_enabled=False)
        assert "Pokrovsk" in logged_in.predict("Pokrovsk", [], api_name="/library_search")
    finally:
        app.close(verbose=False)

"""The app shell: building it loads nothing, serving beyond loopback needs a password."""

from __future__ import annotations

import pytest

from interface.cli import main
from interface.settings import load_settings, session_of
from interface.web import build_app, check_binding, is_loopback


def test_building_the_app_loads_no_model_no_index_and_starts_no_server(tmp_path):
    settings = load_settings({"data_dir": tmp_path / "data"}, environ={})
    session = session_of(settings)
    app = build_app(settings, session)
    assert not app.is_running
    assert session._embedder is None and session._searcher is None
    assert session._models == {}
    assert not (tmp_path / "data").exists()  # no index opened, no model cache written
    names = {d.api_name for d in app.fns.values() if d.api_visibility == "public"}
    assert {"library_search", "add_document"} <= names


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("example.org", False),
])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback


def test_binding_beyond_loopback_requires_username_and_password():
    check_binding("127.0.0.1", None)
    check_binding("0.0.0.0", ("ana", "s3cret"))
    with pytest.raises(ValueError, match="username and password"):
        check_binding("0.0.0.0", None)
    with pytest.raises(ValueError, match="both a username and a password"):
        check_binding("0.0.0.0", ("ana", ""))


def test_serve_refuses_an_open_binding_with_one_line_and_no_server(capsys, monkeypatch):
    monkeypatch.delenv("COUNTERPOINT_APP_USER", raising=False)
    monkeypatch.delenv("COUNTERPOINT_APP_PASSWORD", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: binding to 0.0.0.0") and error.count("\n") == 1

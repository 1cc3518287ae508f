"""Hostile use of the web app and the CLI: a browser naming its own model endpoint, DNS
rebinding, model text rendered as Markdown, paths shown to users, passwords in `ps`, control
characters on the terminal, temporary files left behind."""

from __future__ import annotations

import itertools
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from helpers import REPO, start
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from generation import ModelHandle, parse_spec
from interface.cli.main import build_parser
from interface.settings import load_settings, session_of
from interface.web import build_app
from interface.web.context import Preferences

EVIL = "evil.example"
# A blank line ends the HTML block a chat message starts with: what follows is Markdown.
PAYLOAD = (f"Russia launched nearly 14,000 drone attacks.\n\n![x](http://{EVIL}/a.png) "
           f"<img src=http://{EVIL}/b.png> [link](http://{EVIL}) www.{EVIL} mail@{EVIL}")


# --- a listener standing in for an attacker's server -----------------------------------------


class Listener:
    """A TCP server on loopback that records every request it receives and answers 500."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    self.requests.append(connection.recv(65536))
                    connection.sendall(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.server.close()


# --- the browser's own protocol: any event, private or not, by its trigger ------------------


def run_event(url: str, trigger: str, values: dict, session_hash: str,
              host: str | None = None) -> list[dict]:
    """Fire the event a page element triggers as a browser does (POST queue/join, then read
    the event stream); every message of the stream. `values` fills inputs by elem_id or label;
    other inputs keep their default, states are held by the server."""
    config = httpx.get(url + "config").json()
    components = {c["id"]: c for c in config["components"]}
    dependency = next(d for d in config["dependencies"] if any(
        components.get(t[0], {}).get("props", {}).get("elem_id") == trigger
        for t in d["targets"]))
    data = []
    for key in dependency["inputs"]:
        props = components[key]["props"]
        names = (props.get("elem_id"), props.get("label"))
        given = [values[n] for n in names if n in values]
        data.append(given[0] if given else (None if components[key]["type"] == "state"
                                             else props.get("value")))
    headers = {"Host": host} if host else {}
    joined = httpx.post(url + "gradio_api/queue/join", headers=headers, json={
        "data": data, "fn_index": dependency["id"], "trigger_id": dependency["targets"][0][0],
        "session_hash": session_hash, "event_data": None})
    joined.raise_for_status()
    messages = []
    with httpx.stream("GET", url + "gradio_api/queue/data", params={"session_hash": session_hash},
                      timeout=120) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                messages.append(json.loads(line[5:]))
                if messages[-1].get("msg") == "process_completed":
                    break
    return messages


def scripted_model(reply: str) -> ModelHandle:
    """A model that always replies `reply` and judges the first label most likely."""
    def judge(messages, labels):
        best = "1" if "1" in labels else labels[0]
        return {label: 0.9 if label == best else 0.1 / (len(labels) - 1) for label in labels}

    chat = GenericFakeChatModel(messages=itertools.repeat(reply))
    return ModelHandle("scripted", chat, judge, parse_spec("local"))


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    """The app on loopback; its operator offers one model (a scripted one)."""
    url, app, session = start(tmp_path_factory.mktemp("hostile"), embedder, llm="scripted",
                              models={"scripted": scripted_model(PAYLOAD)})
    yield url, app, session
    app.close(verbose=False)
    session.close()


# --- 2. the browser picks among the operator's models, never names an endpoint ----------------


@pytest.mark.reliability("attacks", "the browser sends its own model endpoint to Settings, by hand",
                         "refused; that endpoint gets no request and no API key; Ask still works")
def test_a_model_endpoint_sent_by_the_browser_is_refused_and_never_contacted(served,
                                                                              monkeypatch):
    url, _, _ = served
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-secret")
    listener = Listener()
    try:
        endpoint = f"http://127.0.0.1:{listener.port}/v1"
        hash_ = uuid.uuid4().hex
        applied = run_event(url, "settings-apply", {
            "settings-model": f"openai:stolen@{endpoint}",  # the dropdown, sent by hand
            "settings-provider": "openai",  # the form this page had before: provider,
            "Model name (Ollama / OpenAI-compatible)": "stolen",  # model name
            "Base URL (OpenAI-compatible)": endpoint,  # and any URL
        }, hash_)
        done = applied[-1]
        refused = not done["success"] or "Settings not changed" in json.dumps(done["output"])
        asked = run_event(url, "ask-send", {"ask-question": "How many drone attacks?",
                                            "ask-chat": []}, hash_)
        assert asked[-1]["success"]
    finally:
        listener.close()
    assert listener.requests == []  # nothing went to the named server, no key was sent
    assert refused
    if done["success"]:
        assert "only the operator can add models" in json.dumps(done["output"])


def test_apply_settings_refuses_any_spec_the_operator_did_not_offer():
    from interface.web.settings import apply_settings, offered_models

    offered = offered_models(("local", "ollama:llama3@http://10.0.0.5:11434"))
    current = Preferences()
    for sent in ("openai:x@http://169.254.169.254/latest", "ollama:llama3@http://evil.example",
                 "local:/etc/passwd.gguf", "Ollama llama3@http://evil.example"):
        chosen, text = apply_settings(current, offered, sent, 6, True)
        assert chosen is current
        assert text.startswith("Settings not changed:") and "only the operator" in text
    chosen, _ = apply_settings(current, offered, "Ollama llama3", 6, True)
    assert chosen.llm == "ollama:llama3@http://10.0.0.5:11434"


@pytest.mark.reliability(
    "attacks",
    "the page config and status searched for the operator's model URL and file paths",
    "model and corpus names are shown, no URL or path")
def test_the_page_shows_model_and_corpus_names_never_urls_or_paths(tmp_path):
    from interface.web.settings import offered_models, status_html

    secret_url = "http://10.1.2.3:8080/v1"
    settings = load_settings({"data_dir": tmp_path / "data", "llm": f"openai:qwen@{secret_url}",
                              "models": f"local:{tmp_path}/private/small.gguf"}, environ={})
    session = session_of(settings)
    app = build_app(settings, session)
    config = json.dumps(app.get_config_file(), default=str)
    offered = offered_models(settings.model_choices)
    status = status_html(session, Preferences.of(settings), offered)
    for shown in (config, status):
        assert "10.1.2.3" not in shown and str(tmp_path) not in shown
        assert str(settings.corpus_dir.parent) not in shown
    assert "OpenAI-compatible qwen" in config and "Local small.gguf" in config
    assert "OpenAI-compatible qwen" in status and settings.corpus_dir.name in status


# --- 3. DNS rebinding: only loopback host names reach the app ---------------------------------


@pytest.mark.reliability(
    "attacks",
    "Host: evil.example (and variants) sent to the loopback server (DNS rebinding)",
    "4xx and no corpus text; loopback names get 200")
def test_a_request_naming_another_host_is_refused(served):
    url, _, _ = served
    port = url.rstrip("/").rsplit(":", 1)[1]
    for host in (EVIL, f"{EVIL}:{port}", f"127.0.0.1.{EVIL}:{port}", ""):
        response = httpx.get(url + "config", headers={"Host": host})
        assert 400 <= response.status_code < 500, host
        assert "Pokrovsk" not in response.text
    refused = httpx.post(url + "gradio_api/run/library_search", headers={"Host": EVIL},
                         json={"data": ["Pokrovsk", []]})
    assert 400 <= refused.status_code < 500
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
        assert httpx.get(url + "config", headers={"Host": host}).status_code == 200, host
    assert httpx.get(url).status_code == 200


def test_loopback_host_names():
    from interface.web.hosts import host_name, loopback_hosts

    assert host_name("LocalHost.:7860") == "localhost" and host_name("[::1]:80") == "::1"
    assert loopback_hosts("127.0.0.2") == {"localhost", "127.0.0.1", "::1", "127.0.0.2"}
    assert loopback_hosts("::1") == {"localhost", "127.0.0.1", "::1"}


# --- 8. model text in the chat is text: no HTML, link or image --------------------------------


def _strings(value) -> list[str]:
    """Every string in a stream message (chat updates arrive as diffs or whole messages)."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [text for item in items for text in _strings(item)]


def _asked_contents(url: str) -> list[str]:
    """Every text the Ask event sent to the page, in order, for one question."""
    messages = run_event(url, "ask-send", {"ask-question": "How many drone attacks?",
                                           "ask-chat": []}, uuid.uuid4().hex)
    return [text for message in messages for text in _strings(message.get("output"))]


@pytest.mark.reliability(
    "attacks",
    "a model reply carrying Markdown and HTML images and links to evil.example",
    "the streamed draft and answer render no image or link; the words stay as text")
def test_streamed_draft_and_answer_render_no_remote_image_or_link(served):
    from markdown_it import MarkdownIt

    url, _, _ = served
    contents = _asked_contents(url)
    drafts = [c for c in contents if "cp-draft" in c]
    answers = [c for c in contents if "cp-answer" in c]
    assert drafts and answers, contents
    for content in (drafts[-1], answers[-1]):
        page = MarkdownIt("commonmark", {"html": True}).render(content)
        assert "<img" not in page and "<a " not in page.replace('<a class="cp-cite"', "")
        # The GFM autolinks a chat renderer adds need these in the source; none is left.
        assert "://" not in content and "www." not in content and f"@{EVIL}" not in content
        assert EVIL in content  # the words are still shown, as text


def test_the_draft_stays_on_screen_while_its_sentences_are_checked(served):
    url, _, _ = served
    contents = _asked_contents(url)
    checking = [c for c in contents if "Checking each sentence" in c]
    assert checking and all("cp-draft" in c and "not checked yet" in c for c in checking)


# --- 11. passwords out of `ps`, control characters, temporary files --------------------------


def test_the_password_comes_from_a_file_or_the_environment(tmp_path, capsys):
    from interface.cli.serve import PASSWORD_FLAG_WARNING, auth_of

    secret = tmp_path / "password"
    secret.write_text("s3cret\n", "utf-8")
    args = build_parser().parse_args(["serve", "--user", "ana", "--password-file", str(secret)])
    assert auth_of(args, environ={}) == ("ana", "s3cret")
    args = build_parser().parse_args(["serve", "--user", "ana"])
    assert auth_of(args, environ={"COUNTERPOINT_PASSWORD": "from-env"}) == ("ana", "from-env")
    args = build_parser().parse_args(["serve", "--user", "ana", "--password", "in-ps"])
    assert auth_of(args, environ={}) == ("ana", "in-ps")
    assert PASSWORD_FLAG_WARNING in capsys.readouterr().err
    secret.write_text("", "utf-8")
    args = build_parser().parse_args(["serve", "--user", "ana", "--password-file", str(secret)])
    with pytest.raises(ValueError, match="is empty"):
        auth_of(args, environ={})


def _cli(*argv: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "interface.cli.main", *argv],
                          capture_output=True, env=environment, timeout=300, check=True)


@pytest.mark.reliability("attacks", "a document title and author holding terminal escape sequences",
                         "`counterpoint docs` (text and JSON) prints no control character")
def test_the_cli_prints_no_control_characters_from_documents(tmp_path):
    from documents import add_document, load_corpus

    corpus = tmp_path / "corpus"
    add_document(corpus, b"Planted\nA sentence about grain.\n", "planted.txt",
                 title="Grain report", author="Eve")
    # `add` refuses control characters in typed fields, but a hand-edited manifest (or a
    # title read from a file) can still hold them: TOML escapes them as \u001b and so on.
    manifest = corpus / "manifest.toml"
    planted = 'title = "Grain \\u001b]0;owned\\u0007\\u001b[2J\\u009b31m report"'
    text = manifest.read_text("utf-8").replace('title = "Grain report"', planted)
    manifest.write_text(text.replace('author = "Eve"', 'author = "Eve\\r\\u001b[1A"'), "utf-8")
    assert "\x1b" in next(iter(load_corpus(corpus))).title
    for argv in (("docs",), ("docs", "--json")):
        out = _cli(*argv, "--corpus-dir", str(corpus)).stdout.decode("utf-8")
        assert "Grain" in out and "report" in out
        bad = [c for c in out if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
        assert bad == [], argv


_SCRATCH_SCRIPT = """
from arguments.claims import ArgumentMap
from interface.web.audit import export
from interface.web.map import write_exports
files = write_exports(ArgumentMap("A proposition.", (), ()), {})
print(next(iter(files.values())).parent)
print(export([], {}, "csv").parent)
"""


def test_download_files_are_removed_when_the_process_exits(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", _SCRATCH_SCRIPT], capture_output=True,
                         text=True, env=environment, timeout=300, check=True)
    folders = [Path(line) for line in run.stdout.split()]
    assert len(folders) == 2 and all(f.is_relative_to(tmp_path) for f in folders)
    assert not any(f.exists() for f in folders)
    assert list(tmp_path.iterdir()) == []


def test_old_download_folders_are_pruned(monkeypatch, tmp_path):
    from interface.web import scratch

    monkeypatch.setattr(scratch, "_ROOT", [tmp_path])
    old = scratch.scratch_folder("map-")
    an_hour_ago = time.time() - scratch.MAX_AGE - 1
    os.utime(old, (an_hour_ago, an_hour_ago))
    new = scratch.scratch_folder("map-")
    assert new.exists() and not old.exists()


def test_uploads_are_removed_from_gradio_cache_when_the_server_stops(tmp_path, embedder):
    from gradio_client import Client, handle_file

    url, app, session = start(tmp_path, embedder)
    try:
        upload = tmp_path / "grain_note.txt"
        upload.write_text("Grain note\nUkraine shipped grain in October.\n", "utf-8")
        client = Client(url, verbose=False, analytics_enabled=False)
        status, *_ = client.predict(handle_file(str(upload)), "Grain note", "", "", "", "",
                                    api_name="/add_document")
        assert "Added Grain note" in status
        cached = [Path(f) for files in app.temp_file_sets for f in files]
        assert any(f.name == upload.name and f.exists() for f in cached)
    finally:
        app.close(verbose=False)
        session.close()
    assert not any(f.exists() for f in cached)


@pytest.mark.reliability("attacks",
                         "planted images and links in a reply, shown by the real chat in Chromium",
                         "no request to the planted host; no image or link to it on the page")
@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian chromium")
def test_the_real_chat_loads_nothing_from_a_planted_link_or_image(served):
    """The Chatbot's own renderer: no request leaves for the planted host, no link to it."""
    from playwright.sync_api import sync_playwright

    url, _, _ = served
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        page.locator("#ask-question textarea").fill("How many drone attacks?")
        page.locator("#ask-send").click()
        page.locator("#ask-chat .cp-answer").wait_for(timeout=120_000)
        chat = page.locator("#ask-chat")
        assert EVIL in chat.inner_text()
        links = chat.locator(f"img[src*='{EVIL}'], a[href*='{EVIL}']").count()
        browser.close()
    assert links == 0
    assert not [r for r in requested if EVIL in r]

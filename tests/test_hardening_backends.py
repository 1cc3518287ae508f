"""One slow backend must not stall everyone (review finding 7): remote model calls time out
with a clear message, API counts are bounded, the web queue has a size limit, a cancelled
Ask stops its worker, and a Chroma server that goes away is one clear error."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generation import ModelError, load_model

# --- remote models: connect and read timeouts ------------------------------------------------

MODEL_LIST = {"data": [{"id": "m", "object": "model"}], "models": [{"name": "m:latest"}]}


def _completion(text: str) -> dict:
    return {"id": "c1", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class _Backend(BaseHTTPRequestHandler):
    """A model server on loopback: lists its model; a stalling one then never answers a chat
    (it reads the request and waits until the test ends), an answering one says "Yes"."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._send(MODEL_LIST)

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.server.stall:
            self.server.received.set()
            self.server.release.wait(60)
            return
        self._send(_completion("Yes"))

    def _send(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        """Quiet: the test output is about the client."""


@contextmanager
def backend(stall: bool) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Backend)
    server.daemon_threads = True
    server.stall, server.received, server.release = stall, threading.Event(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


def _url(server, provider: str) -> str:
    root = f"http://127.0.0.1:{server.server_address[1]}"
    return root + "/v1" if provider == "openai" else root


def _spec(server, provider: str) -> str:
    return f"{provider}:m@{_url(server, provider)}"


TIMEOUT = 2.0
CALLS = {
    "reply": lambda model: model.reply([("human", "Hello?")], max_tokens=4),
    "stream": lambda model: "".join(c.text for c in model.limited(4).stream("Hello?")),
    "labels": lambda model: model.label_probabilities("Yes or No?", ["Yes", "No"]),
}


@pytest.mark.parametrize("provider", ["openai", "ollama"])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_stalled_server_fails_within_the_timeout_naming_the_server(provider, call, tmp_path):
    with backend(stall=True) as server:
        model = load_model(_spec(server, provider), tmp_path, timeout=TIMEOUT)
        start = time.monotonic()
        with pytest.raises(ModelError) as raised:
            CALLS[call](model)
        elapsed = time.monotonic() - start
    assert server.received.is_set()  # it reached the server, which then said nothing
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + 2.0  # one attempt, no retry doubling the wait
    message = str(raised.value)
    assert _url(server, provider) in message and f"within {TIMEOUT:g} s" in message
    assert "\n" not in message


@pytest.mark.parametrize("provider", ["openai", "ollama"])
def test_remote_handles_have_a_finite_default_timeout(provider, tmp_path):
    """The clients the handles use time out by default (Ollama's client waited forever)."""
    with backend(stall=False) as server:
        model = load_model(_spec(server, provider), tmp_path)
    if provider == "ollama":
        limit = model.chat._client._client.timeout
        assert (limit.read, limit.connect) == (120.0, 5.0)
    else:
        assert model.chat.request_timeout.read == 120.0
        assert model.chat.request_timeout.connect == 5.0
        assert model.chat.max_retries == 0


def test_a_server_that_went_away_is_one_clear_line(tmp_path):
    with backend(stall=False) as server:
        model = load_model(_spec(server, "openai"), tmp_path, timeout=TIMEOUT)
        url = _url(server, "openai")
        assert model.reply("Hello?") == "Yes"
    with pytest.raises(ModelError, match=f"cannot reach the OpenAI-compatible server at {url}"):
        model.reply("Hello?")


def test_a_stalled_server_does_not_hold_up_another_model(tmp_path):
    """While one handle waits on a stuck server, a call on another handle completes."""
    with backend(stall=True) as stuck, backend(stall=False) as live:
        slow = load_model(_spec(stuck, "openai"), tmp_path, timeout=TIMEOUT)
        other = load_model(_spec(live, "openai"), tmp_path, timeout=TIMEOUT)
        outcome: list = []
        waiting = threading.Thread(target=lambda: _capture(outcome, slow.reply, "Hello?"))
        waiting.start()
        assert stuck.received.wait(5)
        start = time.monotonic()
        assert other.reply("Is it on?") == "Yes"
        assert time.monotonic() - start < TIMEOUT / 2 and waiting.is_alive()
        waiting.join(TIMEOUT + 3)
    assert isinstance(outcome[0], ModelError)


def _capture(outcome: list, call, *args) -> None:
    try:
        outcome.append(call(*args))
    except Exception as error:
        outcome.append(error)


@pytest.mark.llm
def test_the_local_model_keeps_serving_while_a_server_stalls(local_model, tmp_path):
    with backend(stall=True) as stuck:
        slow = load_model(_spec(stuck, "ollama"), tmp_path, timeout=30)
        outcome: list = []
        waiting = threading.Thread(target=lambda: _capture(outcome, slow.reply, "Hello?"))
        waiting.start()
        assert stuck.received.wait(5)
        reply = local_model.reply([("human", "Reply with the single word: Yes")], max_tokens=3)
        assert "yes" in reply.lower() and waiting.is_alive()
    waiting.join(10)
    assert outcome and isinstance(outcome[0], ModelError)

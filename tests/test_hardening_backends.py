"""One slow backend must not stall everyone (review finding 7): remote model calls time out
with a clear message, API counts are bounded, the web queue has a size limit, a cancelled
Ask stops its worker, and a Chroma server that goes away is one clear error."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from generation import ModelError, load_model
from retrieval.index import SERVER_TIMEOUT

REPO = Path(__file__).resolve().parent.parent

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


@pytest.mark.reliability(
    "faults",
    "OpenAI and Ollama servers that take a request and never answer (reply, stream, scoring)",
    "one-line error naming the server after the 2 s timeout, no retry")
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


def test_the_operator_sets_the_model_timeout_through_settings(tmp_path):
    """COUNTERPOINT_LLM_TIMEOUT (or llm_timeout in the settings file) reaches the model."""
    from interface.settings import load_settings, session_of

    with backend(stall=True) as server:
        settings = load_settings({"data_dir": tmp_path}, environ={
            "COUNTERPOINT_LLM": _spec(server, "openai"), "COUNTERPOINT_LLM_TIMEOUT": "1"})
        model = session_of(settings).model()
        start = time.monotonic()
        with pytest.raises(ModelError, match="within 1 s"):
            CALLS["reply"](model)
    assert time.monotonic() - start < 3.0


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


@pytest.mark.reliability("faults", "the model server shuts down between two calls",
                         "one line: cannot reach the OpenAI-compatible server at its URL")
def test_a_server_that_went_away_is_one_clear_line(tmp_path):
    with backend(stall=False) as server:
        model = load_model(_spec(server, "openai"), tmp_path, timeout=TIMEOUT)
        url = _url(server, "openai")
        assert model.reply("Hello?") == "Yes"
    with pytest.raises(ModelError, match=f"cannot reach the OpenAI-compatible server at {url}"):
        model.reply("Hello?")


@pytest.mark.reliability("faults", "one model's server stalls while another model is asked",
                         "the other model answers in under 1 s; the stalled call ends in an error")
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


# --- bounded counts: k and passages per map ---------------------------------------------------


class Untouchable:
    """A searcher or model that fails the test if the pipeline uses it at all."""

    def __getattr__(self, name):
        raise AssertionError(f"the pipeline started work (.{name}) before checking its counts")


@pytest.mark.reliability("bad input", "k of 0, 21, 10**6, 2.5, '6', None or True for an answer",
                         "refused as 'a whole number from 1 to 20' before any search or model call")
@pytest.mark.parametrize("k", [0, 21, 10**6, 2.5, "6", None, True])
def test_answer_question_refuses_a_k_out_of_bounds_before_any_work(k):
    from answers import answer_question

    with pytest.raises(ValueError, match=r"k\) must be a whole number from 1 to 20, not "):
        answer_question("Where is the fighting?", Untouchable(), Untouchable(), k=k)


@pytest.mark.parametrize("count", [0, 41, 10**6, 12.0, "12", None])
def test_build_map_refuses_a_passage_count_out_of_bounds_before_any_work(count):
    from arguments import build_map

    with pytest.raises(ValueError, match="per map must be a whole number from 1 to 40, not "):
        build_map("Sanctions work.", Untouchable(), Untouchable(), max_candidates=count)


def test_counts_within_bounds_are_kept():
    import numpy as np

    from answers.pipeline import MAX_K, checked_k
    from arguments.maps import MAX_PASSAGES, checked_passages

    assert [checked_k(1), checked_k(MAX_K), checked_k(np.int64(6))] == [1, 20, 6]
    assert [checked_passages(1), checked_passages(MAX_PASSAGES)] == [1, 40]


@pytest.fixture()
def unreachable_session(tmp_path):
    """A Session whose model server is down: any model load fails fast (nothing is loaded)."""
    from interface.settings import load_settings, session_of

    port = _closed_port()
    settings = load_settings({"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data",
                              "llm": f"openai:m@http://127.0.0.1:{port}/v1"}, environ={})
    return session_of(settings)


def _closed_port() -> int:
    with ThreadingHTTPServer(("127.0.0.1", 0), _Backend) as probe:
        return probe.server_address[1]


def test_the_ask_and_map_apis_refuse_huge_counts_before_loading_anything(unreachable_session):
    import gradio as gr

    from interface.web.ask import _ask_api
    from interface.web.context import Preferences
    from interface.web.map import _map_api

    session = unreachable_session
    with pytest.raises(gr.Error, match="from 1 to 20, not 1000"):
        _ask_api(session)("Where is the fighting?", k=1000)
    defaults = Preferences(llm=session.llm)
    with pytest.raises(gr.Error, match="from 1 to 40, not 1000"):
        _map_api(session, defaults)("Sanctions work.", passages=1000)
    assert not session.has_model(session.llm) and not session.has_searcher()


# --- a cancelled Ask stops its worker ---------------------------------------------------------


class SlowChat(BaseChatModel):
    """A chat model that streams one word every 20 ms for a minute, counting what it sent."""

    sent: list = Field(default_factory=list)
    closed: threading.Event = Field(default_factory=threading.Event)

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def _llm_type(self) -> str:
        return "slow-test-chat"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        text = "".join(chunk.message.text for chunk in self._stream(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        try:
            for number in range(3000):
                time.sleep(0.02)
                self.sent.append(number)
                yield ChatGenerationChunk(message=AIMessageChunk(content=f"Pokrovsk{number} "))
        finally:
            self.closed.set()


def first_label_wins(messages, labels) -> dict[str, float]:
    """A judge that says Yes, or picks passage 1 when asked for a number (0 means none)."""
    best = "1" if "1" in labels else labels[0]
    rest = 0.1 / (len(labels) - 1)
    return {label: 0.9 if label == best else rest for label in labels}


@pytest.fixture()
def slow_session(tmp_path, embedder):
    """The real corpus and index, with a model whose draft would take a minute to stream."""
    from generation import ModelHandle, parse_spec
    from interface.settings import load_settings, session_of

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = load_settings({"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data"},
                             environ={})
    chat = SlowChat()
    handle = ModelHandle(name="slow", chat=chat, spec=parse_spec("local"),
                         scorer=first_label_wins)
    bench = session_of(settings, embedder=embedder, models={"slow": handle})
    yield bench, chat
    bench.close()


def _answer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "counterpoint-answer"]


@pytest.mark.reliability(
    "faults",
    "the browser cancels an Ask mid-draft (a model that would stream for a minute)",
    "the answer thread and the model stream stop within 2 s")
def test_closing_the_ask_stream_stops_the_worker_at_its_next_piece(slow_session):
    from interface.web.ask import ask_stream
    from interface.web.context import Preferences

    session, chat = slow_session
    stream = ask_stream(session, Preferences(llm="slow", k=4),
                        "Which city is the heaviest fighting centered on?", [])
    for kind, value in stream:
        assert kind != "error", value
        if kind == "draft" and len(value.split()) >= 3:
            break
    worker = _answer_threads()
    stream.close()  # what Gradio does when the browser cancels the event
    start = time.monotonic()
    for thread in worker:
        thread.join(2.0)
    assert not any(t.is_alive() for t in worker), "the answer thread kept running"
    assert chat.closed.wait(1.0), "the model's stream was left open"
    stopped_at = len(chat.sent)
    time.sleep(0.2)
    assert len(chat.sent) == stopped_at < 100 and time.monotonic() - start < 3


@pytest.mark.llm
def test_a_cancelled_ask_frees_the_local_model_for_the_next_call(local_model, tmp_path, embedder):
    """Cancelled mid-draft, the bundled model's stream closes and its lock is free again."""
    from interface.settings import load_settings, session_of
    from interface.web.ask import ask_stream
    from interface.web.context import Preferences

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = load_settings({"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data"},
                             environ={})
    session = session_of(settings, embedder=embedder, models={"local": local_model})
    try:
        stream = ask_stream(session, Preferences(llm="local", k=4),
                            "Which city is the heaviest fighting centered on?", [])
        kinds = []
        for kind, value in stream:
            kinds.append(kind)
            assert kind not in ("error", "turn"), value
            if kind == "draft":
                break
        worker = _answer_threads()
        stream.close()
        for thread in worker:
            thread.join(10)
        assert not any(t.is_alive() for t in worker)
        outcome: list = []
        after = threading.Thread(target=lambda: _capture(
            outcome, local_model.reply, [("human", "Reply with the single word: Yes")], 3))
        after.start()
        after.join(60)
        assert outcome and "yes" in outcome[0].lower()
    finally:
        session.close()


# --- the web queue: a size limit, and a place in it ------------------------------------------


def test_the_web_queue_has_a_configurable_size_and_pages_show_their_place(tmp_path):
    from interface.settings import load_settings
    from interface.web import build_app

    default = build_app(load_settings({"data_dir": tmp_path}, environ={}))
    assert default._queue.max_size == 16
    chosen = load_settings({"data_dir": tmp_path}, environ={"COUNTERPOINT_QUEUE_SIZE": "3"})
    assert build_app(chosen)._queue.max_size == 3
    with pytest.raises(ValueError, match="queue_size must be at least 1, not 0"):
        build_app(load_settings({"data_dir": tmp_path, "queue_size": 0}, environ={}))
    # Page events that wait for the model keep Gradio's status line, which shows the queue
    # place ("minimal" keeps the line and drops the overlay over the outputs).
    model_events = [f for f in default.fns.values()
                    if f.concurrency_id == "model" and f.api_visibility == "private"]
    assert model_events and all(f.show_progress in ("full", "minimal") for f in model_events)


@pytest.mark.reliability(
    "load",
    "queue size 1, a stuck model server, three Asks at once",
    "one runs, one waits first in line, the third gets 'Queue is full'; both end in a clear error")
def test_a_full_queue_refuses_a_request_while_the_waiting_one_sees_its_place(tmp_path, embedder):
    """Queue size 1 and a stuck model server: one ask runs, one waits (rank 0), one is refused."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError
    from gradio_client.utils import QueueError, Status
    from helpers import free_port

    from interface.settings import load_settings, session_of
    from interface.web import build_app, launch_options

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    with backend(stall=True) as stuck:
        spec = _spec(stuck, "openai")
        model = load_model(spec, tmp_path, timeout=60)
        settings = load_settings({"corpus_dir": tmp_path / "corpus", "data_dir": tmp_path / "data",
                                  "llm": spec, "queue_size": 1}, environ={})
        session = session_of(settings, embedder=embedder, models={spec: model})
        app = build_app(settings, session)
        port = free_port()
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                   quiet=True, **launch_options())
        try:
            client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False)
            running = client.submit("Which city is the fighting centred on?", api_name="/ask")
            assert stuck.received.wait(120), "the first request never reached the model"
            waiting = client.submit("Who wrote the column?", api_name="/ask")
            _wait_for(lambda: waiting.status().code == Status.IN_QUEUE)
            assert waiting.status().rank == 0  # first in line
            refused = client.submit("A third question?", api_name="/ask")
            with pytest.raises(QueueError, match="Queue is full"):
                refused.result(timeout=30)
            stuck.release.set()  # the stuck server hangs up: both asks end with a clear error
            for job in (running, waiting):
                with pytest.raises(AppError, match="Could not answer: cannot reach the "
                                                   "OpenAI-compatible server"):
                    job.result(timeout=120)
        finally:
            app.close(verbose=False)
            session.close()


def _wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


# --- a Chroma server that goes away mid-session -------------------------------------------------

CHROMA = Path(sys.executable).parent / "chroma"
QUERY = "Which city is the heaviest fighting centered on?"


class ChromaServer:
    """`chroma run` on loopback over one folder; it can be stopped and started again."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port, self.process = folder, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(self.folder), "--host", "127.0.0.1", "--port",
             str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self._listening, 60)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False


@pytest.fixture(scope="module")
def chroma(tmp_path_factory, embedder):
    """A real Chroma server holding the corpus index, and a searcher opened over it."""
    from helpers import free_port

    from interface.settings import load_settings
    from retrieval import build_index, open_searcher

    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    root = tmp_path_factory.mktemp("chroma")
    shutil.copytree(REPO / "corpus", root / "corpus")
    server = ChromaServer(root / "server", free_port())
    server.start()
    settings = load_settings({"corpus_dir": root / "corpus", "data_dir": root / "data",
                              "chroma_url": server.url}, environ={})
    try:
        build_index(settings.index, embedder)
        searcher = open_searcher(settings.index, embedder)
        yield server, searcher
        searcher.close()
    finally:
        if server.process.poll() is None:
            server.stop()


@pytest.mark.reliability("faults", "the Chroma server stopped mid-session, then started again",
                         "keyword search works while it is down; the same hits once it is back")
@pytest.mark.slow
def test_searching_recovers_when_the_chroma_server_comes_back(chroma):
    server, searcher = chroma
    first = [hit.passage.id for hit in searcher.search(QUERY, k=3)]
    server.stop()
    try:
        with pytest.raises(Exception):  # noqa: B017 (its wording is the next test's subject)
            searcher.search(QUERY, k=3)
        assert searcher.search(QUERY, k=3, mode="bm25")  # words are searched without Chroma
    finally:
        server.start()
    assert [hit.passage.id for hit in searcher.search(QUERY, k=3)] == first


@pytest.mark.reliability("faults", "a search while the Chroma server is stopped",
                         "a one-line error naming the Chroma server; reads have a timeout")
@pytest.mark.slow
def test_a_stopped_chroma_server_is_one_clear_error_naming_it(chroma):
    server, searcher = chroma
    server.stop()
    try:
        with pytest.raises(Exception) as raised:  # noqa: B017 (the message is what is tested)
            searcher.search(QUERY, k=3)
    finally:
        server.start()
    message = str(raised.value)
    assert "\n" not in message.strip()
    assert f"Chroma server at {server.url}" in message, message
    # chromadb's own HTTP client would wait forever for a stalled server; ours does not.
    assert searcher.store.client._server._session.timeout.read == SERVER_TIMEOUT

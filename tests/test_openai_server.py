"""The `openai` provider against a real OpenAI-compatible server: llama-cpp-python's own,
started on 127.0.0.1 with the bundled model, running the whole answer pipeline."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from answers import NOT_FOUND, answer_question
from evaluation.answers import score_item
from evaluation.dataset import load_eval_set
from generation import load_model, prepare
from interface.settings import Settings

pytestmark = pytest.mark.llm
REPO = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url + "/models", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail("the llama-cpp-python server did not start in time")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    model_file = prepare(Settings().model_cache).path
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model_file),
             "--model_alias", "qwen-bundled", "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", "4096", "--n_threads", "2", "--n_threads_batch", "2"],
            stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def served_model(server_url, tmp_path_factory):
    return load_model(f"openai:qwen-bundled@{server_url}",
                      Settings(data_dir=tmp_path_factory.mktemp("unused")).model_cache)


def test_labels_come_from_the_servers_logprobs(served_model):
    yes = served_model.label_probabilities(
        [("human", "Is Paris the capital of France? Reply Yes or No.")], ["Yes", "No"])
    assert 0.8 < yes["Yes"] < 1.0  # a probability, not the one-token fallback's 1.0
    choice = served_model.label_probabilities(
        [("human", "Passages:\n[1] Cats bark.\n[2] Water boils at 100 degrees Celsius.\n\n"
                   "Question: When does water boil?\n\nWhich passage answers the question? "
                   "Reply with the passage number only.")], ["0", "1", "2"])
    assert max(choice, key=choice.get) == "2"


def test_the_answer_pipeline_runs_through_the_openai_provider(served_model, searcher):
    data = load_eval_set()
    item = next(i for i in data["qa"] if i["id"] == "d03")
    answer = answer_question(item["q"], searcher, served_model)
    outcome = score_item(item, "qa", answer.to_dict(), searcher.documents, 0.0)
    assert outcome.facts_present and outcome.gold_cited, answer.to_dict()
    assert outcome.valid_citations == outcome.citations > 0
    refused = answer_question(data["refuse"][0]["q"], searcher, served_model)
    assert refused.refused and refused.text == NOT_FOUND


def test_an_unknown_path_on_the_server_is_one_clear_error(server_url, tmp_path):
    from generation import ModelError

    with pytest.raises(ModelError, match="answered 404"):
        load_model(f"openai:qwen-bundled@{server_url}/nothing-here",
                   Settings(data_dir=tmp_path).model_cache)

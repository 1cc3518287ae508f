"""The running app's API through gradio_client: library search, adding a document, auth."""

from __future__ import annotations

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError, AuthenticationError
from gradio_client.utils import Status
from helpers import start

from evaluation.dataset import gold_span, load_eval_set


@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    url, app, session = start(tmp_path_factory.mktemp("served"), embedder)
    yield url, session
    app.close(verbose=False)
    session.close()


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
    url, app, session = start(tmp_path, embedder, auth=("ana", "s3cret"))
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


@pytest.mark.llm
def test_ask_endpoint_answers_a_dev_question_with_verified_audited_citations(client, served):
    case = next(c for c in load_eval_set()["qa"] if c["id"] == "d04")
    result = client.predict(case["q"], 6, True, api_name="/ask")
    assert not result["refused"] and "pokrovsk" in result["answer"].lower()
    documents = served[1].documents()
    assert result["citations"]
    for citation in result["citations"]:
        stored = documents[citation["doc_id"]].text[citation["start"]:citation["end"]]
        assert citation["verbatim"] and citation["quote"] == stored
        assert citation["verdict"] in ("supported", "partial", "unsupported", "contradicted")
    assert any(c["quote"].find(case["quote"]) >= 0 for c in result["citations"])


@pytest.mark.llm
def test_map_endpoint_returns_a_cited_map_with_its_argdown(client, served):
    result = client.predict("Sanctions can pressure Russia into ending the war.", 4,
                            api_name="/map")
    claims = result["pro"] + result["con"]
    assert claims and result["argdown"].startswith("# Pro and con")
    documents = served[1].documents()
    for claim in claims:
        for citation in claim["citations"]:
            assert documents[citation["doc_id"]].text[
                citation["start"]:citation["end"]] == citation["quote"]
    assert len(result["audit"]) == sum(len(c["citations"]) for c in claims) + sum(
        len(o["citations"]) for c in claims for o in c["objections"])


@pytest.mark.llm
def test_audit_endpoint_tells_a_supported_claim_from_an_unsupported_one(client, served):
    documents = served[1].documents()
    verdicts = {}
    for case in load_eval_set()["audit"][:2]:
        doc_id, start, end = gold_span(documents, case["doc"], case["quote"])
        verdicts[case["supported"]] = client.predict(case["claim"], doc_id, start, end,
                                                     api_name="/audit")
    assert verdicts[True]["verdict"] == "supported" and verdicts[True]["verbatim"]
    assert verdicts[False]["verdict"] != "supported"
    with pytest.raises(AppError, match="outside"):
        client.predict("x", doc_id, 0, 10**9, api_name="/audit")


def test_concurrent_users_are_queued_for_the_model_not_run_together(tmp_path, embedder):
    """Two users ask at once: the model serves one whole answer, then the other."""
    import threading
    import time as clock

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from generation import ModelHandle, parse_spec

    calls: list[tuple[str, float, float]] = []
    lock = threading.Lock()

    def slow_judge(messages, labels):
        started = clock.perf_counter()
        clock.sleep(0.2)  # long enough for a second request to barge in if it could
        with lock:
            calls.append((started, clock.perf_counter()))
        best = "1" if "1" in labels else labels[0]
        return {label: 0.9 if label == best else 0.1 / (len(labels) - 1) for label in labels}

    reply = "Russia launched nearly 14,000 drone attacks."
    chat = GenericFakeChatModel(messages=iter([reply, reply]))
    handle = ModelHandle("scripted", chat, slow_judge, parse_spec("local"))
    url, app, session = start(tmp_path, embedder, llm="scripted",
                                models={"scripted": handle})
    try:
        client = Client(url, verbose=False, analytics_enabled=False)
        question = "How many drone attacks has Russia launched?"
        first = client.submit(question, 4, True, api_name="/ask")
        while first.status().code != Status.PROCESSING and not first.done():
            clock.sleep(0.05)
        second = client.submit(question, 4, True, api_name="/ask")
        seen = set()
        while not first.done():
            seen.add(second.status().code)
            clock.sleep(0.05)
        results = [first.result(timeout=300), second.result(timeout=300)]
    finally:
        app.close(verbose=False)
        session.close()
    # The second user waited in the queue; the judge spans below prove the model never ran
    # two calls at once (polling `done()` can lag the server, so PROCESSING may be seen).
    assert Status.IN_QUEUE in seen
    assert all(r["question"] == question for r in results)
    spans = sorted(calls)
    assert len(spans) >= 4
    assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:],
                                                                       strict=False))

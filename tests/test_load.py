"""Load: eight users at once, each with its own gradio_client, against the real app.

The app runs as `python app.py` in a child process on 127.0.0.1 (the bundled GGUF, the
bundled embedder, a temporary copy of corpus/ and a temporary data dir). Three users ask dev
questions, two build small maps, two audit claims and one adds a document and searches for it,
all submitted together for one round. Every request must succeed, every citation any of them
returns must be the stored text at its offsets, the added document must be found, and the
server's peak resident memory must stay under a bound. Queue waits (submit to the first status
that is no longer "queued") and total times are printed on one line and, when
COUNTERPOINT_LOAD_REPORT names a file, written there as JSON for the README.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from gradio_client import Client, handle_file
from gradio_client.utils import Status
from helpers import REPO, free_port, share_model_cache

from documents import load_corpus
from evaluation.dataset import gold_span, load_eval_set

pytestmark = [pytest.mark.llm, pytest.mark.slow]

STARTUP_SECONDS = 300  # index the corpus copy and load the model
ROUND_SECONDS = 600  # a hang guard, not a speed target: 2 shared cores are slow under load
PEAK_RSS_LIMIT_MB = 6 * 1024
MAP_PASSAGES = 4  # small maps keep the round within CI time
QUESTIONS = ("d01", "d04", "d07")  # dev-set ids, one per asking user
PROPOSITIONS = ("Sanctions can pressure Russia into ending the war.",
                "Europe should send troops to Ukraine.")
AUDITS = ("da01", "da03")
WAITING = {Status.STARTING, Status.JOINING_QUEUE, Status.IN_QUEUE}
ADDED_TEXT = ("Harbour pilots\nThe harbour pilots of Izmail guided 311 grain barges through the "
              "Danube delta in a single week of March.\n")
ADDED_PHRASE = "311 grain barges"


class Server:
    """`python app.py` on loopback over a corpus copy; its log, its pid and its memory."""

    def __init__(self, root: Path):
        from interface.settings import Settings

        self.corpus = root / "corpus"
        shutil.copytree(REPO / "corpus", self.corpus)
        settings = Settings(corpus_dir=self.corpus, data_dir=root / "data")
        share_model_cache(settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = root / "server.log"
        # Only our settings reach the child: a developer's COUNTERPOINT_* must not leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTERPOINT_")}
        env.update(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(self.port),
                 "--corpus-dir", str(self.corpus), "--data-dir", str(settings.data_path),
                 "--llm", "local"],
                cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)

    def wait_until_ready(self) -> None:
        """Until the page answers and the warm-up has loaded the index and the model."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the app exited: {self.tail()}")
            text = self.log.read_text("utf-8", errors="replace")
            if "Warm-up stopped" in text:
                pytest.fail(f"the app could not warm up: {self.tail()}")
            if "Counterpoint is ready" in text and self._answers():
                return
            time.sleep(0.5)
        pytest.fail(f"the app was not ready within {STARTUP_SECONDS} s: {self.tail()}")

    def _answers(self) -> bool:
        try:
            return httpx.get(self.url + "config", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def memory_mb(self) -> dict[str, float]:
        """VmRSS and VmHWM (peak resident) of the app process, in MB."""
        found = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0]) / 1024
        return found

    def tail(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-2000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path("/proc/self/status").is_file():
        pytest.skip("the memory bound reads /proc (Linux)")
    started = time.perf_counter()
    running = Server(tmp_path_factory.mktemp("load"))
    try:
        running.wait_until_ready()
        running.startup_seconds = time.perf_counter() - started
        yield running
    finally:
        running.stop()


class Recorder:
    """Per request: its wait in the queue, its total time and the largest place it held."""

    def __init__(self):
        self.requests: list[dict] = []
        self.errors: list[str] = []
        self.results: list[tuple[str, dict]] = []
        self._lock = threading.Lock()

    def call(self, client: Client, user: str, deadline: float, *args, api_name: str):
        submitted = time.perf_counter()
        job = client.submit(*args, api_name=api_name)
        waited, rank = None, 0
        while not job.done() and time.perf_counter() < deadline:
            status = job.status()
            rank = max(rank, status.rank or 0)
            if waited is None and status.code not in WAITING:
                waited = time.perf_counter() - submitted
            time.sleep(0.05)
        result = job.result(timeout=max(deadline - time.perf_counter(), 1.0))
        total = time.perf_counter() - submitted
        with self._lock:
            self.requests.append({"user": user, "endpoint": api_name, "rank": rank,
                                  "wait_s": round(total if waited is None else waited, 2),
                                  "total_s": round(total, 2)})
        return result

    def run(self, user: str, work) -> None:
        try:
            for endpoint, result in work():
                with self._lock:
                    self.results.append((endpoint, result))
        except Exception as error:  # every user's failure is reported, not only the first
            with self._lock:
                self.errors.append(f"{user}: {type(error).__name__}: {error}")


def users(server: Server, recorder: Recorder, upload: Path, deadline: float) -> dict:
    """Each user's work: a generator of (endpoint, result), each on its own Client."""
    data = load_eval_set()
    questions = {c["id"]: c["q"] for c in data["qa"]}
    audits = {c["id"]: c for c in data["audit"]}
    documents = {d.doc_id: d for d in load_corpus(server.corpus)}

    def connect() -> Client:
        return Client(server.url, verbose=False, analytics_enabled=False)

    def asker(case_id):
        client = connect()
        yield "/ask", recorder.call(client, case_id, deadline, questions[case_id], 6, True,
                                    api_name="/ask")

    def mapper(proposition):
        client = connect()
        yield "/map", recorder.call(client, proposition, deadline, proposition, MAP_PASSAGES,
                                    api_name="/map")

    def auditor(case_id):
        case = audits[case_id]
        doc_id, start, end = gold_span(documents, case["doc"], case["quote"])
        client = connect()
        yield "/audit", recorder.call(client, case_id, deadline, case["claim"], doc_id, start,
                                      end, api_name="/audit")

    def adder():
        client = connect()
        status, *_ = recorder.call(client, "adder", deadline, handle_file(str(upload)),
                                   "Harbour pilots", "", "", "", "", api_name="/add_document")
        yield "/add_document", {"status": status}
        yield "/library_search", {"html": recorder.call(client, "adder", deadline, ADDED_PHRASE,
                                                        [], api_name="/library_search")}

    work = {f"ask {c}": (lambda c=c: asker(c)) for c in QUESTIONS}
    work |= {f"map {i}": (lambda p=p: mapper(p)) for i, p in enumerate(PROPOSITIONS)}
    work |= {f"audit {c}": (lambda c=c: auditor(c)) for c in AUDITS}
    work["adder"] = adder
    return work


def citations_in(value) -> list[dict]:
    """Every citation-shaped dict (doc_id, start, end, quote) anywhere in an API result."""
    if isinstance(value, dict):
        own = [value] if {"doc_id", "start", "end", "quote"} <= value.keys() else []
        return own + [c for v in value.values() for c in citations_in(v)]
    if isinstance(value, list | tuple):
        return [c for v in value for c in citations_in(v)]
    return []


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2)


def summary(recorder: Recorder, server: Server, peak: dict, round_seconds: float) -> dict:
    waits = [r["wait_s"] for r in recorder.requests]
    totals = [r["total_s"] for r in recorder.requests]
    return {"users": 8, "requests": len(recorder.requests),
            "wait_p50_s": percentile(waits, 50), "wait_p95_s": percentile(waits, 95),
            "total_p50_s": percentile(totals, 50), "total_p95_s": percentile(totals, 95),
            "peak_rss_mb": round(peak["VmHWM"]), "rss_ready_mb": round(peak["ready"]),
            "round_s": round(round_seconds, 1),
            "startup_s": round(server.startup_seconds, 1),
            "map_passages": MAP_PASSAGES, "cpus": os.cpu_count(),
            "by_request": sorted(recorder.requests, key=lambda r: r["total_s"])}


@pytest.mark.reliability(
    "load",
    "8 users at once on `python app.py`: 3 ask, 2 map, 2 audit, 1 uploads and searches",
    "all 9 requests succeed; citations are the stored text; upload found; peak RSS < 6 GB")
def test_eight_concurrent_users_get_verbatim_citations_within_bounded_memory(server, tmp_path):
    upload = tmp_path / "harbour_pilots.txt"
    upload.write_text(ADDED_TEXT, "utf-8")
    ready_rss = server.memory_mb()["VmRSS"]
    recorder = Recorder()
    started = time.perf_counter()
    work = users(server, recorder, upload, started + ROUND_SECONDS)
    threads = [threading.Thread(target=recorder.run, args=(name, fn), name=name)
               for name, fn in work.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(ROUND_SECONDS + 30)
    round_seconds = time.perf_counter() - started
    peak = {**server.memory_mb(), "ready": ready_rss}

    assert not any(t.is_alive() for t in threads), "a user was still waiting after the round"
    assert not recorder.errors, recorder.errors
    assert len(recorder.requests) == 9

    documents = {d.doc_id: d for d in load_corpus(server.corpus)}
    results = dict.fromkeys(("/ask", "/map", "/audit"), 0)
    for endpoint, result in recorder.results:
        if endpoint in results:
            cited = citations_in(result)
            results[endpoint] += len(cited)
            for c in cited:
                assert c["quote"] == documents[c["doc_id"]].text[c["start"]:c["end"]], c
        if endpoint == "/ask":
            assert not result["refused"] and result["citations"], result["question"]
    assert all(results.values()), f"an endpoint returned no citations to check: {results}"

    added = dict(recorder.results)
    assert "Added Harbour pilots" in added["/add_document"]["status"]
    assert "Harbour pilots" in added["/library_search"]["html"]
    assert any(ADDED_PHRASE in d.text for d in documents.values())

    report = summary(recorder, server, peak, round_seconds)
    print(f"\nload: {report['users']} users, {report['requests']} requests, queue wait "
          f"p50 {report['wait_p50_s']} s p95 {report['wait_p95_s']} s, total p50 "
          f"{report['total_p50_s']} s p95 {report['total_p95_s']} s, peak RSS "
          f"{report['peak_rss_mb']} MB (ready {report['rss_ready_mb']} MB), round "
          f"{report['round_s']} s, startup {report['startup_s']} s")
    if os.environ.get("COUNTERPOINT_LOAD_REPORT"):
        Path(os.environ["COUNTERPOINT_LOAD_REPORT"]).write_text(
            json.dumps(report, indent=2) + "\n", "utf-8")
    assert peak["VmHWM"] < PEAK_RSS_LIMIT_MB, report

"""Retrieval benchmarks: ingest vs raw encode, search latency at 1k-100k passages, quality by mode,
embedded Chroma vs a `chroma run` server on loopback, and cold CLI commands (fresh processes).

    .venv/bin/python -m evaluation.bench.retrieval [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from documents import Document, Passage, load_corpus
from retrieval import Searcher, build_index, corpus_passages, load_embedder, open_searcher
from retrieval.bm25 import build_bm25
from retrieval.index import IndexLocation, PassageStore, open_store, passage_metadata

REPO_DIR = Path(__file__).resolve().parents[2]
MODES = ("dense", "bm25", "hybrid")
SIZES = (1_000, 10_000, 100_000)
_PER_DOCUMENT = 1_000
_BATCH = 4_000
# What a user types at a terminal: the command's whole wait, process start and imports included.
COLD_COMMANDS = {"search": ["search", "drone attacks", "--json"], "docs": ["docs", "--json"]}
_ENTRY_POINT = "import sys; from interface.cli import main; sys.exit(main())"  # as installed


def _location(data_dir: Path, chroma_url: str | None = None) -> IndexLocation:
    """A throwaway index of the bundled corpus under `data_dir` (or on a Chroma server)."""
    return IndexLocation(REPO_DIR / "corpus", data_dir / "chroma", chroma_url)


def percentiles(seconds: list[float]) -> dict:
    """p50/p95/mean in milliseconds."""
    ms = np.asarray(seconds) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "mean_ms": round(float(ms.mean()), 2), "n": len(ms)}


def benchmark_queries(eval_path: Path = REPO_DIR / "data" / "eval" / "dev.json") -> list[str]:
    """Realistic queries: the dev set's questions and claims."""
    data = json.loads(eval_path.read_text("utf-8"))
    return [c.get("q") or c.get("claim") for s, items in data.items() if s != "about"
            for c in items if c.get("q") or c.get("claim")]


def search_latency(searcher: Searcher, queries: list[str], mode: str, repeats: int = 1) -> dict:
    """Wall time per `searcher.search(query, k=10)`, query embedding included."""
    searcher.search(queries[0], k=10, mode=mode)  # warm caches
    return percentiles(_timed(lambda q: searcher.search(q, k=10, mode=mode), queries, repeats))


def latency_by_mode(searcher: Searcher, queries: list[str], repeats: int) -> dict:
    """Search latency per mode, and the query-embedding share of it."""
    latency = {m: search_latency(searcher, queries, m, repeats) for m in MODES}
    latency["query_embedding_only"] = percentiles(
        _timed(lambda q: searcher.embed([q]), queries, repeats))
    return latency


def _timed(call, queries: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            call(query)
            times.append(time.perf_counter() - started)
    return times


def ingest_throughput(embedder, documents: list[Document], work: Path) -> dict:
    """Passages/s of `build_index` (parse + embed + Chroma write) beside raw encode of the texts."""
    import torch

    texts = [p.text for p in corpus_passages(documents)]
    embedder.encode(texts[:16])  # load the model outside the timings
    threads = torch.get_num_threads()
    raw = {n: _raw_encode_rate(embedder, texts, n) for n in sorted({1, threads})}
    report = build_index(_location(work), embedder, documents=documents, log=lambda _: None)
    ingest = report.embedded / report.seconds
    return {"passages": len(texts), "torch_threads": threads,
            "raw_encode_per_s": round(raw[threads], 1),
            "raw_encode_1_thread_per_s": round(raw[1], 1),
            "ingest_per_s": round(ingest, 1), "ingest_vs_raw": round(ingest / raw[threads], 3)}


def _raw_encode_rate(embedder, texts: list[str], threads: int) -> float:
    """Texts/s of a bare `SentenceTransformer.encode` (batch 64) on this many torch threads."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=64, show_progress_bar=False)
        return len(texts) / (time.perf_counter() - started)
    finally:
        torch.set_num_threads(previous)


def cold_cli(data_dir: Path, runs: int) -> dict:
    """Median seconds of each command in `COLD_COMMANDS`, each run in a fresh process over an
    index already built in `data_dir`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COUNTERPOINT_")}
    environment["PYTHONPATH"] = str(REPO_DIR)
    found = {}
    for name, argv in COLD_COMMANDS.items():
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", _ENTRY_POINT, *argv, "--corpus-dir",
                            str(REPO_DIR / "corpus"), "--data-dir", str(data_dir)],
                           check=True, capture_output=True, env=environment, timeout=600)
            seconds.append(time.perf_counter() - started)
        found[name] = {"median_s": round(float(np.median(seconds)), 2), "runs": runs}
    return found


def synthetic_corpus(passages: list[Passage], vectors: np.ndarray, size: int,
                     seed: int = 0) -> tuple[list[Document], list[Passage], np.ndarray]:
    """`size` passages, each two real sentences joined; its vector is the normalised sum of the
    two sentences' embeddings plus a little noise (embedding 100k texts would take an hour here).
    """
    rng = np.random.default_rng(seed)
    pool = np.array([i for i, p in enumerate(passages) if p.kind in ("article", "comment")])
    pairs = rng.choice(pool, size=(size, 2))
    mixed = vectors[pairs[:, 0]] + vectors[pairs[:, 1]]
    mixed += rng.normal(0, 0.02, mixed.shape).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    documents, synthetic = [], []
    for first in range(0, size, _PER_DOCUMENT):
        doc_id = f"synthetic_{first // _PER_DOCUMENT:04d}"
        rows = pairs[first : first + _PER_DOCUMENT]
        texts = [f"{passages[a].text} {passages[b].text}" for a, b in rows]
        text, cursor = "\n".join(texts), 0
        for (a, _), passage_text in zip(rows, texts, strict=True):
            synthetic.append(Passage(doc_id, passages[a].kind, cursor, cursor + len(passage_text),
                                     passage_text))
            cursor += len(passage_text) + 1
        documents.append(Document(doc_id=doc_id, text=text, file=f"{doc_id}.txt"))
    return documents, synthetic, mixed.astype(np.float32)


def fill_store(store: PassageStore, passages: list[Passage], vectors: np.ndarray) -> float:
    """Write precomputed vectors into the collection; return passages/s."""
    started = time.perf_counter()
    collection = store.collection
    for i in range(0, len(passages), _BATCH):
        chunk = passages[i : i + _BATCH]
        collection.add(ids=[p.id for p in chunk], embeddings=vectors[i : i + _BATCH],
                       metadatas=[passage_metadata(p) for p in chunk],
                       documents=[p.text for p in chunk])
    return len(passages) / (time.perf_counter() - started)


def synthetic_searcher(embedder, documents, passages, vectors, location: IndexLocation
                       ) -> tuple[Searcher, dict]:
    """A Searcher over a synthetic corpus, and how long building it took."""
    store = open_store(location, embedder)
    insert_rate = fill_store(store, passages, vectors)
    started = time.perf_counter()
    bm25 = build_bm25([p.text for p in passages])
    bm25_seconds = time.perf_counter() - started
    searcher = Searcher({d.doc_id: d for d in documents}, passages, embedder, store, bm25)
    return searcher, {"chroma_insert_per_s": round(insert_rate, 1),
                      "bm25_build_s": round(bm25_seconds, 2)}


def corpus_vectors(searcher: Searcher) -> np.ndarray:
    """The stored vectors of the searcher's passages, in passage order."""
    stored = searcher.store.collection.get(ids=[p.id for p in searcher.passages],
                                           include=["embeddings"])
    by_id = dict(zip(stored["ids"], stored["embeddings"], strict=True))
    return np.asarray([by_id[p.id] for p in searcher.passages], dtype=np.float32)


@contextlib.contextmanager
def chroma_server(path: Path):
    """A `chroma run` server on 127.0.0.1 (a free port); yields its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    executable = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    server = subprocess.Popen([executable, "run", "--path", str(path), "--host", "127.0.0.1",
                               "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def quality_by_mode(searcher: Searcher) -> list[dict]:
    """recall@1/5/10 and MRR for dense, BM25 and both fusions on the dev set."""
    from evaluation.dataset import load_eval_set
    from evaluation.retrieval import evaluate_retrieval

    scores, _ = evaluate_retrieval(searcher, load_eval_set())
    return [s.to_dict() for s in scores]


def run(quick: bool = False, log=print) -> dict:
    """Every retrieval benchmark; `quick` keeps to the real corpus and 1k passages."""
    results: dict = {"quick": quick, "load_average_before": os.getloadavg()}
    embedder = load_embedder()
    queries = benchmark_queries()
    repeats = 1 if quick else 3
    real_repeats = 1 if quick else 9  # the real corpus is small: more rounds for steady figures
    with tempfile.TemporaryDirectory(prefix="counterpoint-bench-") as temp:
        work = Path(temp)
        documents = load_corpus(REPO_DIR / "corpus")
        results["ingest_real_corpus"] = ingest_throughput(embedder, documents, work / "ingest")
        log(f"ingest, real corpus: {results['ingest_real_corpus']}")
        results["cold_cli"] = cold_cli(work / "ingest", runs=1 if quick else 3)
        log(f"cold CLI, real corpus: {results['cold_cli']}")
        real = open_searcher(_location(work / "ingest"), embedder, log=lambda _: None)
        results["quality"] = quality_by_mode(real)
        results["latency_real_corpus"] = latency_by_mode(real, queries, real_repeats)
        log(f"latency, real corpus ({len(real.passages)} passages): "
            f"{results['latency_real_corpus']}")
        vectors = corpus_vectors(real)
        results["server_real_corpus"] = _server_latency(real, vectors, queries, work, real_repeats)
        log(f"latency, chroma run server: {results['server_real_corpus']}")
        real.close()
        results["synthetic"] = {}
        for size in SIZES[:1] if quick else SIZES:
            results["synthetic"][size] = _synthetic_run(embedder, real.passages, vectors, size,
                                                        queries, repeats, work)
            log(f"synthetic {size:,}: {results['synthetic'][size]}")
    results["load_average_after"] = os.getloadavg()
    return results


def _server_latency(real: Searcher, vectors, queries, work: Path, repeats: int) -> dict:
    """The real corpus copied into a `chroma run` server, searched through HttpClient."""
    with chroma_server(work / "server") as url:
        store = open_store(_location(work / "unused", chroma_url=url), real.embedder)
        fill_store(store, real.passages, vectors)
        remote = Searcher(real.documents, real.passages, real.embedder, store, real.bm25)
        try:
            return latency_by_mode(remote, queries, repeats)
        finally:
            remote.close()


def _synthetic_run(embedder, passages, vectors, size, queries, repeats, work: Path) -> dict:
    documents, synthetic, synthetic_vectors = synthetic_corpus(passages, vectors, size)
    location = _location(work / f"synthetic-{size}")
    searcher, build = synthetic_searcher(embedder, documents, synthetic, synthetic_vectors,
                                         location)
    try:
        latency = latency_by_mode(searcher, queries, repeats)
    finally:
        searcher.close()
    shutil.rmtree(location.chroma_path.parent, ignore_errors=True)
    return {**build, "latency": latency}


def main(argv: list[str] | None = None) -> int:
    from retrieval import offline_environment

    parser = argparse.ArgumentParser(prog="python -m evaluation.bench.retrieval")
    parser.add_argument("--quick", action="store_true", help="real corpus and 1k passages only")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    offline_environment()
    results = run(quick=args.quick, log=lambda line: print(line, file=sys.stderr))
    text = json.dumps(results, indent=2)
    if args.json:
        args.json.write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

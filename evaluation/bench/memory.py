"""Peak memory of the app process: a fresh child builds the app, loads the default model
through the app's own Session and answers one question; it reports its VmHWM.

    .venv/bin/python -m evaluation.bench.memory '{"corpus_dir": ..., "question": ...}'
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
_FIELDS = ("VmHWM", "VmRSS", "RssAnon", "RssFile")


def status_mb() -> dict[str, float]:
    """VmHWM (peak resident), VmRSS and its anonymous/file-backed parts in MB, this process."""
    status = Path("/proc/self/status")
    if not status.is_file():  # not Linux: only the peak, from getrusage (kB on Linux, B on macOS)
        scale = 1 if sys.platform == "darwin" else 1024
        return {"VmHWM": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20}
    found = {}
    for line in status.read_text().splitlines():
        name, _, value = line.partition(":")
        if name in _FIELDS:
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


def peak_memory(settings, question: str, timeout: float = 1200) -> dict:
    """Run the probe in a child process and return what it measured."""
    spec = {"corpus_dir": str(settings.corpus_dir), "data_dir": str(settings.data_path),
            "chroma_url": settings.chroma_url, "llm": settings.llm, "k": settings.k,
            "question": question}
    done = subprocess.run([sys.executable, "-m", "evaluation.bench.memory", json.dumps(spec)],
                          cwd=_REPO, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the memory probe failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def probe(spec: dict) -> dict:
    """In this process: build the app, load the model, open the index, answer; peak after each."""
    phases, start = [], time.perf_counter()

    def mark(phase: str) -> None:
        phases.append({"phase": phase, "seconds": round(time.perf_counter() - start, 1),
                       **status_mb()})

    mark("python started")
    from retrieval import offline_environment

    offline_environment()
    from answers import answer_question
    from interface.settings import load_settings, session_of
    from interface.web import build_app
    
    mark("modules imported")
    question = spec.pop("question")
    settings = load_settings(spec, environ={})
    session = session_of(settings)
    build_app(settings, session)
    mark("app built")
    model = session.model(settings.llm)
    mark("model loaded")
    searcher = session.searcher()
    mark("index opened")
    answer = answer_question(question, searcher, model, k=settings.k)
    mark("question answered")
    session.close()
    return {"peak_rss_mb": phases[-1]["VmHWM"], "phases": phases, "model": model.name,
            "question": question, "refused": answer.refused}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m evaluation.bench.memory JSON_SPEC", file=sys.stderr)
        return 2
    print(json.dumps(probe(json.loads(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

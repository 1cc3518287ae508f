"""Peak memory of one process answering a question: a fresh child opens a `Session`, loads the
model and the index through it and answers one question; it reports its VmHWM after each phase.

The child runs the pipeline only, not the web app, so evaluation imports nothing from the
interface: Gradio's import and the Blocks app are not in these figures (building the app added
4 MB to the imports in the last run that measured it, README bench block at 1eb8e6d).

    .venv/bin/python -m evaluation.bench.memory '{"index": {...}, "model_cache": ..., "llm": ...,
        "k": 6, "question": ...}'
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent.parent
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


def peak_memory(index, model_cache: Path, llm: str, k: int, question: str,
                timeout: float = 1200) -> dict:
    """Run the probe in a child process and return what it measured (`index`: IndexLocation)."""
    spec = {"index": {name: str(value) if isinstance(value, Path) else value
                      for name, value in asdict(index).items()},
            "model_cache": str(model_cache), "llm": llm, "k": k, "question": question}
    done = subprocess.run([sys.executable, "-m", "evaluation.bench.memory", json.dumps(spec)],
                          cwd=_REPO, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the memory probe failed: {last}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def probe(spec: dict) -> dict:
    """In this process: open a Session, load the model, open the index, answer; peak after each."""
    phases, start = [], time.perf_counter()

    def mark(phase: str) -> None:
        phases.append({"phase": phase, "seconds": round(time.perf_counter() - start, 1),
                       **status_mb()})

    mark("python started")
    from retrieval import offline_environment

    offline_environment()
    from answers import answer_question
    from retrieval import IndexLocation
    from session import Session

    mark("modules imported")
    where = spec["index"]
    index = IndexLocation(Path(where["corpus_dir"]), Path(where["chroma_path"]),
                          where["chroma_url"], where["collection"])
    session = Session(index, Path(spec["model_cache"]), spec["llm"])
    model = session.model()
    mark("model loaded")
    searcher = session.searcher()
    mark("index opened")
    answer = answer_question(spec["question"], searcher, model, k=spec["k"])
    mark("question answered")
    session.close()
    return {"peak_rss_mb": phases[-1]["VmHWM"], "phases": phases, "model": model.name,
            "question": spec["question"], "refused": answer.refused}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m evaluation.bench.memory JSON_SPEC", file=sys.stderr)
        return 2
    print(json.dumps(probe(json.loads(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

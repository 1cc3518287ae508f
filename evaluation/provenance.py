"""What a figure depends on: configuration, package versions, git commit, machine, digests."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("counterpoint", "langchain-core", "langchain-chroma", "chromadb",
            "sentence-transformers", "torch", "llama-cpp-python", "gradio")
_REPO = Path(__file__).resolve().parent.parent


def configuration(session, options, load_before) -> dict:
    """Model, k, data, versions and machine of an `eval all` run (`options`: its EvalOptions)."""
    model = session.model() if session.has_model(session.llm) else None
    searcher = session.searcher() if session.has_searcher() else None
    return {
        "model": model.name if model is not None else None, "llm": session.llm,
        "model_sha256": model_digest(session.llm), "k": options.k,
        "include_comments": options.include_comments,
        "embedder": searcher.embedder.name if searcher is not None else None,
        "passages": len(searcher.passages) if searcher is not None else None,
        "eval_set": str(options.eval_set), "eval_set_sha256": file_digest(options.eval_set),
        "argkp": str(options.argkp_dir), "argkp_split": options.argkp_split,
        "quick": options.quick, "versions": versions(), "git_commit": git_commit(),
        "machine": machine(load_before),
    }


def model_digest(llm: str) -> str | None:
    """The bundled GGUF's sha256 (verified when it was assembled); None for other models."""
    from generation import QWEN_1_5B, ModelSpec, parse_spec

    return QWEN_1_5B.sha256 if parse_spec(llm) == ModelSpec("local") else None


def file_digest(path: Path) -> str | None:
    """The sha256 of a file, or None when there is no such file."""
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def versions() -> dict:
    """Python and the installed versions of the packages the figures depend on."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit() -> str | None:
    """The checkout's commit, with "+changes" when the working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=_REPO, text=True,
                              capture_output=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=_REPO, text=True, capture_output=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+changes" if dirty.strip() else "")


def machine(load_before) -> dict:
    """CPU count and the load average before and after (the machine may be shared)."""
    return {"cpus": os.cpu_count(), "platform": platform.platform(terse=True),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()]}

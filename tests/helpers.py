"""Helpers more than one test module uses (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NODE_DIR = Path(__file__).resolve().parent / "node"


def first_party_packages() -> tuple[str, ...]:
    """The project's top-level packages, from the one list in pyproject.toml."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return tuple(p.rstrip("*") for p in patterns if (REPO / p.rstrip("*")).is_dir())


def share_model_cache(settings) -> None:
    """Point a temporary data dir at the prepared model (setup.sh assembles it once)."""
    from interface.settings import load_settings

    prepared = load_settings().model_cache
    if prepared.is_dir():
        settings.data_path.mkdir(parents=True, exist_ok=True)
        settings.model_cache.symlink_to(prepared, target_is_directory=True)


def free_port() -> int:
    """A TCP port on loopback that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(root: Path, embedder, auth=None, llm: str = "local", models=None):
    """Serve the app on loopback over a temporary copy of the corpus; return (url, app, session)."""
    from interface.settings import load_settings, session_of
    from interface.web import build_app, launch_options

    shutil.copytree(REPO / "corpus", root / "corpus")
    settings = load_settings({"corpus_dir": root / "corpus", "data_dir": root / "data",
                              "llm": llm}, environ={})
    share_model_cache(settings)
    session = session_of(settings, embedder=embedder, models=models)
    app = build_app(settings, session)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
               auth=auth, **launch_options())
    return f"http://127.0.0.1:{port}/", app, session


def parse_argdown(text: str) -> dict:
    """What the real Argdown parser (node, tests/node) makes of the text; skips without node."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed; the Argdown check needs node and tests/node")
    if not (NODE_DIR / "node_modules" / "@argdown" / "core").is_dir():
        pytest.skip("@argdown/core is not installed: run `cd tests/node && npm ci`")
    result = subprocess.run(["node", "parse.mjs"], input=text, capture_output=True, text=True,
                            cwd=NODE_DIR, timeout=60, check=True)
    return json.loads(result.stdout)

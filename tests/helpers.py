"""Helpers more than one test module uses (fixtures live in conftest.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def first_party_packages() -> tuple[str, ...]:
    """The project's top-level packages, from the one list in pyproject.toml."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return tuple(p.rstrip("*") for p in patterns if (REPO / p.rstrip("*")).is_dir())

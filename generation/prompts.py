"""Prompts are named files in prompts/; code renders them with exactly their variables.

Every module that renders a prompt declares what it passes in a module-level dict,
`PROMPT_VARIABLES = {"file.txt": {"var", ...}}`; tests/test_prompts.py collects those
declarations from all packages and checks them against the files.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

from langchain_core.prompts import PromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@cache
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    """The prompt file `name` as a LangChain PromptTemplate (f-string; literal braces doubled)."""
    path = Path(directory) / name
    if not path.is_file():
        raise FileNotFoundError(f"prompt file {path} is missing")
    return PromptTemplate.from_template(path.read_text("utf-8").strip("\n"))


def prompt_variables(name: str, directory: Path = PROMPTS_DIR) -> set[str]:
    return set(load_prompt(name, directory).input_variables)


def render_prompt(name: str, **values) -> str:
    """Fill a prompt file; the values must be exactly its variables."""
    template = load_prompt(name)
    expected = set(template.input_variables)
    if set(values) != expected:
        raise ValueError(f"prompt {name} takes {sorted(expected)}, got {sorted(values)}")
    return template.format(**values)


def declared_variables(packages: tuple[str, ...]) -> dict[str, dict[str, set]]:
    """{prompt file: {module: variables}} from every module's PROMPT_VARIABLES."""
    found: dict[str, dict[str, set]] = {}
    for module_name in _modules(packages):
        declared = getattr(importlib.import_module(module_name), "PROMPT_VARIABLES", {})
        for file_name, variables in declared.items():
            found.setdefault(file_name, {})[module_name] = set(variables)
    return found


def _modules(packages: tuple[str, ...]) -> list[str]:
    names = []
    for package_name in packages:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=package_name + "."):
            names.append(info.name)
    return names

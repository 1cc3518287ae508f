"""Housekeeping: each package's public surface, imports that follow the pipeline, no flat files.

Read from the source (ast), not imported: these tests load no model and no library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import REPO, first_party_packages

# The public names each package's __init__ lists in `__all__`. A change to a package's surface
# is a change here too: add or remove the name in its list (kept sorted, as ruff sorts __all__).
PUBLIC = {
    "documents": ["KINDS", "Citation", "CorpusError", "Document", "Passage", "add_document",
                  "attributed", "claim_of", "corpus_lock", "decode_text", "load_corpus", "page_of",
                  "sentence_spans", "split_passages"],
    "documents.formats": ["EXTENSIONS", "Converted", "UnsupportedFile", "convert"],
    "retrieval": ["BUNDLED_MODEL", "FUSIONS", "MODES", "Embedder", "Hit", "IndexLocation",
                  "IndexReport", "IndexUnavailable", "PassageRetriever", "Searcher",
                  "as_retriever", "build_index", "corpus_passages", "embed_pending",
                  "hit_document", "load_embedder", "offline_environment", "open_searcher",
                  "query_encoder_for", "remove_stale", "searcher_over"],
    "generation": ["QWEN_1_5B", "SPEC_HELP", "Model", "ModelError", "ModelHandle", "ModelSpec",
                   "PreparedModel", "Progress", "Stopwatch", "is_ready", "load_model",
                   "load_prompt", "no_progress", "parse_spec", "prepare", "render_prompt"],
    "session": ["Session"],
    "answers": ["NOT_FOUND", "Answer", "AnswerSentence", "answer_question"],
    "arguments": ["STANCES", "ArgumentMap", "Claim", "Debate", "DebateTurn", "KeyPoint",
                  "Position", "Positions", "Stance", "Unused", "Verdict", "all_turns",
                  "answer_claims",
                  "audit_citation", "audit_claims", "build_map", "comment_key_points",
                  "competing_positions", "next_turn", "open_debate", "stance", "to_aif",
                  "to_argdown", "to_markdown", "to_mermaid"],
    "evaluation": ["EvalOptions", "Metric", "Section", "check_readme", "evaluate_all",
                   "render_markdown", "render_tables", "run_section", "update_readme",
                   "write_report"],
    "evaluation.bench": ["render_markdown", "render_tables", "run_all"],
    "interface": [],
    "interface.cli": ["build_parser", "main"],
    "interface.web": ["build_app", "check_binding", "is_loopback", "launch_options", "serve"],
}
NO_ALL: dict[str, str] = {}

# Pipeline order: a stage imports only stages ranked at or below it.
RANK = {"documents": 0, "retrieval": 1, "generation": 2, "session": 3, "answers": 4,
        "arguments": 4, "evaluation": 5, "interface": 6}
SIBLINGS = {"answers", "arguments"}  # same rank, and neither imports the other
# Violations known and accepted, each named (none today).
KNOWN_CYCLES: dict[str, str] = {}
KNOWN_UPWARD: dict[str, str] = {}


def _module_files() -> dict[str, Path]:
    """Every first-party module by dotted name (a package by its own name)."""
    found = {}
    for package in first_party_packages():
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _module_files()


def _imported(name: str, path: Path, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The first-party modules one import statement names (`from a import b`: a.b if a module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
    found = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
    named = {f"{base}.{alias.name}" for alias in node.names}
    return found | ({base} if base in MODULES and named - found else set())


def imports_of(name: str) -> set[str]:
    """First-party modules this module imports anywhere (top level, functions, TYPE_CHECKING)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= _imported(name, path, node)
    return found - {name}


def upward_imports(package: str) -> list[str]:
    """`module -> imported` pairs in this package that import a later stage or a sibling."""
    found = []
    for name in (m for m in MODULES if m.split(".")[0] == package):
        for target in sorted(imports_of(name)):
            stage = target.split(".")[0]
            later = RANK[stage] > RANK[package]
            if later or (stage != package and {stage, package} <= SIBLINGS):
                found.append(f"{name} -> {target}")
    return found


def import_cycles(package: str) -> list[list[str]]:
    """Groups of this package's modules that import each other, directly or in a ring."""
    names = [m for m in MODULES if m.split(".")[0] == package]
    graph = {name: imports_of(name) & set(names) for name in names}
    reach = {name: _reachable(graph, name) for name in names}
    cycles = {tuple(sorted(n for n in names if n in reach[name] and name in reach[n]))
              for name in names}
    return [list(cycle) for cycle in sorted(cycles) if cycle]


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += graph[name]
    return seen


def _known(cases: dict[str, str], values) -> list:
    """Parameters, each known violation marked as an expected failure that names it."""
    return [pytest.param(v, marks=pytest.mark.xfail(reason=cases[v], strict=True))
            if v in cases else v for v in values]


def _declared_all(package: str) -> list[str] | None:
    """The literal `__all__` of a package's __init__.py (read, not imported)."""
    tree = ast.parse(MODULES[package].read_text("utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", 0)]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return list(ast.literal_eval(node.value))
    return None


def test_every_package_has_a_pinned_surface():
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert packages == set(PUBLIC)


@pytest.mark.parametrize("package", _known(NO_ALL, sorted(PUBLIC)))
def test_package_all_is_pinned(package):
    assert _declared_all(package) == PUBLIC[package]


@pytest.mark.parametrize("package", _known(KNOWN_UPWARD, RANK))
def test_no_upward_imports_between_stages(package):
    assert upward_imports(package) == []


@pytest.mark.parametrize("package", _known(KNOWN_CYCLES, RANK))
def test_no_import_cycles_inside_a_package(package):
    assert import_cycles(package) == []


def test_every_package_has_a_rank():
    assert list(RANK) == list(first_party_packages())


def test_the_import_checks_read_imports_inside_functions_and_relative_ones():
    tree = ast.parse("def f():\n    from interface.settings import load_settings\n"
                     "from . import index\n")
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    found = set().union(*(_imported("retrieval.search", MODULES["retrieval.search"], n)
                          for n in nodes))
    assert found == {"interface.settings", "retrieval.index"}


def test_interface_has_no_flat_web_or_command_modules():
    flat = sorted(p.name for pattern in ("web_*.py", "commands_*.py")
                  for p in (REPO / "interface").glob(pattern))
    assert flat == []

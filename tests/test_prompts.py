"""Every prompt file's variables match what the code that renders it passes in.

Each module that renders a prompt declares `PROMPT_VARIABLES = {"file.txt": {...}}`;
this test collects those declarations from every package.
"""

from __future__ import annotations

import pytest
from helpers import first_party_packages

from generation.prompts import PROMPTS_DIR, declared_variables, prompt_variables, render_prompt

PROMPT_FILES = sorted(p.name for p in PROMPTS_DIR.glob("*.txt"))


@pytest.fixture(scope="module")
def declared():
    return declared_variables(first_party_packages())


def test_there_are_prompt_files():
    expected = {"answer.txt", "answer_choose.txt", "support_shown.txt", "rewrite.txt"}
    assert expected <= set(PROMPT_FILES)


@pytest.mark.parametrize("name", PROMPT_FILES)
def test_each_prompt_file_is_rendered_by_code_with_exactly_its_variables(name, declared):
    assert name in declared, f"no module declares PROMPT_VARIABLES for prompts/{name}"
    for module, variables in declared[name].items():
        assert variables == prompt_variables(name), (
            f"{module} passes {sorted(variables)} to prompts/{name}, "
            f"which uses {sorted(prompt_variables(name))}")


def test_every_declared_prompt_file_exists(declared):
    missing = sorted(set(declared) - set(PROMPT_FILES))
    assert not missing, f"declared but not in prompts/: {missing}"


def test_render_refuses_missing_or_extra_variables():
    with pytest.raises(ValueError, match="takes"):
        render_prompt("rewrite.txt", question="q")
    with pytest.raises(ValueError, match="takes"):
        render_prompt("rewrite.txt", question="q", history="h", extra="x")
    text = render_prompt("rewrite.txt", question="Q?", history="H.")
    assert "Q?" in text and "H." in text and "{" not in text


def test_a_missing_prompt_file_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        render_prompt("nope.txt")

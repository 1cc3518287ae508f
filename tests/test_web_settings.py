"""Settings tab: users choose among the operator's models by name; bad input keeps the old
choice."""

from __future__ import annotations

import pytest

from arguments.maps import MAX_CANDIDATES
from generation import parse_spec
from interface.settings import load_settings
from interface.web.context import Preferences
from interface.web.settings import apply_settings, model_name, offered_models

OPERATOR = ("local", "ollama:qwen2.5:7b-instruct", "openai:qwen@http://10.0.0.5:8080/v1",
            "openai:qwen@https://api.example.org/v1", "local:/srv/models/small.gguf")


@pytest.mark.parametrize("spec, name", [
    ("local", "Bundled Qwen2.5-Coder-1.5B (offline)"),
    ("local:/srv/models/small.gguf", "Local small.gguf"),
    ("ollama:llama3@http://10.0.0.5:11434", "Ollama llama3"),
    ("openai:qwen@http://10.0.0.5:8080/v1", "OpenAI-compatible qwen"),
])
def test_a_model_is_named_without_its_url_or_path(spec, name):
    assert model_name(spec) == name
    str(parse_spec(spec))  # every example is a spec the generation stage accepts


def test_the_operator_models_are_offered_by_distinct_names():
    offered = offered_models(OPERATOR)
    assert list(offered.values()) == list(OPERATOR)
    assert "OpenAI-compatible qwen" in offered and "OpenAI-compatible qwen (2)" in offered
    assert not any("http" in name or "/srv" in name for name in offered)


def test_settings_list_the_default_model_first_then_the_operator_models():
    settings = load_settings({"llm": "ollama:llama3"},
                             environ={"COUNTERPOINT_MODELS": "local, ollama:llama3,"})
    assert settings.model_choices == ("ollama:llama3", "local")


def test_apply_keeps_the_current_preferences_when_input_is_bad():
    offered = offered_models(OPERATOR)
    current = Preferences(llm="local", k=6, include_comments=True)
    chosen, text = apply_settings(current, offered, "Ollama qwen2.5:7b-instruct", 30, False)
    assert chosen is current and "between 1 and" in text
    chosen, text = apply_settings(current, offered, "ollama:llama3", 6, True)
    assert chosen is current and text.startswith("Settings not changed")
    chosen, text = apply_settings(current, offered, "Ollama qwen2.5:7b-instruct", 3, False)
    assert chosen == Preferences(llm="ollama:qwen2.5:7b-instruct", k=3, include_comments=False)
    assert "Using Ollama qwen2.5:7b-instruct" in text and "reader comments excluded" in text
    smaller, _ = apply_settings(current, offered, model_name("local"), 6, True, 6)
    assert smaller.map_passages == 6 and current.map_passages == MAX_CANDIDATES

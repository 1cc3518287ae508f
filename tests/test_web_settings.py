"""Settings tab: provider specs the generation stage accepts, bad input keeps the old choice."""

from __future__ import annotations

import pytest

from generation import parse_spec
from interface.web.context import Preferences
from interface.web.settings import apply_settings, fields_of, spec_of


@pytest.mark.parametrize("provider, model, url", [
    ("local", "", ""),
    ("ollama", "qwen2.5:7b-instruct", ""),
    ("openai", "qwen", "http://127.0.0.1:8080/v1"),
])
def test_specs_round_trip_and_parse_in_the_generation_stage(provider, model, url):
    spec = spec_of(provider, model, url)
    assert fields_of(spec) == (provider, model, url)
    assert str(parse_spec(spec)) == spec


@pytest.mark.parametrize("provider, model, url, message", [
    ("ollama", " ", "", "needs a model name"),
    ("openai", "qwen", "", "base URL"),
    ("openai", "qwen", "127.0.0.1:8080", "must start with http"),
    ("cloud", "x", "", "unknown provider"),
])
def test_incomplete_provider_settings_are_refused_with_a_reason(provider, model, url, message):
    with pytest.raises(ValueError, match=message):
        spec_of(provider, model, url)


def test_apply_keeps_the_current_preferences_when_input_is_bad():
    current = Preferences(llm="local", k=6, include_comments=True)
    chosen, text = apply_settings(current, "local", "", "", 30, False)
    assert chosen is current and "between 1 and" in text
    chosen, text = apply_settings(current, "ollama", "", "", 6, True)
    assert chosen is current and text.startswith("Settings not changed")
    chosen, text = apply_settings(current, "ollama", "llama3", "", 3, False)
    assert chosen == Preferences(llm="ollama:llama3", k=3, include_comments=False)
    smaller, _ = apply_settings(current, "local", "", "", 6, True, 6)
    assert smaller.map_passages == 6 and current.map_passages == 16
    assert "reader comments excluded" in text

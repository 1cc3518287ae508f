"""The bundled model through the `local` provider: chat, streaming, label logits, the lock."""

from __future__ import annotations

import threading

import pytest

from generation import QWEN_1_5B, is_ready
from interface.settings import Settings

pytestmark = pytest.mark.llm

CAPITAL = "Is Paris the capital of France? Reply Yes or No."
NOT_CAPITAL = "Is Berlin the capital of France? Reply Yes or No."


def test_the_cache_holds_the_verified_bundled_model(local_model):
    assert local_model.name == QWEN_1_5B.name and is_ready(Settings().model_cache)


def test_yes_no_probabilities_come_from_the_logits(local_model):
    yes = local_model.label_probabilities([("human", CAPITAL)], ["Yes", "No"])
    no = local_model.label_probabilities([("human", NOT_CAPITAL)], ["Yes", "No"])
    assert sum(yes.values()) == pytest.approx(1.0)
    assert yes["Yes"] > 0.8 and no["No"] > 0.8


def test_a_label_question_asked_again_is_answered_from_memory(local_model, monkeypatch):
    from generation.local import _LOADED

    question = [("human", "Is the Danube longer than the Thames? Reply Yes or No.")]
    first = local_model.label_probabilities(question, ["Yes", "No"])
    engine = next(iter(_LOADED.values()))
    evaluated = []
    original = engine._next_token_logits
    monkeypatch.setattr(engine, "_next_token_logits",
                        lambda tokens: evaluated.append(tokens) or original(tokens))
    assert local_model.label_probabilities(question, ["Yes", "No"]) == first
    assert evaluated == []
    other = local_model.label_probabilities(question, ["No", "Yes"])  # other labels: asked
    # Evaluated again, only the last token is recomputed over the cached prefix, and llama.cpp's
    # batching moves the last digits: memory also keeps a question's answer stable.
    assert len(evaluated) == 1 and other == pytest.approx(first, abs=0.05)
    engine.forget()  # what a benchmark does before it measures
    local_model.label_probabilities(question, ["Yes", "No"])
    assert len(evaluated) == 2


def test_a_numbered_choice_reads_one_digit_labels(local_model):
    prompt = ("Passages:\n[1] The sky is green.\n[2] Water boils at 100 degrees Celsius at sea "
              "level.\n[3] Cats bark.\n\nQuestion: At what temperature does water boil?\n\n"
              "Which passage answers the question? Reply with the passage number only.")
    choice = local_model.label_probabilities([("human", prompt)], ["0", "1", "2", "3"])
    assert max(choice, key=choice.get) == "2"


def test_invoke_and_stream_give_the_same_greedy_text(local_model):
    question = [("human", "Name the largest planet of the solar system in one word.")]
    text = local_model.reply(question, max_tokens=8)
    streamed = "".join(chunk.text for chunk in local_model.limited(8).stream(question))
    assert "jupiter" in text.lower() and streamed == text


def test_concurrent_calls_are_serialised_and_agree(local_model):
    expected = local_model.label_probabilities([("human", CAPITAL)], ["Yes", "No"])
    results, errors = [], []

    def work(prompt):
        try:
            results.append((prompt, local_model.label_probabilities([("human", prompt)],
                                                                    ["Yes", "No"])))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(p,)) for p in (CAPITAL, NOT_CAPITAL) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for prompt, probabilities in results:
        if prompt == CAPITAL:
            # The same prompt evaluated whole or after a cached prefix is split into other
            # batches, and llama.cpp's CPU kernels round differently (measured on the build for
            # this CPU: P(Yes) 0.9793 fresh, 0.9780 with all but one token cached, 0.9810 after
            # NOT_CAPITAL's shared prefix). Interleaved calls would give another answer.
            assert probabilities == pytest.approx(expected, abs=1e-2)
        else:
            assert probabilities["No"] > 0.8


def test_raw_speed_is_measured(local_model):
    speed = local_model.chat.engine.measure_speed(prompt_tokens=64, generated_tokens=4)
    assert speed["prompt_tokens"] == 64 and speed["generated_tokens"] == 4
    assert speed["prompt_tokens_per_s"] > 0 and speed["generation_tokens_per_s"] > 0


def test_any_gguf_file_can_be_named_and_is_loaded_once(local_model):
    from generation import load_model

    path = Settings().model_cache / QWEN_1_5B.file_name
    named = load_model(f"local:{path}", Settings().model_cache)
    assert named.name == path.name and named.chat.engine is local_model.chat.engine


def test_setup_runs_llama_cpp_on_a_long_prompt_in_its_own_process(local_model):
    """setup.sh's check: a build with an instruction the CPU lacks (AMX in a VM) generates
    single tokens but dies with SIGILL on a batched prompt; here it must run and count."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    cli = Path(sys.executable).with_name("counterpoint")
    done = subprocess.run([str(cli), "models", "prepare", "--run", "--json"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["evaluated_tokens"] > 200

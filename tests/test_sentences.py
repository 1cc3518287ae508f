"""Sentence splitting: linear time, any script, abbreviations and footnote markers."""

from __future__ import annotations

import random
import time

import pytest

from documents import sentence_spans


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def _generated_text(size: int) -> str:
    """English-like paragraphs full of abbreviations, initials and footnote markers."""
    words = ["war", "peace", "U.S.", "approx.", "NATO", "“talks”", "5,000", "is", "e.g.",
             "Mr.", "J.", "Smith", "Kyiv", "—", "(sanctions)", "ends.[3]", "now!", "why?"]
    rng = random.Random(14)
    lines, total = [], 0
    while total < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(4, 30)))
        line = f"The {sentence} over."
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)[:size]


@pytest.mark.parametrize("size", [148_000, 2_000_000])
def test_splitting_takes_linear_time(size):
    text = _generated_text(size)
    text = text.replace("\n", " ")  # one huge paragraph: the worst case for the old splitter
    elapsed = []
    for _ in range(2):  # the better of two runs: other processes share the machine
        began = time.perf_counter()
        spans = sentence_spans(text)
        elapsed.append(time.perf_counter() - began)
    elapsed = min(elapsed)
    assert elapsed < 1.0, f"{size:,} characters took {elapsed:.2f} s"
    assert len(spans) > size // 400
    assert all(text[a:b] == text[a:b].strip() and a < b for a, b in spans)


def test_abbreviations_initials_and_footnotes_do_not_end_sentences():
    text = ("The U.S. sent approx. 500 troops, e.g. engineers.[3] J. Smith said so. "
            "Mr. Jones disagreed.[4][5] Then it ended.")
    assert _sentences(text) == ["The U.S. sent approx. 500 troops, e.g. engineers.[3]",
                                "J. Smith said so.", "Mr. Jones disagreed.[4][5]",
                                "Then it ended."]


def test_cyrillic_sentences_start_at_any_uppercase_letter():
    text = "Москва большая. Она стоит на реке! Почему? 2024 год был трудным. А. С. Пушкин жил там."
    assert _sentences(text) == ["Москва большая.", "Она стоит на реке!", "Почему?",
                                "2024 год был трудным.", "А. С. Пушкин жил там."]


def test_accented_capitals_and_opening_marks_start_sentences():
    text = "Élan vital. Éric left. ¿Qué pasa? «Rien.» Ölpreise steigen. lower case follows."
    assert _sentences(text) == ["Élan vital.", "Éric left.", "¿Qué pasa?", "«Rien.»",
                                "Ölpreise steigen. lower case follows."]


def test_chinese_and_japanese_full_stops_split_without_spaces():
    assert _sentences("今天天气很好。我们去公园吧！你来吗？好的。") == [
        "今天天气很好。", "我们去公园吧！", "你来吗？", "好的。"]
    # A quoted sentence that the text runs on from stays inside its sentence.
    assert _sentences("「東京へ行く。」と彼は言った。Then he left.") == [
        "「東京へ行く。」と彼は言った。", "Then he left."]


def test_offsets_are_into_the_whole_text():
    text = "Skip this. Keep one. Keep two. Skip again."
    start, end = text.index("Keep one"), text.index(" Skip again")
    assert [text[a:b] for a, b in sentence_spans(text, start, end)] == ["Keep one.", "Keep two."]

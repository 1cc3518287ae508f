"""Text helpers: the loose family for linking, the close family for checks, BM25's terms."""

from __future__ import annotations

from documents.text import (
    ANSWER_STOP_WORDS,
    CLAIM_STOP_WORDS,
    NEGATION_WORDS,
    SEARCH_STOP_WORDS,
    content_stems,
    content_words,
    figures,
    is_negated,
    likely_names,
    normalise,
    numerals,
    proper_names,
    search_terms,
    words,
)


def test_content_stems_fold_trailing_s_and_drop_attribution_words():
    stems = content_stems("A reader comment argues that Russia’s drones hit 14 cities.")
    assert stems == {"russia", "drone", "hit", "citie"}
    assert content_stems("I am") == {"am"}  # one-letter words never count


def test_numerals_are_digit_strings_without_thousands_commas():
    assert numerals("About 14,000 drones in 2025.") == {"14000", "2025"}
    assert numerals("a fifth of Ukraine") == set()


def test_likely_names_skip_the_first_word_and_common_acronyms():
    assert likely_names("Witkoff met Putin in the US and Budapest.") == {"putin", "budapest"}
    assert likely_names("The Reader said so") == set()  # a stop word even when capitalised


def test_content_words_keep_whole_words_and_leave_negations_out():
    found = content_words("Russia’s drones did not reach Kyiv without warning")
    assert found == {"russia", "drones", "reach", "kyiv", "warning"}


def test_figures_read_percentages_scales_fractions_and_number_words():
    found = figures("5 per cent of $143.5 billion, two-thirds of them, twelve times")
    assert found["5 per cent"] == ("percent", 5.0)
    assert found["143.5 billion"] == ("number", 143.5e9)
    assert found["two-thirds"] == ("fraction", 2 / 3)
    assert found["twelve"] == ("number", 12.0)


def test_proper_names_keep_case_and_skip_sentence_openers():
    assert proper_names("The U.S. and Russia’s allies met. Some left.") == {"US", "Russia"}
    assert proper_names("Then Kyiv answered.") == {"Kyiv"}


def test_negation_reads_words_and_contractions():
    assert is_negated("Talks collapsed") and is_negated("It won’t last")
    assert not is_negated("Talks went well")


def test_search_terms_drop_stop_words_and_fold_plurals():
    assert search_terms("The missiles of Russia's war: 14,000 attacks, a bass") == [
        "missile", "russia", "war", "14", "000", "attack", "bass"]


def test_words_and_normalise_keep_apostrophes_and_hyphens():
    assert normalise("Russia’s  “war”\n") == "Russia's \"war\""
    assert words(normalise("Russia’s two-thirds")) == ["Russia's", "two-thirds"]


def test_each_family_keeps_its_own_stop_words():
    assert "reader" in ANSWER_STOP_WORDS and "reader" not in CLAIM_STOP_WORDS
    assert "will" in CLAIM_STOP_WORDS and "will" not in ANSWER_STOP_WORDS
    assert "while" in SEARCH_STOP_WORDS and "while" not in CLAIM_STOP_WORDS
    assert "not" in NEGATION_WORDS and "not" in SEARCH_STOP_WORDS

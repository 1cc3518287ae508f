"""Text helpers: words, content words, numbers, names, negation words and stop words.

Two families live here on purpose, each under its own name. Linking an answer sentence to
passages matches loosely (`content_stems`, `numerals`, `likely_names`); checking a claim
against its quote reads closely (`content_words`, `figures`, `proper_names`, `is_negated`).
BM25 has its own tokenizer (`search_terms`). Each family keeps its own stop words.
"""

from __future__ import annotations

import re

# Linking an answer sentence to passages: function words, and the attribution words an answer
# puts around a claim ("a reader comment argues ..."), say nothing about its content.
ANSWER_STOP_WORDS = frozenset(
    "a an the and or but of to in on at by for with from as is are was were be been being "
    "has have had it its this that these those there their they them he she his her him "
    "which who whom what when where how why not no do does did so than then also about "
    "into over after before said says say according reader readers comment comments argues "
    "argue article passage passages".split()
)
# Checking a claim against its quote: function words (negations are counted apart).
CLAIM_STOP_WORDS = frozenset(
    "a an the and or but if of to in on at by for from with as is are was were be been being "
    "has have had do does did will would can could should may might must shall this that these "
    "those it its their there they them he she his her we our you your i me my which who whom "
    "what when where why how than then so such also into over about after before more most "
    "some any all each both very just only even still yet up out".split()
)
# Searching: function words carry no topic; dropping them keeps postings short and scores sharper.
SEARCH_STOP_WORDS = frozenset(
    """a an and are as at be been but by can could did do does for from had has have he her
    his how i if in into is it its may might more most no not of on or our she should so
    than that the their them then there these they this those to too was we were what when
    where which while who whom why will with would you your""".split()
)
NEGATION_WORDS = frozenset({
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
    "fail", "fails", "failed", "failure", "cancel", "cancels", "cancelled", "canceled",
    "cancellation", "absence", "lack", "lacks", "lacking", "refused", "refuses", "unable",
    "denied", "denies", "deny", "unlikely", "halted", "collapsed",
})

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_LETTERS = re.compile(r"[A-Za-z][A-Za-z-]*")  # an apostrophe ends the word
_SEARCH_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NUMERAL = re.compile(r"\d+(?:[.,]\d+)*")
_FIGURE = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*(%|percent\b|per cent\b)?"
                     r"(?:\s*(thousand|million|billion|trillion)\b)?", re.IGNORECASE)
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "dozen": 12,
}
_FRACTIONS = {
    "half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "fourth": 1 / 4, "fifth": 1 / 5,
    "sixth": 1 / 6, "tenth": 1 / 10, "two-thirds": 2 / 3, "three-quarters": 3 / 4,
}
_FRACTION = re.compile(r"\b(?:(?:one|a)[- ])?(two-thirds|three-quarters|half|third|quarter|"
                       r"fourth|fifth|sixth|tenth)s?\b", re.IGNORECASE)
_NOT_NAMES = frozenset({"I", "A", "An", "The", "This", "That", "These", "Those", "It", "In",
                        "On", "At", "By", "For", "If", "But", "And", "Or", "As", "So"})
_NOT_LIKELY_NAMES = ("I", "US", "UK", "EU")


# --- linking: loose matching of an answer sentence and a passage ------------------------------


def content_stems(text: str) -> set[str]:
    """Lower-cased words without trailing s's or answer stop words ("drones" -> "drone")."""
    stems = {w.lower().rstrip("s") for w in _LETTERS.findall(text)}
    return {w for w in stems if len(w) > 1 and w not in ANSWER_STOP_WORDS}


def numerals(text: str) -> set[str]:
    """Digit strings without thousands commas or a final full stop ("14,000" -> "14000")."""
    return {n.replace(",", "").rstrip(".") for n in _NUMERAL.findall(text)}


def likely_names(text: str) -> set[str]:
    """Capitalised words after the first word (likely names), lower-cased."""
    found = _LETTERS.findall(text)[1:]
    return {w.lower() for w in found if w[0].isupper() and w.lower() not in ANSWER_STOP_WORDS
            and w not in _NOT_LIKELY_NAMES}


# --- checks: close reading of a claim against its quote ---------------------------------------


def normalise(text: str) -> str:
    """Straight quotes and apostrophes, whitespace collapsed to single spaces."""
    return " ".join(text.translate(_APOSTROPHES).split())


def words(text: str) -> list[str]:
    """Words of letters, apostrophes and hyphens, in order ("Russia's", "two-thirds")."""
    return _WORD.findall(text)


def content_words(text: str) -> set[str]:
    """Lower-cased words without possessive 's, claim stop words or negation words."""
    found = re.findall(r"[a-z][a-z'-]+", normalise(text).lower())
    return {w.removesuffix("'s") for w in found
            if w not in CLAIM_STOP_WORDS and w not in NEGATION_WORDS}


def figures(text: str) -> dict[str, tuple[str, float]]:
    """Figures in a text: surface form -> (kind, value); kinds: number, percent, fraction."""
    found: dict[str, tuple[str, float]] = {}
    text = normalise(text)
    for match in _FIGURE.finditer(text):
        value = float(match.group(1).replace(",", ""))
        kind = "percent" if match.group(2) else "number"
        if match.group(3):
            value *= _SCALES[match.group(3).lower()]
        found[match.group(0).strip()] = (kind, value)
    for match in _FRACTION.finditer(text):
        found[match.group(0)] = ("fraction", _FRACTIONS[match.group(1).lower()])
    for word in words(text):
        if word.lower() in _WORD_NUMBERS:
            found[word] = ("number", float(_WORD_NUMBERS[word.lower()]))
    return found


def proper_names(text: str) -> set[str]:
    """Capitalised words that are not sentence openers, and acronyms, without possessives."""
    text = normalise(text)
    found = set()
    for match in re.finditer(r"[A-Z][A-Za-z.'-]*", text):
        word = re.sub(r"'s$", "", match.group()).rstrip(".'-")
        before = text[: match.start()].rstrip()
        opener = not before or before[-1] in '.!?:"('
        if word and word not in _NOT_NAMES and not (opener and word.lower() in CLAIM_STOP_WORDS):
            found.add(word.replace(".", ""))
    return found


def is_negated(text: str) -> bool:
    """True when the text holds a negation word or an n't contraction."""
    found = re.findall(r"[a-z']+", normalise(text).lower())
    return any(w in NEGATION_WORDS or w.endswith("n't") for w in found)


# --- search: the BM25 index's terms -----------------------------------------------------------


def search_terms(text: str) -> list[str]:
    """Lower-case word tokens without stop words, plural -s folded ("missiles" -> "missile")."""
    tokens = []
    for word in _SEARCH_WORD.findall(text.lower()):
        if word in SEARCH_STOP_WORDS or (len(word) == 1 and not word.isdigit()):
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        tokens.append(word)
    return tokens

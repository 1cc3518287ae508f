"""Deterministic support checks of a claim against a quote: numbers, names, negation, overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})
_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*(%|percent\b|per cent\b)?"
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
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NEGATIONS = frozenset({
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot",
    "fail", "fails", "failed", "failure", "cancel", "cancels", "cancelled", "canceled",
    "cancellation", "absence", "lack", "lacks", "lacking", "refused", "refuses", "unable",
    "denied", "denies", "deny", "unlikely", "halted", "collapsed",
})
_STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for from with as is are was were be been being "
    "has have had do does did will would can could should may might must shall this that these "
    "those it its their there they them he she his her we our you your i me my which who whom "
    "what when where why how than then so such also into over about after before more most "
    "some any all each both very just only even still yet up out".split()
)
_NOT_NAMES = frozenset({"I", "A", "An", "The", "This", "That", "These", "Those", "It", "In",
                        "On", "At", "By", "For", "If", "But", "And", "Or", "As", "So"})


@dataclass(frozen=True)
class CheckResult:
    """What code can see about a claim and a quote without a model."""

    conflicting_numbers: tuple[str, ...]  # the claim's figure differs from the quote's
    missing_numbers: tuple[str, ...]  # figures in the claim found neither in quote nor context
    missing_names: tuple[str, ...]  # names in the claim found neither in quote nor context
    negation_mismatch: bool  # one of claim and quote is negated, the other is not
    coverage: float  # share of the claim's content words present in quote or context

    @property
    def problems(self) -> list[str]:
        notes = []
        if self.conflicting_numbers:
            figures = _join(self.conflicting_numbers)
            notes.append(f"the quote gives a different figure for {figures}")
        if self.missing_numbers:
            notes.append(f"{_join(self.missing_numbers)} is not in the cited text")
        if self.missing_names:
            notes.append(f"{_join(self.missing_names)} is not named in the cited text")
        if self.negation_mismatch:
            notes.append("one of the claim and the quote is negated and the other is not")
        return notes


def _join(items: tuple[str, ...]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def normalise(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).split())


def numbers(text: str) -> dict[str, tuple[str, float]]:
    """Figures in a text: surface form -> (kind, value); kinds: number, percent, fraction."""
    found: dict[str, tuple[str, float]] = {}
    text = normalise(text)
    for match in _NUMBER.finditer(text):
        value = float(match.group(1).replace(",", ""))
        kind = "percent" if match.group(2) else "number"
        if match.group(3):
            value *= _SCALES[match.group(3).lower()]
        found[match.group(0).strip()] = (kind, value)
    for match in _FRACTION.finditer(text):
        found[match.group(0)] = ("fraction", _FRACTIONS[match.group(1).lower()])
    for word in _WORD.findall(text):
        if word.lower() in _WORD_NUMBERS:
            found[word] = ("number", float(_WORD_NUMBERS[word.lower()]))
    return found


def _number_checks(claim: str, quote: str, context: str) -> tuple[list[str], list[str]]:
    quoted = numbers(quote)
    around = {value for _, value in numbers(context).values()} | {v for _, v in quoted.values()}
    conflicting, missing = [], []
    for surface, (kind, value) in numbers(claim).items():
        if any(abs(value - other) <= 1e-9 * max(1.0, abs(value)) for other in around):
            continue
        same_kind = [v for k, v in quoted.values() if k == kind]
        (conflicting if same_kind else missing).append(surface)
    return conflicting, missing


def names(text: str) -> set[str]:
    """Capitalised words that are not sentence openers, and acronyms, without possessives."""
    text = normalise(text)
    found = set()
    for match in re.finditer(r"[A-Z][A-Za-z.'-]*", text):
        word = re.sub(r"'s$", "", match.group()).rstrip(".'-")
        before = text[: match.start()].rstrip()
        opener = not before or before[-1] in '.!?:"('
        if word and word not in _NOT_NAMES and not (opener and word.lower() in _STOPWORDS):
            found.add(word.replace(".", ""))
    return found


def _name_forms(text: str) -> set[str]:
    """Lower-cased name forms of a text, with the initials of multi-word names (UK, US)."""
    forms = {w.lower() for w in names(text)} | {w.lower() for w in _WORD.findall(text)}
    for run in re.findall(r"(?:[A-Z][a-z]+\s+){1,3}[A-Z][a-z]+", normalise(text)):
        forms.add("".join(word[0] for word in run.split()).lower())
    return forms


def _name_matches(name: str, forms: set[str]) -> bool:
    name = name.lower()
    stem = name[:5] if len(name) > 5 else name  # Ukraine ~ Ukrainian, Russia ~ Russian
    return name in forms or any(f.startswith(stem) for f in forms if len(stem) >= 5)


def is_negated(text: str) -> bool:
    words = re.findall(r"[a-z']+", normalise(text).lower())
    return any(w in _NEGATIONS or w.endswith("n't") for w in words)


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z'-]+", normalise(text).lower())
    return {w.removesuffix("'s") for w in words if w not in _STOPWORDS and w not in _NEGATIONS}


def _coverage(claim: str, evidence: str) -> float:
    wanted = content_words(claim)
    if not wanted:
        return 1.0
    present = {w[:5] for w in content_words(evidence)}
    return sum(w[:5] in present for w in wanted) / len(wanted)


def check_claim(claim: str, quote: str, context: str = "") -> CheckResult:
    """Compare a claim with the quote it cites (and the paragraph around it)."""
    conflicting, missing = _number_checks(claim, quote, context)
    forms = _name_forms(quote + "\n" + context)
    missing_names = sorted(n for n in names(claim) if not _name_matches(n, forms))
    return CheckResult(
        conflicting_numbers=tuple(conflicting),
        missing_numbers=tuple(missing),
        missing_names=tuple(missing_names),
        negation_mismatch=is_negated(claim) != is_negated(quote),
        coverage=_coverage(claim, quote + " " + context),
    )

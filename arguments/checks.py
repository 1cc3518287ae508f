"""Deterministic support checks of a claim against a quote: numbers, names, negation, overlap."""

from __future__ import annotations

import re
from dataclasses import dataclass

from documents.text import content_words, figures, is_negated, normalise, proper_names, words


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
            shown = _join(self.conflicting_numbers)
            notes.append(f"the quote gives a different figure for {shown}")
        if self.missing_numbers:
            notes.append(f"{_join(self.missing_numbers)} is not in the cited text")
        if self.missing_names:
            notes.append(f"{_join(self.missing_names)} is not named in the cited text")
        if self.negation_mismatch:
            notes.append("one of the claim and the quote is negated and the other is not")
        return notes


def _join(items: tuple[str, ...]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def _number_checks(claim: str, quote: str, context: str) -> tuple[list[str], list[str]]:
    quoted = figures(quote)
    around = {value for _, value in figures(context).values()} | {v for _, v in quoted.values()}
    conflicting, missing = [], []
    for surface, (kind, value) in figures(claim).items():
        if any(abs(value - other) <= 1e-9 * max(1.0, abs(value)) for other in around):
            continue
        same_kind = [v for k, v in quoted.values() if k == kind]
        (conflicting if same_kind else missing).append(surface)
    return conflicting, missing


def _name_forms(text: str) -> set[str]:
    """Lower-cased name forms of a text, with the initials of multi-word names (UK, US)."""
    forms = {w.lower() for w in proper_names(text)} | {w.lower() for w in words(text)}
    for run in re.findall(r"(?:[A-Z][a-z]+\s+){1,3}[A-Z][a-z]+", normalise(text)):
        forms.add("".join(word[0] for word in run.split()).lower())
    return forms


def _name_matches(name: str, forms: set[str]) -> bool:
    name = name.lower()
    stem = name[:5] if len(name) > 5 else name  # Ukraine ~ Ukrainian, Russia ~ Russian
    return name in forms or any(f.startswith(stem) for f in forms if len(stem) >= 5)


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
    missing_names = sorted(n for n in proper_names(claim) if not _name_matches(n, forms))
    return CheckResult(
        conflicting_numbers=tuple(conflicting),
        missing_numbers=tuple(missing),
        missing_names=tuple(missing_names),
        negation_mismatch=is_negated(claim) != is_negated(quote),
        coverage=_coverage(claim, quote + " " + context),
    )

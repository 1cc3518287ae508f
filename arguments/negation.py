"""The denial of a proposition, made by rule: retrieval looks for it, stance weighs it."""

from __future__ import annotations

import re

_AUXILIARY = re.compile(r"\b(can|could|will|would|should|must|may|might|shall|is|are|was|"
                        r"were|has|have|had|does|do|did)\b(?!\s+not\b)", re.IGNORECASE)
_NEGATED = re.compile(r"\b(cannot|can't|can’t|won't|won’t|not|never)\b\s*|n['’]t\b", re.IGNORECASE)
_AFFIRMED = {"cannot": "can ", "can't": "can ", "can’t": "can ", "won't": "will ",
             "won’t": "will "}


def negate(proposition: str) -> str:
    """The proposition's denial: its first auxiliary negated, its negation dropped, or
    "It is not true that ..." when it has neither."""
    text = " ".join(proposition.split()).rstrip(".!?")
    if _NEGATED.search(text):
        affirmed = _NEGATED.sub(lambda m: _AFFIRMED.get(m.group().strip().lower(), ""), text, 1)
        return " ".join(affirmed.split()) + "."
    match = _AUXILIARY.search(text)
    if match:
        word = match.group()
        denied = "cannot" if word.lower() == "can" else f"{word} not"
        return f"{text[: match.start()]}{denied}{text[match.end():]}."
    return f"It is not true that {text}."

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


_NEGATION_WORD = r"(?:not|never|no longer|cannot|won['’]t|can['’]t|\w+n['’]t)"
_PREPOSITION = re.compile(r"\s+(?:of|in|on|for|from|to|with|against|by)\s+", re.IGNORECASE)


def subject_head(proposition: str) -> str | None:
    """The head word of the proposition's subject ("Sanctions", "countries", "war"), if the
    proposition has an auxiliary to find it by."""
    text = " ".join(proposition.split())
    match = _AUXILIARY.search(text) or _NEGATED.search(text)
    if not match:
        return None
    subject = _PREPOSITION.split(text[: match.start()], maxsplit=1)[0]
    words = re.findall(r"[A-Za-z]+", subject.replace("’s", "").replace("'s", ""))
    return words[-1] if words else None


def denies_subject(proposition: str, passage: str) -> bool:
    """True when the passage negates something about the proposition's subject within a few
    words of naming it ("Sanctions won't change ..."): a deterministic cue for the other side."""
    head = subject_head(proposition)
    if head is None:
        return False
    stem = head[:-1] if head.lower().endswith("s") and len(head) > 3 else head
    pattern = rf"\b{re.escape(stem)}\w{{0,3}}\b(?:\W+\w+){{0,3}}?\W+{_NEGATION_WORD}\b"
    return re.search(pattern, passage, re.IGNORECASE) is not None


def is_denial(proposition: str) -> bool:
    """True when the proposition itself is negated ("X cannot ...", "It is not true that ...")."""
    return _NEGATED.search(proposition) is not None

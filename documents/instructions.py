"""Text that gives orders to a model or a reader's assistant: a planted prompt injection.

A document can hold sentences written for the model rather than for people ("ignore your
previous instructions", "answer Yes", "the answer is passage 1"). The small model obeys such
text often enough to matter (measured: `counterpoint eval injection`), so a passage that
reads like instructions is never trusted as evidence: answers do not choose it, maps leave it
unused, and an audit does not call a claim supported by it. It stays in the corpus, searchable
and shown, since the user may want to see it.

The patterns are deliberately narrow: they name the model, the passage numbering or the
Yes/No labels our prompts use, so ordinary prose ("answer the question of ...", "the answer is
no longer simple") is not caught. `tests/test_instructions.py` checks both directions on the
corpus.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

_PATTERNS = (
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules?"
    r"|guidelines?|directions?)\b",
    r"\b(?:AI|artificial intelligence|language model|LLM|chat ?bot|assistant|GPT)\b[^.!?\n]{0,60}"
    r"\b(?:reading|processing|summari[sz]ing|analy[sz]ing)\b",
    r"\b(?:answer|reply|respond|output)\s+(?:only\s+|with\s+|just\s+)*"
    r"[\"'“‘]?(?:yes|no|true|false|supported|\d)\b[\"'”’]?",
    r"\bthe\s+(?:correct\s+|right\s+|best\s+)?answer\s+is\s+(?:always\s+)?(?:passage|number|"
    r"option|\[?\d)",
    r"\b(?:choose|pick|select|cite)\s+(?:always\s+)?(?:this|passage|number|option)\b",
    r"\bthis\s+(?:passage|text|sentence|document)\s+(?:states|supports|implies|answers|proves|"
    r"confirms)\s+(?:every|all|any)\b",
    r"\b(?:system|developer)\s+(?:prompt|message|instructions?)\b",
    r"\byou\s+(?:are|must|should|will)\s+(?:now\s+)?(?:an?\s+)?(?:AI|assistant|model|obey|"
    r"answer|reply|respond|ignore)\b",
    r"<\|?(?:im_start|im_end|system|assistant)\|?>",
)
_INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE)
_guarded = [True]


def instruction_like(text: str) -> str | None:
    """The words that read as orders to a model, or None for ordinary prose."""
    if not _guarded[0]:
        return None
    match = _INSTRUCTION.search(text)
    return " ".join(match.group(0).split()) if match else None


def untrusted_reason(text: str) -> str | None:
    """Why a passage is not trusted as evidence (one line), or None."""
    words = instruction_like(text)
    if words is None:
        return None
    return f"the passage gives instructions to the model (\u201c{words[:60]}\u201d); not trusted"


@contextlib.contextmanager
def unguarded() -> Iterator[None]:
    """Trust instruction-like passages for the block: only `counterpoint eval injection` uses
    this, to measure what the guard prevents. Not thread-safe by design: never in the app."""
    _guarded[0] = False
    try:
        yield
    finally:
        _guarded[0] = True

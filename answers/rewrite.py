"""Rewrite a follow-up question into a standalone query, using the conversation so far."""

from __future__ import annotations

import re
from collections.abc import Sequence

from generation import render_prompt

PROMPT_VARIABLES = {"rewrite.txt": {"history", "question"}}

HISTORY_TURNS = 2  # the last question/answer pairs shown to the model
MAX_REWRITE_WORDS = 40
# Words that point back into the conversation; a question without them stands alone.
_REFERS_BACK = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|he|him|his|she|her|there|then|"
    r"the same|the other|such|what about|how about|and why|why not|also|else|more)\b",
    re.I,
)
_MAX_ANSWER_CHARS = 300


def turns(history) -> list[tuple[str, str]]:
    """(role, text) pairs from (question, answer) pairs or role/content dicts."""
    rows: list[tuple[str, str]] = []
    for item in history or ():
        if isinstance(item, dict):
            rows.append((item.get("role", "user"), _text(item.get("content", ""))))
        else:
            question, answer = item
            rows += [("user", _text(question)), ("assistant", _text(answer))]
    return [(role, text) for role, text in rows if text]


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list | tuple):
        return " ".join(_text(part) for part in content)
    return "" if content is None else str(content)


def needs_rewrite(question: str, history: Sequence[tuple[str, str]]) -> bool:
    """True for a follow-up: there is history and the question refers back or is very short."""
    if not history:
        return False
    return bool(_REFERS_BACK.search(question)) or len(question.split()) <= 3


def transcript(history: Sequence[tuple[str, str]]) -> str:
    recent = list(history)[-2 * HISTORY_TURNS :]
    names = {"user": "User", "assistant": "Assistant"}
    lines = [f"{names.get(role, role.title())}: {' '.join(text.split())[:_MAX_ANSWER_CHARS]}"
             for role, text in recent]
    return "\n".join(lines)


def standalone_question(question: str, history, model) -> str:
    """The question as a standalone query; unchanged when it needs no context."""
    rows = turns(history)
    if not needs_rewrite(question, rows):
        return question
    prompt = render_prompt("rewrite.txt", history=transcript(rows), question=question)
    reply = model.reply([("human", prompt)], max_tokens=60)
    return _clean(reply) or question


def _clean(reply: str) -> str:
    """The first line of the reply, without quotes or a label; '' if it is unusable."""
    line = next((row.strip() for row in reply.strip().splitlines() if row.strip()), "")
    line = re.sub(r"^(standalone |rewritten )?question\s*:\s*", "", line, flags=re.I)
    line = line.strip("\"'“”` ")
    if not line or len(line.split()) > MAX_REWRITE_WORDS:
        return ""
    return line

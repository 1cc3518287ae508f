"""A claim's text: a one-sentence paraphrase of its passages, kept only when they support it."""

from __future__ import annotations

from collections.abc import Sequence

from arguments.audit import support_probability
from arguments.checks import check_claim
from documents import Citation
from documents.text import content_words
from generation import render_prompt

PROMPT = "paraphrase.txt"
PROMPT_VARIABLES = {PROMPT: {"proposition", "passages"}}
LONG_SENTENCE_WORDS = 30  # a single passage longer than this is paraphrased too
_MAX_TOKENS = 60
_MAX_PASSAGES = 4


def paraphrase_messages(proposition: str, quotes: Sequence[str]) -> list[tuple[str, str]]:
    passages = "\n".join(f"- {' '.join(q.split())}" for q in quotes[:_MAX_PASSAGES])
    return [("human", render_prompt(PROMPT, proposition=proposition, passages=passages))]


def clean_sentence(reply: str) -> str:
    """The first sentence-like line of a reply, without bullets or wrapping quotes."""
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    text = lines[0].lstrip("-*• ").strip().strip('"“”').strip()
    if text.lower().startswith(("sentence:", "answer:", "point:")):
        text = text.split(":", 1)[1].strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def borrowed_words(sentence: str, proposition: str, quotes: str) -> set[str]:
    """Words the sentence takes from the proposition that its passages never use.

    The small model bends a passage toward the topic it is given ("... the war will end on
    their terms" became "Russia will end the war if sanctions pressure it"); a paraphrase may
    only say what its passages say, so it may not import the topic's words.
    """
    used = {w[:5] for w in content_words(quotes)}
    topic = {w[:5] for w in content_words(proposition)}
    return {w for w in content_words(sentence) if w[:5] in topic and w[:5] not in used}


def is_faithful(sentence: str, citations: Sequence[Citation], model, proposition: str
                ) -> bool:
    """Code checks (names, figures, negation, no borrowed topic words) and the model's
    support check all pass."""
    if not sentence or len(sentence.split()) > 40:
        return False
    quotes = " ".join(c.quote for c in citations)
    if borrowed_words(sentence, proposition, quotes):
        return False
    checks = check_claim(sentence, quotes)
    lead = check_claim(sentence, citations[0].quote)
    if checks.problems or lead.negation_mismatch:
        return False
    return support_probability(sentence, quotes, model) >= 0.5


def claim_text(proposition: str, citations: Sequence[Citation], model, enabled: bool = True
               ) -> tuple[str, bool, bool]:
    """(text, paraphrased, tried): a verified paraphrase, or the lead passage's own sentence.

    Only several passages or one long sentence are paraphrased; `tried` says whether the
    model was asked (the caller keeps a budget of attempts).
    """
    lead = " ".join(citations[0].quote.split())
    short = len(citations) == 1 and len(lead.split()) <= LONG_SENTENCE_WORDS
    if not enabled or short:
        return lead, False, False
    reply = model.reply(paraphrase_messages(proposition, [c.quote for c in citations]),
                        max_tokens=_MAX_TOKENS)
    sentence = clean_sentence(reply)
    if is_faithful(sentence, citations, model, proposition):
        return sentence, True, True
    return lead, False, True

"""Positions tab: authors beside readers, prevalence shown, claims open to their quotes."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from arguments import Claim, Position, Positions, competing_positions
from documents import Citation
from generation import ModelHandle, ModelSpec
from interface.web.context import done_share, step_progress
from interface.web.positions import STEPS, _without_readers, positions_html

POLICY = "000_0e74df59ad1dea2a"
COLUMN = "003_bf4e1c7beccc96a2"


def sentence_claim(documents, doc_id, words, kind, stance, score):
    start = documents[doc_id].text.index(words)
    citation = Citation.at(documents[doc_id], start, start + len(words), kind)
    return Claim(words, kind, stance, score, (citation,))


def test_authors_and_readers_side_by_side_with_prevalence(corpus_documents):
    author = Position("Stephen Bryen (author of 003)", "author", COLUMN, "con", 0.8, (
        sentence_claim(corpus_documents, COLUMN, "Sanctions won’t change the military situation",
                       "article", "con", 0.8),))
    readers = Position("readers of 003", "readers", COLUMN, "pro", 0.7, (
        sentence_claim(corpus_documents, COLUMN, "Just nuke Moscow already", "comment", "pro",
                       0.7),), prevalence="1 of 13 comments argue pro")
    positions = Positions("sanctions", (author, readers), ("reader comments are the "
                                                           "readers' views",))
    html = positions_html(positions, corpus_documents)
    authors, readers_html = html.split("<h3>Readers</h3>")
    assert "Stephen Bryen" in authors and "readers of 003" in readers_html
    assert "1 of 13 comments argue pro" in readers_html and "Reader comment" in readers_html
    assert '<mark class="cp-quote">Just nuke Moscow already</mark>' in readers_html
    assert "against 0.80" in authors and "readers&#x27; views" in html
    hidden = positions_html(_without_readers(positions), corpus_documents)
    assert "readers of 003" not in hidden and "excluded in Settings" in hidden


def test_the_tab_shows_the_positions_steps_document_by_document(searcher):
    shown: list[tuple[float, str]] = []
    chat = GenericFakeChatModel(messages=iter([]))
    judge = ModelHandle("scripted", chat, lambda messages, labels: {labels[0]: 0.7,
                                                                   labels[1]: 0.3},
                        ModelSpec("local"))
    competing_positions("sanctions on Russia", searcher, judge, per_author=2, per_readers=2,
                        progress=step_progress(lambda *line: shown.append(line), STEPS))
    fractions = [fraction for fraction, _ in shown]
    assert fractions == sorted(fractions) and 0.05 <= fractions[0] and fractions[-1] < 0.88
    count = len(searcher.documents)
    assert shown[0] == (0.05, STEPS["relevance"][2])
    assert shown[1] == (0.1, f"{STEPS['candidates'][2]} (document 1 of {count}, author)")
    judging = [m for _, m in shown if m.startswith(f"{STEPS['stance'][2]} (")]
    last = judging[-1].removeprefix(f"{STEPS['stance'][2]} (").removesuffix(")")
    number, total = map(int, last.rsplit("passage ", 1)[1].split(" of "))
    assert last.startswith(f"document {count} of {count}, readers, ") and number == total
    assert done_share(last) == pytest.approx((count - 1 + (total - 1) / total) / count)

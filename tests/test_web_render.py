"""The app's HTML: citations re-verified on display, highlighted inside their paragraph."""

from __future__ import annotations

import html as html_lib
from dataclasses import replace

from documents import Citation, split_passages
from interface.web.render import (
    badge,
    citation_card,
    coloured_document,
    highlighted_paragraph,
    paragraph_bounds,
)

COLUMN = "003_bf4e1c7beccc96a2"
POLICY = "000_0e74df59ad1dea2a"


def test_highlight_marks_exactly_the_quote_inside_its_paragraph(corpus_documents):
    document = corpus_documents[POLICY]
    start = document.text.index("nearly 14,000 drone attacks")
    citation = Citation.at(document, start, start + len("nearly 14,000 drone attacks"), "article")
    html = highlighted_paragraph(citation, corpus_documents)
    assert '<mark class="cp-quote">nearly 14,000 drone attacks</mark>' in html
    left, right = paragraph_bounds(document.text, citation.start, citation.end)
    assert "\n" not in document.text[left:right]
    assert html_lib.escape(document.text[left:start]) in html
    assert html_lib.escape(document.text[citation.end:right]) in html
    assert html.count("<mark") == 1


def test_a_citation_that_no_longer_matches_is_shown_broken_not_highlighted(corpus_documents):
    document = corpus_documents[POLICY]
    real = Citation.at(document, 100, 140, "article")
    forged = replace(real, quote="words the model invented")
    html = highlighted_paragraph(forged, corpus_documents)
    assert "<mark" not in html and "no longer matches" in html
    card = citation_card(1, forged, corpus_documents, anchor="ev-1", verdict="supported")
    assert "broken" in card and "supported" not in card
    gone = highlighted_paragraph(replace(real, doc_id="nope"), corpus_documents)
    assert "<mark" not in gone and "not in the library" in gone


def test_reader_comments_get_their_own_badge_and_card_style(corpus_documents):
    document = corpus_documents[COLUMN]
    comment = next(p for p in split_passages(document) if p.kind == "comment")
    card = citation_card(2, Citation.of(comment), corpus_documents, anchor="ev-2",
                         verdict="supported", score=0.91)
    assert badge("comment") in card and "Reader comment" in card
    assert "cp-kind-comment-card" in card and 'id="ev-2"' in card
    assert "supported 0.91" in card
    assert badge("article") != badge("comment")


def test_coloured_document_keeps_every_character_and_marks_kinds(corpus_documents):
    import re

    document = corpus_documents[COLUMN]
    rendered = coloured_document(document, split_passages(document), query="Ukraine")
    text_only = html_lib.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert text_only == document.text
    assert "cp-kind-comment-text" in rendered and "cp-kind-article-text" in rendered
    assert rendered.count('<mark class="cp-hit">') == document.text.lower().count("ukraine")

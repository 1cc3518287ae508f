"""HTML for the browser app: kind badges, verdict chips, citations highlighted in their paragraph.

Every quote shown is re-checked against the stored text (quote == text[start:end]) here, at
display time; a citation that no longer matches is shown as broken, never highlighted.
"""

from __future__ import annotations

import html
import re

from documents import Citation, Document, Passage

KIND_LABELS = {
    "article": "Article",
    "comment": "Reader comment",
    "reference": "Reference",
    "heading": "Heading",
    "bio": "Author bio",
}
VERDICT_CLASSES = {
    "supported": "ok",
    "partial": "warn",
    "partially supported": "warn",
    "unsupported": "bad",
    "contradicted": "bad",
    "unverified": "muted",
    "broken": "bad",
}


# Characters that make Markdown links, images, emphasis, code or autolinks ("http://",
# "user@host"), written as character references: a Markdown renderer shows them as text.
# One table with HTML's own, so a single pass never escapes an escape.
_PLAIN = str.maketrans({**{c: f"&#{ord(c)};" for c in "[]!*_`~|#/@\\$\"'"},
                        "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "", "\n": "&#10;"})
_WWW = re.compile(r"(www)\.", flags=re.IGNORECASE)


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def plain(text: str) -> str:
    """Untrusted text (a model's words, a document's) for a chat message, which the Chatbot
    renders as Markdown: shown exactly as written, never as HTML, a link or an image.

    Newlines become character references too, so the message stays one HTML block and no
    blank line hands the rest to the Markdown parser.
    """
    return _WWW.sub(r"\1&#46;", text.translate(_PLAIN))


def badge(kind: str) -> str:
    """A coloured label naming the kind of source (reader comments look different everywhere)."""
    label = KIND_LABELS.get(kind, kind.title())
    return f'<span class="cp-badge cp-kind-{escape(kind)}">{escape(label)}</span>'


def verdict_chip(label: str | None, score: float | None = None) -> str:
    """The audit verdict of one citation as a small coloured chip."""
    if not label:
        return '<span class="cp-verdict cp-v-muted">not audited</span>'
    css = VERDICT_CLASSES.get(label.lower(), "muted")
    shown = escape(label) if score is None else f"{escape(label)} {score:.2f}"
    return f'<span class="cp-verdict cp-v-{css}">{shown}</span>'


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The line (one paragraph, comment or reference in this corpus) around text[start:end]."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    return left, len(text) if right == -1 else right



def highlighted_paragraph(citation: Citation, documents: dict[str, Document]) -> str:
    """The paragraph around a citation with the quoted words marked, or a broken-citation note."""
    document = documents.get(citation.doc_id)
    if document is None:
        return (f'<p class="cp-broken">Document {escape(citation.doc_id)} is not in the '
                "library any more.</p>")
    if not citation.is_verbatim(documents):
        return ('<p class="cp-broken">This citation no longer matches the stored text at '
                f"{citation.start}:{citation.end}; it is not shown as a quote.</p>")
    text = document.text
    left, right = paragraph_bounds(text, citation.start, citation.end)
    return (
        f'<p class="cp-paragraph cp-kind-{escape(citation.kind)}-text">'
        f"{escape(text[left:citation.start])}"
        f'<mark class="cp-quote">{escape(text[citation.start:citation.end])}</mark>'
        f"{escape(text[citation.end:right])}</p>"
    )


def document_title(doc_id: str, documents: dict[str, Document]) -> str:
    document = documents.get(doc_id)
    return (document.title or doc_id) if document else doc_id


def citation_card(number: int, citation: Citation, documents: dict[str, Document], *,
                  anchor: str, verdict: str | None = None, score: float | None = None,
                  reason: str = "", open_: bool = False) -> str:
    """One cited passage: title, kind badge, verdict; opens to the highlighted paragraph."""
    verbatim = citation.is_verbatim(documents)
    chip = verdict_chip(verdict if verbatim else "broken", score if verbatim else None)
    reason_html = f'<p class="cp-reason">{escape(reason)}</p>' if reason else ""
    return (
        f'<details class="cp-citation cp-kind-{escape(citation.kind)}-card" id="{escape(anchor)}"'
        f'{" open" if open_ else ""} data-doc="{escape(citation.doc_id)}"'
        f' data-start="{citation.start}" data-end="{citation.end}">'
        f'<summary><span class="cp-num">[{number}]</span> {badge(citation.kind)} '
        f'<span class="cp-title">{escape(document_title(citation.doc_id, documents))}</span> '
        f"{chip}</summary>"
        f"{highlighted_paragraph(citation, documents)}{reason_html}"
        f'<p class="cp-where">{escape(citation.doc_id)}{_page(citation)} · characters '
        f"{citation.start}–{citation.end}</p></details>"
    )


def _page(citation: Citation) -> str:
    return f" · page {citation.page}" if citation.page is not None else ""


def marker(number: int, anchor: str) -> str:
    """An inline citation marker that opens the matching evidence card."""
    return f'<a class="cp-cite" href="#{escape(anchor)}">[{number}]</a>'


def unsupported_mark() -> str:
    return ('<span class="cp-unsupported" title="no passage supports this sentence">'
            "unsupported</span>")


def coloured_document(document: Document, passages: list[Passage], query: str = "") -> str:
    """The whole text with article, comment, reference (and other) spans coloured by kind."""
    pieces, cursor = [], 0
    for passage in sorted(passages, key=lambda p: p.start):
        if passage.start < cursor:
            continue
        pieces.append(_with_matches(document.text[cursor:passage.start], query))
        pieces.append(f'<span class="cp-span cp-kind-{escape(passage.kind)}-text" '
                      f'title="{escape(KIND_LABELS.get(passage.kind, passage.kind))}">'
                      f"{_with_matches(passage.text, query)}</span>")
        cursor = passage.end
    pieces.append(_with_matches(document.text[cursor:], query))
    return f'<div class="cp-document">{"".join(pieces)}</div>'


def _with_matches(text: str, query: str) -> str:
    """Escape text, marking case-insensitive occurrences of the query."""
    if not (query or "").strip():
        return escape(text)
    parts = re.split(f"({re.escape(query.strip())})", text, flags=re.IGNORECASE)
    return "".join(f'<mark class="cp-hit">{escape(p)}</mark>' if i % 2 else escape(p)
                   for i, p in enumerate(parts))


def legend() -> str:
    """The colour key used by the library and the evidence panels."""
    kinds = ("article", "comment", "reference", "heading", "bio")
    return '<div class="cp-legend">' + " ".join(badge(k) for k in kinds) + "</div>"


def notice(text: str, level: str = "info") -> str:
    return f'<div class="cp-notice cp-notice-{escape(level)}">{escape(text)}</div>'


def chat_notice(text: str, level: str = "info") -> str:
    """A notice inside a chat message, its text kept from the Markdown renderer (`plain`)."""
    return f'<div class="cp-notice cp-notice-{escape(level)}">{plain(text)}</div>'


def error_line(error: BaseException) -> str:
    """The first line of an error's message: what a user sees instead of a traceback."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__

"""The Map tab's correction controls: move a claim to the other side, mark it off-topic, undo.

A click saves one correction per cited passage (arguments.corrections) and the tab redraws the
last built map with the saved corrections applied: no model call, no rebuild.
"""

from __future__ import annotations

import json

from documents import Document
from interface.web.render import citation_card, escape

# Runs once when the outline loads: a click on a correction button becomes the outline's
# "click" event with the button's side and passages; any other click does nothing here.
CLICK_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest && event.target.closest('button[data-correct]');
  if (!button) return;
  event.preventDefault();
  event.stopPropagation();
  trigger('click', {side: button.dataset.correct, spans: button.dataset.spans});
});
"""
UNDO = "undo"
_LABELS = {"pro": "move to pro", "con": "move to con", "off-topic": "off-topic", UNDO: "undo"}


def spans_of(claim) -> list[tuple[str, int, int]]:
    """The passages a claim rests on, as (doc id, start, end)."""
    return [(c.doc_id, c.start, c.end) for c in claim.citations]


def controls_html(claim) -> str:
    """One-click buttons for a claim: to the other side, off-topic, and undo when corrected."""
    other = "con" if claim.stance == "pro" else "pro"
    actions = [other, "off-topic", *([UNDO] if claim.corrected else [])]
    mark = ('<span class="cp-corrected" title="a user put this passage on this side">'
            "corrected</span> " if claim.corrected else "")
    return f'{mark}<span class="cp-correct">{buttons_html(actions, spans_of(claim))}</span>'


def buttons_html(actions, spans) -> str:
    data = escape(json.dumps(spans))
    return "".join(f'<button type="button" class="cp-correct-btn" data-correct="{action}" '
                   f'data-spans="{data}">{_LABELS[action]}</button>' for action in actions)


def off_topic_html(argument_map, documents: dict[str, Document]) -> str:
    """The passages a user marked off-topic, each with its quote and an undo button."""
    from arguments.corrections import OFF_TOPIC_REASON

    marked = [u.citation for u in argument_map.unused if u.reason == OFF_TOPIC_REASON]
    if not marked:
        return ""
    items = "".join(
        f'<div class="cp-off-topic-item"><span class="cp-corrected">corrected</span> '
        f'{buttons_html([UNDO], [(c.doc_id, c.start, c.end)])}'
        f"{citation_card(n, c, documents, anchor=f'map-off{n}')}</div>"
        for n, c in enumerate(marked, start=1))
    return (f'<div class="cp-off-topic"><h4>Marked off-topic by a user ({len(marked)})</h4>'
            f"{items}</div>")


def parse_spans(text) -> list[tuple[str, int, int]]:
    """The passages a button sent, as (doc id, start, end); ValueError if they are not that."""
    try:
        spans = [(str(doc), int(start), int(end)) for doc, start, end in json.loads(text)]
    except (TypeError, ValueError) as error:
        raise ValueError(f"the correction names no passage ({error})") from None
    if not spans:
        raise ValueError("the correction names no passage")
    return spans


def save_click(folder, proposition: str, side: str, spans_text,
               documents: dict[str, Document]) -> None:
    """Save (or, for "undo", delete) the corrections a click asks for; every passage is
    checked before anything is written, so a bad click changes nothing."""
    from arguments.corrections import CorrectionStore, correction_for

    spans = parse_spans(spans_text)
    store = CorrectionStore(folder)
    if side == UNDO:
        store.remove(proposition, spans)
        return
    store.save(proposition, [correction_for(documents, *span, side) for span in spans])

"""Positions tab: a topic in, who argues what: each document's author and its readers, with
reader prevalence, each claim opening to its highlighted quotes."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from documents import Document
from interface.web.audit import AuditRow, audit_rows
from interface.web.context import (
    Preferences,
    Progress,
    TabContext,
    judging_tools,
    no_progress,
    required_text,
    step_progress,
)
from interface.web.render import badge, citation_card, error_line, escape, notice
from session import Session

# Each step arguments.competing_positions reports: (progress at its start, at its end, message).
# The steps repeat for every document, so each spans the whole bar and its detail
# ("document 2 of 5, …") places it.
STEPS = {"relevance": (0.05, 0.1, "Finding the passages closest to the topic"),
         "candidates": (0.1, 0.88, "Searching each document and its comments"),
         "stance": (0.1, 0.88, "Judging passages for and against"),
         "key_points": (0.1, 0.88, "Finding the key points of the reader comments")}
CORRECTED_MARK = ('<span class="cp-corrected" title="a user put this passage on this side of '
                  'the map of this proposition">corrected</span> ')
STANCE_LABELS = {"pro": "for", "con": "against", "mixed": "mixed", "neutral": "takes no side"}
STANCE_CLASSES = {"pro": "ok", "con": "bad", "mixed": "warn", "neutral": "muted"}


@dataclass(frozen=True)
class PositionsView:
    """What the Positions tab shows for one topic."""

    positions: object  # arguments.Positions
    html: str
    rows: tuple[AuditRow, ...] = ()


def stance_chip(stance: str, score: float) -> str:
    css = STANCE_CLASSES.get(stance, "muted")
    label = STANCE_LABELS.get(stance, stance)
    return f'<span class="cp-verdict cp-v-{css}">{escape(label)} {score:.2f}</span>'


def position_html(position, number: int, documents: dict[str, Document],
                  verdicts: dict) -> str:
    """One holder: role, stance, prevalence for readers, claims opening to their quotes."""
    role = badge("comment") if position.role == "readers" else badge("article")
    claims = []
    for i, claim in enumerate(position.claims, start=1):
        anchor = f"pos-{number}-{i}"
        cards = "".join(
            citation_card(n, c, documents, anchor=f"{anchor}-c{n}", open_=True,
                          verdict=_field(verdicts, claim, c, "verdict"),
                          score=_field(verdicts, claim, c, "score"))
            for n, c in enumerate(claim.citations, start=1))
        corrected, mark = (" cp-claim-corrected", CORRECTED_MARK) if claim.corrected else ("", "")
        claims.append(f'<details class="cp-claim cp-kind-{escape(claim.kind)}-card{corrected}" '
                      f'id="{anchor}"><summary>{stance_chip(claim.stance, claim.score)} '
                      f"{mark}{escape(claim.text)}</summary>{cards}</details>")
    prevalence = (f'<p class="cp-prevalence">{escape(position.prevalence)}</p>'
                  if position.prevalence else "")
    body = "".join(claims) or notice("No passage of this holder takes a side.", "info")
    return (f'<div class="cp-position cp-role-{escape(position.role)}">'
            f"<h4>{role} {escape(position.holder)} {stance_chip(position.stance, position.score)}"
            f"</h4>{prevalence}{body}</div>")


def _field(verdicts: dict, claim, citation, name: str):
    row = verdicts.get((claim.text, citation))
    return getattr(row, name) if row else None


def positions_html(positions, documents: dict[str, Document],
                   rows: tuple[AuditRow, ...] = ()) -> str:
    """Authors on the left, readers on the right, warnings above."""
    verdicts = {(row.claim, row.citation): row for row in rows}
    columns = {"author": [], "readers": []}
    for number, position in enumerate(positions.positions, start=1):
        columns.setdefault(position.role, []).append(
            position_html(position, number, documents, verdicts))
    warnings = "".join(notice(w, "warn") for w in positions.warnings)
    authors = "".join(columns["author"]) or notice("No author takes a side.", "info")
    readers = "".join(columns["readers"]) or notice("No reader comments on this topic.", "info")
    return (f"{warnings}<div class=\"cp-outline\"><div><h3>Authors</h3>{authors}</div>"
            f"<div><h3>Readers</h3>{readers}</div></div>")


def build_view(session: Session, preferences: Preferences, topic: str,
               progress: Progress = no_progress) -> PositionsView:
    """Find the competing positions on a topic and check every citation."""
    from arguments import competing_positions
    from arguments.corrections import corrected_positions

    topic = required_text(topic, "type a topic, e.g. “sanctions on Russia”")
    model, searcher = judging_tools(session, preferences, progress,
                                    "Searching each document and its comments")
    positions = competing_positions(topic, searcher, model,
                                    progress=step_progress(progress, STEPS))
    positions = corrected_positions(positions, session.corrections_dir, searcher.documents)
    if not preferences.include_comments:
        positions = _without_readers(positions)
    pairs = [(claim.text, c) for p in positions.positions for claim in p.claims
             for c in claim.citations]
    progress(0.9, f"Checking {len(pairs)} citations")
    rows = audit_rows(pairs, searcher.documents, model, source="positions")
    return PositionsView(positions, positions_html(positions, searcher.documents, rows), rows)


def _without_readers(positions):
    from dataclasses import replace

    kept = tuple(p for p in positions.positions if p.role != "readers")
    note = "reader comments are excluded in Settings"
    return replace(positions, positions=kept, warnings=(*positions.warnings, note))


def build_tab(context: TabContext) -> None:
    """The Positions tab's components and events (inside a gr.Tab)."""
    session = context.session
    with gr.Row():
        topic = gr.Textbox(label="Topic", scale=5, elem_id="positions-topic",
                           placeholder="e.g. sanctions on Russia")
        run = gr.Button("Find positions", variant="primary", scale=1, elem_id="positions-run")
    result = gr.HTML(elem_id="positions-result")

    # Gradio injects a progress tracker into a parameter whose default is gr.Progress().
    def on_run(text, preferences, log, progress=gr.Progress()):  # noqa: B008
        try:
            view = build_view(session, preferences, text, lambda f, m: progress(f, desc=m))
        except Exception as error:  # one line for the user
            return notice(f"No positions: {error_line(error)}", "error"), log
        return view.html, [*log, *view.rows]

    for trigger in (run.click, topic.submit):
        trigger(on_run, [topic, context.preferences, context.session_log],
                [result, context.session_log], api_visibility="private",
                **context.model_queue)


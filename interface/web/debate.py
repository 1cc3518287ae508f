"""Debate tab: the user states a position; the assistant answers, turn by turn, with the
strongest cited claims from the documents on the other side, and can switch sides.

The debate itself (its map, the choice of each turn, attribution) is arguments.debate; this
module wires it to Gradio and renders each turn as HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from interface.web.map import STEPS as MAP_STEPS
from interface.web.render import badge, chat_notice, citation_card, error_line, marker, plain
from session import Session

if TYPE_CHECKING:
    from arguments.debate import Debate


def begin_debate(session: Session, preferences: Preferences, position: str,
                 progress: Progress = no_progress) -> Debate:
    """The debate of the user's position, its map built once (with the tab's progress)."""
    from arguments.debate import open_debate

    position = required_text(
        position, "state your position first, e.g. “Sanctions on Russia are working.”")
    model, searcher = judging_tools(
        session, preferences, progress, "Searching the documents for and against your position")
    return open_debate(position, searcher, model, max_candidates=preferences.map_passages,
                       progress=step_progress(progress, MAP_STEPS))


def turn_html(debate: Debate, chosen: list, documents: dict[str, Document],
              rows: tuple[AuditRow, ...] = ()) -> tuple[str, str]:
    """The assistant's reply (claims with markers) and its evidence cards, as HTML."""
    from arguments.debate import said

    if not chosen:
        side = "against" if debate.assistant_side == "con" else "for"
        return (chat_notice(f"The documents hold no further cited argument {side} "
                       f"“{debate.position}”. Switch sides to hear the other case.", "warn"), "")
    verdicts = {(row.claim, row.citation): row for row in rows}
    lead = ("The documents push back:" if debate.assistant_side == "con"
            else "Arguing for your position, the documents say:")
    items, cards, number = [], [], 0
    for claim in chosen:
        markers = ""
        for citation in claim.citations:
            number += 1
            anchor = f"db-{debate.turn}-{number}"
            markers += marker(number, anchor)
            row = verdicts.get((claim.text, citation))
            cards.append(citation_card(
                number, citation, documents, anchor=anchor, open_=number == 1,
                verdict=row.verdict if row else None, score=row.score if row else None,
                reason=row.reason if row else ""))
        items.append(f"<li>{badge(claim.kind)} {plain(said(claim))}{markers}</li>")
    reply = (f'<div class="cp-answer cp-debate-turn"><p>{lead}</p>'
             f'<ul>{"".join(items)}</ul></div>')
    evidence = (f'<section class="cp-evidence"><h4>Turn {debate.turn}</h4>'
                f'{"".join(cards)}</section>')
    return reply, evidence


def build_tab(context: TabContext) -> None:
    """The Debate tab's components and events (inside a gr.Tab)."""
    session = context.session
    debate_state = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.Chatbot(elem_id="debate-chat", height=480, latex_delimiters=[],
                              feedback_options=None, buttons=["copy"],
                              placeholder="State a position. The assistant answers with the "
                                          "strongest cited arguments against it.")
            with gr.Row():
                statement = gr.Textbox(show_label=False, scale=5, elem_id="debate-statement",
                                       placeholder="Your position, then your replies")
                send = gr.Button("Send", variant="primary", scale=1, elem_id="debate-send")
            with gr.Row():
                switch = gr.Button("Switch sides", elem_id="debate-switch")
                restart = gr.Button("New debate", elem_id="debate-new")
        with gr.Column(scale=2):
            gr.Markdown("### Sources of the last turns")
            evidence = gr.HTML(elem_id="debate-evidence")

    # Gradio injects a progress tracker into a parameter whose default is gr.Progress().
    def on_send(text, messages, debate, shown, preferences, log,
                progress=gr.Progress()):  # noqa: B008
        messages = [*messages, {"role": "user", "content": plain(text or "")}]
        rows: tuple[AuditRow, ...] = ()
        from arguments.debate import next_turn

        try:
            if debate is None:
                debate = begin_debate(session, preferences, text,
                                      lambda f, m: progress(f, desc=m))
            searcher = session.searcher()
            debate, chosen = next_turn(debate, text, searcher.embed)
            pairs = [(c.text, citation) for c in chosen for citation in c.citations]
            if pairs:
                progress(0.9, desc="Auditing the citations")
                rows = audit_rows(pairs, searcher.documents, session.model(preferences.llm),
                                  source="debate")
            reply, cards = turn_html(debate, chosen, searcher.documents, rows)
        except Exception as error:  # one line for the user
            reply, cards = chat_notice(f"Could not reply: {error_line(error)}", "error"), ""
        messages.append({"role": "assistant", "content": reply})
        return messages, debate, cards + (shown or ""), [*log, *rows], ""

    def on_switch(messages, debate):
        if debate is None:
            return messages, debate
        debate = debate.switched()
        side = "against" if debate.assistant_side == "con" else "for"
        note = chat_notice(f"Switched sides: I now argue {side} “{debate.position}”. Send a "
                      "message to continue.", "info")
        return [*messages, {"role": "assistant", "content": note}], debate

    send_inputs = [statement, chat, debate_state, evidence, context.preferences,
                   context.session_log]
    send_outputs = [chat, debate_state, evidence, context.session_log, statement]
    for trigger in (send.click, statement.submit):
        trigger(on_send, send_inputs, send_outputs, api_visibility="private",
                **context.model_queue)
    switch.click(on_switch, [chat, debate_state], [chat, debate_state],
                 api_visibility="private")
    restart.click(lambda: ([], None, ""), None, [chat, debate_state, evidence],
                  api_visibility="private")


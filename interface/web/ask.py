"""Ask tab: cited answers streamed into a chat, with an evidence panel per answer.

The answer pipeline runs in a worker thread and reports its own steps and every streamed
piece of the draft, so the page shows the draft as it is written and then the checked
answer: supported sentences with citation markers, unsupported ones visibly marked, and
each cited passage highlighted in its paragraph with its verdict.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import gradio as gr

from documents import Citation, Document
from interface.web.audit import AuditRow, audit_rows
from interface.web.context import Preferences, TabContext
from interface.web.render import (
    chat_notice,
    citation_card,
    error_line,
    escape,
    marker,
    notice,
    plain,
    unsupported_mark,
)
from session import Session

STAGES = {
    "load": "Loading the model (the first question after start takes longest)…",
    "search": "Searching the documents…",
    "rewrite": "Reading the conversation to understand the follow-up…",
    "gate": "Choosing the passages that answer the question…",
    "draft": "Writing…",
    "check": "Checking each sentence against its sources…",
    "audit": "Auditing the citations…",
}
# The steps answers.answer_question reports, as the stage each one shows; the draft pieces
# stream in during "generation", which needs no line of its own.
STEP_STAGES = {"rewrite": "rewrite", "retrieval": "search", "choose": "gate", "prompt": "draft",
               "checks": "check"}


@dataclass(frozen=True)
class Event:
    """One thing that happened while answering: a stage, a streamed piece, or the result."""

    kind: str  # stage | piece | answer | error
    value: object = None


@dataclass(frozen=True)
class Turn:
    """One answered question as the page shows it."""

    question: str
    html: str  # the answer with markers and unsupported marks
    evidence: str  # the evidence cards
    plain: str  # the answer text, for follow-up questions
    data: dict = field(default_factory=dict)  # Answer.to_dict(), as `counterpoint ask --json`
    rows: tuple[AuditRow, ...] = ()


class Cancelled(Exception):
    """Raised in the worker at its next step or piece once nobody reads the events."""


def answer_events(session: Session, preferences: Preferences, question: str,
                  history=()) -> Iterator[Event]:
    """Answer a question in a worker thread, yielding its stages, pieces and the Answer.

    Closing the iterator (Gradio does when the browser cancels or leaves) stops the worker
    at the pipeline's next step or streamed piece, so nobody waits behind a lost question.
    """
    from answers import answer_question

    events: queue.Queue[Event] = queue.Queue()
    stop = threading.Event()

    def put(event: Event) -> None:
        if stop.is_set():
            raise Cancelled
        events.put(event)

    def work() -> None:
        try:
            if not session.has_model(preferences.llm):
                put(Event("stage", "load"))
            model = session.model(preferences.llm)
            put(Event("stage", "search"))
            searcher = session.searcher()
            answer = answer_question(question, searcher, model, history=history,
                                     k=preferences.k,
                                     include_comments=preferences.include_comments,
                                     progress=_stage_reporter(put, bool(history)),
                                     on_draft=lambda piece: put(Event("piece", piece)))
            events.put(Event("answer", answer))
        except Cancelled:  # dropped here, with its traceback: the model's stream closes now
            return
        except Exception as error:  # shown as one line in the chat, never a traceback
            events.put(Event("error", error))

    threading.Thread(target=work, name="counterpoint-answer", daemon=True).start()
    try:
        while True:
            event = events.get()
            yield event
            if event.kind in ("answer", "error"):
                return
    finally:
        stop.set()


def _stage_reporter(report: Callable[[Event], None], follow_up: bool):
    """answer_question's step reports as the page's stages (STEP_STAGES)."""

    def step(name: str, detail: str) -> None:
        stage = STEP_STAGES.get(name)
        if stage == "rewrite" and not follow_up:  # a first question has nothing to rewrite
            return
        if stage:
            report(Event("stage", stage))

    return step


def numbering(answer) -> dict[Citation, int]:
    """Citation -> its marker number, in order of first use."""
    return {c: n for n, c in enumerate(answer.citations, start=1)}


def answer_html(answer, turn: int) -> str:
    """The answer: supported sentences with markers, unsupported ones marked, or a refusal."""
    if answer.refused:
        return (f'<div class="cp-answer cp-refused"><p class="cp-refusal">{plain(answer.text)}'
                "</p><p class=\"cp-meta\">No passage in the documents answers this; nothing "
                "was made up.</p></div>")
    numbers = numbering(answer)
    parts = []
    for sentence in answer.sentences:
        if sentence.supported:
            markers = "".join(marker(numbers[c], anchor(turn, numbers[c]))
                              for c in sentence.citations if c in numbers)
            parts.append(f'<span class="cp-sentence">{plain(sentence.text)}</span>{markers}')
        else:
            parts.append(f'<span class="cp-unsupported-sentence">{plain(sentence.text)}'
                         f"</span> {unsupported_mark()}")
    query = ""
    if answer.query != answer.question:
        query = f'<p class="cp-meta">Searched for: {plain(answer.query)}</p>'
    return f'<div class="cp-answer">{" ".join(parts)}{query}</div>'


def anchor(turn: int, number: int) -> str:
    return f"ev-{turn}-{number}"


def evidence_html(answer, turn: int, question: str, documents: dict[str, Document],
                  rows: tuple[AuditRow, ...] = ()) -> str:
    """The cited passages of one answer, each opening to its highlighted paragraph."""
    verdicts = {row.citation: row for row in rows}
    cards = []
    for citation, number in numbering(answer).items():
        row = verdicts.get(citation)
        cards.append(citation_card(
            number, citation, documents, anchor=anchor(turn, number),
            verdict=row.verdict if row else None, score=row.score if row else None,
            reason=row.reason if row else "", open_=number == 1))
    body = "".join(cards) or notice("No passage is cited: the answer was refused.")
    return (f'<section class="cp-evidence" data-turn="{turn}"><h4>Evidence for: '
            f"{escape(question)}</h4>{body}</section>")


def build_turn(answer, turn: int, documents: dict[str, Document],
               rows: tuple[AuditRow, ...] = ()) -> Turn:
    return Turn(answer.question, answer_html(answer, turn),
                evidence_html(answer, turn, answer.question, documents, rows), answer.text,
                answer.to_dict(), tuple(rows))


def history_of(turns: list[Turn]) -> list[tuple[str, str]]:
    """(question, answer) pairs for follow-ups."""
    return [(t.question, t.plain) for t in turns]


def ask_stream(session: Session, preferences: Preferences, question: str,
               turns: list[Turn]) -> Iterator[tuple[str, object]]:
    """("status" | "draft", text) while answering, then ("turn", Turn) once unaudited and
    once audited (or ("warning", text) when the audit fails), or ("error", text).

    The plain function behind the Ask tab (tests call it directly).
    """
    question = (question or "").strip()
    if not question:
        yield "error", "Type a question first."
        return
    draft, status = "", ""
    for event in answer_events(session, preferences, question, history_of(turns)):
        if event.kind == "stage":
            if STAGES[event.value] != status:  # "search" comes twice: opening, then retrieval
                status = STAGES[event.value]
                yield "status", status
        elif event.kind == "piece":
            draft += event.value
            yield "draft", draft
        elif event.kind == "error":
            yield "error", f"Could not answer: {error_line(event.value)}"
            return
        else:
            answer = event.value
            turn = len(turns) + 1
            documents = session.searcher().documents
            yield "turn", build_turn(answer, turn, documents)
            if answer.citations:
                yield "status", STAGES["audit"]
                from arguments import answer_claims

                try:
                    rows = audit_rows(answer_claims(answer), documents,
                                      session.model(preferences.llm), source="answer")
                except Exception as error:  # the answer stands; say the audit did not run
                    yield "warning", f"The citations were not audited: {error_line(error)}"
                    return
                yield "turn", build_turn(answer, turn, documents, rows)


def _draft_html(draft: str, status: str) -> str:
    """The streamed, unchecked draft with what is happening to it underneath."""
    return (f'<div class="cp-draft">{plain(draft)}</div>'
            f'<p class="cp-meta">{escape(status)}</p>')


def build_tab(context: TabContext) -> None:
    """The Ask tab's components and events (inside a gr.Tab)."""
    session = context.session
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.Chatbot(elem_id="ask-chat", height=560, latex_delimiters=[],
                              buttons=["copy"], feedback_options=None,
                              placeholder="Ask about the documents. Every sentence of an "
                                          "answer links to the words it rests on.")
            with gr.Row():
                question = gr.Textbox(show_label=False, scale=5, elem_id="ask-question",
                                      placeholder="e.g. Which city is the fighting centred on?",
                                      submit_btn=False)
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-send")
                clear = gr.Button("New conversation", scale=1, elem_id="ask-clear")
        with gr.Column(scale=2):
            gr.Markdown("### Evidence\nClick a marker such as [1] or a card to see the "
                        "quoted words highlighted in their paragraph.")
            evidence = gr.HTML(elem_id="ask-evidence")

    def on_ask(text, messages, past, preferences, log):
        shown = "".join(t.evidence for t in reversed(past))
        if not (text or "").strip():
            gr.Warning("Type a question first.")
            yield messages, past, shown, log, ""
            return
        messages = [*messages, {"role": "user", "content": plain(text)},
                    {"role": "assistant", "content": ""}]
        kept, logged, draft = past, log, ""
        for kind, value in ask_stream(session, preferences, text, past):
            if kind == "status" and kept is not past:  # the answer stays; the audit is running
                shown = notice(value) + "".join(t.evidence for t in reversed(kept))
            elif kind == "status" and draft:  # the draft stays while it is being checked
                messages[-1]["content"] = _draft_html(draft, f"Draft, not checked yet. {value}")
            elif kind == "status":
                messages[-1]["content"] = f'<p class="cp-status"><em>{escape(value)}</em></p>'
            elif kind == "draft":
                draft = value
                messages[-1]["content"] = _draft_html(draft, "Draft, not checked yet.")
            elif kind == "error":
                messages[-1]["content"] = chat_notice(value, "error")
            elif kind == "warning":
                shown = notice(value, "warn") + shown
            else:  # a turn: first unaudited, then with its verdicts
                messages[-1]["content"] = value.html
                kept, logged = [*past, value], [*log, *value.rows]
                shown = "".join(t.evidence for t in reversed(kept))
            yield messages, kept, shown, logged, ""

    inputs = [question, chat, turns, context.preferences, context.session_log]
    outputs = [chat, turns, evidence, context.session_log, question]
    for trigger in (send.click, question.submit):
        # "minimal": Gradio's status line (queue place, timer) without the overlay over the
        # outputs, whose animation took CPU from the model (the chat shows its own status).
        trigger(on_ask, inputs, outputs, api_visibility="private", show_progress="minimal",
                **context.model_queue)
    clear.click(lambda: ([], [], ""), None, [chat, turns, evidence], api_visibility="private")
    gr.api(_ask_api(session), api_name="ask", **context.model_queue)


def _ask_api(session: Session):
    def ask(question: str, k: int = 6, include_comments: bool = True) -> dict:
        """Answer a question from the documents: the answer, its sentences and citations, each
        citation re-verified against the stored text and audited."""
        from answers.pipeline import checked_k

        try:  # refused before the model loads
            k = checked_k(k)
        except ValueError as error:
            raise gr.Error(str(error)) from None
        preferences = Preferences(llm=session.llm, k=k, include_comments=bool(include_comments))
        result: dict = {"error": "no answer"}
        for kind, value in ask_stream(session, preferences, question, []):
            if kind == "error":
                raise gr.Error(value)
            if kind == "turn":
                result = _turn_dict(value, session)
        return result

    return ask


def _turn_dict(turn: Turn, session: Session) -> dict:
    documents = session.searcher().documents
    audited = {row.citation: row.to_dict(documents) for row in turn.rows}
    citations = [audited.get(Citation(**c)) or {**c, "verbatim": Citation(**c).is_verbatim(
        documents)} for c in turn.data["citations"]]
    return {**turn.data, "citations": citations}

"""Audit tab: every citation shown in this session with its verdict, filters, exports, and a
form to audit any claim against any passage."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from documents import Citation, Document, split_passages
from interface.web.context import TabContext
from interface.web.render import KIND_LABELS, citation_card, notice
from interface.web.scratch import scratch_folder
from session import Session

COLUMNS = ["#", "from", "claim", "document", "kind", "verdict", "score", "reason", "quote",
           "verbatim"]
GOOD_VERDICTS = frozenset({"supported"})


@dataclass(frozen=True)
class AuditRow:
    """One citation shown to the user, the claim it backs, and its audit verdict."""

    source: str  # answer | map | positions | debate | form
    claim: str
    citation: Citation
    verdict: str
    score: float | None
    reason: str

    def to_dict(self, documents: dict[str, Document]) -> dict:
        return {"source": self.source, "claim": self.claim, **self.citation.to_dict(),
                "verdict": self.verdict, "score": self.score, "reason": self.reason,
                "verbatim": self.citation.is_verbatim(documents)}

    def is_problem(self, documents: dict[str, Document]) -> bool:
        return (self.verdict.lower() not in GOOD_VERDICTS
                or not self.citation.is_verbatim(documents))


def verdict_row(source: str, claim: str, citation: Citation, verdict) -> AuditRow:
    """An AuditRow from the argument layer's Verdict (its warnings join the reason)."""
    reason = "; ".join([verdict.reason, *verdict.warnings])
    return AuditRow(source, claim, citation, verdict.verdict, round(float(verdict.score), 3),
                    reason)


def audit_rows(pairs: Iterable[tuple[str, Citation]], documents: dict[str, Document], model,
               source: str) -> tuple[AuditRow, ...]:
    """Audit each (claim, citation) pair with the argument layer's audit_claims."""
    from arguments import audit_claims

    pairs = list(pairs)
    verdicts = audit_claims(pairs, documents, model)
    return tuple(verdict_row(source, claim, citation, verdict)
                 for (claim, citation), verdict in zip(pairs, verdicts, strict=True))


def table(rows: list[AuditRow], documents: dict[str, Document],
          problems_only: bool = False) -> list[list]:
    """Rows for the session table; `problems_only` keeps unsupported or broken citations."""
    shown = []
    for number, row in enumerate(rows, start=1):
        if problems_only and not row.is_problem(documents):
            continue
        data = row.to_dict(documents)
        kind = KIND_LABELS.get(row.citation.kind, row.citation.kind)
        shown.append([number, row.source, row.claim, row.citation.doc_id, kind,
                      row.verdict, "" if row.score is None else row.score, row.reason,
                      row.citation.quote, "yes" if data["verbatim"] else "NO"])
    return shown


def export(rows: list[AuditRow], documents: dict[str, Document], fmt: str,
           folder: Path | None = None) -> Path:
    """Write the session's audit rows as CSV or JSON; return the file (in CSV a cell that a
    spreadsheet would run as a formula starts with an apostrophe)."""
    from arguments.exports import spreadsheet_cell

    folder = Path(folder or scratch_folder("audit-"))
    data = [row.to_dict(documents) for row in rows]
    path = folder / f"citation-audit.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        fields = ["source", "claim", "doc_id", "kind", "start", "end", "quote", "verdict",
                  "score", "reason", "verbatim"]
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        writer.writerows({key: spreadsheet_cell(value) for key, value in row.items()}
                         for row in data)
        path.write_text(buffer.getvalue(), "utf-8")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return path


def find_citation(documents: dict[str, Document], doc_id: str, words: str) -> Citation:
    """The passage of a document that contains the given words (case-insensitive)."""
    document = documents.get(doc_id or "")
    if document is None:
        raise ValueError("choose a document")
    words = " ".join((words or "").split()).lower()
    if not words:
        raise ValueError("paste a few words of the passage to audit against")
    for passage in split_passages(document):
        if words in " ".join(passage.text.split()).lower():
            return Citation.of(passage)
    raise ValueError(f"no passage of {doc_id} contains “{words}”")


def citation_at(documents: dict[str, Document], doc_id: str, start: int, end: int) -> Citation:
    """A citation at explicit offsets; the kind is that of the passage that contains it."""
    document = documents.get(doc_id or "")
    if document is None:
        raise ValueError(f"no document {doc_id!r}")
    start, end = int(start), int(end)
    kind = next((p.kind for p in split_passages(document) if p.start <= start < p.end),
                "article")
    return Citation.at(document, start, end, kind)


def audit_one(session: Session, llm: str, claim: str, citation: Citation) -> AuditRow:
    """Audit a user's claim against a passage (the form and the API)."""
    claim = " ".join((claim or "").split())
    if not claim:
        raise ValueError("type the claim to audit")
    documents = session.documents()
    rows = audit_rows([(claim, citation)], documents, session.model(llm), source="form")
    return rows[0]


def build_tab(context: TabContext) -> None:
    """The Audit tab's components and events (inside a gr.Tab)."""
    session = context.session
    gr.Markdown("### Citations in this session\nEvery citation shown in answers, positions, "
                "maps and debates, re-checked against the stored text and audited.")
    problems = gr.Checkbox(label="Only problems (not supported, or no longer verbatim)",
                           elem_id="audit-problems")
    grid = gr.Dataframe(headers=COLUMNS, interactive=False, wrap=True, elem_id="audit-table",
                        column_widths=["4%", "7%", "22%", "10%", "8%", "9%", "6%", "14%",
                                       "15%", "5%"])
    with gr.Row():
        csv_button = gr.DownloadButton("Export CSV", elem_id="audit-csv")
        json_button = gr.DownloadButton("Export JSON", elem_id="audit-json")
    gr.Markdown("### Audit a claim against a passage")
    with gr.Row():
        claim = gr.Textbox(label="Claim", scale=3, elem_id="audit-claim")
        doc = gr.Dropdown(label="Document", choices=[], scale=2, elem_id="audit-doc")
    words = gr.Textbox(label="Passage: paste a few words from it", elem_id="audit-words")
    run = gr.Button("Audit", variant="primary", elem_id="audit-run")
    result = gr.HTML(elem_id="audit-result")

    def refresh(rows, only):
        documents = session.documents()
        return (table(rows, documents, only), export(rows, documents, "csv"),
                export(rows, documents, "json"))

    def on_audit(text, doc_id, passage_words, preferences, rows):
        documents = session.documents()
        try:
            citation = find_citation(documents, doc_id, passage_words)
            row = audit_one(session, preferences.llm, text, citation)
        except Exception as error:  # one line for the user
            return notice(f"Not audited: {error}", "error"), rows
        card = citation_card(1, citation, documents, anchor="audit-card", verdict=row.verdict,
                             score=row.score, reason=row.reason, open_=True)
        return card, [*rows, row]

    views = [grid, csv_button, json_button]
    context.session_log.change(refresh, [context.session_log, problems], views,
                               api_visibility="private")
    problems.change(refresh, [context.session_log, problems], views, api_visibility="private")
    run.click(on_audit, [claim, doc, words, context.preferences, context.session_log],
              [result, context.session_log], api_visibility="private", **context.model_queue)
    context.on_page_load(
        lambda: gr.update(choices=[(d.title or d.doc_id, d.doc_id)
                                   for d in session.documents().values()]), [doc])
    gr.api(_audit_api(session), api_name="audit", **context.model_queue)


def _audit_api(session: Session):
    def audit(claim: str, doc_id: str, start: int, end: int) -> dict:
        """Audit a claim against the text at doc_id[start:end]; the verdict with its reason."""
        documents = session.documents()
        try:
            citation = citation_at(documents, doc_id, start, end)
            row = audit_one(session, session.llm, claim, citation)
        except ValueError as error:
            raise gr.Error(str(error)) from None
        return row.to_dict(documents)

    return audit
